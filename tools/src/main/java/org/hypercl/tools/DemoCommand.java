package org.hypercl.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.hypercl.data.toy.RegressionTask;
import org.hypercl.data.toy.ToyRegression;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.Experiments;
import org.hypercl.training.ContinualLearner;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import org.hypercl.training.TaskSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code hypercl demo}: the paper's toy regression (Fig. 2) trained twice, with the output
 * regularizer and without it (fine-tuning), a table of test MSE during/after, two run folders and
 * a PNG like Fig. 2.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    header = "Runs the paper's toy regression (Fig. 2), with and without the regularizer.",
    description = {
      // One element per paragraph: picocli wraps each to the help's width.
      "Three 1-D tasks learned in sequence by a hypernetwork, once with the output regularizer (beta = 0.005) "
          + "and once without it (fine-tuning, beta = 0). Prints the test MSE per task right after learning it "
          + "(during) and after all tasks (after), and writes both runs and plots/toy-fit.png under --out. Needs no "
          + "download; takes under a minute.",
    })
public final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", description = "Folder for the two runs and the plot (default: ${DEFAULT-VALUE}). A previous demo there is replaced.")
  Path out = Path.of("runs", "demo");

  @Option(names = "--iterations", description = "Training steps per task (default: ${DEFAULT-VALUE}, the paper's).")
  int iterations = 4001;

  @Option(names = "--beta", description = "Regularization strength of the regularized run (default: ${DEFAULT-VALUE}).")
  float beta = Experiments.TOY_BETA;

  @Option(names = "--seed", description = "Seed for initialisation and batches (default: ${DEFAULT-VALUE}).")
  long seed = 42;

  @Option(names = "--data-seed", description = "Seed of the toy data (default: ${DEFAULT-VALUE}, the reference's).")
  long dataSeed = ToyRegression.DEFAULT_SEED;

  @Option(names = "--threads", description = "TensorFlow intra-op threads (default: 0 = TensorFlow's choice).")
  int threads = 0;

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    ExperimentConfig base = Experiments.toyRegression();
    ExperimentConfig hnet =
        base.withName("toy-regression-hnet")
            .withSettings(base.settings().toBuilder().iterations(iterations).beta(beta).seed(seed).intraOpThreads(threads).build());
    ExperimentConfig fineTune =
        base.withName("toy-regression-fine-tuning")
            .withSettings(hnet.settings().toBuilder().beta(0f).build());
    TaskSource source = Experiments.toyTasks(dataSeed);
    List<RegressionTask> tasks = ToyRegression.paperTasks(dataSeed);

    w.printf("Toy regression, %d tasks: target MLP %s (%d weights), %s (%d weights)%n", tasks.size(),
        base.target(), base.target().parameterCount(), base.hypernetwork(), base.hypernetwork().parameterCount());
    w.flush();
    List<float[]> grid = new ArrayList<>();
    for (RegressionTask t : tasks) {
      grid.add(linspace(t.low() - 0.5, t.high() + 0.5, 200));
    }
    RunOutcome regularized = runOne(hnet, source, out.resolve("hnet"), "HNET", grid);
    RunOutcome fineTuned = runOne(fineTune, source, out.resolve("fine-tuning"), "fine-tuning", grid);

    w.println();
    w.printf("Test MSE per task (during: right after learning it; after: after all %d tasks)%n", tasks.size());
    w.printf("%-14s %12s %12s   %12s %12s%n", "", "HNET beta=" + beta, "", "fine-tuning", "");
    w.printf("%-14s %12s %12s   %12s %12s%n", "task", "during", "after", "during", "after");
    for (int t = 0; t < tasks.size(); t++) {
      w.printf("%-14s %12.5f %12.5f   %12.5f %12.5f%n", (t + 1) + ": " + tasks.get(t).name(),
          regularized.results.during()[t], regularized.results.after()[t],
          fineTuned.results.during()[t], fineTuned.results.after()[t]);
    }
    w.printf("%-14s %12.5f %12.5f   %12.5f %12.5f%n", "mean", regularized.results.meanDuring(), regularized.results.meanAfter(),
        fineTuned.results.meanDuring(), fineTuned.results.meanAfter());

    Path png = out.resolve("plots").resolve("toy-fit.png");
    ToyFitPlot.write(png, tasks, grid, List.of(
        new ToyFitPlot.Panel("HNET, output regularizer (beta=" + beta + ")", regularized.predictions),
        new ToyFitPlot.Panel("Fine-tuning (beta=0)", fineTuned.predictions)));
    w.println();
    w.println("Runs:  " + out.resolve("hnet") + "  " + out.resolve("fine-tuning"));
    w.println("Plot:  " + png);
    w.flush();
    return 0;
  }

  private record RunOutcome(RunResults results, List<float[]> predictions) {}

  private RunOutcome runOne(ExperimentConfig config, TaskSource source, Path dir, String label, List<float[]> grid)
      throws IOException {
    replacePreviousDemo(dir);
    try (RunDirectory run = RunDirectory.createNew(dir);
        ContinualRunner.Outcome o = new ContinualRunner(config, source, run, new TrainingProgress(label, spec.commandLine().getOut())).run()) {
      ContinualLearner learner = o.learner();
      List<float[]> predictions = new ArrayList<>();
      for (int t = 0; t < grid.size(); t++) {
        predictions.add(learner.predict(t, grid.get(t), grid.get(t).length, null));
      }
      org.hypercl.tools.report.RunReport.writeAll(RunDirectory.open(dir), o.results());
      return new RunOutcome(o.results(), predictions);
    } catch (org.tensorflow.exceptions.TensorFlowException e) {
      UserException named = Writes.runFolderFailure(dir, e);
      throw named != null ? named : e;
    }
  }

  /** The demo owns its folder: an earlier demo run there is removed, anything else is refused. */
  private static void replacePreviousDemo(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Path config = dir.resolve(RunDirectory.CONFIG);
    boolean isDemo = Files.isRegularFile(config) && Files.readString(config).contains("\"toy-regression");
    if (!isDemo) {
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new UserException(dir + " exists and does not hold an earlier demo run; choose another --out");
        }
      }
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static float[] linspace(double lo, double hi, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (lo + (hi - lo) * i / (n - 1));
    }
    return x;
  }
}
