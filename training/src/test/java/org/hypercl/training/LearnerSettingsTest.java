package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearnerSettingsTest {

  @Test
  void defaultsAreThePaperToySettings() {
    LearnerSettings s = LearnerSettings.defaults();
    assertThat(s.iterations()).isEqualTo(4001);
    assertThat(s.batchSize()).isEqualTo(32);
    assertThat(s.learningRate()).isEqualTo(0.01f);
    assertThat(s.beta()).isEqualTo(0.005f);
    assertThat(s.lookahead()).isTrue();
    assertThat(s.seed()).isEqualTo(42);
  }

  /** Which rows get the task-inferred scores: the last always, the rest by mode; AUTO by the run's length. */
  @Test
  void inferenceRowsByModeAndLength() {
    LearnerSettings.InferenceRows all = LearnerSettings.InferenceRows.ALL;
    LearnerSettings.InferenceRows current = LearnerSettings.InferenceRows.CURRENT;
    LearnerSettings.InferenceRows auto = LearnerSettings.InferenceRows.AUTO;
    assertThat(all.everyTaskAfter(0, 100)).isTrue();
    assertThat(current.everyTaskAfter(98, 100)).isFalse();
    assertThat(current.everyTaskAfter(99, 100)).isTrue();
    assertThat(auto.everyTaskAfter(3, 10)).isTrue();
    assertThat(auto.everyTaskAfter(3, 11)).isFalse();
    assertThat(auto.everyTaskAfter(10, 11)).isTrue();
    LearnerSettings d = LearnerSettings.defaults();
    assertThat(d.inferenceRows()).isEqualTo(auto);
    // A config.json written before the setting existed has none: it reads as AUTO.
    assertThat(new LearnerSettings(d.seed(), d.iterations(), d.batchSize(), d.learningRate(), d.adamBeta1(), d.adamBeta2(),
        d.adamEpsilon(), d.beta(), d.lookahead(), d.regularizerTasks(), d.regularizerForm(), d.intraOpThreads(), d.interOpThreads(),
        d.evalBatchSize(), d.checkpointEvery(), d.epochs(), d.augment(), d.lrSchedule(), d.baselines(), d.replay(),
        d.maskOtherHeads(), null).inferenceRows()).isEqualTo(auto);
  }

  @Test
  void invalidValuesAreRejectedWithTheirName() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> LearnerSettings.defaults().toBuilder().beta(-1).build()))
        .hasMessageContaining("beta");
    assertThat(assertThrows(IllegalArgumentException.class, () -> LearnerSettings.defaults().toBuilder().batchSize(0).build()))
        .hasMessageContaining("batch size");
    assertThat(assertThrows(IllegalArgumentException.class, () -> LearnerSettings.defaults().toBuilder().learningRate(0).build()))
        .hasMessageContaining("lr=0");
  }

  @Test
  void learnerRefusesTasksOutOfOrderAndWrongShapes() {
    ExperimentConfig c = Experiments.toyRegression();
    TaskSource tasks = Experiments.toyTasks(1);
    try (Learner l = new Learner(c, tasks.maxTrainSize())) {
      assertThrows(IllegalStateException.class, () -> l.learnTask(1, tasks.task(1), StepListener.NONE));
      TaskData wide = new TaskData("wide", 2, 1, new float[] {1, 2}, new float[] {1}, new float[] {1, 2}, new float[] {1});
      assertThat(assertThrows(IllegalArgumentException.class, () -> l.learnTask(0, wide, StepListener.NONE)))
          .hasMessageContaining("width 2");
    }
  }
}
