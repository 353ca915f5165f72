package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class OutputRegularizerTest {

  private static final int MAX_TASKS = 5;

  /** A hypernetwork with its regularizer, and an op that nudges Θ_h to simulate training. */
  private static final class Fixture implements AutoCloseable {
    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    final Hypernetwork hnet;
    final TaskEmbeddings embeddings;
    final OutputRegularizer reg;
    final Operand<TFloat32> expanded;
    final Operand<TFloat32> naive;
    final Operand<TFloat32> factored;
    final List<Operand<TFloat32>> params;
    final Op perturb;
    final Session session;

    Fixture(HypernetworkSpec spec) {
      this(spec, true);
    }

    Fixture(HypernetworkSpec spec, boolean windowed) {
      this(spec, windowed, MAX_TASKS);
    }

    Fixture(HypernetworkSpec spec, boolean windowed, int slotsPerGroup) {
      hnet = Hypernetwork.create(tf, spec, 11);
      embeddings = new TaskEmbeddings(tf, MAX_TASKS, spec.embeddingDim(), 12);
      params = hnet.read(tf);
      reg = new OutputRegularizer(tf, hnet, params, embeddings.table(), MAX_TASKS, windowed, slotsPerGroup, null);
      expanded = reg.expanded(tf, params, embeddings.table());
      naive = reg.naive(tf, params, embeddings.table());
      factored = reg.factored(tf, params, embeddings.table());
      perturb = nudge(tf, hnet);
      session = new Session(graph);
      session.initialize();
    }

    /** Stores the targets of {@code slotTasks}, in slot order, at the current parameters. */
    void store(int... slotTasks) {
      reg.store(session, slotTasks);
    }

    /** The expanded, naive and factored forms' values for a window. */
    float[] eval(int[] taskIds, int start, int count, int wrap) {
      Map<Operand<?>, Tensor> feeds = windowFeeds(taskIds, start, count, wrap);
      try {
        float[][] out = GraphTestSupport.fetch(session, feeds, List.of(expanded, naive, factored));
        return new float[] {out[0][0], out[1][0], out[2][0]};
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }

    Map<Operand<?>, Tensor> windowFeeds(int[] taskIds, int start, int count, int wrap) {
      return OutputRegularizerTest.windowFeeds(reg, taskIds, start, count, wrap);
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /** An op that adds the same small noise to Θ_h each time it runs (seeded), to simulate training. */
  static Op nudge(Ops tf, Hypernetwork hnet) {
    return nudge(tf, hnet, 5, 0.05);
  }

  /** As {@link #nudge(Ops, Hypernetwork)} with uniform noise of width {@code scale} drawn from {@code seed}. */
  static Op nudge(Ops tf, Hypernetwork hnet, long seed, double scale) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Op> nudges = new java.util.ArrayList<>();
    for (Variable<TFloat32> v : hnet.variables()) {
      float[] noise = new float[(int) v.shape().size()];
      for (int i = 0; i < noise.length; i++) {
        noise[i] = (float) (scale * (rng.nextDouble() - 0.5));
      }
      nudges.add(tf.assignAdd(v, tf.constant(v.shape(), org.tensorflow.ndarray.buffer.DataBuffers.of(noise))));
    }
    return tf.withControlDependencies(nudges).noOp();
  }

  /** The feeds of a window: task ids in slot order, its start, count and wrap. The caller closes them. */
  static Map<Operand<?>, Tensor> windowFeeds(OutputRegularizer reg, int[] taskIds, int start, int count, int wrap) {
    Map<Operand<?>, Tensor> feeds = new HashMap<>();
    feeds.put(reg.windowTasksInput(), Tensors.ints(taskIds, taskIds.length));
    feeds.put(reg.windowStartInput(), TInt32.scalarOf(start));
    feeds.put(reg.windowCountInput(), TInt32.scalarOf(count));
    feeds.put(reg.windowWrapInput(), TInt32.scalarOf(wrap));
    return feeds;
  }

  private static HypernetworkSpec chunkedWithTail() {
    // P = 141, S = 48 → 3 chunks, 3 cut weights in the last one.
    return HypernetworkSpec.chunked(4, 3, new int[] {7, 6}, Activation.RELU, 48, 141);
  }

  /**
   * The factored form's gradient with respect to every parameter equals the naive form's: it is
   * the same function of Θ_h, with and without a cut tail, over a wrapping window.
   */
  @Test
  void factoredGradientsEqualTheNaiveOnes() {
    for (HypernetworkSpec spec :
        List.of(chunkedWithTail(), HypernetworkSpec.chunked(4, 3, new int[] {5}, Activation.ELU, 47, 141),
            HypernetworkSpec.full(2, new int[] {10, 10}, Activation.SIGMOID, 141))) {
      try (Fixture f = new Fixture(spec, true, 2)) {
        List<Operand<TFloat32>> gNaive = Tensors.floatOperands(f.tf.gradients(f.naive, f.params));
        List<Operand<TFloat32>> gFactored = Tensors.floatOperands(f.tf.gradients(f.factored, f.params));
        f.store(3, 0, 2, 1);
        f.session.run(f.perturb);
        Map<Operand<?>, Tensor> feeds = f.windowFeeds(new int[] {2, 1, 3}, 2, 2, 1);
        try {
          for (int i = 0; i < gNaive.size(); i++) {
            float[][] out = GraphTestSupport.fetch(f.session, feeds, List.of(gNaive.get(i), gFactored.get(i)));
            double scale = 0;
            for (float x : out[0]) {
              scale = Math.max(scale, Math.abs(x));
            }
            assertThat(scale).as("%s, parameter %d has a gradient", spec, i).isPositive();
            for (int j = 0; j < out[0].length; j++) {
              assertThat((double) out[1][j]).as("%s, parameter %d, element %d", spec, i, j)
                  .isCloseTo(out[0][j], within(1e-3 * scale + 1e-5));
            }
          }
        } finally {
          feeds.values().forEach(Tensor::close);
        }
      }
    }
  }

  /** A regularizer built for the factored form stores no targets, only factors, and gives the same sum. */
  @Test
  void theFactoredFormStoresNoTargets() {
    float[] withTargets;
    try (Fixture f = new Fixture(chunkedWithTail(), false, MAX_TASKS)) {
      f.store(0, 1, 2);
      f.session.run(f.perturb);
      withTargets = f.eval(new int[] {0, 1, 2}, 0, 3, 0);
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Hypernetwork hnet = Hypernetwork.create(tf, chunkedWithTail(), 11);
      TaskEmbeddings embeddings = new TaskEmbeddings(tf, MAX_TASKS, chunkedWithTail().embeddingDim(), 12);
      List<Operand<TFloat32>> params = hnet.read(tf);
      OutputRegularizer reg =
          new OutputRegularizer(tf, hnet, params, embeddings.table(), MAX_TASKS, false, OutputRegularizer.Form.FACTORED, null);
      assertThat(reg.targetGroups()).isEmpty();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> reg.expanded(tf, params, embeddings.table()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("factors only");
      Operand<TFloat32> factored = reg.factored(tf, params, embeddings.table());
      Op perturb = nudge(tf, hnet);
      try (Session s = new Session(g)) {
        s.initialize();
        reg.store(s, new int[] {0, 1, 2});
        s.run(perturb);
        Map<Operand<?>, Tensor> feeds = new HashMap<>();
        feeds.put(reg.windowTasksInput(), Tensors.ints(new int[] {0, 1, 2}, 3));
        feeds.put(reg.windowStartInput(), TInt32.scalarOf(0));
        feeds.put(reg.windowCountInput(), TInt32.scalarOf(3));
        feeds.put(reg.windowWrapInput(), TInt32.scalarOf(0));
        try {
          float value = GraphTestSupport.fetch(s, feeds, factored)[0];
          assertThat(withTargets[1]).isGreaterThan(1e-3f);
          assertThat((double) value).isCloseTo(withTargets[1], within(2e-3 + 1e-3 * withTargets[1]));
        } finally {
          feeds.values().forEach(Tensor::close);
        }
      }
    }
  }

  @Test
  void zeroRightAfterStoringAndPositiveAfterAStep() {
    for (HypernetworkSpec spec :
        List.of(chunkedWithTail(), HypernetworkSpec.full(2, new int[] {10, 10}, Activation.SIGMOID, 141))) {
      try (Fixture f = new Fixture(spec)) {
        f.store(0, 1, 2);
        float[] before = f.eval(new int[] {0, 1, 2}, 0, 3, 0);
        assertThat(before[1]).as("naive, %s", spec).isZero();
        assertThat((double) before[0]).as("expanded, %s", spec).isCloseTo(0, within(2e-3));
        assertThat((double) before[2]).as("factored, %s", spec).isCloseTo(0, within(2e-3));
        f.session.run(f.perturb);
        float[] after = f.eval(new int[] {0, 1, 2}, 0, 3, 0);
        assertThat(after[1]).isGreaterThan(1e-3f);
        assertThat((double) after[0]).isCloseTo(after[1], within(2e-3 + 1e-3 * after[1]));
        assertThat((double) after[2]).as("factored, %s", spec).isCloseTo(after[1], within(2e-3 + 1e-3 * after[1]));
      }
    }
  }

  @Test
  void batchedWindowEqualsSumOfSingleTasksAndExpandedEqualsNaive() {
    // One buffer, then groups of 2 (the wrapping window crosses groups) and of 1.
    for (int perGroup : new int[] {MAX_TASKS, 2, 1}) {
      try (Fixture f = new Fixture(chunkedWithTail(), true, perGroup)) {
        int[] slotTasks = {3, 0, 2, 1};
        f.store(slotTasks);
        f.session.run(f.perturb);
        double sum = 0;
        for (int slot = 0; slot < slotTasks.length; slot++) {
          float[] single = f.eval(new int[] {slotTasks[slot]}, slot, 1, 0);
          assertThat((double) single[0]).as("groups of %d, slot %d", perGroup, slot).isCloseTo(single[1], within(1e-3 + 1e-3 * single[1]));
          assertThat((double) single[2]).as("factored, slot %d", slot).isCloseTo(single[1], within(1e-3 + 1e-3 * single[1]));
          sum += single[1];
        }
        float[] all = f.eval(slotTasks, 0, 4, 0);
        assertThat((double) all[1]).isCloseTo(sum, within(1e-4 * sum));
        assertThat((double) all[0]).as("groups of %d", perGroup).isCloseTo(sum, within(2e-3 + 1e-3 * sum));
        assertThat((double) all[2]).as("factored, groups of %d", perGroup).isCloseTo(sum, within(2e-3 + 1e-3 * sum));

        // A wrapping window: slots 1, 2, 3 then 0.
        float[] wrapped = f.eval(new int[] {0, 2, 1, 3}, 1, 3, 1);
        assertThat((double) wrapped[1]).isCloseTo(sum, within(1e-4 * sum));
        assertThat((double) wrapped[0]).as("groups of %d, wrapped", perGroup).isCloseTo(sum, within(2e-3 + 1e-3 * sum));
        assertThat((double) wrapped[2]).as("factored, wrapped").isCloseTo(sum, within(2e-3 + 1e-3 * sum));
        // Slots 2, 3 then 0: the three single-slot values.
        float[] part = f.eval(new int[] {2, 1, 3}, 2, 2, 1);
        double expected = f.eval(new int[] {2}, 2, 1, 0)[1] + f.eval(new int[] {1}, 3, 1, 0)[1] + f.eval(new int[] {3}, 0, 1, 0)[1];
        assertThat((double) part[1]).isCloseTo(expected, within(1e-4 * expected));
        assertThat((double) part[0]).isCloseTo(expected, within(2e-3 + 1e-3 * expected));
        assertThat((double) part[2]).as("factored, part").isCloseTo(expected, within(2e-3 + 1e-3 * expected));

        float[] empty = f.eval(new int[0], 0, 0, 0);
        assertThat(empty).containsExactly(0f, 0f, 0f);
      }
    }
  }

  @Test
  void readingAllSlotsWholeEqualsTheWindowedAndNaiveForms() {
    int[] slotTasks = {0, 1, 2, 3};
    double windowedValue;
    double naiveValue;
    try (Fixture f = new Fixture(chunkedWithTail(), true)) {
      assertThat(f.reg.targetGroups()).hasSize(1);
      f.store(slotTasks);
      f.session.run(f.perturb);
      float[] v = f.eval(slotTasks, 0, slotTasks.length, 0);
      windowedValue = v[0];
      naiveValue = v[1];
    }
    // One group, groups of 2 (two full), of 3 (one full, one partial), of 1 with an empty fifth.
    for (int perGroup : new int[] {5, 2, 3, 1}) {
      try (Fixture f = new Fixture(chunkedWithTail(), false, perGroup)) {
        assertThat(f.reg.targetGroups()).as("groups of %d", perGroup).hasSize((MAX_TASKS + perGroup - 1) / perGroup);
        f.store(slotTasks);
        f.session.run(f.perturb);
        float[] v = f.eval(slotTasks, 0, slotTasks.length, 0);
        assertThat((double) v[1]).as("naive, groups of %d", perGroup).isCloseTo(naiveValue, within(1e-6 * naiveValue));
        assertThat((double) v[0]).as("expanded, groups of %d", perGroup).isCloseTo(windowedValue, within(1e-4 + 1e-5 * windowedValue));
        assertThat(v[1]).isGreaterThan(1e-3f);
        // A new task stores again: one slot, at the current parameters, regularizes to 0; the groups
        // that held the earlier slots are emptied.
        f.store(2);
        float[] one = f.eval(new int[] {2}, 0, 1, 0);
        assertThat(one[1]).isZero();
        assertThat((double) one[0]).isCloseTo(0, within(2e-3));
        assertThat((double) one[2]).isCloseTo(0, within(2e-3));
        for (int g = 1; g < f.reg.targetGroups().size(); g++) {
          try (TFloat32 t = (TFloat32) f.session.runner().fetch(f.reg.targetGroups().get(g).read(f.tf)).run().get(0)) {
            assertThat(t.shape().get(0)).as("rows of group %d", g).isZero();
          }
        }
      }
    }
  }

  @Test
  void storesTheGeneratedWeightsInSlotOrderWithoutSparseWritesToTheTargets() {
    try (Fixture f = new Fixture(chunkedWithTail(), false, 2)) {
      f.store(4, 1, 3);
      Operand<TFloat32> generated =
          f.hnet.generate(f.tf, f.hnet.read(f.tf), f.tf.gather(f.embeddings.table(), f.tf.constant(new int[] {4, 1, 3}), f.tf.constant(0)));
      float[][] out =
          GraphTestSupport.fetch(
              f.session,
              Map.of(),
              List.of(
                  generated,
                  f.reg.targetGroups().get(0).read(f.tf),
                  f.reg.targetGroups().get(1).read(f.tf),
                  f.reg.targetNorms().read(f.tf)));
      int p = 141;
      int width = 3 * 48;
      // Group 0 holds tasks 4 and 1, group 1 task 3; each slot is n_c·S values, the first P generated.
      for (int k = 0; k < 3; k++) {
        float[] slot = k < 2 ? java.util.Arrays.copyOfRange(out[1], k * width, k * width + p) : java.util.Arrays.copyOfRange(out[2], 0, p);
        assertThat(slot).as("slot %d", k).containsExactly(java.util.Arrays.copyOfRange(out[0], k * p, (k + 1) * p), within(1e-6f));
        double norm = 0;
        float[] group = k < 2 ? out[1] : out[2];
        int off = (k % 2) * width;
        for (int i = 0; i < width; i++) {
          norm += (double) group[off + i] * group[off + i];
        }
        assertThat((double) out[3][k]).as("norm of slot %d", k).isCloseTo(norm, within(1e-4 * norm));
      }
    }
    // The copy-on-read a sparse write would cause is invisible to values; the graph must not have one.
    try (Fixture f = new Fixture(chunkedWithTail(), false, 2)) {
      java.util.Set<String> targetHandles = new java.util.HashSet<>();
      f.reg.targetGroups().forEach(g -> targetHandles.add(g.handle().op().name()));
      f.graph.operations().forEachRemaining(
          op -> {
            if (op.type().startsWith("ResourceScatter") || op.type().equals("ResourceStridedSliceAssign")) {
              String target = op.input(0).op().name();
              assertThat(targetHandles).as("sparse write %s", op.name()).doesNotContain(target);
            }
          });
    }
  }

  @Test
  void rejectsGroupsAndSlotsOutsideTheTable() {
    try (Fixture f = new Fixture(chunkedWithTail(), false, 2)) {
      assertThat(f.reg.storeGroup(2)).isNotSameAs(f.reg.storeGroup(0));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.reg.storeGroup(3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("group 3");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.store(0, 1, 2, 3, 4, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("6 slots");
    }
  }

  @Test
  void windowsDrawEveryPastTaskEquallyOften() {
    RegularizerWindow all = new RegularizerWindow(4, 0, new SplittableRandom(1));
    assertThat(all.next().taskIds()).containsExactly(0, 1, 2, 3);
    RegularizerWindow w = new RegularizerWindow(10, 3, new SplittableRandom(2));
    assertThat(w.slotOrder()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    int[] counts = new int[10];
    for (int i = 0; i < 20_000; i++) {
      RegularizerWindow.Window win = w.next();
      assertThat(win.size()).isEqualTo(3);
      for (int id : win.taskIds()) {
        counts[id]++;
      }
      int[] slots = w.slotOrder();
      for (int j = 0; j < win.count(); j++) {
        assertThat(win.taskIds()[j]).isEqualTo(slots[win.start() + j]);
      }
    }
    for (int c : counts) {
      assertThat(c).isBetween(5400, 6600); // expectation 6000
    }
  }
}
