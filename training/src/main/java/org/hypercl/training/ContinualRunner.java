package org.hypercl.training;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Runs an experiment's task sequence: for each task, learn it, evaluate every task learned so far
 * (a row of the matrix R), checkpoint; at the end write results.json. A run killed between tasks
 * resumes from its last checkpoint.
 */
public final class ContinualRunner {

  private final ExperimentConfig config;
  private final TaskSource source;
  private final RunDirectory runDir;
  private final StepListener listener;

  /**
   * @param runDir where to write config, checkpoints and results, or null to keep nothing on disk
   */
  public ContinualRunner(ExperimentConfig config, TaskSource source, RunDirectory runDir, StepListener listener) {
    if (source.numTasks() < config.numTasks()) {
      throw new IllegalArgumentException(
          "experiment " + config.name() + " needs " + config.numTasks() + " tasks but " + source.name()
              + " has " + source.numTasks());
    }
    this.config = config;
    this.source = source;
    this.runDir = runDir;
    this.listener = listener;
  }

  /** A runner that keeps the trained learner for the caller (closed by the caller). */
  public record Outcome(RunResults results, HypernetworkLearner learner) implements AutoCloseable {
    @Override
    public void close() {
      learner.close();
    }
  }

  /** Runs (or resumes) the whole sequence and returns the results with the trained learner. */
  public Outcome run() {
    int n = config.numTasks();
    double[][] matrix = new double[n][n];
    for (double[] row : matrix) {
      Arrays.fill(row, Double.NaN);
    }
    double[] seconds = nan(n);
    double[] msPerStep = nan(n);
    double[] taskLoss = nan(n);
    double[] regLoss = nan(n);
    List<String> names = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      names.add(source.task(t).name());
    }
    HypernetworkLearner learner = new HypernetworkLearner(config, source.maxTrainSize());
    boolean ok = false;
    try {
      int start = 0;
      if (runDir != null) {
        Optional<Path> ckpt = runDir.latestCheckpoint();
        if (ckpt.isPresent()) {
          JsonNode state = JsonFiles.read(ckpt.get().resolve(RunDirectory.STATE));
          start = state.get("tasksLearned").asInt();
          learner.restore(ckpt.get().resolve(RunDirectory.CHECKPOINT_PREFIX), start);
          RunResults previous = RunDirectory.resultsFromJson(state.get("results"));
          for (int i = 0; i < start; i++) {
            matrix[i] = previous.matrix()[i].clone();
            seconds[i] = previous.trainSeconds()[i];
            msPerStep[i] = previous.msPerStep()[i];
            taskLoss[i] = previous.finalTaskLoss()[i];
            regLoss[i] = previous.finalRegularizerLoss()[i];
          }
        } else {
          runDir.writeConfig(config, source);
        }
      }
      for (int t = start; t < n; t++) {
        final int task = t;
        float[] last = new float[2];
        StepListener tracking =
            new StepListener() {
              @Override
              public void taskStarted(int tk, String name, int iterations) {
                listener.taskStarted(tk, name, iterations);
              }

              @Override
              public void stepFinished(int tk, int iteration, float tl, float rl) {
                last[0] = tl;
                last[1] = rl;
                listener.stepFinished(tk, iteration, tl, rl);
              }

              @Override
              public void taskFinished(int tk, double s) {
                seconds[task] = s;
                listener.taskFinished(tk, s);
              }
            };
        learner.learnTask(t, source.task(t), tracking);
        msPerStep[t] = seconds[t] * 1000.0 / config.settings().iterations();
        taskLoss[t] = last[0];
        regLoss[t] = last[1];
        for (int j = 0; j <= t; j++) {
          matrix[t][j] = learner.evaluate(j, source.task(j));
        }
        if (runDir != null) {
          RunResults partial = new RunResults(config.name(), config.kind().metricName(), names, matrix, seconds, msPerStep, taskLoss, regLoss);
          runDir.saveCheckpoint(learner, t + 1, partial);
        }
      }
      RunResults results = new RunResults(config.name(), config.kind().metricName(), names, matrix, seconds, msPerStep, taskLoss, regLoss);
      if (runDir != null) {
        runDir.writeResults(results);
      }
      ok = true;
      return new Outcome(results, learner);
    } finally {
      if (!ok) {
        learner.close();
      }
    }
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }
}
