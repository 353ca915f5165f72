package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Inputs permuted in the graph give exactly what explicitly permuted inputs give. */
class PermutedInputsTest {

  @Test
  void inGraphPermutationEqualsExplicitPermutation() {
    SyntheticTasks tasks = new SyntheticTasks(2, 300, 100, 9);
    ExperimentConfig c = SyntheticTasks.experiment(2, 150, 0.05f);
    float[][] inGraph = new float[2][];
    float[][] explicit = new float[2][];
    try (Learner a = new Learner(c, 300);
        Learner b = new Learner(c, 300)) {
      for (int t = 0; t < 2; t++) {
        a.learnTask(t, tasks.task(t), StepListener.NONE);
        b.learnTask(t, tasks.explicitTask(t), StepListener.NONE);
      }
      for (int t = 0; t < 2; t++) {
        TaskData permuted = tasks.task(t);
        TaskData plain = tasks.explicitTask(t);
        inGraph[t] = a.predict(t, permuted.testX(), permuted.testSize(), permuted.inputPermutation());
        explicit[t] = b.predict(t, plain.testX(), plain.testSize(), null);
        assertThat(a.evaluate(t, permuted)).isEqualTo(b.evaluate(t, plain));
      }
    }
    for (int t = 0; t < 2; t++) {
      assertThat(inGraph[t]).containsExactly(explicit[t]);
    }
  }
}
