package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The class-incremental reading of per-task heads: the first heads' outputs and targets placed on their head. */
class ClassIncrementalTest {

  @Test
  void logitsAreTheFirstActiveHeadsAndTargetsSitOnTheirHead() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // 2 examples, 3 heads of 2 classes: example r's outputs are 10r + 0..5.
      Operand<TFloat32> all = tf.constant(new float[][][] {{{0, 1}, {2, 3}, {4, 5}}, {{10, 11}, {12, 13}, {14, 15}}});
      Operand<TFloat32> labels = tf.constant(new float[][] {{0, 1}, {1, 0}});
      float[] logits = GraphTestSupport.fetch(s, Map.of(), ClassIncremental.logits(tf, all, 3, 2, tf.constant(2)));
      assertThat(logits).containsExactly(0, 1, 2, 3, 10, 11, 12, 13);
      float[] onHead1 = GraphTestSupport.fetch(s, Map.of(), ClassIncremental.targets(tf, labels, tf.constant(1), 2, tf.constant(3)));
      assertThat(onHead1).containsExactly(0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0);
      float[] perExample = GraphTestSupport.fetch(s, Map.of(),
          ClassIncremental.targetsPerExample(tf, labels, tf.constant(new int[] {1, 0}), 3, 2, tf.constant(2)));
      assertThat(perExample).containsExactly(0, 0, 0, 1, 1, 0, 0, 0);
    }
  }
}
