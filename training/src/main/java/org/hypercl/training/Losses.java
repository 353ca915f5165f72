package org.hypercl.training;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Task losses and small graph helpers shared by the learners. */
final class Losses {

  private Losses() {}

  /** Mean squared error (regression) or mean softmax cross-entropy with one-hot targets. */
  static Operand<TFloat32> taskLoss(Ops tf, TaskKind kind, Operand<TFloat32> pred, Operand<TFloat32> target) {
    return switch (kind) {
      case REGRESSION -> tf.math.mean(tf.math.square(tf.math.sub(pred, target)), tf.constant(new int[] {0, 1}));
      case CLASSIFICATION -> tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(pred, target).loss(), tf.constant(0));
    };
  }

  @SuppressWarnings("unchecked")
  static List<Operand<TFloat32>> floats(Iterable<Operand<?>> ops) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Operand<?> o : ops) {
      out.add((Operand<TFloat32>) o);
    }
    return out;
  }
}
