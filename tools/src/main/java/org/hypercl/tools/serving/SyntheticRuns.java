package org.hypercl.tools.serving;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.StepListener;
import org.hypercl.training.TaskData;
import org.hypercl.training.TaskKind;
import org.hypercl.training.TaskSource;

/**
 * Runs of a configuration on generated data of the right shape: what the serving benchmark exports
 * when no real run is at hand (the weights' values do not change the cost of inference).
 */
final class SyntheticRuns {

  private SyntheticRuns() {}

  /** Random tasks of the config's shapes: uniform [0, 1) inputs, random one-hot or Gaussian targets. */
  static TaskSource randomTasks(ExperimentConfig c, int trainSize, long seed) {
    return new TaskSource() {
      @Override
      public String name() {
        return "random(" + c.target().inputSize() + "->" + c.target().outputSize() + ", n=" + trainSize + ", seed=" + seed + ")";
      }

      @Override
      public int numTasks() {
        return c.numTasks();
      }

      @Override
      public int maxTrainSize() {
        return trainSize;
      }

      @Override
      public TaskData task(int i) {
        SplittableRandom rng = new SplittableRandom(seed * 31 + i);
        int in = c.target().inputSize();
        int out = c.target().outputSize();
        float[] x = new float[trainSize * in];
        for (int k = 0; k < x.length; k++) {
          x[k] = (float) rng.nextDouble();
        }
        float[] y;
        if (c.kind() == TaskKind.CLASSIFICATION) {
          int[] labels = new int[trainSize];
          for (int k = 0; k < trainSize; k++) {
            labels[k] = rng.nextInt(out);
          }
          y = TaskData.oneHot(labels, out);
        } else {
          y = new float[trainSize * out];
          for (int k = 0; k < y.length; k++) {
            y[k] = (float) rng.nextDouble();
          }
        }
        return new TaskData("random task " + i, in, out, x, y, x.clone(), y.clone());
      }
    };
  }

  /** Trains {@code config} on {@code source} into a new run folder {@code dir}; returns the results' outcome. */
  static ContinualRunner.Outcome train(ExperimentConfig config, TaskSource source, Path dir) {
    try (RunDirectory run = RunDirectory.createNew(dir)) {
      return new ContinualRunner(config, source, run, StepListener.NONE).run();
    }
  }
}
