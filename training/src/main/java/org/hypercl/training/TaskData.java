package org.hypercl.training;

/**
 * One task's data as the learner consumes it: row-major inputs and targets. Targets are the
 * regression values or, for classification, one-hot rows over the task's head. With a
 * permutation, the inputs are base inputs that the learner permutes in the graph.
 *
 * @param name task name, e.g. {@code "x+3"} or {@code "digits 0/1"}
 * @param inputDim values per input row
 * @param outputDim values per target row (outputs of one head)
 * @param trainX {@code [trainSize · inputDim]}
 * @param trainY {@code [trainSize · outputDim]}
 * @param testX {@code [testSize · inputDim]}
 * @param testY {@code [testSize · outputDim]}
 * @param permutation input permutation of this task, or null for none
 * @param blackPixel for image inputs, a black pixel's encoded value in each channel (what the
 *     random crop pads with, as padding the raw image before normalising would), or null for zeros
 */
public record TaskData(
    String name,
    int inputDim,
    int outputDim,
    float[] trainX,
    float[] trainY,
    float[] testX,
    float[] testY,
    int[] permutation,
    float[] blackPixel) {

  /** A task whose inputs are used as they are. */
  public TaskData(String name, int inputDim, int outputDim, float[] trainX, float[] trainY, float[] testX, float[] testY) {
    this(name, inputDim, outputDim, trainX, trainY, testX, testY, null, null);
  }

  /** A task whose inputs are permuted ({@code permutation} may be null for none). */
  public TaskData(String name, int inputDim, int outputDim, float[] trainX, float[] trainY, float[] testX, float[] testY,
      int[] permutation) {
    this(name, inputDim, outputDim, trainX, trainY, testX, testY, permutation, null);
  }

  public TaskData {
    if (inputDim <= 0 || outputDim <= 0) {
      throw new IllegalArgumentException("task " + name + ": input and output sizes must be positive");
    }
    check(name, "training", trainX, trainY, inputDim, outputDim);
    check(name, "test", testX, testY, inputDim, outputDim);
    if (permutation != null) {
      if (permutation.length != inputDim) {
        throw new IllegalArgumentException(
            "task " + name + ": permutation of " + permutation.length + " inputs for inputs of width " + inputDim);
      }
      boolean[] seen = new boolean[inputDim];
      for (int p : permutation) {
        if (p < 0 || p >= inputDim || seen[p]) {
          throw new IllegalArgumentException("task " + name + ": input permutation is not a permutation of 0.." + (inputDim - 1));
        }
        seen[p] = true;
      }
    }
  }

  /**
   * The permutation applied to every input row (input j of this task is base input
   * {@code permutation[j]}), or the identity. Permuted tasks share their base arrays, so a learner
   * keeps one copy of the images and one permutation per task.
   */
  public int[] inputPermutation() {
    if (permutation != null) {
      return permutation;
    }
    int[] id = new int[inputDim];
    for (int i = 0; i < inputDim; i++) {
      id[i] = i;
    }
    return id;
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
