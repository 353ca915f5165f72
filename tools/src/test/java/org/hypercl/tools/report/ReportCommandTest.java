package org.hypercl.tools.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.hypercl.training.RunResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {

  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int report(String... args) {
    return ReportFixtures.report(out, err, args);
  }

  @Test
  void twoRunsSideBySideWithTheirNumbers() throws Exception {
    Path hnet = ReportFixtures.writeRun(tmp.resolve("hnet"), ReportFixtures.hnetThreeTasks());
    Path ft = ReportFixtures.writeRun(tmp.resolve("fine-tuning"), ReportFixtures.fineTuningThreeTasks());

    assertThat(report(hnet.toString(), ft.toString())).as(err.toString()).isZero();
    String table = out.toString();
    assertThat(cells(table, "")).containsExactly("hnet", "fine-tuning");
    assertThat(cells(table, "experiment")).containsExactly("split-mnist-hnet", "split-mnist-fine-tuning");
    assertThat(cells(table, "metric")).containsExactly("accuracy", "%", "accuracy", "%");
    assertThat(cells(table, "tasks")).containsExactly("3", "3");
    // hnet: during 99.5, 98.0, 99.0; after 99.3, 97.9, 99.0. Fine-tuning forgets tasks 1 and 2.
    assertThat(cells(table, "mean during")).containsExactly("98.83", "99.10");
    assertThat(cells(table, "mean after (ACC)")).containsExactly("98.73", "74.73");
    assertThat(cells(table, "BWT")).containsExactly("-0.15", "-36.55");
    assertThat(cells(table, "forgetting")).containsExactly("0.15", "36.55");
    assertThat(cells(table, "train time (s)")).containsExactly("36.0", "25.5");
    assertThat(cells(table, "ms/step, first task")).containsExactly("5.00", "4.00");
    assertThat(cells(table, "ms/step, last task")).containsExactly("7.50", "4.25");
    assertThat(cells(table, "  1: 0/1")).containsExactly("99.30", "60.00");
    assertThat(cells(table, "  2: 2/3")).containsExactly("97.90", "65.00");
    assertThat(cells(table, "  3: 4/5")).containsExactly("99.00", "99.20");
    assertThat(table).contains(hnet.toString()).contains(ft.toString());
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void runsWithDifferentTaskCountsAndMetricsLeaveCellsBlank() throws Exception {
    Path a = ReportFixtures.writeRun(tmp.resolve("a").resolve("run"), ReportFixtures.mseThreeTasks());
    RunResults p = ReportFixtures.permutedHundred();
    Path b = ReportFixtures.writeRun(tmp.resolve("b").resolve("run"), p);

    assertThat(report(a.toString(), b.toString())).as(err.toString()).isZero();
    String table = out.toString();
    // Two folders called "run": the columns are headed by their paths.
    assertThat(cells(table, "")).containsExactly(a.toString(), b.toString());
    assertThat(cells(table, "mean during")).containsExactly("0.001677", String.format(Locale.ROOT, "%.2f", p.meanDuring()));
    assertThat(cells(table, "  task 1")).containsExactly("0.001100", String.format(Locale.ROOT, "%.2f", p.after()[0]));
    assertThat(cells(table, "  100: permutation 99")).containsExactly(String.format(Locale.ROOT, "%.2f", p.after()[99]));
  }

  @Test
  void csvHasOneRowPerRunWithFullPrecision() throws Exception {
    RunResults h = ReportFixtures.hnetThreeTasks();
    RunResults f = ReportFixtures.fineTuningThreeTasks();
    Path hnet = ReportFixtures.writeRun(tmp.resolve("hnet"), h);
    Path ft = ReportFixtures.writeRun(tmp.resolve("ft"), f);
    Path csv = tmp.resolve("out").resolve("compare.csv");

    assertThat(report(hnet.toString(), ft.toString(), "--csv", csv.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("CSV: " + csv);
    List<List<String>> rows = ReportFixtures.parseCsv(Files.readString(csv));
    assertThat(rows).hasSize(3);
    List<String> header = rows.get(0);
    assertThat(header).startsWith("run", "experiment", "metric", "tasks", "mean_during", "mean_after", "bwt",
        "forgetting", "train_seconds", "ms_per_step_first", "ms_per_step_last").endsWith("after_1", "after_2", "after_3");
    for (int k = 0; k < 2; k++) {
      RunResults r = k == 0 ? h : f;
      List<String> row = rows.get(k + 1);
      assertThat(row).hasSameSizeAs(header);
      assertThat(row.get(0)).isEqualTo((k == 0 ? hnet : ft).toString());
      assertThat(row.get(1)).isEqualTo(r.experiment());
      assertThat(Double.parseDouble(row.get(header.indexOf("mean_after")))).isEqualTo(r.meanAfter());
      assertThat(Double.parseDouble(row.get(header.indexOf("bwt")))).isEqualTo(r.backwardTransfer());
      assertThat(Double.parseDouble(row.get(header.indexOf("forgetting")))).isEqualTo(r.forgetting());
      assertThat(Double.parseDouble(row.get(header.indexOf("ms_per_step_last")))).isEqualTo(r.msPerStep()[2]);
      assertThat(Double.parseDouble(row.get(header.indexOf("after_2")))).isEqualTo(r.after()[1]);
    }
  }

  /** A CSV that cannot be written (here: a file where its folder should be) is named, with why. */
  @Test
  void anUnwritableCsvIsNamed() throws Exception {
    Path hnet = ReportFixtures.writeRun(tmp.resolve("hnet"), ReportFixtures.hnetThreeTasks());
    Path file = Files.writeString(tmp.resolve("plain-file"), "x");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertThat(ReportFixtures.report(out, err, hnet.toString(), "--csv", file.resolve("r.csv").toString())).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("hypercl report: cannot write " + file.resolve("r.csv") + ": " + file
        + " is in the way (a file, not a folder)" + System.lineSeparator());
    assertThat(file).hasContent("x");
  }

  @Test
  void aMissingPathIsNamed() {
    Path missing = tmp.resolve("nope");
    assertFailsNaming(missing, "does not exist", missing.toString());
  }

  @Test
  void aFileIsNotARunFolder() throws Exception {
    Path file = Files.writeString(tmp.resolve("results.json"), "{}");
    assertFailsNaming(file, "is not a folder", file.toString());
  }

  @Test
  void aFolderWithoutConfigIsNotARun() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("plain"));
    assertFailsNaming(dir, "is not a run folder: it has no config.json", dir.toString());
  }

  @Test
  void anUnfinishedRunHasNoResults() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("running"));
    Files.writeString(dir.resolve("config.json"), "{}");
    assertFailsNaming(dir, "has no results.json (has the run finished?)", dir.toString());
  }

  @Test
  void aCorruptResultsFileIsNamed() throws Exception {
    Path dir = ReportFixtures.writeRun(tmp.resolve("corrupt"), ReportFixtures.hnetThreeTasks());
    Files.writeString(dir.resolve("results.json"), "{\"experiment\": \"x\", \"matrix\": [[");
    assertFailsNaming(dir, "is not valid results JSON: Unexpected end-of-input", dir.resolve("results.json").toString());
  }

  @Test
  void resultsWithoutTheirFieldsAreNamed() throws Exception {
    Path dir = ReportFixtures.writeRun(tmp.resolve("empty"), ReportFixtures.hnetThreeTasks());
    Files.writeString(dir.resolve("results.json"), "{}");
    assertFailsNaming(dir, "is not valid results JSON: a required field is missing", dir.resolve("results.json").toString());
  }

  @Test
  void resultsWithTheWrongShapeAreNamed() throws Exception {
    Path dir = ReportFixtures.writeRun(tmp.resolve("short"), ReportFixtures.hnetThreeTasks());
    // Valid JSON, but two matrix rows for three tasks: after() would read past the end.
    Files.writeString(dir.resolve("results.json"),
        "{\"experiment\": \"x\", \"metric\": \"accuracy\", \"tasks\": [\"a\", \"b\", \"c\"],"
            + " \"matrix\": [[99.0, null, null], [98.0, 97.0, null]],"
            + " \"trainSeconds\": [1, 1, 1], \"msPerStep\": [1, 1, 1],"
            + " \"finalTaskLoss\": [0, 0, 0], \"finalRegularizerLoss\": [0, 0, 0]}");
    assertFailsNaming(dir, "the matrix has 2 rows for 3 tasks", dir.resolve("results.json").toString());
  }

  @Test
  void aBadFolderAmongGoodOnesStopsBeforePrinting() throws Exception {
    Path good = ReportFixtures.writeRun(tmp.resolve("good"), ReportFixtures.hnetThreeTasks());
    Path bad = Files.createDirectories(tmp.resolve("bad"));
    assertThat(report(good.toString(), bad.toString())).isEqualTo(2);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains(bad.toString());
  }

  @Test
  void helpExplainsTheColumnsAndNoArgumentsIsAUsageError() {
    assertThat(report("--help")).isZero();
    assertThat(out.toString()).contains("RUN_DIR").contains("--csv").contains("BWT").contains("forgetting");
    assertThat(report()).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter");
  }

  private void assertFailsNaming(Path dir, String reason, String named) {
    assertThat(report(dir.toString())).as(out.toString()).isEqualTo(2);
    String message = err.toString().strip();
    assertThat(message).startsWith("hypercl report: ").contains(reason).contains(named);
    assertThat(message.lines().count()).as("one line: %s", message).isEqualTo(1);
    assertThat(out.toString()).isEmpty();
  }

  /** The cells of the table row whose label is {@code label}, split on runs of spaces. */
  private static List<String> cells(String table, String label) {
    Optional<String> line = table.lines()
        .filter(l -> label.isEmpty() ? l.startsWith("   ") && !l.isBlank() : l.startsWith(label + "  "))
        .findFirst();
    assertThat(line).as("row '%s' in%n%s", label, table).isPresent();
    return Arrays.asList(line.get().substring(label.length()).strip().split("\\s+"));
  }
}
