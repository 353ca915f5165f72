package org.hypercl.tools;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.Experiments;
import org.hypercl.training.HypernetworkLearner;
import org.hypercl.training.StepListener;
import org.hypercl.training.TaskSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypercl bench}: training-step timings, measured in this process. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measures training speed: milliseconds per training step and steps per second, for each task of",
      "a configuration (task 1 has no past tasks to regularize; later tasks regularize all earlier ones).",
      "Timings exclude the first --warmup steps of every task. Run on an otherwise idle machine and",
      "compare figures from one run.",
    })
public final class BenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", defaultValue = "toy", paramLabel = "CONFIG", description = "Configuration to time: toy (default: ${DEFAULT-VALUE}).")
  String config;

  @Option(names = "--steps", description = "Timed steps per task (default: ${DEFAULT-VALUE}).")
  int steps = 2000;

  @Option(names = "--warmup", description = "Untimed steps before timing, per task (default: ${DEFAULT-VALUE}).")
  int warmup = 200;

  @Option(names = "--threads", description = "TensorFlow intra-op threads (default: 0 = TensorFlow's choice).")
  int threads = 0;

  @Override
  public Integer call() {
    if (!config.equals("toy")) {
      throw new UserException("unknown benchmark configuration '" + config + "'; available: toy");
    }
    if (steps <= 0 || warmup < 0) {
      throw new UserException("--steps must be positive and --warmup not negative");
    }
    PrintWriter w = spec.commandLine().getOut();
    ExperimentConfig base = Experiments.toyRegression();
    ExperimentConfig c = base.withSettings(base.settings().toBuilder().iterations(warmup + steps).intraOpThreads(threads).build());
    TaskSource source = Experiments.toyTasks(42);
    w.printf("bench toy: %s, %s, batch %d, %d timed steps after %d warm-up steps per task%n",
        c.target(), c.hypernetwork(), c.settings().batchSize(), steps, warmup);
    w.printf("%-6s %-12s %12s %12s%n", "task", "past tasks", "ms/step", "steps/s");
    try (HypernetworkLearner learner = new HypernetworkLearner(c, source.maxTrainSize())) {
      for (int t = 0; t < c.numTasks(); t++) {
        long[] marks = new long[2];
        learner.learnTask(t, source.task(t), new StepListener() {
          @Override
          public void stepFinished(int task, int iteration, float taskLoss, float regLoss) {
            if (iteration == warmup - 1 || (warmup == 0 && iteration == 0)) {
              marks[0] = System.nanoTime();
            }
            if (iteration == warmup + steps - 1) {
              marks[1] = System.nanoTime();
            }
          }
        });
        int timed = warmup == 0 ? steps - 1 : steps;
        double ms = (marks[1] - marks[0]) / 1e6 / timed;
        w.printf("%-6d %-12d %12.3f %12.1f%n", t + 1, t, ms, 1000 / ms);
        w.flush();
      }
    }
    return 0;
  }
}
