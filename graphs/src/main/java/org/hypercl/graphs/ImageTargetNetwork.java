package org.hypercl.graphs;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What the convolutional targets share: 32×32×3 image inputs (rows of 3,072 HWC values or
 * {@code [batch, 32, 32, 3]}), a layout, heads, and no candidate pass (task inference is
 * implemented for MLP targets only).
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
        "task inference over candidate weights is implemented for MLP targets only, not " + this);
  }

  @Override
  public boolean supportsCandidates() {
    return false;
  }

  @Override
  public String toString() {
    return description;
  }
}
