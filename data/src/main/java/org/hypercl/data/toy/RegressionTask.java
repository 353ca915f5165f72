package org.hypercl.data.toy;

import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * One 1-D regression task: noisy training samples, noise-free test samples and the ground-truth
 * function they come from.
 *
 * <p>Arrays are defensively copied on construction and on access, so a task is immutable.
 *
 * @param name short human-readable name, e.g. {@code "x+3"}
 * @param trainX training inputs, drawn uniformly in {@code [low, high]}
 * @param trainY training targets, {@code groundTruth(x)} plus Gaussian noise
 * @param testX test inputs, evenly spaced over {@code [low, high]} (both ends included)
 * @param testY test targets, {@code groundTruth(x)} without noise (as in the reference code)
 * @param groundTruth the function the data is sampled from, for plots and exact errors
 * @param low lower end of the input interval
 * @param high upper end of the input interval
 */
public record RegressionTask(
    String name,
    float[] trainX,
    float[] trainY,
    float[] testX,
    float[] testY,
    DoubleUnaryOperator groundTruth,
    double low,
    double high) {

  public RegressionTask {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(groundTruth, "groundTruth");
    if (trainX.length != trainY.length) {
      throw new IllegalArgumentException(
          "task " + name + ": " + trainX.length + " training inputs but " + trainY.length + " targets");
    }
    if (testX.length != testY.length) {
      throw new IllegalArgumentException(
          "task " + name + ": " + testX.length + " test inputs but " + testY.length + " targets");
    }
    if (!(low < high)) {
      throw new IllegalArgumentException("task " + name + ": empty interval [" + low + ", " + high + "]");
    }
    trainX = trainX.clone();
    trainY = trainY.clone();
    testX = testX.clone();
    testY = testY.clone();
  }

  /** Returns a copy of the training inputs. */
  @Override
  public float[] trainX() {
    return trainX.clone();
  }

  /** Returns a copy of the training targets. */
  @Override
  public float[] trainY() {
    return trainY.clone();
  }

  /** Returns a copy of the test inputs. */
  @Override
  public float[] testX() {
    return testX.clone();
  }

  /** Returns a copy of the test targets. */
  @Override
  public float[] testY() {
    return testY.clone();
  }

  /** Number of training samples. */
  public int trainSize() {
    return trainX.length;
  }

  /** Number of test samples. */
  public int testSize() {
    return testX.length;
  }

  @Override
  public String toString() {
    return "RegressionTask[" + name + " on [" + low + ", " + high + "], " + trainX.length
        + " train, " + testX.length + " test]";
  }
}
