package org.hypercl.tools.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultPlotsTest {

  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir Path tmp;

  @Test
  void threeTaskAccuracyRunGetsBothFigures() throws Exception {
    List<Path> files = ResultPlots.writeAll(tmp.resolve("plots"), ReportFixtures.fineTuningThreeTasks());
    assertThat(files).containsExactly(
        tmp.resolve("plots").resolve(ResultPlots.MATRIX_FILE), tmp.resolve("plots").resolve(ResultPlots.DURING_AFTER_FILE));
    assertPng(files.get(0), ResultPlots.MATRIX_WIDTH, ResultPlots.MATRIX_HEIGHT);
    assertPng(files.get(1), ResultPlots.DURING_AFTER_WIDTH, ResultPlots.DURING_AFTER_HEIGHT);
  }

  /** A matrix with no value (a shared-head replay run's task inference) gets no figure instead of failing. */
  @Test
  void unmeasuredMatricesAreSkipped() throws Exception {
    RunResults r = ReportFixtures.hnetThreeTasks();
    double[][] empty = new double[3][3];
    for (double[] row : empty) {
      Arrays.fill(row, Double.NaN);
    }
    java.util.Map<String, double[][]> matrices = new java.util.LinkedHashMap<>(r.matrices());
    matrices.put("task-inference/max-logit", empty);
    RunResults withEmpty = new RunResults(r.experiment(), r.metric(), r.taskNames(), r.matrix(), r.trainSeconds(), r.msPerStep(),
        r.finalTaskLoss(), r.finalRegularizerLoss(), r.primary(), matrices);
    List<Path> files = ResultPlots.writeAll(tmp.resolve("skip"), withEmpty);
    assertThat(files).hasSize(2 * (matrices.size() - 1));
    assertThat(files).noneMatch(p -> p.getFileName().toString().contains("max-logit"));
  }

  @Test
  void mseRunIsDrawnOnALogAxisAndToleratesAZeroError() throws Exception {
    assertPng(ResultPlots.writeDuringAfter(tmp.resolve("mse.png"), ReportFixtures.mseThreeTasks()),
        ResultPlots.DURING_AFTER_WIDTH, ResultPlots.DURING_AFTER_HEIGHT);
    RunResults r = ReportFixtures.mseThreeTasks();
    double[][] m = Arrays.stream(r.matrix()).map(double[]::clone).toArray(double[][]::new);
    m[0][0] = 0;  // a log axis cannot show 0: the chart falls back to a linear one
    RunResults zero = new RunResults(r.experiment(), r.metric(), r.taskNames(), m,
        r.trainSeconds(), r.msPerStep(), r.finalTaskLoss(), r.finalRegularizerLoss());
    for (Path p : ResultPlots.writeAll(tmp.resolve("zero"), zero)) {
      assertThat(ImageIO.read(p.toFile())).isNotNull();
    }
  }

  @Test
  void hundredTasksGetTheSameSizesWithoutAnnotations() throws Exception {
    RunResults r = ReportFixtures.permutedHundred();
    assertThat(ResultPlots.matrixChart(r).getStyler().isShowValue()).isFalse();
    assertThat(ResultPlots.matrixChart(ReportFixtures.hnetThreeTasks()).getStyler().isShowValue()).isTrue();
    List<Path> files = ResultPlots.writeAll(tmp, r);
    assertPng(files.get(0), ResultPlots.MATRIX_WIDTH, ResultPlots.MATRIX_HEIGHT);
    assertPng(files.get(1), ResultPlots.DURING_AFTER_WIDTH, ResultPlots.DURING_AFTER_HEIGHT);
  }

  @Test
  void matrixCellsAreTheMeasuredOnesOnlyWithRowOneOnTop() {
    var series = ResultPlots.matrixChart(ReportFixtures.hnetThreeTasks()).getHeatMapSeries();
    List<? extends Number[]> cells = series.getHeatData();
    assertThat(cells).hasSize(6);  // the NaN cells above the diagonal are left out, so drawn blank
    // R[0][0] = 99.5 sits in column 0 and the top row, which XChart indexes last.
    assertThat(cells).anySatisfy(c -> assertThat(c).containsExactly(0, 2, 99.5));
    assertThat(cells).anySatisfy(c -> assertThat(c).containsExactly(2, 0, 99.0));
  }

  @Test
  void colourScaleEndsAreShortNumbersAndAccuracySpansAtLeastFivePoints() {
    assertThat(ResultPlots.colourRange(true, 97.9, 99.5)).containsExactly(94.5, 99.5);
    assertThat(ResultPlots.colourRange(true, 60.0, 99.63)).containsExactly(60.0, 100.0);
    assertThat(ResultPlots.colourRange(false, 6.8e-5, 0.0032894)).containsExactly(0.0, 0.0033);
    assertThat(ResultPlots.colourRange(false, 0, 0)).containsExactly(0.0, 1.0);
  }

  @Test
  void runReportWritesCsvAndPlotsIntoTheRunFolder() throws Exception {
    RunDirectory dir = RunDirectory.createNew(tmp.resolve("run"));
    List<Path> written = RunReport.writeAll(dir, ReportFixtures.hnetThreeTasks());
    assertThat(written).containsExactly(
        dir.root().resolve(ResultsCsv.FILE_NAME),
        dir.plots().resolve(ResultPlots.MATRIX_FILE),
        dir.plots().resolve(ResultPlots.DURING_AFTER_FILE));
    assertThat(written).allSatisfy(p -> assertThat(p).isRegularFile());
    try (Stream<Path> left = Files.walk(dir.root())) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
    }
  }

  @Test
  void inconsistentResultsWriteNothing() {
    RunResults good = ReportFixtures.hnetThreeTasks();
    RunResults bad = new RunResults(good.experiment(), good.metric(), good.taskNames(), good.matrix(),
        new double[] {1.0}, good.msPerStep(), good.finalTaskLoss(), good.finalRegularizerLoss());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ResultPlots.writeAll(tmp.resolve("plots"), bad));
    assertThat(e.getMessage()).contains("trainSeconds has 1 values for 3 tasks");
    assertThat(tmp.resolve("plots")).doesNotExist();
  }

  static void assertPng(Path file, int width, int height) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    assertThat(Arrays.copyOf(bytes, PNG_MAGIC.length)).as("PNG signature of %s", file).isEqualTo(PNG_MAGIC);
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image).as("%s decodes", file).isNotNull();
    assertThat(image.getWidth()).isEqualTo(width);
    assertThat(image.getHeight()).isEqualTo(height);
  }
}
