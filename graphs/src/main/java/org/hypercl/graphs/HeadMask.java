package org.hypercl.graphs;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Which generated weights Eq. 2 leaves out for a past task in a multi-head target: the output
 * units of every head but the task's own, as the reference's Split CIFAR code does when it passes
 * {@code inds_of_out_heads} to its regularizer. Task t owns head t; how the other heads' rows of
 * the output layer drift does not change task t's predictions, so they are free.
 *
 * <p>The output layer's kernel and bias are adjacent in the flat vector, one region
 * {@code [start, start + length)}; {@link #headOf(int)} names the head of each weight in it.
 */
public final class HeadMask {

  private final int start;
  private final int[] headOf;
  private final int numHeads;

  private HeadMask(int start, int[] headOf, int numHeads) {
    this.start = start;
    this.headOf = headOf;
    this.numHeads = numHeads;
  }

  /**
   * The mask of a target whose task t answers on head t.
   *
   * @param maxTasks tasks that will be regularized; each needs a head of its own
   * @throws IllegalArgumentException if the target has no output layer, fewer heads than tasks, or
   *     an output kernel and bias that are not adjacent in the layout
   */
  public static HeadMask otherHeads(TargetNetwork target, int maxTasks) {
    TargetNetwork.OutputLayer out = target.outputLayer().orElseThrow(() -> new IllegalArgumentException(
        "masking other heads needs a fully-connected output layer; " + target + " has none"));
    int heads = target.numHeads();
    if (heads < maxTasks) {
      throw new IllegalArgumentException("masking other heads needs a head per task: " + target + " has " + heads
          + " heads for " + maxTasks + " tasks");
    }
    WeightLayout.Entry kernel = target.layout().entry(out.kernel());
    WeightLayout.Entry bias = target.layout().entry(out.bias());
    if (kernel.shape().length != 2 || bias.shape().length != 1) {
      throw new IllegalArgumentException("output layer " + out + " is not a 2-D kernel and a 1-D bias: "
          + Arrays.toString(kernel.shape()) + ", " + Arrays.toString(bias.shape()));
    }
    int units = Math.toIntExact(kernel.shape()[out.unitAxis()]);
    int fanIn = Math.toIntExact(kernel.shape()[1 - out.unitAxis()]);
    if (bias.size() != units || units != heads * target.headSize()) {
      throw new IllegalArgumentException("output layer " + out + " has " + units + " units and a bias of " + bias.size()
          + "; " + heads + " heads of " + target.headSize() + " need " + heads * target.headSize());
    }
    boolean biasFirst = bias.offset() < kernel.offset();
    WeightLayout.Entry first = biasFirst ? bias : kernel;
    WeightLayout.Entry second = biasFirst ? kernel : bias;
    if (first.offset() + first.size() != second.offset()) {
      throw new IllegalArgumentException("output kernel " + out.kernel() + " and bias " + out.bias() + " are not adjacent in the layout");
    }
    int headSize = target.headSize();
    int[] headOf = new int[Math.toIntExact(kernel.size() + bias.size())];
    int kernelAt = biasFirst ? units : 0;
    int biasAt = biasFirst ? 0 : Math.toIntExact(kernel.size());
    for (int i = 0; i < kernel.size(); i++) {
      int unit = out.unitAxis() == 0 ? i / fanIn : i % units;
      headOf[kernelAt + i] = unit / headSize;
    }
    for (int u = 0; u < units; u++) {
      headOf[biasAt + u] = u / headSize;
    }
    return new HeadMask(Math.toIntExact(first.offset()), headOf, heads);
  }

  /** Offset of the output layer's region in the flat weight vector. */
  public int start() {
    return start;
  }

  /** Weights in the region (kernel and bias). */
  public int length() {
    return headOf.length;
  }

  /** Head of the region's i-th weight. */
  public int headOf(int i) {
    return headOf[i];
  }

  public int numHeads() {
    return numHeads;
  }

  /** 1 where the region's weight belongs to another head than task {@code tasks[j]}'s: {@code [k, length]}. */
  Operand<TFloat32> excluded(Ops tf, Operand<TInt32> tasks) {
    Operand<TInt32> heads = tf.constant(headOf);
    Operand<TInt32> rows = tf.expandDims(tasks, tf.constant(1));
    return tf.dtypes.cast(tf.math.notEqual(tf.expandDims(heads, tf.constant(0)), rows), TFloat32.class);
  }

  @Override
  public String toString() {
    return "HeadMask{start=" + start + ", length=" + headOf.length + ", heads=" + numHeads + "}";
  }
}
