package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.hypercl.graphs.TaskInference;
import org.junit.jupiter.api.Test;

/** The multitask upper bound and the baselines' class-incremental CL3. */
class MultitaskAndClassIncrementalTest {

  private static RunResults run(ExperimentConfig c, TaskSource tasks) {
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, null, StepListener.NONE).run()) {
      return o.results();
    }
  }

  private static ExperimentConfig synthetic(Method m) {
    return SyntheticTasks.experiment(3, 300, 0.05f).withMethod(m);
  }

  /**
   * On one task the multitask bound is the target network alone (the same batches, each on head
   * 0); on later tasks it keeps the earlier ones, which the target network alone forgets: its
   * batches come from every task so far, each example permuted as its task permutes.
   */
  @Test
  void multitaskSeesEveryPastTasksData() {
    SyntheticTasks tasks = new SyntheticTasks(3, 300, 200, 21);
    RunResults alone = run(synthetic(Method.TARGET_NETWORK), tasks);
    RunResults multi = run(synthetic(Method.MULTITASK), tasks);
    assertThat(multi.matrix()[0][0]).isEqualTo(alone.matrix()[0][0]);
    double[] a = alone.after();
    double[] m = multi.after();
    assertThat(m[0]).as("multitask after %s, target alone %s", Arrays.toString(m), Arrays.toString(a)).isGreaterThan(a[0] + 5);
    for (int t = 0; t < 3; t++) {
      assertThat(m[t]).as("task %d of multitask %s (right after: %s)", t, Arrays.toString(m),
          Arrays.toString(multi.during())).isGreaterThan(multi.during()[t] - 6);
    }
  }

  /**
   * In CL3 a baseline learns class-incrementally: training task 1 moves head 0's weights (its
   * classes are in the softmax, pushed down on task 1's inputs), which a head per task leaves alone.
   */
  @Test
  void classIncrementalTrainingReadsEveryHeadSoFar() {
    SeparableTasks tasks = new SeparableTasks(2, 200, 100, 31);
    ExperimentConfig cl3 = SeparableTasks.experiment(2, 40).withMethod(Method.TARGET_NETWORK);
    ExperimentConfig cl1 = cl3.withScenario(Scenario.CL1);
    assertThat(cl3.method().classIncremental(cl3)).isTrue();
    assertThat(cl1.method().classIncremental(cl1)).isFalse();
    assertThat(Method.HYPERNETWORK.classIncremental(SeparableTasks.experiment(2, 40))).isFalse();
    for (ExperimentConfig c : new ExperimentConfig[] {cl3, cl1}) {
      try (ContinualLearner l = c.method().create(c, 200)) {
        l.beginTask(0, tasks.task(0));
        for (int s = 0; s < 40; s++) {
          l.trainStep(0, s);
        }
        l.finishTask(0);
        float[] before = l.ownWeights().orElseThrow();
        l.beginTask(1, tasks.task(1));
        for (int s = 0; s < 40; s++) {
          l.trainStep(1, s);
        }
        float[] after = l.ownWeights().orElseThrow();
        // A 16-input linear net with 2 heads of 2: kernel [4, 16] (head 0 = rows 0, 1), then bias [4].
        double moved = 0;
        for (int o = 0; o < 2; o++) {
          for (int i = 0; i < 16; i++) {
            moved += Math.abs(after[o * 16 + i] - before[o * 16 + i]);
          }
          moved += Math.abs(after[64 + o] - before[64 + o]);
        }
        if (c.scenario() == Scenario.CL3) {
          assertThat(moved).as("head 0 moved in class-incremental training").isGreaterThan(0.01);
        } else {
          assertThat(moved).as("head 0 moved in task-incremental training").isZero();
        }
      }
    }
  }

  /**
   * The multitask bound in CL3 learns the classes of every task as one softmax and is read by
   * max-logit, its default headline; the target network alone, class-incremental, loses the
   * earlier tasks' classes to the last task's.
   */
  @Test
  void classIncrementalMultitaskReadsEveryClassSoFar() {
    SeparableTasks tasks = new SeparableTasks(3, 300, 200, 32);
    ExperimentConfig base = SeparableTasks.experiment(3, 300);
    ExperimentConfig multi = base.withMethod(Method.MULTITASK).withTaskInference(Method.MULTITASK.defaultTaskInference(Scenario.CL3));
    RunResults r = run(multi, tasks);
    assertThat(r.primary()).isEqualTo("cl3/max-logit");
    assertThat(r.meanAfter()).as("multitask cl3 %s", Arrays.toString(r.after())).isGreaterThan(90);
    RunResults alone = run(multi.withMethod(Method.TARGET_NETWORK), tasks);
    assertThat(alone.after()[0]).as("target alone cl3 %s", Arrays.toString(alone.after())).isLessThan(r.after()[0] - 20);
    assertThat(Method.EWC.defaultTaskInference(Scenario.CL3)).isEqualTo(TaskInference.Score.MAX_LOGIT);
    assertThat(Method.EWC.defaultTaskInference(Scenario.CL1)).isEqualTo(TaskInference.Score.ENTROPY);
    assertThat(Method.HYPERNETWORK.defaultTaskInference(Scenario.CL3)).isEqualTo(TaskInference.Score.ENTROPY);
  }

  /** A target network that keeps batch-norm statistics per task cannot mix tasks in a batch. */
  @Test
  void multitaskRefusesPerTaskBatchNorm() {
    ExperimentConfig resnet = Experiments.byName("split-cifar-resnet32");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resnet.withMethod(Method.MULTITASK));
    assertThat(e.getMessage()).contains("multitask").contains("batch-norm");
  }
}
