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
      List<Operand<TFloat32>> params = hnet.read(tf);
      reg = new OutputRegularizer(tf, hnet, params, embeddings.table(), MAX_TASKS, windowed, slotsPerGroup);
      expanded = reg.expanded(tf, params, embeddings.table());
      naive = reg.naive(tf, params, embeddings.table());
      SplittableRandom rng = new SplittableRandom(5);
      List<Op> nudges = new java.util.ArrayList<>();
      for (Variable<TFloat32> v : hnet.variables()) {
        float[] noise = new float[(int) v.shape().size()];
        for (int i = 0; i < noise.length; i++) {
          noise[i] = (float) (0.05 * (rng.nextDouble() - 0.5));
        }
        nudges.add(tf.assignAdd(v, tf.constant(v.shape(), org.tensorflow.ndarray.buffer.DataBuffers.of(noise))));
      }
      perturb = tf.withControlDependencies(nudges).noOp();
      session = new Session(graph);
      session.initialize();
    }

    void resize(int slots) {
      try (TInt32 n = TInt32.scalarOf(slots)) {
        session.runner().feed(reg.slotCountInput(), n).addTarget(reg.resizeTargets()).run().close();
      }
    }

    void store(int task, int slot) {
      try (TInt32 t = TInt32.scalarOf(task);
          TInt32 s = TInt32.scalarOf(slot)) {
        session.runner().feed(reg.storeTaskInput(), t).feed(reg.storeSlotInput(), s).addTarget(reg.storeTargets(slot)).run().close();
      }
    }

    float[] eval(int[] taskIds, int start, int count, int wrap) {
      Map<Operand<?>, Tensor> feeds = new HashMap<>();
      feeds.put(reg.windowTasksInput(), Tensors.ints(taskIds, taskIds.length));
      feeds.put(reg.windowStartInput(), TInt32.scalarOf(start));
      feeds.put(reg.windowCountInput(), TInt32.scalarOf(count));
      feeds.put(reg.windowWrapInput(), TInt32.scalarOf(wrap));
      try {
        float[][] out = GraphTestSupport.fetch(session, feeds, List.of(expanded, naive));
        return new float[] {out[0][0], out[1][0]};
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  private static HypernetworkSpec chunkedWithTail() {
    // P = 141, S = 48 → 3 chunks, 3 cut weights in the last one.
    return HypernetworkSpec.chunked(4, 3, new int[] {7, 6}, Activation.RELU, 48, 141);
  }

  @Test
  void zeroRightAfterStoringAndPositiveAfterAStep() {
    for (HypernetworkSpec spec :
        List.of(chunkedWithTail(), HypernetworkSpec.full(2, new int[] {10, 10}, Activation.SIGMOID, 141))) {
      try (Fixture f = new Fixture(spec)) {
        f.resize(3);
        for (int t = 0; t < 3; t++) {
          f.store(t, t);
        }
        float[] before = f.eval(new int[] {0, 1, 2}, 0, 3, 0);
        assertThat(before[1]).as("naive, %s", spec).isZero();
        assertThat((double) before[0]).as("expanded, %s", spec).isCloseTo(0, within(2e-3));
        f.session.run(f.perturb);
        float[] after = f.eval(new int[] {0, 1, 2}, 0, 3, 0);
        assertThat(after[1]).isGreaterThan(1e-3f);
        assertThat((double) after[0]).isCloseTo(after[1], within(2e-3 + 1e-3 * after[1]));
      }
    }
  }

  @Test
  void batchedWindowEqualsSumOfSingleTasksAndExpandedEqualsNaive() {
    try (Fixture f = new Fixture(chunkedWithTail())) {
      int[] slotTasks = {3, 0, 2, 1};
      f.resize(slotTasks.length);
      for (int slot = 0; slot < slotTasks.length; slot++) {
        f.store(slotTasks[slot], slot);
      }
      f.session.run(f.perturb);
      double sum = 0;
      for (int slot = 0; slot < slotTasks.length; slot++) {
        float[] single = f.eval(new int[] {slotTasks[slot]}, slot, 1, 0);
        assertThat((double) single[0]).isCloseTo(single[1], within(1e-3 + 1e-3 * single[1]));
        sum += single[1];
      }
      float[] all = f.eval(slotTasks, 0, 4, 0);
      assertThat((double) all[1]).isCloseTo(sum, within(1e-4 * sum));
      assertThat((double) all[0]).isCloseTo(sum, within(2e-3 + 1e-3 * sum));

      // A wrapping window: slots 2, 3 then 0.
      float[] wrapped = f.eval(new int[] {2, 1, 3}, 2, 2, 1);
      double expected = f.eval(new int[] {2}, 2, 1, 0)[1] + f.eval(new int[] {1}, 3, 1, 0)[1] + f.eval(new int[] {3}, 0, 1, 0)[1];
      assertThat((double) wrapped[1]).isCloseTo(expected, within(1e-4 * expected));
      assertThat((double) wrapped[0]).isCloseTo(expected, within(2e-3 + 1e-3 * expected));

      float[] empty = f.eval(new int[0], 0, 0, 0);
      assertThat(empty).containsExactly(0f, 0f);
    }
  }

  @Test
  void readingAllSlotsWholeEqualsTheWindowedAndNaiveForms() {
    int[] slotTasks = {0, 1, 2, 3};
    double windowedValue;
    double naiveValue;
    try (Fixture f = new Fixture(chunkedWithTail(), true)) {
      assertThat(f.reg.targetGroups()).hasSize(1);
      f.resize(slotTasks.length);
      for (int t : slotTasks) {
        f.store(t, t);
      }
      f.session.run(f.perturb);
      float[] v = f.eval(slotTasks, 0, slotTasks.length, 0);
      windowedValue = v[0];
      naiveValue = v[1];
    }
    // One group, groups of 2 (two full), of 3 (one full, one partial), of 1 with an empty fifth.
    for (int perGroup : new int[] {5, 2, 3, 1}) {
      try (Fixture f = new Fixture(chunkedWithTail(), false, perGroup)) {
        assertThat(f.reg.targetGroups()).as("groups of %d", perGroup).hasSize((MAX_TASKS + perGroup - 1) / perGroup);
        f.resize(slotTasks.length);
        for (int t : slotTasks) {
          f.store(t, t);
        }
        f.session.run(f.perturb);
        float[] v = f.eval(slotTasks, 0, slotTasks.length, 0);
        assertThat((double) v[1]).as("naive, groups of %d", perGroup).isCloseTo(naiveValue, within(1e-6 * naiveValue));
        assertThat((double) v[0]).as("expanded, groups of %d", perGroup).isCloseTo(windowedValue, within(1e-4 + 1e-5 * windowedValue));
        assertThat(v[1]).isGreaterThan(1e-3f);
        // A new task resizes the buffers: one slot, stored at the current parameters, regularizes to 0.
        f.resize(1);
        f.store(2, 0);
        float[] one = f.eval(new int[] {2}, 0, 1, 0);
        assertThat((double) one[0]).isCloseTo(one[1], within(2e-3 + 1e-3 * one[1]));
        assertThat((double) one[0]).isCloseTo(0, within(2e-3));
      }
    }
  }

  @Test
  void rejectsSlotsOutsideTheTable() {
    try (Fixture f = new Fixture(chunkedWithTail(), false, 2)) {
      assertThat(f.reg.storeTargets(4)).isNotSameAs(f.reg.storeTargets(1));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.reg.storeTargets(MAX_TASKS))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("slot 5");
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
