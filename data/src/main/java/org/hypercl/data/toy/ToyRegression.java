package org.hypercl.data.toy;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.hypercl.data.DataSeeds;

/**
 * The 1-D toy regression tasks of von Oswald et al., "Continual learning with hypernetworks"
 * (ICLR 2020), Fig. 2: three polynomials on disjoint intervals, learned one after the other.
 *
 * <table>
 *   <caption>The paper's tasks</caption>
 *   <tr><th>task</th><th>function</th><th>interval</th></tr>
 *   <tr><td>0</td><td>y = x + 3</td><td>[−4, −2]</td></tr>
 *   <tr><td>1</td><td>y = 2x² − 1</td><td>[−1, 1]</td></tr>
 *   <tr><td>2</td><td>y = (x − 3)³</td><td>[2, 4]</td></tr>
 * </table>
 *
 * <p>As in the authors' reference code, training inputs are drawn uniformly in the interval and
 * their targets get Gaussian noise (σ = {@value #NOISE_STD_DEFAULT}); test inputs are evenly
 * spaced over the interval (both ends included) and their targets are noise-free.
 *
 * <pre>{@code
 * List<RegressionTask> tasks = ToyRegression.paperTasks(ToyRegression.DEFAULT_SEED);
 * float[] x = tasks.get(0).trainX();   // 100 points in [-4, -2]
 * }</pre>
 *
 * <p>Everything is deterministic from the seed; each task draws from its own generator derived
 * from the seed and the task index, so adding or reordering tasks does not change the others.
 */
public final class ToyRegression {

  /** Default data seed, as in the reference code ({@code --data_random_seed 42}). */
  public static final long DEFAULT_SEED = DataSeeds.DEFAULT;
  /** Training samples per task. */
  public static final int NUM_TRAIN_DEFAULT = 100;
  /** Test samples per task. */
  public static final int NUM_TEST_DEFAULT = 50;
  /** Standard deviation of the Gaussian noise on training targets. */
  public static final double NOISE_STD_DEFAULT = 0.05;

  private ToyRegression() {}

  /** The paper's three tasks with the default sizes and noise, from {@code seed}. */
  public static List<RegressionTask> paperTasks(long seed) {
    return paperTasks(seed, NUM_TRAIN_DEFAULT, NUM_TEST_DEFAULT, NOISE_STD_DEFAULT);
  }

  /** The paper's three tasks with explicit sizes and training-noise level. */
  public static List<RegressionTask> paperTasks(long seed, int numTrain, int numTest, double noiseStd) {
    return List.of(
        task("x+3", x -> x + 3, -4, -2, numTrain, numTest, noiseStd, seed, 0),
        task("2x^2-1", x -> 2 * x * x - 1, -1, 1, numTrain, numTest, noiseStd, seed, 1),
        task("(x-3)^3", x -> (x - 3) * (x - 3) * (x - 3), 2, 4, numTrain, numTest, noiseStd, seed, 2));
  }

  /**
   * One task: {@code numTrain} uniform inputs in {@code [low, high)} with targets {@code f(x) +
   * N(0, noiseStd²)}, and {@code numTest} evenly spaced noise-free test points.
   *
   * @param taskIndex mixed into the seed so that tasks sharing a seed draw different samples
   */
  public static RegressionTask task(
      String name,
      DoubleUnaryOperator f,
      double low,
      double high,
      int numTrain,
      int numTest,
      double noiseStd,
      long seed,
      int taskIndex) {
    if (numTrain < 0 || numTest < 0) {
      throw new IllegalArgumentException("sample counts must be >= 0: " + numTrain + ", " + numTest);
    }
    if (!(noiseStd >= 0)) {
      throw new IllegalArgumentException("noise std must be >= 0: " + noiseStd);
    }
    Random rng = new Random(DataSeeds.derive(seed, taskIndex));
    float[] trainX = new float[numTrain];
    float[] trainY = new float[numTrain];
    for (int i = 0; i < numTrain; i++) {
      double x = low + (high - low) * rng.nextDouble();
      trainX[i] = (float) x;
      trainY[i] = (float) (f.applyAsDouble(x) + noiseStd * rng.nextGaussian());
    }
    float[] testX = new float[numTest];
    float[] testY = new float[numTest];
    for (int i = 0; i < numTest; i++) {
      double x = numTest == 1 ? low : low + (high - low) * i / (numTest - 1);
      testX[i] = (float) x;
      testY[i] = (float) f.applyAsDouble(x);
    }
    return new RegressionTask(name, trainX, trainY, testX, testY, f, low, high);
  }
}
