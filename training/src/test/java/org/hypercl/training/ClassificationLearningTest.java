package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Continual classification on generated permuted tasks: learning, forgetting, and its prevention. */
class ClassificationLearningTest {

  @Test
  void hypernetworkKeepsTasksWhileBaselinesForget() {
    SyntheticTasks tasks = new SyntheticTasks(3, 600, 400, 5);
    ExperimentConfig hnet = SyntheticTasks.experiment(3, 600, 0.05f);
    RunResults regularized = run(hnet, tasks);
    RunResults fineTuned = run(hnet.asFineTuning(), tasks);
    RunResults targetOnly = run(hnet.asTargetNetworkOnly(), tasks);
    // Measured: hnet after 95.5, 92.75, 95.5 (no forgetting); fine-tuning forgets 28.6 points on
    // average, the target network alone 8.5.

    for (RunResults r : new RunResults[] {regularized, fineTuned, targetOnly}) {
      for (double d : r.during()) {
        assertThat(d).as("%s learns every task", r.experiment()).isGreaterThan(85);
      }
    }
    assertThat(regularized.after()[0]).isGreaterThan(regularized.during()[0] - 5);
    assertThat(regularized.forgetting()).isLessThan(4);
    assertThat(fineTuned.forgetting()).isGreaterThan(regularized.forgetting() + 10);
    assertThat(targetOnly.forgetting()).isGreaterThan(regularized.forgetting() + 3);
  }

  @Test
  void stochasticRegularizerWithOnePastTaskPerStepAlsoKeepsTasks() {
    SyntheticTasks tasks = new SyntheticTasks(3, 600, 400, 5);
    ExperimentConfig c = SyntheticTasks.experiment(3, 600, 0.05f);
    c = c.withSettings(c.settings().toBuilder().regularizerTasks(1).build());
    RunResults r = run(c, tasks);
    RunResults fineTuned = run(c.asFineTuning(), tasks);
    assertThat(r.forgetting()).isLessThan(4);
    assertThat(fineTuned.forgetting()).isGreaterThan(r.forgetting() + 10);
  }

  private static RunResults run(ExperimentConfig c, TaskSource tasks) {
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, null, StepListener.NONE).run()) {
      return o.results();
    }
  }
}
