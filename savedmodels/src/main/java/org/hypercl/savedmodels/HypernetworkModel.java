package org.hypercl.savedmodels;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Result;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The hypernetwork SavedModel: every learned task in one model, predictions by task id or by any
 * task embedding, generated weights, and task inference for classifiers. Thread-safe.
 */
public final class HypernetworkModel {

  private final LoadedModel model;
  private final ExportManifest manifest;
  private final int inputSize;
  private final int embeddingDim;

  HypernetworkModel(LoadedModel model, ExportManifest manifest) {
    this.model = model;
    this.manifest = manifest;
    this.inputSize = manifest.input().exampleSize();
    this.embeddingDim = ((Number) manifest.hypernetwork().get("embeddingDim")).intValue();
  }

  public LoadedModel model() {
    return model;
  }

  public int embeddingDim() {
    return embeddingDim;
  }

  /**
   * Predictions of learned task {@code taskId} (0-based) for {@code n} raw rows: a task with
   * permuted inputs applies its permutation in the model.
   */
  public Prediction predict(int taskId, float[] x, int n) {
    checkTask(taskId);
    TaskModel.checkInputs(x, n, inputSize);
    try (TFloat32 tx = Tensors.floats(x, manifest.input().batchShape(n));
        TInt32 tt = TInt32.scalarOf(taskId);
        Result r = model.call(Signatures.PREDICT, Map.of(Signatures.X, tx, Signatures.TASK_ID, tt))) {
      return TaskModel.read(r, manifest.kind(), n, manifest.outputSize());
    }
  }

  /**
   * Predictions with the weights generated from {@code embedding} (any point of the embedding
   * space), read from output head {@code head} (ignored for a single-head target). {@code x} holds
   * rows as the target network sees them: for a task with permuted inputs, already permuted (an
   * embedding names no task, so the model cannot apply one).
   */
  public Prediction predictWithEmbedding(float[] embedding, int head, float[] x, int n) {
    checkEmbedding(embedding);
    TaskModel.checkInputs(x, n, inputSize);
    try (TFloat32 tx = Tensors.floats(x, manifest.input().batchShape(n));
        TFloat32 te = Tensors.floats(embedding, embeddingDim);
        TInt32 th = TInt32.scalarOf(head)) {
      Map<String, Tensor> in = new HashMap<>(Map.of(Signatures.X, tx, Signatures.TASK_EMBEDDING, te));
      if (manifest.numHeads() > 1) {
        if (head < 0 || head >= manifest.numHeads()) {
          throw new IllegalArgumentException("head " + head + " is not in [0, " + manifest.numHeads() + ")");
        }
        in.put(Signatures.HEAD, th);
      }
      try (Result r = model.call(Signatures.PREDICT_WITH_EMBEDDING, in)) {
        return TaskModel.read(r, manifest.kind(), n, manifest.outputSize());
      }
    }
  }

  /** The weights generated for learned task {@code taskId}. */
  public GeneratedWeights generateWeights(int taskId) {
    checkTask(taskId);
    try (TInt32 tt = TInt32.scalarOf(taskId);
        Result r = model.call(Signatures.GENERATE_WEIGHTS, Map.of(Signatures.TASK_ID, tt))) {
      return weights(r);
    }
  }

  /** The weights generated for any embedding. */
  public GeneratedWeights generateWeights(float[] embedding) {
    checkEmbedding(embedding);
    try (TFloat32 te = Tensors.floats(embedding, embeddingDim);
        Result r = model.call(Signatures.GENERATE_WEIGHTS_WITH_EMBEDDING, Map.of(Signatures.TASK_EMBEDDING, te))) {
      return weights(r);
    }
  }

  /**
   * For a classifier: the task of each row by the export's score (the manifest's {@code
   * inferTaskScore}; entropy by default), with every task's score. Every task's network sees the
   * row as given, an example as it was observed (for a permuted task, already permuted).
   */
  public TaskInference inferTask(float[] x, int n) {
    if (manifest.kind() != OutputKind.CLASSIFICATION) {
      throw new IllegalArgumentException("task inference needs a classifier; this export is " + manifest.kind());
    }
    TaskModel.checkInputs(x, n, inputSize);
    try (TFloat32 tx = Tensors.floats(x, manifest.input().batchShape(n));
        Result r = model.call(Signatures.INFER_TASK, Map.of(Signatures.X, tx))) {
      // Exports from before the score was selectable have only 'entropies'.
      var scores = r.get(Signatures.SCORES).or(() -> r.get(Signatures.ENTROPIES)).orElseThrow();
      return new TaskInference(TensorValues.ints(r.get(Signatures.TASK_ID).orElseThrow()),
          TensorValues.floats(scores), manifest.tasks().size(), inferTaskScore());
    }
  }

  /** The score {@code infer_task} picks tasks by: the manifest's {@code inferTaskScore}, entropy for older exports. */
  public String inferTaskScore() {
    return manifest.inferTaskScore() != null ? manifest.inferTaskScore() : org.hypercl.graphs.TaskInference.Score.ENTROPY.id();
  }

  private GeneratedWeights weights(Result r) {
    Map<String, float[]> layers = new LinkedHashMap<>();
    for (var e : r) {
      if (!e.getKey().equals(Signatures.WEIGHTS)) {
        layers.put(e.getKey(), TensorValues.floats(e.getValue()));
      }
    }
    return new GeneratedWeights(TensorValues.floats(r.get(Signatures.WEIGHTS).orElseThrow()), layers);
  }

  private void checkTask(int taskId) {
    if (taskId < 0 || taskId >= manifest.tasks().size()) {
      throw new IllegalArgumentException(
          "unknown task id " + taskId + "; this export has tasks " + manifest.taskRange());
    }
  }

  private void checkEmbedding(float[] e) {
    if (e.length != embeddingDim) {
      throw new IllegalArgumentException("task embeddings have " + embeddingDim + " values, got " + e.length);
    }
  }
}
