package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.hypercl.graphs.TaskInference;
import org.junit.jupiter.api.Test;

/** CL2 and CL3: task inference during and after training, and the matrices a run reports. */
class ScenarioTest {

  private static RunResults run(ExperimentConfig c, TaskSource tasks) {
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, null, StepListener.NONE).run()) {
      return o.results();
    }
  }

  @Test
  void separableTasksAreInferredAndCl3AccuracyIsCloseToCl1() {
    SeparableTasks tasks = new SeparableTasks(3, 400, 300, 11);
    RunResults r = run(SeparableTasks.experiment(3, 300), tasks);
    assertThat(r.primary()).isEqualTo("cl3/entropy");
    RunResults given = r.view(RunResults.TASK_GIVEN);
    RunResults inference = r.view("task-inference/entropy");
    assertThat(given.meanAfter()).as("cl1 %s", Arrays.toString(given.after())).isGreaterThan(95);
    for (double a : inference.after()) {
      assertThat(a).as("task inference after %s", Arrays.toString(inference.after())).isGreaterThanOrEqualTo(95);
    }
    assertThat(r.meanAfter()).as("cl3 %s against cl1 %s", Arrays.toString(r.after()), Arrays.toString(given.after()))
        .isGreaterThan(given.meanAfter() - 5);
    // Right after task 1, its own network is the only candidate.
    assertThat(inference.matrix()[0][0]).isEqualTo(100.0);
    // A sample is right in cl3 only if its task is: never above task inference.
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j <= i; j++) {
        assertThat(r.matrix()[i][j]).isLessThanOrEqualTo(inference.matrix()[i][j]);
      }
    }
    for (TaskInference.Score s : TaskInference.Score.values()) {
      assertThat(r.matrices()).containsKeys("cl3/" + s.id(), "task-inference/" + s.id());
    }
  }

  /**
   * Scoring only the current task's test set with the task inferred (and every one after the last
   * task) leaves the rest of the inferred rows NaN and keeps the diagonal and the last row of a
   * full run; the task-given matrix stays full. AUTO scores every row of a short run.
   */
  @Test
  void currentRowsKeepTheDiagonalAndTheLastRowOfAFullRun() {
    SeparableTasks tasks = new SeparableTasks(3, 200, 150, 13);
    ExperimentConfig full = SeparableTasks.experiment(3, 60);
    assertThat(full.settings().inferenceRows()).isEqualTo(LearnerSettings.InferenceRows.AUTO);
    ExperimentConfig current = full.withSettings(full.settings().toBuilder().inferenceRows(LearnerSettings.InferenceRows.CURRENT).build());
    RunResults a = run(full, tasks);
    RunResults c = run(current, tasks);
    for (String name : a.matrices().keySet()) {
      double[][] ma = a.matrices().get(name);
      double[][] mc = c.matrices().get(name);
      for (int i = 0; i < 3; i++) {
        for (int j = 0; j <= i; j++) {
          assertThat(ma[i][j]).as("%s [%d][%d] of the full run", name, i, j).isNotNaN();
          if (i == j || i == 2 || name.equals(RunResults.TASK_GIVEN)) {
            assertThat(mc[i][j]).as("%s [%d][%d]", name, i, j).isEqualTo(ma[i][j]);
          } else {
            assertThat(mc[i][j]).as("%s [%d][%d]", name, i, j).isNaN();
          }
        }
      }
    }
    RunResults cl3 = c.view("cl3/entropy");
    assertThat(cl3.forgetting()).isNotNaN().isCloseTo(-cl3.backwardTransfer(), org.assertj.core.api.Assertions.within(1e-9));
    assertThat(c.meanDuring()).isEqualTo(a.meanDuring());
    assertThat(c.meanAfter()).isEqualTo(a.meanAfter());
  }

  /** The learner's batched inference picks the task that CL1 predictions of every task would, by entropy. */
  @Test
  void inferenceAgreesWithTheArgminOverEveryTasksOwnPredictions() {
    agreesWithEveryTasksOwnPredictions(SeparableTasks.experiment(3, 150));
  }

  /**
   * The same for a classifier with its own weights (the baselines), whose candidates share one
   * pass of the network and read their own heads.
   */
  @Test
  void ownWeightsInferenceAgreesWithTheArgminOverEveryHeadsPredictions() {
    ExperimentConfig c = SeparableTasks.experiment(3, 150).withMethod(Method.TARGET_NETWORK);
    agreesWithEveryTasksOwnPredictions(c);
  }

  /**
   * Candidates whose weights are scored in groups (a bound on the bytes of weights held at once)
   * give every row the task and class that one pass over all of them does, whatever the group
   * size and in any candidate order.
   */
  @Test
  void candidatesInGroupsAreInferredAsAllAtOnce() {
    SeparableTasks tasks = new SeparableTasks(4, 300, 150, 14);
    ExperimentConfig config = SeparableTasks.experiment(4, 100);
    try (ContinualRunner.Outcome o = new ContinualRunner(config, tasks, null, StepListener.NONE).run()) {
      Learner l = (Learner) o.learner();
      int n = 0;
      for (int j = 0; j < 4; j++) {
        n += tasks.task(j).testSize();
      }
      float[] x = new float[n * SyntheticTasks.DIM];
      int at = 0;
      for (int j = 0; j < 4; j++) {
        float[] t = tasks.task(j).testX();
        System.arraycopy(t, 0, x, at, t.length);
        at += t.length;
      }
      long perCandidate = 4L * config.target().parameterCount();
      for (int[] candidates : new int[][] {{0, 1, 2, 3}, {3, 1, 0, 2}}) {
        assertThat(l.candidateGroupSize(candidates.length)).isEqualTo(4);
        var whole = l.inferTasks(x, n, candidates, null);
        assertThat(Arrays.stream(whole.get(TaskInference.Score.ENTROPY).tasks()).distinct().count()).isEqualTo(4);
        for (int group : new int[] {1, 3}) {
          l.candidateWeightBytes(group * perCandidate + 1);
          assertThat(l.candidateGroupSize(candidates.length)).isEqualTo(group);
          var grouped = l.inferTasks(x, n, candidates, null);
          for (TaskInference.Score s : TaskInference.Score.values()) {
            assertThat(grouped.get(s).tasks()).as("%s, groups of %d", s, group).containsExactly(whole.get(s).tasks());
            assertThat(grouped.get(s).classes()).as("%s, groups of %d", s, group).containsExactly(whole.get(s).classes());
          }
        }
        l.candidateWeightBytes(Learner.CANDIDATE_WEIGHT_BYTES);
      }
      assertThrows(IllegalArgumentException.class, () -> l.candidateWeightBytes(0));
    }
  }

  private static void agreesWithEveryTasksOwnPredictions(ExperimentConfig config) {
    SeparableTasks tasks = new SeparableTasks(3, 400, 300, 12);
    try (ContinualRunner.Outcome o = new ContinualRunner(config, tasks, null, StepListener.NONE).run()) {
      ContinualLearner l = o.learner();
      int disagree = 0;
      int total = 0;
      for (int j = 0; j < 3; j++) {
        TaskData d = tasks.task(j);
        int n = d.testSize();
        float[][] logits = new float[3][];
        for (int t = 0; t < 3; t++) {
          logits[t] = l.predict(t, d.testX(), n, null);
        }
        int[] inferred = l.inferTasks(d.testX(), n, new int[] {0, 1, 2}, null)
            .get(TaskInference.Score.ENTROPY).tasks();
        for (int i = 0; i < n; i++) {
          int best = 0;
          double bestH = Double.POSITIVE_INFINITY;
          for (int t = 0; t < 3; t++) {
            double a = logits[t][2 * i];
            double b = logits[t][2 * i + 1];
            double m = Math.max(a, b);
            double lse = m + Math.log(Math.exp(a - m) + Math.exp(b - m));
            double h = -(Math.exp(a - lse) * (a - lse) + Math.exp(b - lse) * (b - lse));
            if (h < bestH) {
              bestH = h;
              best = t;
            }
          }
          disagree += best == inferred[i] ? 0 : 1;
          total++;
        }
      }
      // Float rounding of near-ties may differ between the batched and the per-task pass.
      assertThat(disagree).as("%d of %d samples", disagree, total).isLessThanOrEqualTo(total / 100);
    }
  }

  /**
   * CL2 shares one head: the task inferred only picks the embedding, so a sample whose task is
   * inferred wrongly can still be classified right, and the task-given matrix is CL1-like.
   */
  @Test
  void cl2SharesOneHeadAndScoresTheClassAlone() {
    SyntheticTasks tasks = new SyntheticTasks(2, 400, 300, 3);
    ExperimentConfig c = SyntheticTasks.experiment(2, 200, 0.05f).withScenario(Scenario.CL2);
    assertThat(c.target().numHeads()).isEqualTo(1);
    assertThat(c.hypernetwork().targetSize()).isEqualTo(c.target().parameterCount());
    RunResults r = run(c, tasks);
    assertThat(r.primary()).isEqualTo("cl2/entropy");
    RunResults inference = r.view("task-inference/entropy");
    RunResults given = r.view(RunResults.TASK_GIVEN);
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j <= i; j++) {
        // Where the task is inferred right the prediction is the task-given one, so at least the
        // examples right both ways are right: inference + given − 100 (inclusion-exclusion).
        assertThat(r.matrix()[i][j]).isGreaterThanOrEqualTo(inference.matrix()[i][j] + given.matrix()[i][j] - 100 - 1e-9);
      }
    }
    assertThat(r.view(RunResults.TASK_GIVEN).meanDuring()).isGreaterThan(80);
    assertThat(inference.matrix()[0][0]).isEqualTo(100.0);
    assertThat(r.matrix()[0][0]).isEqualTo(r.view(RunResults.TASK_GIVEN).matrix()[0][0]);
  }

  @Test
  void cl3NeedsTheTaskRightAndCl2OnlyTheClass() {
    int[] labels = {0, 1, 1, 0};
    int[] classes = {0, 1, 0, 0};
    int[] tasks = {2, 2, 2, 1};
    assertThat(Metrics.inferredAccuracy(tasks, classes, labels, 2, false)).isEqualTo(50.0);
    assertThat(Metrics.inferredAccuracy(tasks, classes, labels, 2, true)).isEqualTo(75.0);
    assertThat(Metrics.taskAccuracy(tasks, 2)).isEqualTo(75.0);
    assertThrows(IllegalArgumentException.class, () -> Metrics.inferredAccuracy(tasks, classes, new int[3], 2, false));
  }

  @Test
  void scenariosThatCannotHoldAreRefused() {
    ExperimentConfig cl1 = SyntheticTasks.experiment(3, 10, 0.05f);
    IllegalArgumentException twoHeads = assertThrows(IllegalArgumentException.class,
        () -> new ExperimentConfig(cl1.name(), cl1.kind(), cl1.target(), cl1.hypernetwork(), 3, cl1.settings(), cl1.method(),
            Scenario.CL2, TaskInference.Score.ENTROPY));
    assertThat(twoHeads.getMessage()).contains("cl2 shares one output head").contains("3");
    ExperimentConfig toy = Experiments.toyRegression();
    assertThat(assertThrows(IllegalArgumentException.class, () -> toy.withScenario(Scenario.CL3)).getMessage())
        .contains("regression runs only in cl1");
    assertThat(assertThrows(IllegalArgumentException.class, () -> Scenario.parse("cl4")).getMessage()).contains("'cl4'");
  }
}
