package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Gradients of a target network's loss through generated weights against finite differences. */
class GradientCheckTest {

  @Test
  void chunkedHypernetworkGradientsMatchFiniteDifferences() {
    checkGradients(HypernetworkSpec.chunked(3, 2, new int[] {5}, Activation.TANH, 9, 1));
  }

  /** Chunks of 7 for 36 weights: the last chunk's tail of 6 is cut off (or, uncut, dropped by the split). */
  @Test
  void chunkedHypernetworkWithATailGradientsMatchFiniteDifferences() {
    checkGradients(HypernetworkSpec.chunked(3, 2, new int[] {5}, Activation.TANH, 7, 1));
  }

  @Test
  void fullHypernetworkGradientsMatchFiniteDifferences() {
    checkGradients(HypernetworkSpec.full(3, new int[] {4}, Activation.SIGMOID, 1));
  }

  private void checkGradients(HypernetworkSpec template) {
    MlpSpec target = new MlpSpec(3, new int[] {4}, 2, 2, Activation.TANH);
    HypernetworkSpec spec =
        new HypernetworkSpec(
            template.embeddingDim(), template.hidden(), template.activation(), template.chunkSize(),
            template.chunkEmbeddingDim(), target.parameterCount());
    SplittableRandom rng = new SplittableRandom(7);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Hypernetwork hnet = Hypernetwork.create(tf, spec, 3);
      List<Placeholder<TFloat32>> params = new ArrayList<>();
      List<float[]> values = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      for (Variable<TFloat32> v : hnet.variables()) {
        params.add(tf.placeholder(TFloat32.class));
        long[] shape = v.shape().asArray();
        shapes.add(shape);
        float[] val = new float[(int) v.shape().size()];
        for (int i = 0; i < val.length; i++) {
          val[i] = (float) (rng.nextDouble() - 0.5);
        }
        values.add(val);
      }
      Placeholder<TFloat32> e = tf.placeholder(TFloat32.class);
      shapes.add(new long[] {spec.embeddingDim()});
      values.add(new float[] {0.3f, -0.7f, 1.1f});
      Operand<TFloat32> x = tf.constant(new float[][] {{0.5f, -1f, 0.25f}, {1.5f, 0.1f, -0.3f}});
      List<Operand<TFloat32>> paramOps = new ArrayList<>(params);
      Operand<TFloat32> weights = hnet.generateOne(tf, paramOps, e);
      Operand<TFloat32> out = target.network().forward(tf, x, weights, ForwardContext.head(tf.constant(1))).output();
      Operand<TFloat32> loss = tf.sum(tf.math.square(tf.math.sub(out, tf.constant(0.2f))), tf.constant(new int[] {0, 1}));
      List<Operand<TFloat32>> wrt = new ArrayList<>(paramOps);
      wrt.add(e);
      List<Operand<?>> grads = new ArrayList<>();
      tf.gradients(loss, wrt).forEach(grads::add);
      // The training step's uncut vector (the target's split drops the tail): the same loss and gradients.
      Operand<TFloat32> uncut = hnet.generateOneUncut(tf, paramOps, e);
      assertThat(uncut.shape().size(0)).isEqualTo((long) spec.numChunks() * spec.rowSize());
      Operand<TFloat32> outUncut = target.network().forward(tf, x, uncut, ForwardContext.head(tf.constant(1))).output();
      Operand<TFloat32> lossUncut = tf.sum(tf.math.square(tf.math.sub(outUncut, tf.constant(0.2f))), tf.constant(new int[] {0, 1}));
      List<Operand<?>> uncutFetches = new ArrayList<>(List.of(lossUncut, loss));
      tf.gradients(lossUncut, wrt).forEach(uncutFetches::add);

      try (Session s = new Session(g)) {
        List<Operand<TFloat32>> feedsOrder = new ArrayList<>(params);
        feedsOrder.add(e);
        float[][] analytic = run(s, feedsOrder, values, shapes, grads);
        float[][] viaUncut = run(s, feedsOrder, values, shapes, uncutFetches);
        assertThat(viaUncut[0]).containsExactly(viaUncut[1]);
        for (int p = 0; p < analytic.length; p++) {
          assertThat(viaUncut[p + 2]).as("gradient %d through the uncut weights", p).containsExactly(analytic[p]);
        }
        double eps = 1e-2;
        int checked = 0;
        for (int p = 0; p < values.size(); p++) {
          float[] v = values.get(p);
          for (int i = 0; i < v.length; i += Math.max(1, v.length / 7)) {
            float orig = v[i];
            v[i] = (float) (orig + eps);
            double up = run(s, feedsOrder, values, shapes, List.of(loss))[0][0];
            v[i] = (float) (orig - eps);
            double down = run(s, feedsOrder, values, shapes, List.of(loss))[0][0];
            v[i] = orig;
            double numeric = (up - down) / (2 * eps);
            assertThat((double) analytic[p][i])
                .as("d loss / d param %d[%d]", p, i)
                .isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 + 2e-2 * Math.abs(numeric)));
            checked++;
          }
        }
        assertThat(checked).isGreaterThan(20);
      }
    }
  }

  private static float[][] run(
      Session s, List<Operand<TFloat32>> inputs, List<float[]> values, List<long[]> shapes, List<? extends Operand<?>> fetches) {
    Map<Operand<?>, Tensor> feeds = new HashMap<>();
    try {
      for (int i = 0; i < inputs.size(); i++) {
        feeds.put(inputs.get(i), Tensors.floats(values.get(i), shapes.get(i)));
      }
      return GraphTestSupport.fetch(s, feeds, fetches);
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }
}
