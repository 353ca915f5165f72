package org.hypercl.data.toy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ToyRegressionTest {

  @Test
  void paperTasksHaveTheDocumentedShape() {
    List<RegressionTask> tasks = ToyRegression.paperTasks(ToyRegression.DEFAULT_SEED);
    assertThat(tasks).hasSize(3);
    double[][] intervals = {{-4, -2}, {-1, 1}, {2, 4}};
    for (int t = 0; t < 3; t++) {
      RegressionTask task = tasks.get(t);
      assertThat(task.low()).isEqualTo(intervals[t][0]);
      assertThat(task.high()).isEqualTo(intervals[t][1]);
      assertThat(task.trainX()).hasSize(100);
      assertThat(task.trainY()).hasSize(100);
      assertThat(task.testX()).hasSize(50);
      assertThat(task.testY()).hasSize(50);
      for (float x : task.trainX()) {
        assertThat((double) x).isBetween(task.low(), task.high());
      }
      float[] testX = task.testX();
      assertThat((double) testX[0]).isEqualTo(task.low());
      assertThat((double) testX[49]).isEqualTo(task.high(), within(1e-6));
      double step = (task.high() - task.low()) / 49;
      for (int i = 1; i < 50; i++) {
        assertThat((double) (testX[i] - testX[i - 1])).isCloseTo(step, within(1e-5));
      }
    }
  }

  @Test
  void groundTruthIsThePapersPolynomials() {
    List<RegressionTask> tasks = ToyRegression.paperTasks(1);
    assertThat(tasks.get(0).groundTruth().applyAsDouble(-3)).isEqualTo(0.0);
    assertThat(tasks.get(1).groundTruth().applyAsDouble(0.5)).isEqualTo(-0.5);
    assertThat(tasks.get(2).groundTruth().applyAsDouble(2)).isEqualTo(-1.0);
  }

  @Test
  void testTargetsAreNoiseFree() {
    for (RegressionTask task : ToyRegression.paperTasks(7)) {
      float[] x = task.testX();
      float[] y = task.testY();
      for (int i = 0; i < x.length; i++) {
        assertThat((double) y[i]).isCloseTo(task.groundTruth().applyAsDouble(x[i]), within(1e-4));
      }
    }
  }

  @Test
  void trainingNoiseHasTheRequestedStd() {
    // Pool residuals over many seeds so the estimate is tight: 30 seeds x 3 tasks x 100 points.
    double sum = 0;
    double sumSq = 0;
    int n = 0;
    for (long seed = 0; seed < 30; seed++) {
      for (RegressionTask task : ToyRegression.paperTasks(seed)) {
        float[] x = task.trainX();
        float[] y = task.trainY();
        for (int i = 0; i < x.length; i++) {
          double r = y[i] - task.groundTruth().applyAsDouble(x[i]);
          sum += r;
          sumSq += r * r;
          n++;
        }
      }
    }
    double mean = sum / n;
    double std = Math.sqrt(sumSq / n - mean * mean);
    assertThat(mean).isCloseTo(0.0, within(0.005));
    assertThat(std).isCloseTo(0.05, within(0.003));
  }

  @Test
  void defaultSeedGivesNoiseNearPointZeroFive() {
    for (RegressionTask task : ToyRegression.paperTasks(ToyRegression.DEFAULT_SEED)) {
      float[] x = task.trainX();
      float[] y = task.trainY();
      double sumSq = 0;
      for (int i = 0; i < x.length; i++) {
        double r = y[i] - task.groundTruth().applyAsDouble(x[i]);
        sumSq += r * r;
      }
      assertThat(Math.sqrt(sumSq / x.length)).isBetween(0.035, 0.065);
    }
  }

  @Test
  void sameSeedSameData_differentSeedDifferentData() {
    List<RegressionTask> a = ToyRegression.paperTasks(42);
    List<RegressionTask> b = ToyRegression.paperTasks(42);
    List<RegressionTask> c = ToyRegression.paperTasks(43);
    for (int t = 0; t < 3; t++) {
      assertThat(a.get(t).trainX()).isEqualTo(b.get(t).trainX());
      assertThat(a.get(t).trainY()).isEqualTo(b.get(t).trainY());
      assertThat(a.get(t).trainX()).isNotEqualTo(c.get(t).trainX());
    }
  }

  @Test
  void tasksAreImmutable() {
    RegressionTask task = ToyRegression.paperTasks(42).get(0);
    float first = task.trainX()[0];
    task.trainX()[0] = 1234f;
    assertThat(task.trainX()[0]).isEqualTo(first);
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> ToyRegression.paperTasks(1, -1, 50, 0.05));
    assertThrows(IllegalArgumentException.class, () -> ToyRegression.paperTasks(1, 100, 50, -0.1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RegressionTask("bad", new float[2], new float[3], new float[0], new float[0], x -> x, 0, 1));
  }
}
