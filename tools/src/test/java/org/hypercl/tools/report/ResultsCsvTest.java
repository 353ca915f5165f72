package org.hypercl.tools.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hypercl.training.RunResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsCsvTest {

  @TempDir Path tmp;

  @Test
  void matrixRowsReadBackToTheMatrix() throws Exception {
    RunResults r = ReportFixtures.fineTuningThreeTasks();
    Path file = ResultsCsv.write(tmp.resolve(ResultsCsv.FILE_NAME), r);

    List<List<String>> rows = ReportFixtures.parseCsv(Files.readString(file, StandardCharsets.UTF_8));
    assertThat(rows.get(0)).isEqualTo(ResultsCsv.COLUMNS);
    int n = r.numTasks();
    double[][] back = new double[n][n];
    for (double[] row : back) {
      java.util.Arrays.fill(row, Double.NaN);
    }
    int cells = 0;
    for (List<String> row : rows.subList(1, rows.size())) {
      assertThat(row).hasSize(ResultsCsv.COLUMNS.size());
      assertThat(row.get(0)).isEqualTo("split-mnist-fine-tuning");
      assertThat(row.get(1)).isEqualTo("accuracy");
      if (row.get(2).equals("matrix")) {
        back[Integer.parseInt(row.get(3)) - 1][Integer.parseInt(row.get(4)) - 1] = Double.parseDouble(row.get(6));
        cells++;
      }
    }
    assertThat(cells).isEqualTo(n * (n + 1) / 2);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        // Exact: the CSV holds the shortest decimal that reads back to the same double.
        // Boxed so that NaN (not measured) equals NaN.
        assertThat(Double.valueOf(back[i][j])).as("R[%d][%d]", i, j).isEqualTo(Double.valueOf(r.matrix()[i][j]));
      }
    }
  }

  @Test
  void duringAfterAndPerTaskQuantitiesHaveOneRowPerTask() {
    RunResults r = ReportFixtures.hnetThreeTasks();
    List<List<String>> rows = ReportFixtures.parseCsv(ResultsCsv.format(r));
    Map<String, double[]> byQuantity = new HashMap<>();
    Map<String, int[]> learned = new HashMap<>();
    for (List<String> row : rows.subList(1, rows.size())) {
      if (row.get(2).equals("matrix")) {
        continue;
      }
      int task = Integer.parseInt(row.get(4)) - 1;
      byQuantity.computeIfAbsent(row.get(2), k -> new double[3])[task] = Double.parseDouble(row.get(6));
      learned.computeIfAbsent(row.get(2), k -> new int[3])[task] = Integer.parseInt(row.get(3));
      assertThat(row.get(5)).isEqualTo(r.taskNames().get(task));
    }
    assertThat(byQuantity).containsOnlyKeys(
        "during", "after", "train_seconds", "ms_per_step", "final_task_loss", "final_regularizer_loss");
    assertThat(byQuantity.get("during")).containsExactly(r.during());
    assertThat(byQuantity.get("after")).containsExactly(r.after());
    assertThat(byQuantity.get("train_seconds")).containsExactly(r.trainSeconds());
    assertThat(byQuantity.get("ms_per_step")).containsExactly(r.msPerStep());
    assertThat(byQuantity.get("final_regularizer_loss")).containsExactly(r.finalRegularizerLoss());
    assertThat(learned.get("during")).containsExactly(1, 2, 3);
    assertThat(learned.get("after")).containsExactly(3, 3, 3);
    assertThat(learned.get("ms_per_step")).containsExactly(1, 2, 3);
  }

  @Test
  void missingValuesAreEmptyAndAwkwardNamesAreQuoted() {
    double nan = Double.NaN;
    RunResults r = new RunResults("odd, \"quoted\" run", "mse", List.of("a,b", "say \"hi\""),
        new double[][] {{0.5, nan}, {nan, 0.25}},
        new double[] {1, 2}, new double[] {3, 4}, new double[] {nan, 0}, new double[] {0, 0});
    String text = ResultsCsv.format(r);
    assertThat(text).contains("\"odd, \"\"quoted\"\" run\"");

    List<List<String>> rows = ReportFixtures.parseCsv(text);
    List<String> lost = rows.stream()
        .filter(row -> row.get(2).equals("matrix") && row.get(3).equals("2") && row.get(4).equals("1"))
        .findFirst().orElseThrow();
    assertThat(lost).containsExactly("odd, \"quoted\" run", "mse", "matrix", "2", "1", "a,b", "", RunResults.TASK_GIVEN);
    assertThat(rows.stream().filter(row -> row.get(5).equals("say \"hi\"")).count()).isPositive();
    assertThat(rows).allSatisfy(row -> assertThat(row).hasSize(ResultsCsv.COLUMNS.size()));
  }

  @Test
  void writesAtomicallyOverAnEarlierFile() throws Exception {
    Path file = tmp.resolve(ResultsCsv.FILE_NAME);
    Files.writeString(file, "old");
    ResultsCsv.write(file, ReportFixtures.mseThreeTasks());
    assertThat(Files.readString(file)).startsWith(String.join(",", ResultsCsv.COLUMNS) + "\n");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void refusesResultsWhoseShapesDisagree() {
    RunResults good = ReportFixtures.hnetThreeTasks();
    RunResults shortRow = new RunResults(good.experiment(), good.metric(), good.taskNames(),
        new double[][] {good.matrix()[0], good.matrix()[1], {99.0, 98.0}},
        good.trainSeconds(), good.msPerStep(), good.finalTaskLoss(), good.finalRegularizerLoss());
    Path file = tmp.resolve("x.csv");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResultsCsv.write(file, shortRow));
    assertThat(e.getMessage()).contains("x.csv").contains("matrix row 3 has 2 values for 3 tasks");
    assertThat(file).doesNotExist();

    RunResults badMetric = new RunResults(good.experiment(), "f1", good.taskNames(), good.matrix(),
        good.trainSeconds(), good.msPerStep(), good.finalTaskLoss(), good.finalRegularizerLoss());
    assertThat(assertThrows(IllegalArgumentException.class, () -> ResultsCsv.write(file, badMetric)).getMessage())
        .contains("unknown metric 'f1'");
  }

  /** A run with named matrices lists each one's cells, the primary first, tagged in the matrix column. */
  @Test
  void everyNamedMatrixHasItsRows() {
    RunResults one = ReportFixtures.hnetThreeTasks();
    double[][] cl3 = {{100, Double.NaN, Double.NaN}, {60, 70, Double.NaN}, {10, 20, 30}};
    java.util.Map<String, double[][]> named = new java.util.LinkedHashMap<>();
    named.put("cl3/entropy", cl3);
    named.put(RunResults.TASK_GIVEN, one.matrix());
    RunResults r = new RunResults(one.experiment(), one.metric(), one.taskNames(), cl3, one.trainSeconds(), one.msPerStep(),
        one.finalTaskLoss(), one.finalRegularizerLoss(), "cl3/entropy", named);
    List<List<String>> rows = ReportFixtures.parseCsv(ResultsCsv.format(r));
    assertThat(rows.get(1).get(7)).isEqualTo("cl3/entropy");
    Map<String, Integer> cells = new HashMap<>();
    for (List<String> row : rows.subList(1, rows.size())) {
      if (row.get(2).equals("matrix")) {
        cells.merge(row.get(7), 1, Integer::sum);
      }
      if (row.get(2).equals("after") && row.get(7).equals("cl3/entropy")) {
        assertThat(Double.parseDouble(row.get(6))).isEqualTo(cl3[2][Integer.parseInt(row.get(4)) - 1]);
      }
      if (row.get(2).equals("train_seconds")) {
        assertThat(row.get(7)).isEmpty();
      }
    }
    assertThat(cells).containsExactlyInAnyOrderEntriesOf(Map.of("cl3/entropy", 6, RunResults.TASK_GIVEN, 6));
  }
}
