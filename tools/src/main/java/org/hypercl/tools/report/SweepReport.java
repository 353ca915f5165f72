package org.hypercl.tools.report;

import java.nio.file.Path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.hypercl.training.RunResults;

/**
 * The report of a sweep ({@code hypercl sweep report}): a row per run with its swept values and
 * summaries, then per configuration the mean ± sample standard deviation over its seeds
 * ({@link SeedGroups.Stats}), and the best configuration by the mean during or after.
 */
public final class SweepReport {

  private SweepReport() {}

  /**
   * One run of the sweep.
   *
   * @param values the run's value of each swept path, as shown
   * @param status where the run stands ("done", "pending", ...)
   * @param results its results when done, else null
   * @param compressionRatio from its config.json, NaN if unknown
   */
  public record Row(String name, String config, long seed, Map<String, String> values, String status, RunResults results,
      double compressionRatio) {}

  /** A metric's value as tables show it: 97.30 (accuracy, percent) or 0.004190 (MSE). */
  public static String metricValue(String metric, double v) {
    return MetricFormat.value(metric, v);
  }

  /** A plain text table: the first column left-aligned, the others right-aligned. */
  public static String table(List<String> header, List<List<String>> rows) {
    StringBuilder sb = new StringBuilder();
    ReportCommand.grid(sb, header, rows);
    return sb.toString();
  }

  /** The printed report; {@code during} picks the metric that ranks configurations (else after). */
  public static String format(String sweep, List<String> paths, List<Row> rows, boolean during) {
    StringBuilder sb = new StringBuilder();
    String nl = System.lineSeparator();
    List<Row> finished = rows.stream().filter(r -> r.results() != null).toList();
    sb.append(String.format(Locale.ROOT, "sweep %s: %d of %d runs finished", sweep, finished.size(), rows.size()));
    RunResults any = finished.isEmpty() ? null : finished.get(0).results();
    String metric = any == null ? "" : any.metric();
    if (any != null) {
      sb.append("; metric ").append(metric).append(any.higherIsBetter() ? " (%, higher is better)" : " (lower is better)")
          .append(", matrix ").append(any.primary());
    }
    sb.append(nl).append(nl);

    List<String> header = new ArrayList<>(List.of("run", "seed"));
    header.addAll(paths);
    header.addAll(List.of("status", "during", "after"));
    List<List<String>> lines = new ArrayList<>();
    for (Row r : rows) {
      List<String> l = new ArrayList<>(List.of(r.name(), Long.toString(r.seed())));
      for (String p : paths) {
        l.add(r.values().getOrDefault(p, "-"));
      }
      l.add(r.status());
      l.add(r.results() == null ? MetricFormat.MISSING : MetricFormat.value(metric, r.results().meanDuring()));
      l.add(r.results() == null ? MetricFormat.MISSING : MetricFormat.value(metric, r.results().meanAfter()));
      lines.add(l);
    }
    ReportCommand.grid(sb, header, lines);
    if (any == null) {
      sb.append(nl).append("no run has finished yet").append(nl);
      return sb.toString();
    }

    Map<String, List<Row>> groups = groups(rows);
    sb.append(nl).append("per configuration, mean ± sd over its seeds:").append(nl);
    List<String> gh = new ArrayList<>(List.of("config"));
    gh.addAll(paths);
    gh.addAll(List.of("runs", "during", "after"));
    List<List<String>> gl = new ArrayList<>();
    String best = null;
    SeedGroups.Stats bestStats = null;
    ToDoubleFunction<RunResults> key = during ? RunResults::meanDuring : RunResults::meanAfter;
    for (Map.Entry<String, List<Row>> g : groups.entrySet()) {
      List<SeedGroups.Member> members = members(g.getValue());
      Row first = g.getValue().get(0);
      List<String> l = new ArrayList<>(List.of(g.getKey()));
      for (String p : paths) {
        l.add(first.values().getOrDefault(p, "-"));
      }
      l.add(members.size() + "/" + g.getValue().size());
      l.add(SeedGroups.meanSd(metric, SeedGroups.Stats.of(members, RunResults::meanDuring), false));
      l.add(SeedGroups.meanSd(metric, SeedGroups.Stats.of(members, RunResults::meanAfter), false));
      gl.add(l);
      SeedGroups.Stats s = SeedGroups.Stats.of(members, key);
      if (s.n() > 0 && (bestStats == null || (any.higherIsBetter() ? s.mean() > bestStats.mean() : s.mean() < bestStats.mean()))) {
        best = g.getKey();
        bestStats = s;
      }
    }
    ReportCommand.grid(sb, gh, gl);
    sb.append(nl);
    if (best == null) {
      sb.append("no configuration has a finite mean ").append(during ? "during" : "after").append(nl);
    } else {
      Row first = groups.get(best).get(0);
      List<String> vs = new ArrayList<>();
      first.values().forEach((p, v) -> vs.add(p + "=" + v));
      sb.append(String.format(Locale.ROOT, "best by mean %s (%s is better): %s%s: %s over %d seed%s%n",
          during ? "during" : "after", any.higherIsBetter() ? "higher" : "lower", best,
          vs.isEmpty() ? "" : " (" + String.join(", ", vs) + ")", SeedGroups.meanSd(metric, bestStats, false),
          bestStats.n(), bestStats.n() == 1 ? "" : "s"));
    }
    return sb.toString();
  }

  /** The x axis of {@link #plot} for the compression ratio (config.json's, not a swept path). */
  public static final String COMPRESSION_RATIO = "compression_ratio";

  /**
   * A PNG of the metric (mean over seeds, with ± sd error bars) against one swept setting, or
   * against {@link #COMPRESSION_RATIO}: a point per configuration, a line per combination of the
   * other swept values (the paper's Fig. A5 for β, A7 for the compression ratio). The x axis is
   * logarithmic when every x is positive and they span at least a factor of 50.
   *
   * @throws IllegalArgumentException naming the path if it is not swept or its values are not numbers
   */
  public static void plot(Path file, String sweep, String x, List<String> paths, List<Row> rows, boolean during) throws java.io.IOException {
    if (!x.equals(COMPRESSION_RATIO) && !paths.contains(x)) {
      throw new IllegalArgumentException("--plot " + x + ": not a swept path of " + sweep + "; swept: "
          + (paths.isEmpty() ? "(none)" : String.join(", ", paths)) + ", or " + COMPRESSION_RATIO);
    }
    List<String> others = paths.stream().filter(p -> !p.equals(x)).toList();
    // series label -> x -> members
    Map<String, java.util.TreeMap<Double, List<SeedGroups.Member>>> series = new LinkedHashMap<>();
    String metric = null;
    for (Map.Entry<String, List<Row>> g : groups(rows).entrySet()) {
      Row first = g.getValue().get(0);
      double xv;
      if (x.equals(COMPRESSION_RATIO)) {
        xv = first.compressionRatio();
      } else {
        try {
          xv = Double.parseDouble(first.values().get(x));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--plot " + x + ": value '" + first.values().get(x) + "' of configuration " + g.getKey()
              + " is not a number; plot against a numeric setting", e);
        }
      }
      List<SeedGroups.Member> members = members(g.getValue());
      if (members.isEmpty() || !Double.isFinite(xv)) {
        continue;
      }
      metric = members.get(0).results().metric();
      List<String> label = new ArrayList<>();
      others.forEach(p -> label.add(p + "=" + first.values().getOrDefault(p, "-")));
      series.computeIfAbsent(label.isEmpty() ? "all" : String.join(", ", label), k -> new java.util.TreeMap<>())
          .computeIfAbsent(xv, k -> new ArrayList<>()).addAll(members);
    }
    if (series.isEmpty()) {
      throw new IllegalArgumentException("--plot " + x + ": no finished run to plot yet");
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (var m : series.values()) {
      min = Math.min(min, m.firstKey());
      max = Math.max(max, m.lastKey());
    }
    String what = during ? "mean during" : "mean after (ACC)";
    org.knowm.xchart.XYChart chart = new org.knowm.xchart.XYChartBuilder().width(900).height(560)
        .title(sweep + ": " + what + " against " + x + " (mean ± sd over seeds)").xAxisTitle(x)
        .yAxisTitle(what + ", " + metric).build();
    chart.getStyler().setXAxisLogarithmic(min > 0 && max / min >= 50);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
    for (var e : series.entrySet()) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      List<Double> err = new ArrayList<>();
      for (var point : e.getValue().entrySet()) {
        SeedGroups.Stats st = SeedGroups.Stats.of(point.getValue(), during ? RunResults::meanDuring : RunResults::meanAfter);
        xs.add(point.getKey());
        ys.add(st.mean());
        err.add(st.n() > 1 ? st.sd() : 0.0);
      }
      chart.addSeries(e.getKey(), xs, ys, err);
    }
    ResultPlots.save(file, chart);
  }

  /** One CSV row per run, full precision; metrics empty for runs that have not finished. */
  public static String csv(List<String> paths, List<Row> rows) {
    StringBuilder sb = new StringBuilder("run,config,seed");
    for (String p : paths) {
      sb.append(',').append(ResultsCsv.field(p));
    }
    sb.append(",status,metric,tasks,mean_during,mean_after,bwt,forgetting,train_seconds,compression_ratio\n");
    for (Row r : rows) {
      sb.append(ResultsCsv.field(r.name())).append(',').append(r.config()).append(',').append(r.seed());
      for (String p : paths) {
        sb.append(',').append(ResultsCsv.field(r.values().getOrDefault(p, "")));
      }
      sb.append(',').append(ResultsCsv.field(r.status()));
      RunResults x = r.results();
      if (x == null) {
        sb.append(",,,,,,,,");
      } else {
        sb.append(',').append(x.metric()).append(',').append(x.numTasks())
            .append(',').append(number(x.meanDuring())).append(',').append(number(x.meanAfter()))
            .append(',').append(number(x.backwardTransfer())).append(',').append(number(x.forgetting()))
            .append(',').append(number(x.totalTrainSeconds()));
      }
      sb.append(',').append(number(r.compressionRatio())).append('\n');
    }
    return sb.toString();
  }

  static Map<String, List<Row>> groups(List<Row> rows) {
    Map<String, List<Row>> out = new LinkedHashMap<>();
    for (Row r : rows) {
      out.computeIfAbsent(r.config(), k -> new ArrayList<>()).add(r);
    }
    return out;
  }

  private static List<SeedGroups.Member> members(List<Row> rows) {
    List<SeedGroups.Member> out = new ArrayList<>();
    for (Row r : rows) {
      if (r.results() != null) {
        out.add(new SeedGroups.Member(null, r.results(), null));
      }
    }
    return out;
  }

  private static String number(double v) {
    return Double.isFinite(v) ? Double.toString(v) : "";
  }
}
