package org.hypercl.training;

/**
 * One task's data as the learner consumes it: row-major inputs and targets. Targets are the
 * regression values or, for classification, one-hot rows over the task's head.
 *
 * @param name task name, e.g. {@code "x+3"} or {@code "digits 0/1"}
 * @param inputDim values per input row
 * @param outputDim values per target row (outputs of one head)
 * @param trainX {@code [trainSize · inputDim]}
 * @param trainY {@code [trainSize · outputDim]}
 * @param testX {@code [testSize · inputDim]}
 * @param testY {@code [testSize · outputDim]}
 */
public record TaskData(
    String name, int inputDim, int outputDim, float[] trainX, float[] trainY, float[] testX, float[] testY) {

  public TaskData {
    if (inputDim <= 0 || outputDim <= 0) {
      throw new IllegalArgumentException("task " + name + ": input and output sizes must be positive");
    }
    check(name, "training", trainX, trainY, inputDim, outputDim);
    check(name, "test", testX, testY, inputDim, outputDim);
  }

  private static void check(String name, String split, float[] x, float[] y, int in, int out) {
    if (x.length % in != 0 || y.length % out != 0 || x.length / in != y.length / out) {
      throw new IllegalArgumentException(
          "task " + name + ": " + split + " inputs (" + x.length + " values of width " + in
              + ") and targets (" + y.length + " values of width " + out + ") disagree");
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("task " + name + ": no " + split + " examples");
    }
  }

  public int trainSize() {
    return trainX.length / inputDim;
  }

  public int testSize() {
    return testX.length / inputDim;
  }

  /** One-hot rows for class labels. */
  public static float[] oneHot(int[] labels, int numClasses) {
    float[] out = new float[Math.multiplyExact(labels.length, numClasses)];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is not in [0, " + numClasses + ")");
      }
      out[i * numClasses + labels[i]] = 1f;
    }
    return out;
  }
}
