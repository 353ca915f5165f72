package org.hypercl.tools;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hypercl.data.toy.RegressionTask;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The paper's Fig. 2 layout: one panel per method, each showing every task's training data, the
 * ground truth and the function the learner computes for that task after the last task.
 */
public final class ToyFitPlot {

  private static final Color[] TASK_COLORS = {
    new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44), new Color(148, 103, 189),
    new Color(255, 127, 14),
  };

  /** One panel: a method's name and, per task, its predictions on {@code gridX}. */
  public record Panel(String title, List<float[]> predictions) {}

  private ToyFitPlot() {}

  /** Writes the figure atomically as a PNG. */
  public static void write(Path file, List<RegressionTask> tasks, List<float[]> gridX, List<Panel> panels) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<XYChart> charts = new ArrayList<>();
    for (Panel p : panels) {
      XYChart chart = new XYChartBuilder().width(620).height(440).title(p.title()).xAxisTitle("x").yAxisTitle("y").build();
      chart.getStyler().setChartBackgroundColor(Color.WHITE);
      chart.getStyler().setLegendVisible(true);
      for (int t = 0; t < tasks.size(); t++) {
        RegressionTask task = tasks.get(t);
        Color c = TASK_COLORS[t % TASK_COLORS.length];
        XYSeries data = chart.addSeries("task " + (t + 1) + " data", toDouble(task.trainX()), toDouble(task.trainY()));
        data.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        data.setMarker(SeriesMarkers.CIRCLE);
        data.setMarkerColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 90));
        double[] x = toDouble(gridX.get(t));
        double[] truth = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          truth[i] = task.groundTruth().applyAsDouble(x[i]);
        }
        XYSeries gt = chart.addSeries("task " + (t + 1) + " ground truth", x, truth);
        gt.setMarker(SeriesMarkers.NONE);
        gt.setLineColor(Color.DARK_GRAY);
        gt.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {5f, 4f}, 0f));
        XYSeries fit = chart.addSeries("task " + (t + 1) + " learned", x, toDouble(p.predictions().get(t)));
        fit.setMarker(SeriesMarkers.NONE);
        fit.setLineColor(c);
        fit.setLineStyle(new BasicStroke(2.2f));
      }
      charts.add(chart);
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    BitmapEncoder.saveBitmap(charts, 1, charts.size(), png, BitmapEncoder.BitmapFormat.PNG);
    Writes.atomically(file, png.toByteArray());
  }

  static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
