package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Continual classification on generated permuted tasks: learning, forgetting, and its prevention. */
class ClassificationLearningTest {

  @Test
  void hypernetworkKeepsTasksWhileBaselinesForget() {
    SyntheticTasks tasks = new SyntheticTasks(4, 600, 400, 5);
    ExperimentConfig hnet = SyntheticTasks.experiment(4, 600, 0.05f);
    RunResults regularized = run(hnet, tasks);
    RunResults fineTuned = run(hnet.asFineTuning(), tasks);
    RunResults targetOnly = run(hnet.asTargetNetworkOnly(), tasks);
    // Four tasks, so that fine-tuning's forgetting does not hinge on one trajectory: over data seeds
    // 5, 6, 7 and with a fused or a composed Adam update (same formula, other rounding) fine-tuning
    // forgot 16 to 23 points on average, the target network alone 13 to 14, the hypernetwork
    // at most 0.2. With three tasks one rounding change took fine-tuning from 21 down to 6.

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

  /**
   * With the other heads masked (the Split CIFAR setting), the regularizer leaves task 0's rows of
   * head 1 free: while task 1 trains they drift further from what task 0 generated than without
   * the mask, its own head stays put, and task 0 is kept either way.
   */
  @Test
  void maskedRegularizerLetsAPastTasksOtherHeadsDrift() {
    SeparableTasks tasks = new SeparableTasks(2, 256, 128, 4);
    ExperimentConfig plain = SeparableTasks.experiment(2, 300);
    ExperimentConfig masked = plain.withSettings(plain.settings().toBuilder().maskOtherHeads(true).build());
    org.hypercl.graphs.HeadMask heads = org.hypercl.graphs.HeadMask.otherHeads(plain.target().network(), 2);
    double[][] drift = new double[2][];
    int i = 0;
    for (ExperimentConfig c : new ExperimentConfig[] {plain, masked}) {
      try (Learner l = new Learner(c, 256)) {
        l.learnTask(0, tasks.task(0), StepListener.NONE);
        float[] before = l.generatedWeights(0);
        double acc = l.evaluate(0, tasks.task(0));
        l.learnTask(1, tasks.task(1), StepListener.NONE);
        float[] after = l.generatedWeights(0);
        drift[i] = new double[2];
        for (int p = heads.start(); p < heads.start() + heads.length(); p++) {
          double d = after[p] - before[p];
          drift[i][heads.headOf(p - heads.start())] += d * d;
        }
        assertThat(l.evaluate(0, tasks.task(0))).as("%s keeps task 0", c.settings().maskOtherHeads()).isGreaterThan(acc - 5);
      }
      i++;
    }
    // Head 1 of task 0: free with the mask, held without it (seed 4: squared drift 7.2 against 5e-6).
    assertThat(drift[1][1]).isGreaterThan(100 * drift[0][1]);
    // Head 0 of task 0 is regularized in both (1.6e-5 with the mask).
    assertThat(drift[1][0]).isLessThan(0.01 * drift[1][1]);
  }

  @Test
  void stochasticRegularizerWithOnePastTaskPerStepAlsoKeepsTasks() {
    SyntheticTasks tasks = new SyntheticTasks(4, 600, 400, 5);
    ExperimentConfig c = SyntheticTasks.experiment(4, 600, 0.05f);
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
