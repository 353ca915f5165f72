package org.hypercl.tools.report;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.hypercl.tools.UserException;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypercl report RUN_DIR...}: finished runs side by side, one column per run, from their
 * {@code results.json}.
 *
 * <pre>
 * hypercl report runs/split-mnist runs/split-mnist-fine-tuning --csv compare.csv
 * </pre>
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    header = "Prints finished runs side by side: accuracy during and after, BWT, forgetting.",
    description = {
      // One element per paragraph (picocli wraps it); '%%' is a percent sign (descriptions are format strings).
      "One column per run: experiment, metric, mean metric during (right after learning each task) and after "
          + "(after the last task; ACC), backward transfer (BWT: mean of after - during over all tasks but the "
          + "last), forgetting (mean drop from each task's best to its final value; larger is worse, for MSE too), "
          + "total training time, ms per step on the first and last task, and the final metric of every task.",
      "Each RUN_DIR is a run folder holding config.json and results.json (written when the run finishes). With "
          + "--aggregate, runs that differ only in their seeds are grouped and each group shows mean +- standard "
          + "deviation over its runs and a 95%% t-interval for the mean after (ACC), e.g.",
      "  hypercl report --aggregate runs/split-mnist-fashion-mnist-seed*",
    })
public final class ReportCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run folders to compare, in column order.")
  List<Path> runDirs;

  @Option(names = "--csv", paramLabel = "FILE",
      description = "Also write the comparison as CSV, one row per run (columns: " + CSV_HEADER_HELP + ").")
  Path csv;

  @Option(names = "--aggregate",
      description = "Group runs whose config.json differ only in seeds (and thread, evaluation batch and checkpoint "
          + "settings) and print one column per group: mean +- sample standard deviation over the runs, the 95%% "
          + "Student-t interval of the mean after (ACC), and per-task means. With --csv, one row per group.")
  boolean aggregate;

  @Option(names = "--table",
      description = "Print the paper's Table 1 layout: a row per benchmark and scenario (CL1, CL2, CL3), a column per "
          + "method (HNET, fine-tuning, target-only, EWC, online EWC, SI, multitask, the replay methods; +ENT etc. with "
          + "the task inferred), each cell the mean +- sd over the runs of the accuracy after the last task. A cl1 run "
          + "fills CL1 and CL3; a replay run or a class-incremental cl3 baseline run fills its own scenario only; a run's "
          + "evaluation-cl3.json or evaluation-cl2.json ('hypercl evaluate') takes precedence over its results.json there. "
          + "Below it, for SplitMNIST and PermutedMNIST-10 rows, the paper's own Table 1 numbers (on MNIST), marked as the "
          + "paper's. With --csv, one row per measured cell.")
  boolean table;

  static final String CSV_HEADER_HELP =
      "run, experiment, metric, tasks, mean_during, mean_after, bwt, forgetting, train_seconds, "
          + "ms_per_step_first, ms_per_step_last, after_1 .. after_T";

  /** A run folder and what it measured. */
  record Run(Path dir, RunResults results) {}

  @Override
  public Integer call() throws IOException {
    List<Run> runs = new ArrayList<>();
    for (Path dir : runDirs) {
      runs.add(new Run(dir, load(dir)));
    }
    PrintWriter w = spec.commandLine().getOut();
    if (aggregate && table) {
      throw new UserException("give --aggregate or --table, not both");
    }
    List<SeedGroups.Group> groups = aggregate ? SeedGroups.of(members(runs)) : List.of();
    List<TableReport.Cell> cells = table ? TableReport.cells(members(runs)) : List.of();
    w.print(table ? TableReport.format(cells) : aggregate ? groupTable(groups) : table(runs));
    if (csv != null) {
      String text = table ? TableReport.csv(cells) : aggregate ? groupCsv(groups) : csv(runs);
      org.hypercl.tools.Writes.atomically(csv, text.getBytes(StandardCharsets.UTF_8));
      w.println();
      w.println("CSV: " + csv);
    }
    w.flush();
    return 0;
  }

  /** The runs with their config.json, read as JSON (a file that is not JSON is named). */
  static List<SeedGroups.Member> members(List<Run> runs) {
    List<SeedGroups.Member> members = new ArrayList<>();
    for (Run r : runs) {
      Path file = r.dir().resolve(RunDirectory.CONFIG);
      com.fasterxml.jackson.databind.JsonNode config;
      try {
        config = org.hypercl.training.JsonFiles.read(file);
      } catch (UncheckedIOException | IllegalArgumentException e) {
        throw new UserException(file + " is not valid JSON: " + reason(e), e);
      }
      members.add(new SeedGroups.Member(r.dir(), r.results(), config));
    }
    return members;
  }

  /** One column per group of seeds: mean ± sd of each quantity, the 95% interval of ACC. */
  static String groupTable(List<SeedGroups.Group> groups) {
    List<String> header = new ArrayList<>();
    header.add("");
    Set<String> seen = new HashSet<>();
    for (int g = 0; g < groups.size(); g++) {
      String label = groups.get(g).experiment();
      header.add(seen.add(label) ? label : label + " (group " + (g + 1) + ")");
    }
    List<List<String>> rows = new ArrayList<>();
    rows.add(cells("metric", groups, g -> MetricFormat.isAccuracy(g.metric()) ? "accuracy %" : g.metric()));
    rows.add(cells("runs", groups, g -> Integer.toString(g.members().size())));
    rows.add(cells("seeds", groups, SeedGroups.Group::seeds));
    rows.add(cells("mean during", groups, g -> SeedGroups.meanSd(g.metric(), g.during(), false)));
    rows.add(cells("mean after (ACC)", groups, g -> SeedGroups.meanSd(g.metric(), g.after(), false)));
    rows.add(cells("ACC 95% interval", groups, g -> SeedGroups.interval(g.metric(), g.after())));
    rows.add(cells("BWT", groups, g -> SeedGroups.meanSd(g.metric(), g.bwt(), true)));
    rows.add(cells("forgetting", groups, g -> SeedGroups.meanSd(g.metric(), g.forgetting(), false)));
    rows.add(cells("train time (s), mean", groups,
        g -> fixed(SeedGroups.Stats.of(g.members(), RunResults::totalTrainSeconds).mean(), 1)));
    int maxTasks = groups.stream().mapToInt(SeedGroups.Group::numTasks).max().orElse(0);
    rows.add(cells("after, per task:", groups, g -> ""));
    for (int t = 0; t < maxTasks; t++) {
      int task = t;
      rows.add(cells("  task " + (t + 1), groups,
          g -> task < g.numTasks() ? SeedGroups.meanSd(g.metric(), g.afterOfTask(task), false) : ""));
    }
    StringBuilder sb = new StringBuilder();
    for (int g = 0; g < groups.size(); g++) {
      sb.append(header.get(g + 1)).append(':');
      for (SeedGroups.Member m : groups.get(g).members()) {
        sb.append(' ').append(m.dir());
      }
      sb.append(System.lineSeparator());
    }
    sb.append(System.lineSeparator());
    grid(sb, header, rows);
    sb.append("(mean ± sample standard deviation over the runs of each group)").append(System.lineSeparator());
    for (int g = 0; g < groups.size(); g++) {
      Set<Long> repeated = groups.get(g).repeatedSeeds();
      if (!repeated.isEmpty()) {
        sb.append("note: ").append(header.get(g + 1)).append(" has seed(s) ").append(repeated)
            .append(" more than once; runs of one seed are not independent samples").append(System.lineSeparator());
      }
    }
    return sb.toString();
  }

  /** One row per group, full precision. */
  static String groupCsv(List<SeedGroups.Group> groups) {
    int maxTasks = groups.stream().mapToInt(SeedGroups.Group::numTasks).max().orElse(0);
    StringBuilder sb = new StringBuilder("group,experiment,metric,runs,seeds,mean_during,sd_during,mean_after,sd_after,"
        + "ci95_after_low,ci95_after_high,mean_bwt,sd_bwt,mean_forgetting,sd_forgetting");
    for (int t = 1; t <= maxTasks; t++) {
      sb.append(",mean_after_").append(t);
    }
    sb.append('\n');
    for (int i = 0; i < groups.size(); i++) {
      SeedGroups.Group g = groups.get(i);
      SeedGroups.Stats during = g.during();
      SeedGroups.Stats after = g.after();
      SeedGroups.Stats bwt = g.bwt();
      SeedGroups.Stats forgetting = g.forgetting();
      double h = after.halfWidth95();
      sb.append(i + 1).append(',')
          .append(ResultsCsv.field(g.experiment())).append(',')
          .append(ResultsCsv.field(g.metric())).append(',')
          .append(g.members().size()).append(',')
          .append(ResultsCsv.field(g.seeds())).append(',')
          .append(number(during.mean())).append(',').append(number(during.sd())).append(',')
          .append(number(after.mean())).append(',').append(number(after.sd())).append(',')
          .append(number(after.mean() - h)).append(',').append(number(after.mean() + h)).append(',')
          .append(number(bwt.mean())).append(',').append(number(bwt.sd())).append(',')
          .append(number(forgetting.mean())).append(',').append(number(forgetting.sd()));
      for (int t = 0; t < maxTasks; t++) {
        sb.append(',').append(t < g.numTasks() ? number(g.afterOfTask(t).mean()) : "");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Reads a finished run's results, with one clear line naming the folder if it is not one. */
  static RunResults load(Path dir) {
    if (!Files.exists(dir)) {
      throw new UserException(dir + " does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new UserException(dir + " is not a folder; give a run folder (one with config.json and results.json)");
    }
    if (!Files.isRegularFile(dir.resolve(RunDirectory.CONFIG))) {
      throw new UserException(dir + " is not a run folder: it has no " + RunDirectory.CONFIG);
    }
    if (!Files.isRegularFile(dir.resolve(RunDirectory.RESULTS))) {
      throw new UserException(dir + " has no " + RunDirectory.RESULTS + " (has the run finished?)");
    }
    RunResults results;
    try {
      results = RunDirectory.open(dir).readResults();
    } catch (UncheckedIOException | IllegalArgumentException | NullPointerException e) {
      // A truncated or hand-edited file: unreadable JSON, or a field missing (NPE in the reader).
      throw new UserException(dir.resolve(RunDirectory.RESULTS) + " is not valid results JSON: " + reason(e), e);
    }
    try {
      RunReport.requireConsistent(results, dir.resolve(RunDirectory.RESULTS).toString());
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), e);
    }
    return results;
  }

  /** One line on why a results file could not be read, without Jackson's multi-line source excerpt. */
  private static String reason(RuntimeException e) {
    if (e.getCause() instanceof JsonProcessingException j) {
      JsonLocation at = j.getLocation();
      return j.getOriginalMessage().lines().findFirst().orElse("")
          + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
    if (e instanceof NullPointerException) {
      return "a required field is missing";
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
  }

  /** The side-by-side table: one row per quantity, one column per run. */
  static String table(List<Run> runs) {
    List<String> header = new ArrayList<>();
    header.add("");
    header.addAll(labels(runs));
    List<List<String>> rows = new ArrayList<>();
    rows.add(row("experiment", runs, r -> r.experiment()));
    rows.add(row("metric", runs, r -> r.higherIsBetter() ? "accuracy %" : r.metric()));
    rows.add(row("tasks", runs, r -> Integer.toString(r.numTasks())));
    rows.add(row("mean during", runs, r -> MetricFormat.value(r.metric(), r.meanDuring())));
    rows.add(row("mean after (ACC)", runs, r -> MetricFormat.value(r.metric(), r.meanAfter())));
    rows.add(row("BWT", runs, r -> MetricFormat.signed(r.metric(), r.backwardTransfer())));
    rows.add(row("forgetting", runs, r -> MetricFormat.value(r.metric(), r.forgetting())));
    rows.add(row("train time (s)", runs, r -> fixed(r.totalTrainSeconds(), 1)));
    rows.add(row("ms/step, first task", runs, r -> fixed(r.msPerStep()[0], 2)));
    rows.add(row("ms/step, last task", runs, r -> fixed(r.msPerStep()[r.numTasks() - 1], 2)));
    int maxTasks = runs.stream().mapToInt(r -> r.results().numTasks()).max().orElse(0);
    List<String> separator = new ArrayList<>();
    separator.add("after, per task:");
    runs.forEach(r -> separator.add(""));
    rows.add(separator);
    for (int t = 0; t < maxTasks; t++) {
      int task = t;
      rows.add(row("  " + taskLabel(runs, t), runs,
          r -> task < r.numTasks() ? MetricFormat.value(r.metric(), r.after()[task]) : ""));
    }

    StringBuilder sb = new StringBuilder();
    int labelWidth = header.stream().mapToInt(String::length).max().orElse(0);
    for (int k = 0; k < runs.size(); k++) {
      sb.append(String.format(Locale.ROOT, "%-" + labelWidth + "s  %s%n", header.get(k + 1), runs.get(k).dir()));
    }
    sb.append(System.lineSeparator());
    grid(sb, header, rows);
    return sb.toString();
  }

  /** One row per run: the summary and every task's final metric. */
  static String csv(List<Run> runs) {
    int maxTasks = runs.stream().mapToInt(r -> r.results().numTasks()).max().orElse(0);
    StringBuilder sb = new StringBuilder(
        "run,experiment,metric,tasks,mean_during,mean_after,bwt,forgetting,train_seconds,ms_per_step_first,ms_per_step_last");
    for (int t = 1; t <= maxTasks; t++) {
      sb.append(",after_").append(t);
    }
    sb.append('\n');
    for (Run run : runs) {
      RunResults r = run.results();
      sb.append(ResultsCsv.field(run.dir().toString())).append(',')
          .append(ResultsCsv.field(r.experiment())).append(',')
          .append(ResultsCsv.field(r.metric())).append(',')
          .append(r.numTasks()).append(',')
          .append(number(r.meanDuring())).append(',')
          .append(number(r.meanAfter())).append(',')
          .append(number(r.backwardTransfer())).append(',')
          .append(number(r.forgetting())).append(',')
          .append(number(r.totalTrainSeconds())).append(',')
          .append(number(r.msPerStep()[0])).append(',')
          .append(number(r.msPerStep()[r.numTasks() - 1]));
      for (int t = 0; t < maxTasks; t++) {
        sb.append(',').append(t < r.numTasks() ? number(r.after()[t]) : "");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Column headers: each folder's name, or the whole path where two names are the same. */
  static List<String> labels(List<Run> runs) {
    Set<String> seen = new HashSet<>();
    boolean unique = true;
    for (Run r : runs) {
      unique &= seen.add(name(r.dir()));
    }
    List<String> out = new ArrayList<>();
    for (Run r : runs) {
      out.add(unique ? name(r.dir()) : r.dir().toString());
    }
    return out;
  }

  private static String name(Path dir) {
    Path n = dir.toAbsolutePath().normalize().getFileName();
    return n == null ? dir.toString() : n.toString();
  }

  /** "3: 4/5" when every run that has task 3 calls it the same, otherwise "task 3". */
  private static String taskLabel(List<Run> runs, int t) {
    Set<String> names = new HashSet<>();
    for (Run r : runs) {
      if (t < r.results().numTasks()) {
        names.add(r.results().taskNames().get(t));
      }
    }
    return names.size() == 1 ? (t + 1) + ": " + names.iterator().next() : "task " + (t + 1);
  }

  private static List<String> row(String label, List<Run> runs, java.util.function.Function<RunResults, String> cell) {
    return cells(label, runs, r -> cell.apply(r.results()));
  }

  /** A table row: the label, then one cell per item. */
  private static <T> List<String> cells(String label, List<T> items, java.util.function.Function<T, String> cell) {
    List<String> row = new ArrayList<>();
    row.add(label);
    for (T item : items) {
      row.add(cell.apply(item));
    }
    return row;
  }

  /** The header and rows as aligned columns: labels left-aligned, values right-aligned. */
  static void grid(StringBuilder sb, List<String> header, List<List<String>> rows) {
    int[] widths = new int[header.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = header.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    line(sb, header, widths);
    for (List<String> row : rows) {
      line(sb, row, widths);
    }
  }

  private static void line(StringBuilder sb, List<String> cells, int[] widths) {
    StringBuilder l = new StringBuilder(String.format(Locale.ROOT, "%-" + widths[0] + "s", cells.get(0)));
    for (int c = 1; c < cells.size(); c++) {
      l.append("  ").append(String.format(Locale.ROOT, "%" + widths[c] + "s", cells.get(c)));
    }
    sb.append(l.toString().stripTrailing()).append(System.lineSeparator());
  }

  private static String fixed(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : MetricFormat.MISSING;
  }

  private static String number(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "";
  }
}
