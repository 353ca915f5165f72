package org.hypercl.graphs;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Task losses, each written once; every one is a batch mean. */
public final class Losses {

  private Losses() {}

  /** Mean over the batch of softmax cross-entropy with one-hot (or soft) target rows {@code [batch, C]}. */
  public static Operand<TFloat32> softmaxCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> targets) {
    return tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, targets).loss(), tf.constant(0));
  }

  /** Mean over batch and outputs of the squared error, for {@code [batch, n]} predictions. */
  public static Operand<TFloat32> meanSquaredError(Ops tf, Operand<TFloat32> predictions, Operand<TFloat32> targets) {
    return tf.math.mean(tf.math.square(tf.math.sub(predictions, targets)), tf.constant(new int[] {0, 1}));
  }
}
