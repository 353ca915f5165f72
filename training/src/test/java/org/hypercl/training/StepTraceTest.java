package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A traced step names where its time went, and the first task's step leaves the regularizer out. */
class StepTraceTest {

  @Test
  void firstTaskStepsRunNoRegularizerAndLaterOnesDo() {
    SyntheticTasks tasks = new SyntheticTasks(2, 200, 50, 4);
    ExperimentConfig c = SyntheticTasks.experiment(2, 20, 0.05f);
    try (Learner learner = new Learner(c, 200)) {
      learner.beginTask(0, tasks.task(0));
      learner.trainStep(0, 0);
      StepTrace first = learner.traceStep(0, 1);
      for (int s = 2; s < 20; s++) {
        learner.trainStep(0, s);
      }
      learner.finishTask(0);
      learner.beginTask(1, tasks.task(1));
      StepTrace second = learner.traceStep(1, 0);
      float[] out = learner.trainStep(1, 1);
      assertThat(out[1]).as("the regularizer at task 2").isPositive();

      assertThat(first.nodes()).isNotEmpty();
      assertThat(first.nodes()).noneMatch(n -> n.name().contains("regularizer"));
      assertThat(second.nodes()).anyMatch(n -> n.name().contains("regularizer"));
      assertThat(second.nodes().size()).isGreaterThan(first.nodes().size());
      for (StepTrace t : List.of(first, second)) {
        assertThat(t.byOpType()).anyMatch(total -> total.key().contains("MatMul"));
        assertThat(t.byOpType().stream().mapToDouble(StepTrace.Total::micros).sum()).isEqualTo(t.nodeMicros());
        assertThat(t.byScope(1).stream().mapToInt(StepTrace.Total::count).sum()).isEqualTo(t.nodes().size());
        assertThat(t.spanMicros()).isPositive().isLessThanOrEqualTo(t.nodeMicros() + 1e6);
        assertThat(t.wallMicros()).isGreaterThanOrEqualTo(t.spanMicros() * 0.5);
        List<StepTrace.Node> slow = t.slowest(3);
        assertThat(slow).hasSize(3);
        assertThat(slow.get(0).micros()).isGreaterThanOrEqualTo(slow.get(2).micros());
      }
    }
  }

  @Test
  void scopesKeepTheFirstNameComponents() {
    assertThat(StepTrace.prefix("train/hnet/MatMul_3", 2)).isEqualTo("train/hnet");
    assertThat(StepTrace.prefix("train/hnet/MatMul_3", 5)).isEqualTo("train/hnet/MatMul_3");
    assertThat(StepTrace.prefix("MatMul", 1)).isEqualTo("MatMul");
    List<StepTrace.Total> mean = StepTrace.mean(List.of(
        List.of(new StepTrace.Total("a", 10, 2), new StepTrace.Total("b", 4, 1)),
        List.of(new StepTrace.Total("b", 30, 1))));
    assertThat(mean).containsExactly(new StepTrace.Total("b", 17, 1), new StepTrace.Total("a", 5, 1));
  }
}
