package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class HeadMaskTest {

  private static final int TASKS = 5;

  /** 3 inputs, a hidden layer of 4, five heads of 2: P = 16 + 50, the output layer at [16, 66). */
  private static MlpSpec mlp(MlpSpec.KernelOrder order) {
    return new MlpSpec(3, new int[] {4}, 2, TASKS, Activation.RELU, order);
  }

  @Test
  void namesTheHeadOfEveryOutputWeight() {
    HeadMask outIn = HeadMask.otherHeads(new MlpTargetNetwork(mlp(MlpSpec.KernelOrder.OUT_IN)), TASKS);
    assertThat(outIn.start()).isEqualTo(16);
    assertThat(outIn.length()).isEqualTo(50);
    // Kernel [10 units, 4 inputs]: each unit's 4 weights contiguous, heads of 2 units.
    assertThat(outIn.headOf(0)).isZero();
    assertThat(outIn.headOf(7)).isZero();
    assertThat(outIn.headOf(8)).isEqualTo(1);
    assertThat(outIn.headOf(39)).isEqualTo(4);
    // Bias [10].
    assertThat(outIn.headOf(40)).isZero();
    assertThat(outIn.headOf(42)).isEqualTo(1);
    assertThat(outIn.headOf(49)).isEqualTo(4);

    HeadMask inOut = HeadMask.otherHeads(new MlpTargetNetwork(mlp(MlpSpec.KernelOrder.IN_OUT)), TASKS);
    // Kernel [4 inputs, 10 units]: a row holds every unit.
    assertThat(inOut.headOf(0)).isZero();
    assertThat(inOut.headOf(2)).isEqualTo(1);
    assertThat(inOut.headOf(9)).isEqualTo(4);
    assertThat(inOut.headOf(10)).isZero();
    assertThat(inOut.headOf(45)).isEqualTo(2);

    ResNetSpec resnet = ResNetSpec.resnet32(6, 10);
    HeadMask r = HeadMask.otherHeads(resnet.network(), 6);
    assertThat(r.length()).isEqualTo(64 * 60 + 60);
    assertThat((long) r.start() + r.length()).isEqualTo(resnet.parameterCount());
    assertThat(r.headOf(64 * 10 - 1)).isZero();
    assertThat(r.headOf(64 * 10)).isEqualTo(1);
    assertThat(r.headOf(r.length() - 1)).isEqualTo(5);
  }

  @Test
  void needsAHeadPerTask() {
    assertThatThrownBy(() -> HeadMask.otherHeads(new MlpTargetNetwork(mlp(MlpSpec.KernelOrder.OUT_IN)), 6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 heads for 6 tasks");
  }

  /** A masked regularizer over a hypernetwork of {@link #mlp}, and the forms' sums for a window. */
  private static final class Fixture implements AutoCloseable {
    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    final Hypernetwork hnet;
    final TaskEmbeddings embeddings;
    final OutputRegularizer reg;
    final List<Operand<TFloat32>> forms;
    final List<Operand<TFloat32>> params;
    final Op perturb;
    final Session session;

    Fixture(HypernetworkSpec spec, MlpSpec target) {
      hnet = Hypernetwork.create(tf, spec, 21);
      embeddings = new TaskEmbeddings(tf, TASKS, spec.embeddingDim(), 22);
      params = hnet.read(tf);
      HeadMask mask = HeadMask.otherHeads(new MlpTargetNetwork(target), TASKS);
      reg = new OutputRegularizer(tf, hnet, params, embeddings.table(), TASKS, true, 2, mask);
      forms = List.of(reg.naive(tf, params, embeddings.table()), reg.expanded(tf, params, embeddings.table()),
          reg.factored(tf, params, embeddings.table()));
      perturb = OutputRegularizerTest.nudge(tf, hnet, 7, 0.1);
      session = new Session(graph);
      session.initialize();
    }

    float[][] generated(int[] tasks) {
      Operand<TFloat32> w = hnet.generate(tf, params, tf.gather(embeddings.table(), tf.constant(tasks), tf.constant(0)));
      float[] flat = GraphTestSupport.fetch(session, Map.of(), w);
      int p = flat.length / tasks.length;
      float[][] out = new float[tasks.length][];
      for (int k = 0; k < tasks.length; k++) {
        out[k] = java.util.Arrays.copyOfRange(flat, k * p, (k + 1) * p);
      }
      return out;
    }

    Map<Operand<?>, Tensor> feeds(int[] tasks, int start, int count, int wrap) {
      return OutputRegularizerTest.windowFeeds(reg, tasks, start, count, wrap);
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /**
   * Each form equals the squared error summed in Java over every weight but the other heads' (the
   * reference's {@code flatten_and_remove_out_heads}), for a wrapping window over groups of 2, a
   * chunked hypernetwork whose chunks cut the output layer and end in a cut tail, and a full one.
   */
  @Test
  void everyFormLeavesOutTheOtherHeadsOfEachPastTask() {
    List<HypernetworkSpec> specs = List.of(
        HypernetworkSpec.chunked(4, 3, new int[] {6}, Activation.RELU, 20, 66),
        HypernetworkSpec.full(3, new int[] {8}, Activation.ELU, 66));
    for (HypernetworkSpec spec : specs) {
      for (MlpSpec.KernelOrder order : MlpSpec.KernelOrder.values()) {
        MlpSpec target = mlp(order);
        HeadMask mask = HeadMask.otherHeads(new MlpTargetNetwork(target), TASKS);
        try (Fixture f = new Fixture(spec, target)) {
          int[] slots = {3, 0, 2, 1};
          f.reg.store(f.session, slots);
          float[][] stored = f.generated(slots);
          f.session.run(f.perturb);
          // Slots 1, 2, 3, then 0: tasks 0, 2, 1, 3.
          int[] window = {0, 2, 1, 3};
          float[][] now = f.generated(window);
          double masked = 0;
          double full = 0;
          for (int k = 0; k < window.length; k++) {
            float[] target0 = stored[(1 + k) % slots.length];
            for (int p = 0; p < target0.length; p++) {
              double d = target0[p] - now[k][p];
              full += d * d;
              int q = p - mask.start();
              if (q < 0 || mask.headOf(q) == window[k]) {
                masked += d * d;
              }
            }
          }
          assertThat(masked).as("%s, %s", spec, order).isLessThan(0.9 * full).isGreaterThan(1e-3);
          Map<Operand<?>, Tensor> feeds = f.feeds(window, 1, 3, 1);
          try {
            float[][] out = GraphTestSupport.fetch(f.session, feeds, f.forms);
            String[] names = {"naive", "expanded", "factored"};
            for (int i = 0; i < names.length; i++) {
              assertThat((double) out[i][0]).as("%s, %s, %s", names[i], spec, order).isCloseTo(masked, within(2e-3 + 1e-3 * masked));
            }
          } finally {
            feeds.values().forEach(Tensor::close);
          }
        }
      }
    }
  }

  /** The masked factored form has the masked naive form's gradient. */
  @Test
  void factoredGradientsEqualTheNaiveOnesWithTheMask() {
    try (Fixture f = new Fixture(HypernetworkSpec.chunked(4, 3, new int[] {6}, Activation.RELU, 20, 66), mlp(MlpSpec.KernelOrder.OUT_IN))) {
      List<Operand<TFloat32>> gNaive = Tensors.floatOperands(f.tf.gradients(f.forms.get(0), f.params));
      List<Operand<TFloat32>> gFactored = Tensors.floatOperands(f.tf.gradients(f.forms.get(2), f.params));
      f.reg.store(f.session, new int[] {3, 0, 2, 1});
      f.session.run(f.perturb);
      Map<Operand<?>, Tensor> feeds = f.feeds(new int[] {2, 1, 3}, 2, 2, 1);
      try {
        for (int i = 0; i < gNaive.size(); i++) {
          float[][] out = GraphTestSupport.fetch(f.session, feeds, List.of(gNaive.get(i), gFactored.get(i)));
          double scale = 0;
          for (float x : out[0]) {
            scale = Math.max(scale, Math.abs(x));
          }
          assertThat(scale).as("parameter %d has a gradient", i).isPositive();
          for (int j = 0; j < out[0].length; j++) {
            assertThat((double) out[1][j]).as("parameter %d, element %d", i, j).isCloseTo(out[0][j], within(1e-3 * scale + 1e-5));
          }
        }
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
  }
}
