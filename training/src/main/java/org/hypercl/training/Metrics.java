package org.hypercl.training;

/** Test metrics computed in Java from predictions and targets. */
public final class Metrics {

  private Metrics() {}

  /** MSE (regression) or accuracy in percent (classification, one-hot targets). */
  public static double score(TaskKind kind, float[] pred, float[] target, int width) {
    if (pred.length != target.length) {
      throw new IllegalArgumentException(pred.length + " predictions for " + target.length + " targets");
    }
    return kind == TaskKind.REGRESSION ? mse(pred, target) : accuracy(pred, target, width);
  }

  public static double mse(float[] pred, float[] target) {
    double sum = 0;
    for (int i = 0; i < pred.length; i++) {
      double d = pred[i] - target[i];
      sum += d * d;
    }
    return sum / pred.length;
  }

  /** Percentage of rows whose largest score is the target's hot class. */
  public static double accuracy(float[] scores, float[] oneHot, int width) {
    int rows = scores.length / width;
    int correct = 0;
    for (int r = 0; r < rows; r++) {
      if (argmax(scores, r * width, width) == argmax(oneHot, r * width, width)) {
        correct++;
      }
    }
    return 100.0 * correct / rows;
  }

  /**
   * Accuracy in percent without the task id: with one head per task (CL3) an example is right only
   * if its task is inferred and its class then predicted; with one shared head (CL2) the inferred
   * task only picks the weights, and the class alone decides.
   *
   * @param tasks the inferred task per example
   * @param classes the class predicted per example (within the head)
   * @param labels the true class per example (within the head)
   * @param task the examples' true task
   */
  public static double inferredAccuracy(int[] tasks, int[] classes, int[] labels, int task, boolean sharedHead) {
    if (tasks.length != labels.length || classes.length != labels.length) {
      throw new IllegalArgumentException(tasks.length + " tasks and " + classes.length + " classes for " + labels.length + " labels");
    }
    int right = 0;
    for (int i = 0; i < labels.length; i++) {
      right += (sharedHead || tasks[i] == task) && classes[i] == labels[i] ? 1 : 0;
    }
    return 100.0 * right / labels.length;
  }

  /** Percentage of examples whose task was inferred right. */
  public static double taskAccuracy(int[] tasks, int task) {
    int right = 0;
    for (int t : tasks) {
      if (t < 0) {
        // A learner with nothing to infer (one shared head and no task-conditioned weights).
        return Double.NaN;
      }
      right += t == task ? 1 : 0;
    }
    return 100.0 * right / tasks.length;
  }

  /** The hot class of each one-hot row. */
  public static int[] labels(float[] oneHot, int width) {
    int[] out = new int[oneHot.length / width];
    for (int r = 0; r < out.length; r++) {
      out[r] = argmax(oneHot, r * width, width);
    }
    return out;
  }

  static int argmax(float[] v, int offset, int width) {
    int best = 0;
    for (int i = 1; i < width; i++) {
      if (v[offset + i] > v[offset + best]) {
        best = i;
      }
    }
    return best;
  }
}
