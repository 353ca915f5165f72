package org.hypercl.training;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * @param primary the name of {@code matrix} among {@code matrices}: {@value #TASK_GIVEN} in CL1,
 *     e.g. {@code "cl3/entropy"} in CL3
 * @param matrices every named matrix of the run, the primary one included: {@value #TASK_GIVEN}
 *     (the metric with the task id given), and for classifiers {@code "cl2/SCORE"} or
 *     {@code "cl3/SCORE"} (accuracy with the task inferred by SCORE) and
 *     {@code "task-inference/SCORE"} (the share of test examples whose task SCORE infers)
 */
public record RunResults(
    String experiment,
    String metric,
    List<String> taskNames,
    double[][] matrix,
    double[] trainSeconds,
    double[] msPerStep,
    double[] finalTaskLoss,
    double[] finalRegularizerLoss,
    String primary,
    Map<String, double[][]> matrices) {

  /** Name of the matrix of the metric with the task id given. */
  public static final String TASK_GIVEN = "task-given";
  /** Prefix of the task-inference accuracy matrices, one per score. */
  public static final String TASK_INFERENCE = "task-inference";

  /** Results with one matrix, measured with the task id given. */
  public RunResults(
      String experiment, String metric, List<String> taskNames, double[][] matrix, double[] trainSeconds,
      double[] msPerStep, double[] finalTaskLoss, double[] finalRegularizerLoss) {
    this(experiment, metric, taskNames, matrix, trainSeconds, msPerStep, finalTaskLoss, finalRegularizerLoss, TASK_GIVEN,
        Map.of(TASK_GIVEN, matrix));
  }

  public RunResults {
    Map<String, double[][]> m = new LinkedHashMap<>(matrices);
    if (!m.containsKey(primary)) {
      throw new IllegalArgumentException("primary matrix '" + primary + "' is not among " + m.keySet());
    }
    if (!Arrays.deepEquals(m.get(primary), matrix)) {
      throw new IllegalArgumentException("the matrix differs from the primary matrix '" + primary + "'");
    }
    matrices = Collections.unmodifiableMap(m);
  }

  /** These results with the named matrix as the primary one (so every summary below reads it). */
  public RunResults view(String name) {
    double[][] m = matrices.get(name);
    if (m == null) {
      throw new IllegalArgumentException("no matrix '" + name + "' in the results of " + experiment + "; have " + matrices.keySet());
    }
    String metricName = name.startsWith(TASK_INFERENCE) ? "accuracy" : metric;
    return new RunResults(experiment, metricName, taskNames, m, trainSeconds, msPerStep, finalTaskLoss, finalRegularizerLoss, name, matrices);
  }

  /** These results cut to the first {@code k} tasks (e.g. of a run stopped after task k). */
  public RunResults firstTasks(int k) {
    if (k < 1 || k > numTasks()) {
      throw new IllegalArgumentException("cannot keep " + k + " of " + numTasks() + " tasks");
    }
    Map<String, double[][]> cut = new LinkedHashMap<>();
    matrices.forEach((name, m) -> {
      double[][] rows = new double[k][];
      for (int i = 0; i < k; i++) {
        rows[i] = Arrays.copyOf(m[i], k);
      }
      cut.put(name, rows);
    });
    return new RunResults(experiment, metric, taskNames.subList(0, k), cut.get(primary), Arrays.copyOf(trainSeconds, k),
        Arrays.copyOf(msPerStep, k), Arrays.copyOf(finalTaskLoss, k), Arrays.copyOf(finalRegularizerLoss, k), primary, cut);
  }

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
   * before the end minus its final metric (for MSE: final minus best), so larger is worse. Rows
   * not measured for a task (NaN below the diagonal, {@link LearnerSettings.InferenceRows#CURRENT})
   * are left out of its best.
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
        if (Double.isNaN(matrix[i][j])) {
          continue;
        }
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
