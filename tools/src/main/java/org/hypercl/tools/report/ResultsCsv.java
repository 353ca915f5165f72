package org.hypercl.tools.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.hypercl.training.RunResults;

/**
 * {@code results.csv}: a run's results as one tidy long table, one measurement per row, that
 * {@code pandas.read_csv} and R's {@code read.csv} read as is.
 *
 * <p>Columns (header row first, comma-separated, RFC 4180 quoting, {@code \n} line ends, UTF-8):
 *
 * <ul>
 *   <li>{@code experiment}: the experiment name, the same on every row.
 *   <li>{@code metric}: {@code accuracy} (percent, higher is better) or {@code mse} (lower is better).
 *   <li>{@code quantity}: what {@code value} is:
 *       <ul>
 *         <li>{@code matrix}: R[i][j], the metric on task j after learning tasks 1..i; one row per
 *             measured cell (j ≤ i), T(T+1)/2 rows;
 *         <li>{@code during}: the metric on task j right after learning it (R[j][j]);
 *         <li>{@code after}: the metric on task j after the last task (R[T][j]);
 *         <li>{@code train_seconds}, {@code ms_per_step}, {@code final_task_loss},
 *             {@code final_regularizer_loss}: measured while learning task j.
 *       </ul>
 *   <li>{@code learned}: how many tasks had been learned when the value was measured (i, 1-based);
 *       j for {@code during} and the per-task training quantities, T for {@code after}.
 *   <li>{@code task}: the task the value is about (j, 1-based).
 *   <li>{@code task_name}: that task's name.
 *   <li>{@code value}: the number, shortest decimal that reads back to the same double; empty when
 *       not measured or not finite (pandas reads NaN, R reads NA).
 *   <li>{@code matrix}: for {@code matrix}, {@code during} and {@code after} rows, which of the run's
 *       named matrices the value is from: {@code task-given} (task id given), {@code cl2/SCORE} or
 *       {@code cl3/SCORE} (task inferred by SCORE), {@code task-inference/SCORE} (share of examples
 *       whose task was inferred); the run's primary matrix comes first. Empty on the per-task
 *       training rows.
 * </ul>
 *
 * <pre>
 * df = pandas.read_csv("runs/x/results.csv")
 * R = df[df.quantity == "matrix"].pivot(index="learned", columns="task", values="value")
 * </pre>
 */
public final class ResultsCsv {

  public static final String FILE_NAME = "results.csv";
  public static final List<String> COLUMNS =
      List.of("experiment", "metric", "quantity", "learned", "task", "task_name", "value", "matrix");

  private ResultsCsv() {}

  /** Writes {@code results} to {@code file} atomically and returns {@code file}. */
  public static Path write(Path file, RunResults results) throws IOException {
    RunReport.requireConsistent(results, file.toString());
    org.hypercl.tools.Writes.atomically(file, format(results).getBytes(StandardCharsets.UTF_8));
    return file;
  }

  /** The CSV text for {@code results}. */
  public static String format(RunResults results) {
    int n = results.numTasks();
    StringBuilder sb = new StringBuilder(64 * n * (n + 12));
    sb.append(String.join(",", COLUMNS)).append('\n');
    matrixRows(sb, results);
    for (String name : results.matrices().keySet()) {
      if (!name.equals(results.primary())) {
        matrixRows(sb, results.view(name));
      }
    }
    perTask(sb, results, "train_seconds", results.trainSeconds());
    perTask(sb, results, "ms_per_step", results.msPerStep());
    perTask(sb, results, "final_task_loss", results.finalTaskLoss());
    perTask(sb, results, "final_regularizer_loss", results.finalRegularizerLoss());
    return sb.toString();
  }

  /** The matrix, during and after rows of {@code r}'s primary matrix. */
  private static void matrixRows(StringBuilder sb, RunResults r) {
    int n = r.numTasks();
    double[][] m = r.matrix();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        row(sb, r, "matrix", i, j, m[i][j], r.primary());
      }
    }
    for (int j = 0; j < n; j++) {
      row(sb, r, "during", j, j, m[j][j], r.primary());
    }
    for (int j = 0; j < n; j++) {
      row(sb, r, "after", n - 1, j, m[n - 1][j], r.primary());
    }
  }

  private static void perTask(StringBuilder sb, RunResults r, String quantity, double[] values) {
    for (int j = 0; j < values.length; j++) {
      row(sb, r, quantity, j, j, values[j], "");
    }
  }

  private static void row(StringBuilder sb, RunResults r, String quantity, int learned, int task, double value, String matrix) {
    sb.append(field(r.experiment())).append(',')
        .append(field(r.metric())).append(',')
        .append(quantity).append(',')
        .append(learned + 1).append(',')
        .append(task + 1).append(',')
        .append(field(r.taskNames().get(task))).append(',')
        .append(Double.isFinite(value) ? Double.toString(value) : "").append(',')
        .append(field(matrix))
        .append('\n');
  }

  /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
  static String field(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }
}
