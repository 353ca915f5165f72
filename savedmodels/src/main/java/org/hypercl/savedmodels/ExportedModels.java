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

  private ExportedModels(Path dir, ConfigProto config) {
    this.dir = dir;
    this.manifest = ExportManifest.read(dir);
    String version = Integer.toString(manifest.version());
    boolean ok = false;
    try {
      int in = Math.toIntExact(manifest.input().shape()[1]);
      for (ExportManifest.Task t : manifest.tasks()) {
        LoadedModel m = LoadedModel.load(t.model(), manifest.version(), dir.resolve(t.model()).resolve(version), config);
        loaded.add(m);
        tasks.add(new TaskModel(m, manifest.kind(), in, manifest.outputSize()));
      }
      String h = manifest.hypernetworkModel();
      LoadedModel m = LoadedModel.load(h, manifest.version(), dir.resolve(h).resolve(version), config);
      loaded.add(m);
      hypernetwork = new HypernetworkModel(m, manifest);
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

  public HypernetworkModel hypernetwork() {
    return hypernetwork;
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
