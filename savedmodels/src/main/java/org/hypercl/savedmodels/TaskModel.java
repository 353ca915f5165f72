package org.hypercl.savedmodels;

import java.util.Map;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;

/** A per-task SavedModel: the target network with one task's weights baked in. Thread-safe. */
public final class TaskModel {

  private final LoadedModel model;
  private final OutputKind kind;
  private final ExportManifest.Input input;
  private final int inputSize;
  private final int outputSize;

  TaskModel(LoadedModel model, OutputKind kind, ExportManifest.Input input, int outputSize) {
    this.model = model;
    this.kind = kind;
    this.input = input;
    this.inputSize = input.exampleSize();
    this.outputSize = outputSize;
  }

  public LoadedModel model() {
    return model;
  }

  /**
   * Predicts for {@code n} examples of {@code inputSize} values each, row-major (an image as
   * height, width, channels), shaped here as the model's input.
   */
  public Prediction predict(float[] x, int n) {
    checkInputs(x, n, inputSize);
    try (TFloat32 tx = Tensors.floats(x, input.batchShape(n));
        Result r = model.call(Signatures.SERVING_DEFAULT, Map.of(Signatures.X, tx))) {
      return read(r, kind, n, outputSize);
    }
  }

  /** Predicts for one row. */
  public Prediction predict(float[] row) {
    return predict(row, 1);
  }

  static void checkInputs(float[] x, int n, int inputSize) {
    if (n <= 0) {
      throw new IllegalArgumentException("need at least one input row, got " + n);
    }
    if (x.length != (long) n * inputSize) {
      throw new IllegalArgumentException(
          n + " input rows of " + inputSize + " values need " + (long) n * inputSize + " values, got " + x.length);
    }
  }

  static Prediction read(Result r, OutputKind kind, int n, int outputSize) {
    if (kind == OutputKind.REGRESSION) {
      return new Prediction(kind, n, outputSize, TensorValues.floats(r.get(Signatures.Y).orElseThrow()), null, null);
    }
    return new Prediction(kind, n, outputSize,
        TensorValues.floats(r.get(Signatures.LOGITS).orElseThrow()),
        TensorValues.floats(r.get(Signatures.PROBABILITIES).orElseThrow()),
        TensorValues.ints(r.get(Signatures.CLASSES).orElseThrow()));
  }
}
