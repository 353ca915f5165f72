package org.hypercl.tools.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableReportTest {

  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** A two-task run whose every named matrix ends at the given final accuracies. */
  private Path run(String name, String method, double beta, long seed, Map<String, Double> after) throws Exception {
    return run(name, method, beta, seed, after, "cl1");
  }

  private Path run(String name, String method, double beta, long seed, Map<String, Double> after, String scenario) throws Exception {
    double nan = Double.NaN;
    Map<String, double[][]> matrices = new LinkedHashMap<>();
    after.forEach((m, a) -> matrices.put(m, new double[][] {{a, nan}, {a, a}}));
    String primary = after.keySet().iterator().next();
    RunResults r = new RunResults("split-mnist", "accuracy", List.of("0/1", "2/3"), matrices.get(primary),
        new double[] {1, 1}, new double[] {1, 1}, new double[2], new double[2], primary, matrices);
    Path dir = tmp.resolve(name);
    try (RunDirectory d = RunDirectory.createNew(dir)) {
      d.writeResults(r);
    }
    Files.writeString(dir.resolve(RunDirectory.CONFIG), "{\"experiment\": \"split-mnist\", \"method\": \"" + method + "\","
        + " \"scenario\": \"" + scenario + "\","
        + " \"settings\": {\"seed\": " + seed + ", \"beta\": " + beta + "},"
        + " \"dataOptions\": {\"sequence\": \"split-mnist\", \"dataset\": \"fashion-mnist\", \"dataSeed\": 42}}");
    return dir;
  }

  /** Matrix → final accuracy, the first entry the run's primary matrix. */
  private static Map<String, Double> ordered(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Double) kv[i + 1]);
    }
    return m;
  }

  /** A replay run fills its own scenario's cell with its headline, in a column named for the method. */
  @Test
  void replayRunsFillTheirOwnScenario() throws Exception {
    Path r3 = run("r3", "HNET_R", 0.01, 42, ordered("cl3/max-logit", 75.0, "task-given", 98.0, "cl3/entropy", 60.0), "cl3");
    Path r3b = run("r3b", "HNET_R", 0.01, 43, ordered("cl3/max-logit", 73.0, "task-given", 98.0, "cl3/entropy", 62.0), "cl3");
    Path r1 = run("r1", "HNET_R", 0.01, 42, ordered("task-given", 99.3, "cl3/max-logit", 40.0), "cl1");
    Path t2 = run("t2", "HNET_TIR", 0.01, 42, ordered("cl2/max-logit", 95.7, "task-given", 99.0), "cl2");
    assertThat(ReportFixtures.report(out, err, "--table", r3.toString(), r3b.toString(), r1.toString(), t2.toString()))
        .as(err.toString()).isZero();
    String table = out.toString();
    assertThat(line(table, "CL3")).contains("74.00 ± 1.41 (2)").doesNotContain("40.00").doesNotContain("60.00");
    assertThat(line(table, "CL1")).contains("99.30 (1)");
    assertThat(line(table, "CL2")).contains("95.70 (1)");
    assertThat(table.lines().filter(l -> l.startsWith("benchmark")).findFirst().orElseThrow())
        .contains("HNET+R").contains("HNET+TIR").doesNotContain("max-logit");
  }

  /**
   * A cl3 baseline run (class-incremental) fills its own CL3 cell only, under the method's name; a
   * cl1 baseline run fills CL1 and, with the task inferred over its heads, CL3 +ENT. The paper's
   * own numbers follow for the SplitMNIST rows, marked as the paper's.
   */
  @Test
  void classIncrementalBaselinesFillTheirOwnCl3CellAndThePaperIsShownBeside() throws Exception {
    Path e3 = run("e3", "ONLINE_EWC", 0.01, 42, ordered("cl3/max-logit", 20.0, "task-given", 97.0, "cl3/entropy", 55.0), "cl3");
    Path e1 = run("e1", "ONLINE_EWC", 0.01, 42, ordered("task-given", 98.0, "cl3/entropy", 50.0), "cl1");
    Path m3 = run("m3", "MULTITASK", 0.01, 42, ordered("cl3/max-logit", 93.0, "task-given", 99.0), "cl3");
    assertThat(ReportFixtures.report(out, err, "--table", e3.toString(), e1.toString(), m3.toString())).as(err.toString()).isZero();
    String table = out.toString();
    String header = table.lines().filter(l -> l.startsWith("benchmark")).findFirst().orElseThrow();
    assertThat(header).contains("online EWC").contains("online EWC+ENT").contains("multitask");
    String cl3 = line(table, "CL3");
    assertThat(cl3).contains("20.00 (1)").contains("50.00 (1)").contains("93.00 (1)").doesNotContain("55.00");
    assertThat(line(table, "CL1")).contains("98.00 (1)").doesNotContain("97.00");
    String paper = table.substring(table.indexOf("the paper's Table 1"));
    assertThat(paper.lines().filter(l -> l.startsWith("benchmark")).findFirst().orElseThrow()).contains("paper: EWC").contains("paper: HNET+R");
    assertThat(line(paper, "CL3")).contains("19.96 ± 0.07").contains("95.30 ± 0.13");
  }

  @Test
  void cl1RunsFillCl1AndCl3AndCl2RunsFillCl2() throws Exception {
    Path a = run("a", "HYPERNETWORK", 0.01, 42, Map.of("task-given", 99.0, "cl3/entropy", 20.0, "cl3/energy", 30.0));
    Path b = run("b", "HYPERNETWORK", 0.01, 43, Map.of("task-given", 99.4, "cl3/entropy", 30.0, "cl3/energy", 34.0));
    Path c = run("c", "HYPERNETWORK", 0.01, 42, Map.of("cl2/entropy", 75.0, "task-given", 99.0));
    Path ft = run("ft", "HYPERNETWORK", 0.0, 42, Map.of("task-given", 70.0));
    Path csv = tmp.resolve("table.csv");
    assertThat(ReportFixtures.report(out, err, "--table", a.toString(), b.toString(), c.toString(), ft.toString(),
        "--csv", csv.toString())).as(err.toString()).isZero();
    String table = out.toString();
    String cl1 = line(table, "CL1");
    assertThat(cl1).contains("99.20 ± 0.28 (2)").contains("70.00 (1)");
    assertThat(line(table, "CL2")).contains("75.00 (1)");
    String cl3 = line(table, "CL3");
    assertThat(cl3).contains("25.00 ± 7.07 (2)").contains("32.00 ± 2.83 (2)");
    assertThat(table.lines().filter(l -> l.startsWith("benchmark")).findFirst().orElseThrow())
        .contains("HNET").contains("fine-tuning").contains("HNET+ENT").contains("HNET+energy");
    assertThat(table).doesNotContain("compare with care");

    List<List<String>> rows = ReportFixtures.parseCsv(Files.readString(csv));
    assertThat(rows.get(0)).containsExactly("benchmark", "scenario", "method", "runs", "mean_after", "sd_after", "mixed_configs");
    List<String> ent3 = rows.stream().filter(r -> r.get(1).equals("CL3") && r.get(2).equals("HNET+ENT")).findFirst().orElseThrow();
    assertThat(ent3.get(0)).isEqualTo("split-mnist (fashion-mnist)");
    assertThat(ent3.get(3)).isEqualTo("2");
    assertThat(Double.parseDouble(ent3.get(4))).isCloseTo(25.0, within(1e-12));
  }

  @Test
  void cellsWhoseRunsDifferInMoreThanSeedsAreMarked() throws Exception {
    Path a = run("a", "HYPERNETWORK", 0.01, 42, Map.of("task-given", 99.0));
    Path b = run("b", "HYPERNETWORK", 0.05, 43, Map.of("task-given", 98.0));
    assertThat(ReportFixtures.report(out, err, "--table", a.toString(), b.toString())).as(err.toString()).isZero();
    assertThat(line(out.toString(), "CL1")).endsWith("(2) *");
    assertThat(out.toString()).contains("compare with care");
  }

  /** A run trained before CL3 scoring gets its CL3 cell from a later 'hypercl evaluate --scenario cl3'. */
  @Test
  void aReEvaluationFillsAndOverridesInferredCells() throws Exception {
    Path old = run("old", "HYPERNETWORK", 0.01, 42, Map.of("task-given", 99.0));
    Path stale = run("stale", "HYPERNETWORK", 0.01, 43, Map.of("task-given", 99.2, "cl3/entropy", 8.0));
    double nan = Double.NaN;
    for (Path dir : List.of(old, stale)) {
      Map<String, double[][]> m = new LinkedHashMap<>();
      double a = dir == old ? 30.0 : 40.0;
      m.put("cl3/entropy", new double[][] {{a, nan}, {a, a}});
      m.put(RunResults.TASK_GIVEN, new double[][] {{1, nan}, {1, 1}});
      RunResults e = new RunResults("split-mnist", "accuracy", List.of("0/1", "2/3"), m.get("cl3/entropy"),
          new double[] {1, 1}, new double[] {1, 1}, new double[2], new double[2], "cl3/entropy", m);
      RunDirectory.open(dir).writeEvaluation("cl3", e);
    }
    assertThat(ReportFixtures.report(out, err, "--table", old.toString(), stale.toString())).as(err.toString()).isZero();
    // The evaluations' task-given matrices do not replace the runs' own.
    assertThat(line(out.toString(), "CL1")).contains("99.10 ± 0.14 (2)");
    assertThat(line(out.toString(), "CL3")).contains("35.00 ± 7.07 (2)");
  }

  private static String line(String table, String scenario) {
    return table.lines().filter(l -> l.contains("  " + scenario + "  ") || l.stripTrailing().endsWith(scenario)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + scenario + " row in\n" + table));
  }
}
