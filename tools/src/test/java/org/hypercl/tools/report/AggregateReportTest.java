package org.hypercl.tools.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregateReportTest {

  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int report(String... args) {
    return ReportFixtures.report(out, err, args);
  }

  /** A two-task run whose final accuracies are both {@code after}; task 1 lost 0.1 since it was learned. */
  private Path run(String name, long seed, double beta, int threads, double after) throws Exception {
    double nan = Double.NaN;
    RunResults r = new RunResults("split-mnist", "accuracy", List.of("0/1", "2/3"),
        new double[][] {{after + 0.1, nan}, {after, after}},
        new double[] {10, 10}, new double[] {5, 5}, new double[2], new double[2]);
    Path dir = tmp.resolve(name);
    RunDirectory.createNew(dir).writeResults(r);
    // Field order differs between runs, as configs written by different versions may.
    String settings = seed % 2 == 0
        ? "{\"seed\": " + seed + ", \"beta\": " + beta + ", \"intraOpThreads\": " + threads + "}"
        : "{\"intraOpThreads\": " + threads + ", \"beta\": " + beta + ", \"seed\": " + seed + "}";
    Files.writeString(dir.resolve(RunDirectory.CONFIG), "{\"experiment\": \"split-mnist\", \"settings\": " + settings
        + ", \"provenance\": {\"created\": \"" + name + "\"}}");
    return dir;
  }

  @Test
  void runsThatDifferOnlyInSeedsAreSummarisedTogether() throws Exception {
    Path a = run("s42", 42, 0.01, 1, 99.0);
    Path b = run("s43", 43, 0.01, 2, 99.2);
    Path c = run("s44", 44, 0.01, 0, 99.4);
    Path ft = run("ft42", 42, 0.0, 1, 70.0);
    Path csv = tmp.resolve("groups.csv");

    assertThat(report("--aggregate", a.toString(), ft.toString(), b.toString(), c.toString(), "--csv", csv.toString()))
        .as(err.toString()).isZero();
    String table = out.toString();
    assertThat(table).contains("split-mnist: " + a + " " + b + " " + c)
        .contains("split-mnist (group 2): " + ft);
    assertThat(cells(table, "runs")).containsExactly("3", "1");
    assertThat(cells(table, "seeds")).containsExactly("42,", "43,", "44", "42");
    assertThat(cells(table, "mean after (ACC)")).containsExactly("99.20", "±", "0.20", "70.00");
    assertThat(cells(table, "mean during")).containsExactly("99.25", "±", "0.20", "70.05");
    // t(0.975, 2) = 4.303: 99.2 ± 4.303 · 0.2 / √3 = 99.2 ± 0.497.
    assertThat(cells(table, "ACC 95% interval")).containsExactly("[98.70,", "99.70]", "-");
    assertThat(cells(table, "BWT")).containsExactly("-0.10", "±", "0.00", "-0.10");
    assertThat(table).doesNotContain("more than once");

    List<List<String>> rows = ReportFixtures.parseCsv(Files.readString(csv));
    assertThat(rows).hasSize(3);
    assertThat(rows.get(0)).startsWith("group", "experiment", "metric", "runs", "seeds", "mean_during");
    assertThat(rows.get(1).subList(0, 5)).containsExactly("1", "split-mnist", "accuracy", "3", "42, 43, 44");
    int meanAfter = rows.get(0).indexOf("mean_after");
    assertThat(Double.parseDouble(rows.get(1).get(meanAfter))).isCloseTo(99.2, within(1e-9));
    assertThat(Double.parseDouble(rows.get(1).get(meanAfter + 1))).isCloseTo(0.2, within(1e-9));
    assertThat(Double.parseDouble(rows.get(1).get(rows.get(0).indexOf("ci95_after_low"))))
        .isCloseTo(99.2 - 4.303 * 0.2 / Math.sqrt(3), within(1e-9));
    assertThat(rows.get(2).get(meanAfter + 1)).as("one run has no standard deviation").isEmpty();
  }

  @Test
  void aSeedGivenTwiceIsPointedOut() throws Exception {
    Path a = run("a", 42, 0.01, 1, 99.0);
    Path b = run("b", 42, 0.01, 2, 99.0);
    assertThat(report("--aggregate", a.toString(), b.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("note: split-mnist has seed(s) [42] more than once");
  }

  @Test
  void theGroupKeyIgnoresSeedsThreadsProvenanceAndFieldOrder() throws Exception {
    ObjectMapper m = new ObjectMapper();
    JsonNode x = m.readTree("{\"a\": 1, \"settings\": {\"seed\": 1, \"beta\": 0.1, \"interOpThreads\": 2},"
        + " \"dataOptions\": {\"dataSeed\": 5, \"dataset\": \"fashion-mnist\"}, \"provenance\": {\"created\": \"x\"}}");
    JsonNode y = m.readTree("{\"provenance\": {\"created\": \"y\"}, \"dataOptions\": {\"dataset\": \"fashion-mnist\","
        + " \"dataSeed\": 6}, \"settings\": {\"beta\": 0.1, \"seed\": 2}, \"a\": 1}");
    JsonNode z = m.readTree("{\"a\": 1, \"settings\": {\"seed\": 1, \"beta\": 0.2}, \"dataOptions\": {\"dataset\": \"fashion-mnist\"}}");
    assertThat(SeedGroups.key(x)).isEqualTo(SeedGroups.key(y)).isNotEqualTo(SeedGroups.key(z));
    // A run that records its input preprocessing groups with one from before it was recorded.
    JsonNode withInput = m.readTree("{\"a\": 1, \"settings\": {\"seed\": 3, \"beta\": 0.1}, \"dataOptions\": "
        + "{\"dataset\": \"fashion-mnist\", \"input\": {\"rawShape\": [28, 28, 1], \"pad\": [2, 2, 2, 2]}}}");
    assertThat(SeedGroups.key(withInput)).isEqualTo(SeedGroups.key(x));
  }

  @Test
  void studentTQuantiles() {
    assertThat(SeedGroups.tCritical95(1)).isEqualTo(12.706);
    assertThat(SeedGroups.tCritical95(9)).isEqualTo(2.262);
    assertThat(SeedGroups.tCritical95(31)).isCloseTo(2.0395, within(2e-4));
    assertThat(SeedGroups.tCritical95(60)).isCloseTo(2.0003, within(2e-4));
    assertThat(SeedGroups.tCritical95(100_000)).isCloseTo(1.96, within(1e-3));
  }

  private static List<String> cells(String table, String label) {
    String line = table.lines().filter(l -> l.startsWith(label + "  ")).findFirst().orElseThrow(
        () -> new AssertionError("row '" + label + "' in\n" + table));
    return List.of(line.substring(label.length()).strip().split("\\s+"));
  }
}
