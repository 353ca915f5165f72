package org.hypercl.savedmodels;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The prediction outputs of a target network's head, named as {@link OutputKind#outputNames()} says. */
final class PredictionOutputs {

  private PredictionOutputs() {}

  /**
   * {@code y} for regression; {@code logits}, {@code probabilities} (softmax) and {@code classes}
   * (argmax, int64 as TF Serving's classifiers use) for classification.
   */
  static Map<String, Operand<?>> build(Ops tf, OutputKind kind, Operand<TFloat32> head) {
    Map<String, Operand<?>> out = new LinkedHashMap<>();
    if (kind == OutputKind.REGRESSION) {
      out.put(Signatures.Y, tf.withName(Signatures.Y).identity(head));
    } else {
      out.put(Signatures.LOGITS, tf.withName(Signatures.LOGITS).identity(head));
      out.put(Signatures.PROBABILITIES, tf.withName(Signatures.PROBABILITIES).nn.softmax(head));
      out.put(Signatures.CLASSES, tf.withName(Signatures.CLASSES).math.argMax(head, tf.constant(-1)));
    }
    return out;
  }
}
