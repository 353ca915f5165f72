package org.hypercl.savedmodels;

import java.nio.file.Path;

/**
 * How to export a run.
 *
 * @param out the export folder, or null for {@code RUN_DIR/export}
 * @param version the TF Serving version folder to write (positive; must not exist yet)
 * @param modelName the model name prefix, or null for the experiment's name made folder-safe
 * @param verificationSamples inputs drawn to compare the exported models with the checkpoint
 * @param seed seed of those inputs
 * @param tolerance largest accepted difference, relative to {@code max(1, max |reference|)} over each output
 * @param taskInference the score the hypernetwork model's {@code infer_task} picks tasks by, or
 *     null for the run's own ({@code taskInference} in config.json; entropy for runs without it)
 */
public record ExportOptions(Path out, long version, String modelName, int verificationSamples, long seed, double tolerance,
    org.hypercl.graphs.TaskInference.Score taskInference) {

  public static final long VERSION_DEFAULT = 1;
  public static final int VERIFICATION_SAMPLES_DEFAULT = 32;
  public static final long SEED_DEFAULT = 42;
  /**
   * Norm-wise, per output. Not 1e-6: a SplitMNIST task model (784-400-400, weights constant-folded)
   * and the checkpoint graph sum in different orders and differ by up to 1.4e-6 on N(0, 2²) inputs.
   */
  public static final double TOLERANCE_DEFAULT = 1e-5;

  public ExportOptions {
    if (version <= 0) {
      throw new IllegalArgumentException("version must be a positive integer, got " + version);
    }
    if (modelName != null && !ModelNames.isValid(modelName)) {
      throw new IllegalArgumentException(
          "model name '" + modelName + "' must be letters, digits, '.', '_' or '-' (at most 128, not starting with '.' or '-')");
    }
    if (verificationSamples <= 0) {
      throw new IllegalArgumentException("verification samples must be positive, got " + verificationSamples);
    }
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be a finite non-negative number, got " + tolerance);
    }
  }

  /** Options with the run's own task-inference score. */
  public ExportOptions(Path out, long version, String modelName, int verificationSamples, long seed, double tolerance) {
    this(out, version, modelName, verificationSamples, seed, tolerance, null);
  }

  public static ExportOptions defaults() {
    return new ExportOptions(null, VERSION_DEFAULT, null, VERIFICATION_SAMPLES_DEFAULT, SEED_DEFAULT, TOLERANCE_DEFAULT);
  }

  public ExportOptions withOut(Path p) {
    return new ExportOptions(p, version, modelName, verificationSamples, seed, tolerance, taskInference);
  }

  public ExportOptions withVersion(long v) {
    return new ExportOptions(out, v, modelName, verificationSamples, seed, tolerance, taskInference);
  }

  public ExportOptions withTolerance(double t) {
    return new ExportOptions(out, version, modelName, verificationSamples, seed, t, taskInference);
  }

  public ExportOptions withTaskInference(org.hypercl.graphs.TaskInference.Score score) {
    return new ExportOptions(out, version, modelName, verificationSamples, seed, tolerance, score);
  }

  public ExportOptions withModelName(String n) {
    return new ExportOptions(out, version, n, verificationSamples, seed, tolerance, taskInference);
  }
}
