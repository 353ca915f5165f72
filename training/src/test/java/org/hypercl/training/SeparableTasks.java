package org.hypercl.training;

import java.util.SplittableRandom;

/**
 * Generated tasks whose inputs tell them apart: every coordinate is N(0, 1) noise, and task t
 * shifts coordinate t by ±5, the sign being the class. Task t's network learns to read coordinate
 * t, which on another task's inputs is plain noise around its decision boundary: with a linear
 * target network ({@link #experiment}) each network is confident on its own task's inputs and
 * unsure on the others', as task inference by entropy needs. (ReLU networks extrapolated
 * confidently to the other tasks' shifted coordinate and inferred 42% and 26% of tasks 2 and 3.)
 */
final class SeparableTasks implements TaskSource {

  /** Standard deviation of every coordinate's noise. */
  static final double NOISE = 1.0;
  /** Distance of each class from the boundary on the task's own coordinate. */
  static final double MARGIN = 5.0;

  private final int numTasks;
  private final int trainSize;
  private final int testSize;
  private final long seed;

  SeparableTasks(int numTasks, int trainSize, int testSize, long seed) {
    if (numTasks > SyntheticTasks.DIM) {
      throw new IllegalArgumentException("at most " + SyntheticTasks.DIM + " tasks");
    }
    this.numTasks = numTasks;
    this.trainSize = trainSize;
    this.testSize = testSize;
    this.seed = seed;
  }

  private float[][] examples(int t, int n, SplittableRandom rng) {
    float[] x = new float[n * SyntheticTasks.DIM];
    float[] y = new float[n * 2];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < SyntheticTasks.DIM; j++) {
        x[r * SyntheticTasks.DIM + j] = (float) (NOISE * gaussian(rng));
      }
      int cls = rng.nextInt(2);
      x[r * SyntheticTasks.DIM + t] += (float) ((cls == 1 ? 1 : -1) * MARGIN);
      y[r * 2 + cls] = 1;
    }
    return new float[][] {x, y};
  }

  private static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  /**
   * A linear target network (logistic regression with a head per task), so each task's logits are
   * {@code a·x_t} plus what it keeps of the other coordinates, which its training pushes towards
   * zero as they are noise to it: on another task's inputs it is unsure, by construction rather than
   * by luck of a ReLU network's extrapolation.
   */
  static ExperimentConfig experiment(int numTasks, int iterations) {
    org.hypercl.graphs.MlpSpec target =
        new org.hypercl.graphs.MlpSpec(SyntheticTasks.DIM, new int[] {}, 2, numTasks, org.hypercl.graphs.Activation.RELU);
    org.hypercl.graphs.HypernetworkSpec hnet = org.hypercl.graphs.HypernetworkSpec.chunked(
        8, 8, new int[] {24}, org.hypercl.graphs.Activation.RELU, 40, target.parameterCount());
    LearnerSettings s =
        LearnerSettings.defaults().toBuilder().iterations(iterations).batchSize(32).learningRate(0.003f).beta(0.05f).build();
    return new ExperimentConfig("separable", TaskKind.CLASSIFICATION, target, hnet, numTasks, s).withScenario(Scenario.CL3);
  }

  @Override
  public String name() {
    return "separable(" + numTasks + ")";
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
    SplittableRandom rng = new SplittableRandom(seed * 1000 + t);
    float[][] train = examples(t, trainSize, rng);
    float[][] test = examples(t, testSize, rng);
    return new TaskData("separable-" + t, SyntheticTasks.DIM, 2, train[0], train[1], test[0], test[1]);
  }
}
