package org.hypercl.tools.report;

import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hypercl.training.RunResults;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The two figures of a run, as PNGs drawn headless with XChart:
 *
 * <ul>
 *   <li>{@value #MATRIX_FILE}: a heatmap of R[i][j] (rows: tasks learned, top to bottom; columns:
 *       task evaluated), values written in the cells up to {@value #MAX_ANNOTATED_TASKS} tasks, cells
 *       not measured left blank. Green is good for either metric (high accuracy, low MSE).
 *   <li>{@value #DURING_AFTER_FILE}: per task, the metric right after learning it and after the
 *       last task: grouped bars up to {@value #MAX_BAR_TASKS} tasks, lines beyond (PermutedMNIST-100).
 * </ul>
 */
public final class ResultPlots {

  public static final String MATRIX_FILE = "matrix.png";
  public static final String DURING_AFTER_FILE = "during-after.png";
  public static final int MATRIX_WIDTH = 820;
  public static final int MATRIX_HEIGHT = 720;
  public static final int DURING_AFTER_WIDTH = 900;
  public static final int DURING_AFTER_HEIGHT = 520;
  /** Above this many tasks the cells are too small for numbers. */
  public static final int MAX_ANNOTATED_TASKS = 12;
  /** Above this many tasks bars are too thin; lines are drawn instead. */
  public static final int MAX_BAR_TASKS = 20;

  /** Light red (bad) through yellow to green (good): dark text stays readable on every cell. */
  private static final Color[] BAD_TO_GOOD = {
    new Color(0xf4, 0x6d, 0x43), new Color(0xfd, 0xae, 0x61), new Color(0xfe, 0xe0, 0x8b),
    new Color(0xd9, 0xef, 0x8b), new Color(0xa6, 0xd9, 0x6a), new Color(0x66, 0xbd, 0x63),
  };
  private static final Color DURING_COLOR = new Color(0x9e, 0xc5, 0xe6);
  private static final Color AFTER_COLOR = new Color(0x1f, 0x5f, 0x9e);
  /** Percentage points the accuracy colour scale spans at least. */
  static final double MIN_ACCURACY_SPAN = 5.0;
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
  private static final Font AXIS_TITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

  private ResultPlots() {}

  /**
   * Writes both figures of the primary matrix into {@code plotsDir}, then, for a classifier, both
   * figures of each other named matrix as {@code matrix-NAME.png} and
   * {@code during-after-NAME.png} (NAME with '/' as '-', e.g. {@code matrix-cl3-entropy.png}), and
   * returns their paths. A matrix without any value (nothing measured) gets no figures.
   */
  public static List<Path> writeAll(Path plotsDir, RunResults results) throws IOException {
    List<Path> out = new ArrayList<>();
    out.add(writeMatrix(plotsDir.resolve(MATRIX_FILE), results));
    out.add(writeDuringAfter(plotsDir.resolve(DURING_AFTER_FILE), results));
    for (String name : results.matrices().keySet()) {
      if (!name.equals(results.primary()) && measured(results.matrices().get(name))) {
        RunResults v = results.view(name);
        String suffix = "-" + name.replace('/', '-') + ".png";
        out.add(writeMatrix(plotsDir.resolve("matrix" + suffix), v));
        out.add(writeDuringAfter(plotsDir.resolve("during-after" + suffix), v));
      }
    }
    return out;
  }

  /** Whether a matrix has any value: a learner with nothing to infer leaves its task-inference matrices NaN. */
  static boolean measured(double[][] m) {
    for (double[] row : m) {
      for (double v : row) {
        if (!Double.isNaN(v)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Writes the heatmap of R atomically as a PNG and returns {@code file}. */
  public static Path writeMatrix(Path file, RunResults results) throws IOException {
    RunReport.requireConsistent(results, file.toString());
    save(file, matrixChart(results));
    return file;
  }

  /** Writes the during-vs-after chart atomically as a PNG and returns {@code file}. */
  public static Path writeDuringAfter(Path file, RunResults results) throws IOException {
    RunReport.requireConsistent(results, file.toString());
    save(file, results.numTasks() <= MAX_BAR_TASKS ? duringAfterBars(results) : duringAfterLines(results));
    return file;
  }

  static HeatMapChart matrixChart(RunResults r) {
    int n = r.numTasks();
    boolean accuracy = r.higherIsBetter();
    HeatMapChart chart = new HeatMapChartBuilder().width(MATRIX_WIDTH).height(MATRIX_HEIGHT)
        .title(r.experiment() + ": " + metricLabel(r) + " on task j after learning tasks 1..i")
        .xAxisTitle("task evaluated (j)").yAxisTitle("tasks learned (i)").build();
    var s = chart.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderVisible(false);
    s.setPlotGridLinesVisible(false);
    s.setChartTitleBoxVisible(false);
    s.setChartTitleFont(TITLE_FONT);
    s.setAxisTitleFont(AXIS_TITLE_FONT);
    s.setAxisTickLabelsFont(TICK_FONT);
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setLegendFont(TICK_FONT);
    s.setLegendBorderColor(Color.WHITE);
    // XChart maps min to the first colour; "good" is high accuracy but low MSE.
    s.setRangeColors(accuracy ? BAD_TO_GOOD : reversed(BAD_TO_GOOD));
    s.setDrawBorder(n <= MAX_ANNOTATED_TASKS);
    s.setShowValue(n <= MAX_ANNOTATED_TASKS);
    s.setValueFontColor(Color.BLACK);
    s.setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, n <= 5 ? 18 : 13));
    // XChart formats cells and legend with a DecimalFormat pattern, not a function.
    s.setHeatMapValueDecimalPattern(accuracy ? "0.0" : "0.0E0");

    List<Integer> xLabels = new ArrayList<>();
    List<Integer> yLabels = new ArrayList<>();
    for (int k = 1; k <= n; k++) {
      xLabels.add(k);
    }
    // XChart draws the first y category at the bottom; rows read top-down like a matrix.
    for (int k = n; k >= 1; k--) {
      yLabels.add(k);
    }
    List<Number[]> cells = new ArrayList<>();
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double v = r.matrix()[i][j];
        if (Double.isFinite(v)) {
          cells.add(new Number[] {j, n - 1 - i, v});
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
    }
    double[] range = colourRange(accuracy, min, max);
    s.setMin(range[0]);
    s.setMax(range[1]);
    chart.addSeries(r.metric(), xLabels, yLabels, cells);
    return chart;
  }

  /**
   * The values the colour scale spans. Accuracy spans at least {@value #MIN_ACCURACY_SPAN}
   * points below the best cell, so 98 % beside 99.5 % is not painted as a failure; MSE starts at
   * its ideal, 0.
   */
  static double[] colourRange(boolean accuracy, double min, double max) {
    if (!Double.isFinite(min) || !Double.isFinite(max)) {
      return new double[] {0, accuracy ? 100 : 1};
    }
    // XChart's gradient legend prints the two ends with Double.toString: make them short numbers.
    if (accuracy) {
      double hi = Math.ceil(max * 2) / 2;
      double lo = Math.floor(Math.min(min, hi - MIN_ACCURACY_SPAN) * 2) / 2;
      return new double[] {lo, hi};
    }
    double lo = Math.min(0, min);
    double hi = max > lo ? new BigDecimal(max).round(new MathContext(2, RoundingMode.UP)).doubleValue() : lo + 1;
    return new double[] {lo, hi};
  }

  static CategoryChart duringAfterBars(RunResults r) {
    int n = r.numTasks();
    CategoryChart chart = new CategoryChartBuilder().width(DURING_AFTER_WIDTH).height(DURING_AFTER_HEIGHT)
        .title(summaryTitle(r)).xAxisTitle("task").yAxisTitle(metricLabel(r)).build();
    var s = chart.getStyler();
    commonStyle(s);
    logAxisForMse(s, r);
    if (r.higherIsBetter()) {
      // Bar labels take the y axis pattern; MSE bars stay unlabelled (the heatmap has the numbers).
      s.setLabelsVisible(n <= 6);
      s.setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      s.setLabelsPosition(0.95);
      s.setYAxisDecimalPattern("0.0");
      s.setYAxisMax(100.0);
      // From a multiple of 5 at least 2 points below the lowest bar: 96 vs 98 % stays visible.
      s.setYAxisMin(Math.max(0.0, Math.floor((minFinite(r) - 2) / 5) * 5));
    }
    List<String> labels = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      labels.add(n <= 6 ? (t + 1) + ": " + r.taskNames().get(t) : Integer.toString(t + 1));
    }
    CategorySeries during = chart.addSeries("during (right after learning the task)", labels, boxed(r.during()));
    during.setFillColor(DURING_COLOR);
    CategorySeries after = chart.addSeries("after (after all " + n + " tasks)", labels, boxed(r.after()));
    after.setFillColor(AFTER_COLOR);
    return chart;
  }

  static XYChart duringAfterLines(RunResults r) {
    int n = r.numTasks();
    XYChart chart = new XYChartBuilder().width(DURING_AFTER_WIDTH).height(DURING_AFTER_HEIGHT)
        .title(summaryTitle(r)).xAxisTitle("task").yAxisTitle(metricLabel(r)).build();
    var s = chart.getStyler();
    commonStyle(s);
    s.setXAxisMin(1.0);
    s.setXAxisMax((double) n);
    s.setXAxisDecimalPattern("#");
    logAxisForMse(s, r);
    double[] x = new double[n];
    for (int t = 0; t < n; t++) {
      x[t] = t + 1;
    }
    XYSeries during = chart.addSeries("during (right after learning the task)", x, finiteOrNull(r.during()));
    during.setMarker(SeriesMarkers.NONE);
    during.setLineColor(DURING_COLOR.darker());
    during.setLineWidth(1.6f);
    XYSeries after = chart.addSeries("after (after all " + n + " tasks)", x, finiteOrNull(r.after()));
    after.setMarker(SeriesMarkers.NONE);
    after.setLineColor(AFTER_COLOR);
    after.setLineWidth(2.2f);
    return chart;
  }

  private static void commonStyle(org.knowm.xchart.style.AxesChartStyler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderVisible(false);
    s.setChartTitleBoxVisible(false);
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    s.setLegendBorderColor(Color.WHITE);
    s.setPlotGridVerticalLinesVisible(false);
    s.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
    s.setAxisTickLabelsFont(TICK_FONT);
    s.setAxisTitleFont(AXIS_TITLE_FONT);
    s.setLegendFont(TICK_FONT);
    s.setChartTitleFont(TITLE_FONT);
  }

  /** MSE spans decades: a log axis from the power of ten below the smallest value. */
  private static void logAxisForMse(org.knowm.xchart.style.AxesChartStyler s, RunResults r) {
    if (r.higherIsBetter() || !allPositive(r)) {
      return;
    }
    s.setYAxisLogarithmic(true);
    s.setYAxisMin(Math.pow(10, Math.floor(Math.log10(minFinite(r)))));
    s.setYAxisDecimalPattern("0.#E0");
    // XChart draws every minor decade line; they drown the bars.
    s.setPlotGridHorizontalLinesVisible(false);
  }

  static String summaryTitle(RunResults r) {
    return r.experiment() + ": " + metricLabel(r) + ", mean during " + MetricFormat.value(r.metric(), r.meanDuring())
        + ", mean after " + MetricFormat.value(r.metric(), r.meanAfter())
        + ", BWT " + MetricFormat.signed(r.metric(), r.backwardTransfer());
  }

  static String metricLabel(RunResults r) {
    String what = r.higherIsBetter() ? "test accuracy (%)" : "test MSE";
    if (r.primary().startsWith(RunResults.TASK_INFERENCE)) {
      return "task inferred right (%, " + r.primary().substring(r.primary().indexOf('/') + 1) + ")";
    }
    return r.primary().equals(RunResults.TASK_GIVEN) ? what : what + ", " + r.primary();
  }

  private static Color[] reversed(Color[] colors) {
    Color[] out = new Color[colors.length];
    for (int i = 0; i < colors.length; i++) {
      out[i] = colors[colors.length - 1 - i];
    }
    return out;
  }

  private static boolean allPositive(RunResults r) {
    for (double[] row : r.matrix()) {
      for (double v : row) {
        if (Double.isFinite(v) && v <= 0) {
          return false;
        }
      }
    }
    return true;
  }

  private static double minFinite(RunResults r) {
    double min = Double.POSITIVE_INFINITY;
    for (double v : r.during()) {
      min = Double.isFinite(v) ? Math.min(min, v) : min;
    }
    for (double v : r.after()) {
      min = Double.isFinite(v) ? Math.min(min, v) : min;
    }
    return Double.isFinite(min) ? min : 0;
  }

  private static List<Double> boxed(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(Double.isFinite(v) ? v : null);
    }
    return out;
  }

  private static double[] finiteOrNull(double[] values) {
    double[] out = values.clone();
    for (int i = 0; i < out.length; i++) {
      if (!Double.isFinite(out[i])) {
        out[i] = Double.NaN;
      }
    }
    return out;
  }

  static void save(Path file, Chart<?, ?> chart) throws IOException {
    System.setProperty("java.awt.headless", "true");
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    BitmapEncoder.saveBitmap(chart, png, BitmapEncoder.BitmapFormat.PNG);
    org.hypercl.tools.Writes.atomically(file, png.toByteArray());
  }
}
