package org.hypercl.graphs;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The class-incremental reading of a network with a head per task (van de Ven and Tolias's
 * "Class-IL", the paper's CL3 for the replay methods and the baselines): the heads of tasks
 * {@code 0..t} are one softmax over every class seen so far, and an example of task k with label
 * c is class {@code k·C + c} of it. Training on task t uses the first {@code (t + 1)·C} outputs
 * (the baselines' "active classes"), so the heads of later tasks are neither pushed down nor read.
 *
 * <pre>
 *   logits  [B, H·C] → first A·C columns           (A = active heads)
 *   targets [B, C] of head k → [B, A·C], the label in columns k·C .. k·C + C − 1, zeros elsewhere
 * </pre>
 *
 * <pre>{@code
 * Operand<TInt32> active = tf.math.add(task, tf.constant(1));
 * Operand<TFloat32> logits = ClassIncremental.logits(tf, allHeads, numHeads, headSize, active);
 * Operand<TFloat32> loss = Losses.softmaxCrossEntropy(tf, logits, ClassIncremental.targets(tf, y, task, headSize, active));
 * }</pre>
 */
public final class ClassIncremental {

  private ClassIncremental() {}

  /**
   * The outputs of the first {@code activeHeads} heads as one row per example.
   *
   * @param all every head's outputs, {@code [B, H, C]} or {@code [B, H·C]}
   * @param activeHeads an int32 scalar in [1, H]
   * @return {@code [B, activeHeads·C]}
   */
  public static Operand<TFloat32> logits(Ops tf, Operand<TFloat32> all, int numHeads, int headSize, Operand<TInt32> activeHeads) {
    Operand<TFloat32> flat = tf.reshape(all, tf.constant(new int[] {-1, numHeads * headSize}));
    Operand<TInt32> width = tf.math.mul(activeHeads, tf.constant(headSize));
    return tf.slice(flat, tf.constant(new int[] {0, 0}), tf.stack(List.of(tf.constant(-1), width)));
  }

  /**
   * Targets {@code [B, C]} of examples that all belong to head {@code head}, placed on that head
   * among the first {@code activeHeads}.
   *
   * @param head an int32 scalar in [0, activeHeads)
   * @return {@code [B, activeHeads·C]}
   */
  public static Operand<TFloat32> targets(Ops tf, Operand<TFloat32> labels, Operand<TInt32> head, int headSize,
      Operand<TInt32> activeHeads) {
    Operand<TInt32> before = tf.math.mul(head, tf.constant(headSize));
    Operand<TInt32> after = tf.math.mul(tf.math.sub(tf.math.sub(activeHeads, head), tf.constant(1)), tf.constant(headSize));
    Operand<TInt32> pad = tf.reshape(tf.stack(List.of(tf.constant(0), tf.constant(0), before, after)), tf.constant(new int[] {2, 2}));
    return tf.pad(labels, pad, tf.constant(0f));
  }

  /**
   * Targets {@code [B, C]} of examples each on its own head ({@code heads [B]}, each in
   * [0, activeHeads)), for a batch that mixes tasks.
   *
   * @return {@code [B, activeHeads·C]}
   */
  public static Operand<TFloat32> targetsPerExample(Ops tf, Operand<TFloat32> labels, Operand<TInt32> heads, int numHeads,
      int headSize, Operand<TInt32> activeHeads) {
    Operand<TFloat32> onHead = tf.oneHot(heads, tf.constant(numHeads), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> spread = tf.math.mul(tf.expandDims(onHead, tf.constant(2)), tf.expandDims(labels, tf.constant(1)));
    return logits(tf, spread, numHeads, headSize, activeHeads);
  }
}
