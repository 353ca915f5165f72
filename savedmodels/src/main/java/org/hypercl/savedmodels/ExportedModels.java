package org.hypercl.savedmodels;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.proto.ConfigProto;

/**
 * An export folder loaded for inference: its manifest, one {@link TaskModel} per learned task and
 * the {@link HypernetworkModel}, at the manifest's version. Thread-safe; close it to free the
 * native sessions.
 *
 * <pre>{@code
 * try (ExportedModels models = ExportedModels.open(Path.of("runs/demo/hnet/export"))) {
 *   Prediction p = models.task(0).predict(new float[] {-3f});
 *   Prediction q = models.hypernetwork().predict(0, new float[] {-3f}, 1);
 * }
 * }</pre>
 */
public final class ExportedModels implements AutoCloseable {

  private final Path dir;
  private final ExportManifest manifest;
  private final List<LoadedModel> loaded = new ArrayList<>();
  private final List<TaskModel> tasks = new ArrayList<>();
  private final HypernetworkModel hypernetwork;
  private final LoadedModel generator;
  private final LoadedModel taskInference;

  private ExportedModels(Path dir, ConfigProto config) {
    this.dir = dir;
    this.manifest = ExportManifest.read(dir);
    String version = Integer.toString(manifest.version());
    boolean ok = false;
    try {
      for (ExportManifest.Task t : manifest.tasks()) {
        LoadedModel m = LoadedModel.load(t.model(), manifest.version(), dir.resolve(t.model()).resolve(version), config);
        loaded.add(m);
        tasks.add(new TaskModel(m, manifest.kind(), manifest.input(), manifest.outputSize()));
      }
      String h = manifest.hypernetworkModel();
      if (h != null) {
        LoadedModel m = LoadedModel.load(h, manifest.version(), dir.resolve(h).resolve(version), config);
        loaded.add(m);
        hypernetwork = new HypernetworkModel(m, manifest);
      } else {
        hypernetwork = null;
      }
      String g = manifest.generatorModel();
      if (g != null) {
        generator = LoadedModel.load(g, manifest.version(), dir.resolve(g).resolve(version), config);
        loaded.add(generator);
      } else {
        generator = null;
      }
      String ti = manifest.taskInferenceModel();
      if (ti != null) {
        taskInference = LoadedModel.load(ti, manifest.version(), dir.resolve(ti).resolve(version), config);
        loaded.add(taskInference);
      } else {
        taskInference = null;
      }
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  /** Loads the export in {@code dir} with TensorFlow's default session options. */
  public static ExportedModels open(Path dir) {
    return new ExportedModels(dir, null);
  }

  /** Loads the export in {@code dir} with these session options (e.g. thread counts). */
  public static ExportedModels open(Path dir, ConfigProto config) {
    return new ExportedModels(dir, config);
  }

  public Path dir() {
    return dir;
  }

  public ExportManifest manifest() {
    return manifest;
  }

  /** The per-task model of learned task {@code taskId} (0-based). */
  public TaskModel task(int taskId) {
    if (taskId < 0 || taskId >= tasks.size()) {
      throw new IllegalArgumentException("unknown task id " + taskId + "; this export has tasks " + manifest.taskRange());
    }
    return tasks.get(taskId);
  }

  public int numTasks() {
    return tasks.size();
  }

  /** Whether the export has a hypernetwork model (not for runs whose classifier has its own weights). */
  public boolean hasHypernetwork() {
    return hypernetwork != null;
  }

  /** The hypernetwork model; an export of a run whose classifier has its own weights has none. */
  public HypernetworkModel hypernetwork() {
    if (hypernetwork == null) {
      throw new IllegalStateException("the export in " + dir + " has no hypernetwork model: its run ("
          + manifest.experiment() + ") trained the classifier's own weights; use the per-task models");
    }
    return hypernetwork;
  }

  /**
   * {@code count} samples of a replayed task from the generator model, drawn from {@code seed}:
   * {@code [count · inputSize]} row-major, pixels in [0, 1].
   */
  public float[] generate(int taskId, int count, long seed) {
    if (generator == null) {
      throw new IllegalStateException("the export in " + dir + " has no generator model (its run has no replay model)");
    }
    int tasks = ((Number) manifest.generator().get("tasks")).intValue();
    if (taskId < 0 || taskId >= tasks || count <= 0) {
      throw new IllegalArgumentException("the generator makes samples of tasks 0.." + (tasks - 1) + ", count > 0; got task "
          + taskId + ", count " + count);
    }
    try (org.tensorflow.types.TInt32 t = org.tensorflow.types.TInt32.scalarOf(taskId);
        org.tensorflow.types.TInt32 n = org.tensorflow.types.TInt32.scalarOf(count);
        org.tensorflow.types.TInt64 s = org.tensorflow.types.TInt64.vectorOf(seed, 0L);
        org.tensorflow.Result r = generator.call(Signatures.GENERATE_RANDOM,
            java.util.Map.of(Signatures.TASK_ID, t, Signatures.COUNT, n, Signatures.SEED, s))) {
      return org.hypercl.graphs.Tensors.toFloats(r.get(Signatures.SAMPLES).orElseThrow());
    }
  }

  /** Whether the export has a task-inference model (HNET+TIR runs). */
  public boolean hasTaskInference() {
    return taskInference != null;
  }

  /**
   * The task of each of {@code n} input rows, inferred by the task-inference model of an HNET+TIR
   * run's export: rows as observed (for a permuted task, already permuted), the chosen task ids
   * and the probabilities over the learned tasks. Read each row's class on {@link #task} of its id.
   */
  public InferredTasks inferTask(float[] x, int n) {
    if (taskInference == null) {
      throw new IllegalStateException("the export in " + dir + " has no task-inference model (only hnet-tir runs have one; "
          + (hypernetwork != null ? "the hypernetwork model's inferTask infers tasks by entropy)" : "its run has none)"));
    }
    int inputSize = manifest.input().exampleSize();
    TaskModel.checkInputs(x, n, inputSize);
    try (org.tensorflow.types.TFloat32 tx = org.hypercl.graphs.Tensors.floats(x, manifest.input().batchShape(n));
        org.tensorflow.Result r = taskInference.call(Signatures.SERVING_DEFAULT, java.util.Map.of(Signatures.X, tx))) {
      return new InferredTasks(TensorValues.ints(r.get(Signatures.TASK_ID).orElseThrow()),
          TensorValues.floats(r.get(Signatures.TASK_SCORES).orElseThrow()),
          ((Number) manifest.taskInference().get("tasks")).intValue());
    }
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (LoadedModel m : loaded) {
      try {
        m.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
