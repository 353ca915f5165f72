package org.hypercl.graphs;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What the convolutional targets share: 32×32×3 image inputs (rows of 3,072 HWC values or
 * {@code [batch, 32, 32, 3]}), a layout, heads, and the candidate pass of task inference as one
 * forward pass per candidate (a convolution takes one kernel, so the candidates cannot share a
 * pass as the MLP's batched products do), each normalised by its own task's batch-norm statistics.
 */
abstract class ImageTargetNetwork implements TargetNetwork {

  private final WeightLayout layout;
  private final int numHeads;
  private final int headSize;
  private final String description;
  private final OutputLayer outputLayer;

  ImageTargetNetwork(WeightLayout layout, int numHeads, int headSize, String description, OutputLayer outputLayer) {
    this.layout = layout;
    this.outputLayer = outputLayer;
    this.numHeads = numHeads;
    this.headSize = headSize;
    this.description = description;
  }

  @Override
  public WeightLayout layout() {
    return layout;
  }

  @Override
  public long[] inputShape() {
    return new long[] {ZenkeNetSpec.SIDE, ZenkeNetSpec.SIDE, ZenkeNetSpec.CHANNELS};
  }

  @Override
  public int numHeads() {
    return numHeads;
  }

  @Override
  public int headSize() {
    return headSize;
  }

  @Override
  public java.util.Optional<OutputLayer> outputLayer() {
    return java.util.Optional.of(outputLayer);
  }

  /** {@code x} as {@code [batch, 32, 32, 3]}. */
  static Operand<TFloat32> images(Ops tf, Operand<TFloat32> x) {
    return tf.reshape(x, tf.constant(new int[] {-1, ZenkeNetSpec.SIDE, ZenkeNetSpec.SIDE, ZenkeNetSpec.CHANNELS}));
  }

  /** {@code [batch, numHeads · headSize]} as {@code [batch, numHeads, headSize]}. */
  Operand<TFloat32> byHead(Ops tf, Operand<TFloat32> logits) {
    return tf.reshape(logits, tf.constant(new int[] {-1, numHeads, headSize}));
  }

  @Override
  public Operand<TFloat32> forwardCandidates(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
    throw new UnsupportedOperationException(
        "the candidate pass of " + this + " runs one forward pass per candidate and needs their largest number: "
            + "call forwardCandidates with maxCandidates");
  }

  /**
   * {@code maxCandidates} forward passes, pass i on weights row {@code min(i, k − 1)} (k, the rows
   * of {@code weights}, is known only when the graph runs), in inference mode; the first k are
   * returned, {@code [k, batch, numHeads, headSize]}. Without a condition in the context, candidate
   * j's condition is j.
   */
  @Override
  public Operand<TFloat32> forwardCandidates(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context,
      int maxCandidates) {
    if (maxCandidates < 1) {
      throw new IllegalArgumentException("maxCandidates must be positive, got " + maxCandidates);
    }
    Operand<TInt32> k = tf.gather(tf.shape(weights), tf.constant(0), tf.constant(0));
    Operand<TInt32> lastX = tf.math.sub(tf.gather(tf.shape(x), tf.constant(0), tf.constant(0)), tf.constant(1));
    Operand<TInt32> last = tf.math.sub(k, tf.constant(1));
    java.util.List<Operand<TFloat32>> outs = new java.util.ArrayList<>();
    for (int i = 0; i < maxCandidates; i++) {
      Ops c = tf.withSubScope("candidate" + i);
      Operand<TInt32> row = c.math.minimum(c.constant(i), last);
      Operand<TFloat32> xi = c.gather(x, c.math.minimum(row, lastX), c.constant(0));
      Operand<TFloat32> wi = c.gather(weights, row, c.constant(0));
      Operand<TInt32> condition = context.condition() != null ? c.gather(context.condition(), row, c.constant(0)) : row;
      ForwardContext ci = new ForwardContext(null, false, condition, false, context.state(), null);
      outs.add(forwardAllHeads(c, xi, wi, ci).output());
    }
    Operand<TFloat32> all = tf.stack(outs); // [maxCandidates, batch, heads, size]
    Operand<TInt32> zero = tf.constant(0);
    Operand<TInt32> begin = tf.stack(java.util.List.of(zero, zero, zero, zero));
    Operand<TInt32> size = tf.stack(java.util.List.of(k, tf.constant(-1), tf.constant(-1), tf.constant(-1)));
    return tf.slice(all, begin, size);
  }

  @Override
  public String toString() {
    return description;
  }
}
