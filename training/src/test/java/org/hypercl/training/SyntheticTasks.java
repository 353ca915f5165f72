package org.hypercl.training;

import java.util.SplittableRandom;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;

/**
 * Small generated classification tasks for tests: Gaussian inputs, each task labelling them by
 * its own random hyperplane after its own input permutation (task 0 unpermuted), so tasks
 * interfere the way PermutedMNIST's do, at a size that trains in seconds.
 */
final class SyntheticTasks implements TaskSource {

  static final int DIM = 16;

  private final int numTasks;
  private final int trainSize;
  private final int testSize;
  private final float[] trainX;
  private final float[] testX;
  private final int[][] permutations;
  private final float[][] planes;

  SyntheticTasks(int numTasks, int trainSize, int testSize, long seed) {
    this.numTasks = numTasks;
    this.trainSize = trainSize;
    this.testSize = testSize;
    SplittableRandom rng = new SplittableRandom(seed);
    trainX = gaussian(trainSize * DIM, rng);
    testX = gaussian(testSize * DIM, rng);
    permutations = new int[numTasks][DIM];
    planes = new float[numTasks][];
    for (int t = 0; t < numTasks; t++) {
      for (int i = 0; i < DIM; i++) {
        permutations[t][i] = i;
      }
      for (int i = DIM - 1; t > 0 && i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int tmp = permutations[t][i];
        permutations[t][i] = permutations[t][j];
        permutations[t][j] = tmp;
      }
      planes[t] = gaussian(DIM, rng);
    }
  }

  private static float[] gaussian(int n, SplittableRandom rng) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble()));
    }
    return v;
  }

  /** One-hot labels: class 1 where the task's hyperplane sees the permuted input above zero. */
  private float[] labels(int t, float[] x, int n) {
    float[] y = new float[n * 2];
    for (int r = 0; r < n; r++) {
      double dot = 0;
      for (int j = 0; j < DIM; j++) {
        dot += planes[t][j] * x[r * DIM + permutations[t][j]];
      }
      y[r * 2 + (dot > 0 ? 1 : 0)] = 1;
    }
    return y;
  }

  /** The task with its inputs permuted explicitly (no permutation left for the learner). */
  TaskData explicitTask(int t) {
    return new TaskData("synthetic-" + t, DIM, 2, permute(trainX, t), labels(t, trainX, trainSize),
        permute(testX, t), labels(t, testX, testSize));
  }

  private float[] permute(float[] x, int t) {
    float[] out = new float[x.length];
    for (int r = 0; r < x.length / DIM; r++) {
      for (int j = 0; j < DIM; j++) {
        out[r * DIM + j] = x[r * DIM + permutations[t][j]];
      }
    }
    return out;
  }

  @Override
  public String name() {
    return "synthetic(" + numTasks + ")";
  }

  @Override
  public int numTasks() {
    return numTasks;
  }

  @Override
  public int maxTrainSize() {
    return trainSize;
  }

  @Override
  public TaskData task(int t) {
    return new TaskData("synthetic-" + t, DIM, 2, trainX, labels(t, trainX, trainSize), testX,
        labels(t, testX, testSize), permutations[t]);
  }

  /** A tiny CL1 experiment for these tasks: a 16-32-32 MLP with a head per task and a chunked hypernetwork. */
  static ExperimentConfig experiment(int numTasks, int iterations, float beta) {
    MlpSpec target = new MlpSpec(DIM, new int[] {32, 32}, 2, numTasks, Activation.RELU);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(8, 8, new int[] {24}, Activation.RELU, 320, target.parameterCount());
    LearnerSettings s =
        LearnerSettings.defaults().toBuilder().iterations(iterations).batchSize(32).learningRate(0.003f).beta(beta).build();
    return new ExperimentConfig("synthetic", TaskKind.CLASSIFICATION, target, hnet, numTasks, s);
  }
}
