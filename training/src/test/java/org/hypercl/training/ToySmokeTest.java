package org.hypercl.training;

import org.junit.jupiter.api.Test;

class ToySmokeTest {
  @Test
  void runs() {
    for (float beta : new float[] {0.005f, 0f}) {
      ExperimentConfig c = Experiments.toyRegression();
      c = c.withSettings(c.settings().toBuilder().beta(beta).build());
      TaskSource src = Experiments.toyTasks(42);
      long t0 = System.nanoTime();
      try (HypernetworkLearner l = new HypernetworkLearner(c, src.maxTrainSize())) {
        double[] during = new double[3];
        for (int t = 0; t < 3; t++) {
          l.learnTask(t, src.task(t), StepListener.NONE);
          during[t] = l.evaluate(t, src.task(t));
        }
        System.out.printf("beta=%s during=%s%n", beta, java.util.Arrays.toString(during));
        for (int t = 0; t < 3; t++) {
          System.out.printf("  after task %d: %.5f%n", t, l.evaluate(t, src.task(t)));
        }
      }
      System.out.printf("  %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
  }
}
