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
