package org.hypercl.training;

import java.util.Arrays;
import java.util.List;

/**
 * What a continual run measured. {@code matrix[i][j]} is the test metric on task j after learning
 * task i (NaN for j > i); "during" is the diagonal, "after" the last row.
 *
 * @param experiment experiment name
 * @param metric "accuracy" (percent, higher is better) or "mse" (lower is better)
 * @param taskNames names of the tasks, in order
 * @param matrix R[i][j]
 * @param trainSeconds wall time of each task's training
 * @param msPerStep mean milliseconds per training step, per task
 * @param finalTaskLoss task loss at each task's last step
 * @param finalRegularizerLoss regularizer loss at each task's last step
 */
public record RunResults(
    String experiment,
    String metric,
    List<String> taskNames,
    double[][] matrix,
    double[] trainSeconds,
    double[] msPerStep,
    double[] finalTaskLoss,
    double[] finalRegularizerLoss) {

  public int numTasks() {
    return taskNames.size();
  }

  public boolean higherIsBetter() {
    return metric.equals(TaskKind.CLASSIFICATION.metricName());
  }

  /** R[t][t]: the metric on each task right after learning it. */
  public double[] during() {
    double[] d = new double[numTasks()];
    for (int t = 0; t < d.length; t++) {
      d[t] = matrix[t][t];
    }
    return d;
  }

  /** R[T−1][t]: the metric on each task after the last task. */
  public double[] after() {
    return matrix[numTasks() - 1].clone();
  }

  public double meanDuring() {
    return Arrays.stream(during()).average().orElse(Double.NaN);
  }

  /** ACC: the mean final metric. */
  public double meanAfter() {
    return Arrays.stream(after()).average().orElse(Double.NaN);
  }

  /** BWT: mean over tasks but the last of R[T−1][j] − R[j][j] (negative means forgetting, for accuracy). */
  public double backwardTransfer() {
    int n = numTasks();
    if (n < 2) {
      return 0;
    }
    double sum = 0;
    for (int j = 0; j < n - 1; j++) {
      sum += matrix[n - 1][j] - matrix[j][j];
    }
    return sum / (n - 1);
  }

  /**
   * Forgetting (max-based): mean over tasks but the last of the best metric the task ever had
   * before the end minus its final metric (for MSE: final minus best), so larger is worse.
   */
  public double forgetting() {
    int n = numTasks();
    if (n < 2) {
      return 0;
    }
    double sum = 0;
    for (int j = 0; j < n - 1; j++) {
      double best = matrix[j][j];
      for (int i = j; i < n - 1; i++) {
        best = higherIsBetter() ? Math.max(best, matrix[i][j]) : Math.min(best, matrix[i][j]);
      }
      double last = matrix[n - 1][j];
      sum += higherIsBetter() ? best - last : last - best;
    }
    return sum / (n - 1);
  }

  public double totalTrainSeconds() {
    return Arrays.stream(trainSeconds).sum();
  }
}
