package org.hypercl.tools.serving;

import org.hypercl.graphs.TaskInference;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hypercl.savedmodels.ExportManifest;
import org.hypercl.savedmodels.ExportOptions;
import org.hypercl.savedmodels.ExportResult;
import org.hypercl.savedmodels.ExportVerificationException;
import org.hypercl.savedmodels.ModelExporter;
import org.hypercl.savedmodels.Signatures;
import org.hypercl.tools.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypercl export RUN_DIR}: SavedModels of a trained run. */
@Command(
    name = "export",
    // No standard -V/--version here: --version is the model version, as TF Serving calls it.
    header = "Exports a run as TensorFlow SavedModels in TF Serving's layout.",
    description = {
      // A table line per element, each under 80 columns; other elements are paragraphs that picocli wraps.
      "The run's latest checkpoint becomes:",
      "  OUT/<name>-task<k>/<version>/  one per learned task k (0-based task ids):",
      "      the target network with that task's generated weights baked in;",
      "      signature serving_default: x [batch, inputs] -> y (regression) or",
      "      logits, probabilities, classes",
      "  OUT/<name>-hnet/<version>/  the hypernetwork and embeddings: predict",
      "      (x, task_id), predict_with_embedding (x, task_embedding[, head]),",
      "      generate_weights (task_id), generate_weights_with_embedding,",
      "      infer_task (classifiers)",
      "  OUT/manifest.json  tasks, embeddings, input shape and preprocessing,",
      "      label meaning, the run's provenance",
      "A run whose classifier has its own weights (ewc, online-ewc, si, target-only, hnet-r, dgr, rpl-ub) gets "
          + "the per-task models (its weights, each task's head) and no hypernetwork model; a replay run (hnet-r, "
          + "dgr) also gets OUT/<name>-generator/<version>/: generate (task_id [n], z [n, latent]) and "
          + "generate_random (task_id, count, seed [2]) -> samples [n, inputs] of the tasks its VAE replays.",
      "An hnet-tir run gets its hypernetwork classifier's per-task and hypernetwork models, the generator model of "
          + "its VAE decoder, and OUT/<name>-task-inference/<version>/: its task-inference network, serving_default "
          + "(also infer_task): x [batch, inputs] as observed -> task_scores [batch, learned tasks] (softmax over the "
          + "learned tasks) and task_id [batch] (the task the run picks without the id).",
      "x holds input rows as the data encodes them (manifest.json's input.preprocessing says how, e.g. "
          + "PermutedMNIST's 28x28 images padded to 32x32); for tasks with permuted inputs (PermutedMNIST, "
          + "recorded in RUN_DIR/tasks.json) the task model, predict and infer_task apply the task's permutation "
          + "themselves, while predict_with_embedding takes rows as the target network sees them (already permuted).",
      "infer_task picks the task with the lowest score and returns every task's scores [batch, tasks]: by default "
          + "the score the run was trained to headline (train --task-inference; entropy, the paper's, otherwise), "
          + "or --task-inference; manifest.json's inferTaskScore names it.",
      "Every model is loaded back and compared with the checkpoint (to the tolerance) before anything is "
          + "published; a failed or interrupted export leaves OUT as it was.",
    })
public final class ExportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run folder (holds config.json and checkpoints/).")
  Path runDir;

  @Option(names = "--out", paramLabel = "DIR", description = "Export folder (default: RUN_DIR/export).")
  Path out;

  @Option(names = "--version", paramLabel = "N",
      description = "Version folder to write; must not exist yet (default: ${DEFAULT-VALUE}).")
  long version = ExportOptions.VERSION_DEFAULT;

  @Option(names = "--name", paramLabel = "NAME",
      description = "Model name prefix (default: the experiment's name, lower case; letters, digits, '.', '_', '-').")
  String name;

  @Option(names = "--samples", paramLabel = "N",
      description = "Random inputs used to verify the export against the checkpoint (default: ${DEFAULT-VALUE}).")
  int samples = ExportOptions.VERIFICATION_SAMPLES_DEFAULT;

  @Option(names = "--tolerance", paramLabel = "T",
      description = "Largest accepted difference from the checkpoint, relative to each output's largest magnitude "
          + "(at least 1) (default: ${DEFAULT-VALUE}).")
  double tolerance = ExportOptions.TOLERANCE_DEFAULT;

  @Option(names = "--task-inference", paramLabel = "SCORE",
      description = "Score the hypernetwork model's infer_task picks tasks by (lowest wins): entropy, max-softmax, "
          + "energy or max-logit (default: the run's, as train --task-inference set it; entropy otherwise).")
  String taskInference;

  @Override
  public Integer call() {
    TaskInference.Score score = null;
    if (taskInference != null) {
      try {
        score = TaskInference.Score.parse(taskInference);
      } catch (IllegalArgumentException e) {
        throw new UserException("--task-inference: " + e.getMessage());
      }
    }
    ExportOptions options = new ExportOptions(out, version, name, samples, ExportOptions.SEED_DEFAULT, tolerance, score);
    ExportResult r;
    try {
      r = exportAny(runDir, options);
    } catch (ExportVerificationException e) {
      throw new UserException(e.getMessage(), e);
    }
    print(spec.commandLine().getOut(), r);
    return 0;
  }

  /**
   * What {@code hypercl train --export} does after a run: exports it to {@code RUN_DIR/export} under
   * the next free version (1 for a fresh run; a resumed run adds a version beside earlier exports)
   * and prints where.
   */
  public static ExportResult exportTrainedRun(Path runDir, PrintWriter w) {
    ExportOptions options =
        ExportOptions.defaults().withVersion(ModelExporter.nextVersion(ModelExporter.defaultOut(runDir)));
    ExportResult r;
    try {
      r = exportAny(runDir, options);
    } catch (ExportVerificationException e) {
      throw new UserException(e.getMessage(), e);
    }
    w.println();
    print(w, r);
    return r;
  }

  /**
   * The hypernetwork export for hypernetwork runs; for hnet-tir runs, also their task-inference
   * network and decoder; for runs whose classifier has its own weights, theirs.
   */
  static ExportResult exportAny(Path runDir, ExportOptions options) {
    org.hypercl.training.Method m;
    try {
      m = org.hypercl.training.RunDirectory.open(runDir).readConfig().method();
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      // Not a readable run: the exporter says what is wrong with it.
      return ModelExporter.export(runDir, options);
    }
    if (m == org.hypercl.training.Method.HNET_TIR) {
      return HnetTirExport.export(runDir, options);
    }
    if (!OwnWeightsExport.applies(m)) {
      return ModelExporter.export(runDir, options);
    }
    if (options.taskInference() != null) {
      throw new UserException("--task-inference chooses the score of the hypernetwork model's infer_task; run " + runDir
          + " (method " + m.name() + ") has its own classifier weights and no hypernetwork model");
    }
    return ModelExporter.exportOwnWeights(runDir, options, OwnWeightsExport.read(runDir));
  }

  private static void print(PrintWriter w, ExportResult r) {
    ExportManifest m = r.manifest();
    w.printf("Exported %s (%s, %d of %d tasks learned) to %s%n", m.experiment(), m.kind().name().toLowerCase(),
        m.source().tasksLearned(), m.source().numTasks(), r.out());
    for (ExportManifest.Task t : m.tasks()) {
      w.printf("  %-40s task_id %d: %s%s%n", t.model() + "/" + m.version(), t.id(), t.name(),
          t.permutedInputs() ? " (takes raw inputs, applies the task's permutation)" : "");
    }
    if (m.hypernetworkModel() != null) {
      w.printf("  %-40s signatures %s%n", m.hypernetworkModel() + "/" + m.version(), m.hypernetworkSignatures().keySet());
    }
    if (m.generatorModel() != null) {
      w.printf("  %-40s signatures [%s, %s]: samples of tasks 0..%d%n", m.generatorModel() + "/" + m.version(), Signatures.GENERATE,
          Signatures.GENERATE_RANDOM, ((Number) m.generator().get("tasks")).intValue() - 1);
    }
    if (m.taskInferenceModel() != null) {
      w.printf("  %-40s signature %s: task_scores, task_id among tasks 0..%d%n", m.taskInferenceModel() + "/" + m.version(),
          Signatures.SERVING_DEFAULT, ((Number) m.taskInference().get("tasks")).intValue() - 1);
    }
    w.printf("Verified on %d inputs against the checkpoint: largest difference %.2g (tolerance %.0g)%n",
        m.export().verificationSamples(), r.maxDifference(), m.export().tolerance());
    w.printf("Serve it with: hypercl serve %s%n", r.out());
    w.flush();
  }
}
