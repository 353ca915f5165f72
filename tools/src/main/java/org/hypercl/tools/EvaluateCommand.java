package org.hypercl.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.hypercl.graphs.TaskInference;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import org.hypercl.training.Scenario;
import org.hypercl.training.StepListener;
import org.hypercl.training.TaskSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypercl evaluate}: a trained run's checkpoints evaluated again, e.g. a CL1 run in CL3. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Evaluates a run again from its after-task checkpoints, without training.",
    description = {
      "Evaluates a trained (or stopped) run again from its after-task checkpoints, without training: row i of every "
          + "matrix from the checkpoint written after task i, as training fills it. With --scenario cl3 a cl1 run of a "
          + "classifier is evaluated with the task inferred (right only if task and class are), for every task-inference "
          + "score at once.",
      "Prints the results and writes RUN_DIR/evaluation-<scenario>.json (evaluation-<scenario>-after.json with "
          + "--after-only), in results.json's format; results.json is left alone. The data is found as the run recorded "
          + "it (dataOptions in config.json: the folder it came from, checked against the files' SHA-256).",
    })
public final class EvaluateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run folder.")
  Path runDir;

  @Option(names = "--scenario", paramLabel = "cl1|cl2|cl3",
      description = "Scenario to evaluate in (default: the run's). cl3 needs a head per task, cl2 one shared head.")
  String scenario;

  @Option(names = "--task-inference", paramLabel = "SCORE",
      description = "Headline task-inference score: entropy, max-softmax, energy or max-logit (default: the run's); all are measured.")
  String taskInference;

  @Option(names = "--after-only", description = "Evaluate only after the last task (the 'after' results), not every row.")
  boolean afterOnly;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Dataset folder to search first (default: the folder the run's data came from).")
  Path dataDir;

  @Option(names = "--threads", description = "TensorFlow intra-op threads (0 = TensorFlow's choice).")
  Integer threads;

  @Option(names = "--eval-batch-size", description = "Test examples per graph run (default: the run's).")
  Integer evalBatchSize;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    RunDirectory dir = RunDirectory.open(runDir);
    ExperimentConfig trained = dir.readConfig();
    ExperimentConfig config = trained;
    if (scenario != null) {
      Scenario s = Scenario.parse(scenario);
      if (s.sharedHead() != (trained.target().numHeads() == 1) && trained.numTasks() > 1) {
        throw new IllegalArgumentException("run " + runDir + " was trained with " + trained.target().numHeads()
            + " output head(s); " + s.id() + " needs " + (s.sharedHead() ? "one shared head" : "one head per task")
            + " (cl1 and cl3 runs can be evaluated in either of those two)");
      }
      config = new ExperimentConfig(config.name(), config.kind(), config.target(), config.hypernetwork(), config.numTasks(),
          config.settings(), config.method(), s, config.taskInference());
    }
    if (taskInference != null) {
      config = config.withTaskInference(TaskInference.Score.parse(taskInference));
    }
    var settings = config.settings().toBuilder();
    if (threads != null) {
      settings.intraOpThreads(threads);
    }
    if (evalBatchSize != null) {
      settings.evalBatchSize(evalBatchSize);
    }
    config = config.withSettings(settings.build());
    TaskSource source = RunData.forRun(dir, dataDir, out);
    out.printf("Evaluating %s (%s, trained in %s) in %s on %s%n", runDir, config.name(), trained.scenario().id(),
        config.scenario().id(), source.name());
    out.flush();
    PrintWriter progress = out;
    long started = System.nanoTime();
    RunResults r =
        new ContinualRunner(config, source, dir, StepListener.NONE)
            .reevaluate(new StepListener() {
              @Override
              public void taskFinished(int task, double seconds) {
                progress.printf("  after task %d: evaluated tasks 1-%d in %.2f s%n", task + 1, task + 1, seconds);
                progress.flush();
              }
            }, afterOnly);
    double seconds = (System.nanoTime() - started) / 1e9;
    Path file = dir.writeEvaluation(config.scenario().id() + (afterOnly ? "-after" : ""), r);
    out.println();
    out.printf("%-34s %-22s %12s %12s%n", "run", "matrix", "during", "after");
    out.printf("%-34s %-22s %12.3f %12.3f%n", r.experiment(), r.primary(), r.meanDuring(), r.meanAfter());
    InferenceSummary.print(out, List.of(r));
    out.printf("%nevaluated in %.1f s; wrote %s%n", seconds, file);
    return 0;
  }
}
