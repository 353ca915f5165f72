package org.hypercl.tools.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.hypercl.graphs.TaskInference;
import org.hypercl.training.RunResults;

/**
 * The paper's Table 1 layout from whatever runs it is given: one row per benchmark and scenario,
 * one column per method, each cell the mean ± sample standard deviation over the runs of the final
 * mean accuracy (ACC, after the last task).
 *
 * <p>A run fills the cells its matrices measure: a run with a head per task fills CL1 (task id
 * given) under its method's name and CL3 (task inferred) under the name plus the score,
 * {@code +ENT} for the paper's entropy; a run with one shared head fills CL2 the same way. A run's
 * full re-evaluation ({@code evaluation-cl3.json}, {@code evaluation-cl2.json}) takes precedence
 * over the matrices of its results.json. Methods are named HNET (hypernetwork, β &gt; 0), EWC, online EWC, SI,
 * fine-tuning (β = 0) and target-only.
 */
final class TableReport {

  private TableReport() {}

  /** One (benchmark, scenario, method) cell's runs. */
  record Cell(String benchmark, String scenario, String method, List<SeedGroups.Member> runs, Set<String> configs) {}

  /** The benchmark a run learned: its data sequence, with the dataset when it names one. */
  static String benchmark(JsonNode config) {
    JsonNode options = config.path("dataOptions");
    String sequence = options.path("sequence").asText("");
    if (sequence.isEmpty()) {
      sequence = config.path("experiment").asText("?").replaceAll("-(fine-tuning|target-only)$", "");
    }
    String dataset = options.path("dataset").asText("");
    return dataset.isEmpty() ? sequence : sequence + " (" + dataset + ")";
  }

  /** Methods whose training depends on the scenario: a run fills the cell of its own scenario only. */
  private static final java.util.Set<String> REPLAY = java.util.Set.of("HNET_R", "HNET_TIR", "DGR", "RPL_UB");
  /** Methods that learn CL3 class-incrementally: a CL3 run of one fills its own cell only, as a replay run does. */
  private static final java.util.Set<String> CLASS_INCREMENTAL = java.util.Set.of("TARGET_NETWORK", "EWC", "ONLINE_EWC", "SI", "MULTITASK");

  /** HNET, fine-tuning, target-only, EWC, online EWC, SI, multitask or a replay method. */
  static String method(JsonNode config) {
    switch (config.path("method").asText("HYPERNETWORK")) {
      case "EWC":
        return "EWC";
      case "ONLINE_EWC":
        return "online EWC";
      case "SI":
        return "SI";
      case "HNET_R":
        return "HNET+R";
      case "HNET_TIR":
        return "HNET+TIR";
      case "DGR":
        return "DGR";
      case "RPL_UB":
        return "RPL-UB";
      case "MULTITASK":
        return "multitask";
      default:
        break;
    }
    if (config.path("method").asText("HYPERNETWORK").equals("TARGET_NETWORK")) {
      return "target-only";
    }
    return config.path("settings").path("beta").asDouble(1) > 0 ? "HNET" : "fine-tuning";
  }

  private static String scoreSuffix(TaskInference.Score s) {
    return s == TaskInference.Score.ENTROPY ? "+ENT" : "+" + s.id();
  }

  /**
   * The run's matrices with those of its full re-evaluations ({@code hypercl evaluate}, files
   * {@code evaluation-cl2.json} and {@code evaluation-cl3.json}) laid over them: a re-evaluation is
   * newer than the training, and it is how a run trained before CL3 scoring gets a CL3 cell.
   */
  static SeedGroups.Member withEvaluations(SeedGroups.Member m) {
    RunResults r = m.results();
    Map<String, double[][]> merged = new LinkedHashMap<>(r.matrices());
    for (String scenario : List.of("cl2", "cl3")) {
      java.nio.file.Path file = m.dir().resolve("evaluation-" + scenario + ".json");
      if (java.nio.file.Files.isRegularFile(file)) {
        RunResults e = org.hypercl.training.RunDirectory.open(m.dir()).readEvaluation(scenario);
        if (e.numTasks() == r.numTasks()) {
          e.matrices().forEach((name, matrix) -> {
            if (!name.equals(RunResults.TASK_GIVEN)) {
              merged.put(name, matrix);
            }
          });
        }
      }
    }
    RunResults out = new RunResults(r.experiment(), r.metric(), r.taskNames(), merged.get(r.primary()), r.trainSeconds(),
        r.msPerStep(), r.finalTaskLoss(), r.finalRegularizerLoss(), r.primary(), merged);
    return new SeedGroups.Member(m.dir(), out, m.config());
  }

  /** The cells of a table of {@code members}, rows in the order first seen, CL1 to CL3 within a benchmark. */
  static List<Cell> cells(List<SeedGroups.Member> given) {
    Map<String, Cell> cells = new LinkedHashMap<>();
    for (SeedGroups.Member m : given.stream().map(TableReport::withEvaluations).toList()) {
      String bench = benchmark(m.config());
      String method = method(m.config());
      // The scenario a run was trained for does not change what it learned (cl1 and cl3 train alike).
      com.fasterxml.jackson.databind.node.ObjectNode trained = m.config().deepCopy();
      trained.remove(List.of("scenario", "taskInference"));
      String key = SeedGroups.key(trained);
      RunResults r = m.results();
      String kind = m.config().path("method").asText("");
      boolean classIncremental = CLASS_INCREMENTAL.contains(kind) && m.config().path("scenario").asText("cl1").equals("cl3");
      if (REPLAY.contains(kind) || classIncremental) {
        // A replay method (or a class-incremental baseline) trains for its scenario: one cell, the run's headline.
        String scenario = m.config().path("scenario").asText("cl1").toUpperCase(Locale.ROOT);
        add(cells, bench, scenario, method, m, r.primary(), SeedGroups.key(m.config()), true);
        continue;
      }
      add(cells, bench, "CL1", method, m, RunResults.TASK_GIVEN, key, !r.matrices().containsKey("cl2/entropy"));
      for (TaskInference.Score s : TaskInference.Score.values()) {
        for (String scenario : List.of("cl2", "cl3")) {
          add(cells, bench, scenario.toUpperCase(Locale.ROOT), method + scoreSuffix(s), m, scenario + "/" + s.id(), key, true);
        }
      }
    }
    List<Cell> sorted = new ArrayList<>(cells.values());
    List<String> benches = new ArrayList<>(new LinkedHashSet<>(sorted.stream().map(Cell::benchmark).toList()));
    sorted.sort(java.util.Comparator.comparingInt((Cell c) -> benches.indexOf(c.benchmark())).thenComparing(Cell::scenario));
    return sorted;
  }

  private static void add(
      Map<String, Cell> cells, String bench, String scenario, String method, SeedGroups.Member m, String matrix, String key,
      boolean when) {
    if (!when || !m.results().matrices().containsKey(matrix)) {
      return;
    }
    Cell c = cells.computeIfAbsent(bench + "\u0000" + scenario + "\u0000" + method,
        k -> new Cell(bench, scenario, method, new ArrayList<>(), new LinkedHashSet<>()));
    c.runs().add(new SeedGroups.Member(m.dir(), m.results().view(matrix), m.config()));
    c.configs().add(key);
  }

  /** The table as text. */
  static String format(List<Cell> cells) {
    List<String> methods = new ArrayList<>(new LinkedHashSet<>(cells.stream().map(Cell::method).toList()));
    List<String> rows = new ArrayList<>(new LinkedHashSet<>(cells.stream().map(c -> c.benchmark() + "\u0000" + c.scenario()).toList()));
    List<String> header = new ArrayList<>(List.of("benchmark", "scenario"));
    header.addAll(methods);
    List<List<String>> lines = new ArrayList<>();
    boolean mixed = false;
    for (String row : rows) {
      String[] parts = row.split("\u0000");
      List<String> line = new ArrayList<>(List.of(parts[0], parts[1]));
      for (String method : methods) {
        String text = "";
        for (Cell c : cells) {
          if (c.benchmark().equals(parts[0]) && c.scenario().equals(parts[1]) && c.method().equals(method)) {
            SeedGroups.Stats s = SeedGroups.Stats.of(c.runs(), RunResults::meanAfter);
            text = SeedGroups.meanSd("accuracy", s, false) + " (" + s.n() + ")" + (c.configs().size() > 1 ? " *" : "");
            mixed |= c.configs().size() > 1;
          }
        }
        line.add(text);
      }
      lines.add(line);
    }
    StringBuilder sb = new StringBuilder();
    sb.append("Accuracy after the last task (ACC, %), mean ± sd over runs (number of runs)").append(System.lineSeparator());
    sb.append(System.lineSeparator());
    ReportCommand.grid(sb, header, lines);
    sb.append("CL1: task id given; CL2: one shared head, task inferred; CL3: a head per task, task inferred "
        + "(right only if task and class are). +ENT: entropy, the paper's score.").append(System.lineSeparator());
    if (mixed) {
      sb.append("* the cell's runs differ in more than their seeds (e.g. beta or iterations): compare with care")
          .append(System.lineSeparator());
    }
    List<List<String>> paper = new ArrayList<>();
    for (String row : rows) {
      String[] parts = row.split("\u0000");
      String[] reported = PAPER.get(parts[0].replaceAll(" \\(.*\\)$", "") + " " + parts[1]);
      if (reported != null) {
        List<String> line = new ArrayList<>(List.of(parts[0], parts[1]));
        line.addAll(List.of(reported));
        paper.add(line);
      }
    }
    if (!paper.isEmpty()) {
      List<String> paperHeader = new ArrayList<>(List.of("benchmark", "scenario"));
      PAPER_METHODS.forEach(m -> paperHeader.add("paper: " + m));
      sb.append(System.lineSeparator())
          .append("For reference, the paper's Table 1 (von Oswald et al., 2020), on MNIST, not measured here: mean ± the spread it reports")
          .append(System.lineSeparator()).append(System.lineSeparator());
      ReportCommand.grid(sb, paperHeader, paper);
      sb.append("EWC is online EWC, DGR is DGR+distill, as the paper names them.").append(System.lineSeparator());
    }
    return sb.toString();
  }

  /** The methods of the paper's Table 1, in its order. */
  static final List<String> PAPER_METHODS = List.of("EWC", "SI", "DGR", "HNET+ENT", "HNET+TIR", "HNET+R");

  /** The paper's Table 1 by "sequence SCENARIO" (PermutedMNIST-10 and SplitMNIST, on MNIST). */
  static final Map<String, String[]> PAPER = Map.of(
      "permuted-mnist-10 CL1", new String[] {"95.96 ± 0.06", "94.75 ± 0.14", "97.51 ± 0.01", "97.57 ± 0.02", "97.57 ± 0.02", "97.87 ± 0.01"},
      "permuted-mnist-10 CL2", new String[] {"94.42 ± 0.13", "95.33 ± 0.11", "97.35 ± 0.02", "92.80 ± 0.15", "97.58 ± 0.02", "97.60 ± 0.01"},
      "permuted-mnist-10 CL3", new String[] {"33.88 ± 0.49", "29.31 ± 0.62", "96.38 ± 0.03", "91.75 ± 0.21", "97.59 ± 0.01", "97.76 ± 0.01"},
      "split-mnist CL1", new String[] {"99.12 ± 0.11", "99.09 ± 0.15", "99.61 ± 0.02", "99.79 ± 0.01", "99.79 ± 0.01", "99.83 ± 0.01"},
      "split-mnist CL2", new String[] {"64.32 ± 1.90", "65.36 ± 1.57", "96.83 ± 0.20", "87.01 ± 0.47", "94.43 ± 0.28", "98.00 ± 0.03"},
      "split-mnist CL3", new String[] {"19.96 ± 0.07", "19.99 ± 0.06", "91.79 ± 0.32", "69.48 ± 0.80", "89.59 ± 0.59", "95.30 ± 0.13"});

  /** One row per cell: benchmark, scenario, method, runs, mean_after, sd_after. */
  static String csv(List<Cell> cells) {
    StringBuilder sb = new StringBuilder("benchmark,scenario,method,runs,mean_after,sd_after,mixed_configs\n");
    for (Cell c : cells) {
      SeedGroups.Stats s = SeedGroups.Stats.of(c.runs(), RunResults::meanAfter);
      sb.append(ResultsCsv.field(c.benchmark())).append(',').append(c.scenario()).append(',')
          .append(ResultsCsv.field(c.method())).append(',').append(s.n()).append(',')
          .append(Double.isFinite(s.mean()) ? Double.toString(s.mean()) : "").append(',')
          .append(Double.isFinite(s.sd()) ? Double.toString(s.sd()) : "").append(',')
          .append(c.configs().size() > 1).append('\n');
    }
    return sb.toString();
  }
}
