package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.hypercl.graphs.MlpSpec.KernelOrder;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class MlpSpecTest {

  @Test
  void kernelOrderDefaultsToOutInAndOldConfigsReadAsInOut() {
    MlpSpec spec = new MlpSpec(5, new int[] {4}, 3, 2, Activation.RELU);
    assertThat(spec.kernelOrder()).isEqualTo(KernelOrder.OUT_IN);
    assertThat(spec.layout().entry("w0").shape()).containsExactly(4, 5);
    assertThat(spec.layout().entry("w1").shape()).containsExactly(6, 4);
    assertThat(MlpSpec.fromMap(spec.toMap())).isEqualTo(spec);

    Map<String, Object> old = new HashMap<>(spec.toMap());
    old.remove("kernelOrder");
    MlpSpec read = MlpSpec.fromMap(old);
    assertThat(read.kernelOrder()).isEqualTo(KernelOrder.IN_OUT);
    assertThat(read.layout().entry("w0").shape()).containsExactly(5, 4);
    assertThat(read).isNotEqualTo(spec);
    assertThat(read.parameterCount()).isEqualTo(spec.parameterCount());

    old.put("kernelOrder", "rows");
    assertThatThrownBy(() -> MlpSpec.fromMap(old)).hasMessageContaining("kernelOrder").hasMessageContaining("'rows'");
  }

  @Test
  void bothOrdersComputeTheSameNetworkFromTransposedKernels() {
    MlpSpec outIn = new MlpSpec(5, new int[] {4}, 3, 1, Activation.TANH, KernelOrder.OUT_IN);
    MlpSpec inOut = new MlpSpec(5, new int[] {4}, 3, 1, Activation.TANH, KernelOrder.IN_OUT);
    SplittableRandom rng = new SplittableRandom(3);
    float[] a = new float[(int) outIn.parameterCount()];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (rng.nextDouble() - 0.5);
    }
    // The same weights in the other order: every kernel transposed, biases as they are.
    float[] b = a.clone();
    for (WeightLayout.Entry e : outIn.layout().entries()) {
      if (e.shape().length == 2) {
        int rows = (int) e.shape()[0];
        int cols = (int) e.shape()[1];
        for (int r = 0; r < rows; r++) {
          for (int c = 0; c < cols; c++) {
            b[(int) e.offset() + c * rows + r] = a[(int) e.offset() + r * cols + c];
          }
        }
      }
    }
    float[] x = new float[2 * 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> input = tf.constant(Shape.of(2, 5), DataBuffers.of(x));
      Operand<TFloat32> ya = outIn.network().forward(tf, input, tf.constant(Shape.of(a.length), DataBuffers.of(a)), ForwardContext.head(tf.constant(0))).output();
      Operand<TFloat32> yb = inOut.network().forward(tf, input, tf.constant(Shape.of(b.length), DataBuffers.of(b)), ForwardContext.head(tf.constant(0))).output();
      float[][] out = GraphTestSupport.fetch(s, Map.of(), List.of(ya, yb));
      assertThat(out[0]).hasSize(6).containsExactly(out[1], within(1e-6f));
      assertThat(out[0][0]).isNotEqualTo(out[0][1]);
    }
  }
}
