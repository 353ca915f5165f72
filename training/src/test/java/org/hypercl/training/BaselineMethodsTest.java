package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EWC, online EWC, SI and the multitask bound as methods: parts, the zero-strength limit, resume. */
class BaselineMethodsTest {

  private static ExperimentConfig config(Method m, LearnerSettings.Baselines b) {
    ExperimentConfig c = SyntheticTasks.experiment(3, 120, 0.05f).withMethod(m);
    return c.withSettings(c.settings().toBuilder().baselines(b).checkpointEvery(50).build());
  }

  private static final LearnerSettings.Baselines STRONG = new LearnerSettings.Baselines(50f, 50f, 0.8f, 2f, 0.1f, false, 0);
  private static final LearnerSettings.Baselines ZERO = new LearnerSettings.Baselines(0f, 0f, 0.8f, 0f, 0.1f, false, 0);

  private static double[][] run(ExperimentConfig c, SyntheticTasks tasks) {
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, null, StepListener.NONE).run()) {
      return o.results().matrix();
    }
  }

  /** At strength 0 every baseline trains exactly as the target network alone (the Fisher passes change nothing). */
  @Test
  void zeroStrengthIsTheTargetNetworkAlone() {
    SyntheticTasks tasks = new SyntheticTasks(3, 200, 100, 11);
    double[][] alone = run(config(Method.TARGET_NETWORK, ZERO), tasks);
    for (Method m : new Method[] {Method.EWC, Method.ONLINE_EWC, Method.SI}) {
      assertThat(Arrays.deepEquals(run(config(m, ZERO), tasks), alone)).as("%s at strength 0", m).isTrue();
    }
    // And a real strength does change the result.
    assertThat(Arrays.deepEquals(run(config(Method.SI, STRONG), tasks), alone)).isFalse();
  }

  /**
   * Killed inside a task and resumed, each baseline ends where the uninterrupted run does: its state
   * is in the checkpoints (the multitask bound's earlier tasks' data is given again).
   */
  @Test
  void eachBaselineResumesToTheSameResults(@TempDir Path tmp) {
    SyntheticTasks tasks = new SyntheticTasks(3, 200, 100, 12);
    for (Method m : new Method[] {Method.EWC, Method.ONLINE_EWC, Method.SI, Method.MULTITASK}) {
      ExperimentConfig c = config(m, STRONG);
      double[][] straight = run(c, tasks);
      Path dir = tmp.resolve(m.name());
      StepListener crash = new StepListener() {
        @Override
        public void stepFinished(int t, int iteration, float taskLoss, float regLoss) {
          if (t == 2 && iteration == 70) {
            throw new IllegalStateException("simulated kill");
          }
        }
      };
      assertThrows(IllegalStateException.class, () -> new ContinualRunner(c, tasks, RunDirectory.createNew(dir), crash).run().close());
      try (ContinualRunner.Outcome o = new ContinualRunner(RunDirectory.open(dir).readConfig(), tasks, RunDirectory.open(dir), StepListener.NONE).run()) {
        assertThat(Arrays.deepEquals(o.results().matrix(), straight)).as("%s resumed %s, straight %s", m,
            Arrays.deepToString(o.results().matrix()), Arrays.deepToString(straight)).isTrue();
      }
    }
  }

  @Test
  void partsCarryTheirStrengths() {
    ExperimentConfig c = config(Method.ONLINE_EWC, STRONG);
    assertThat(c.method().parts(c).get(0).penalties()).containsExactly(new PartSpec.Ewc(50f, true, 0.8f, false, 0));
    assertThat(Method.SI.parts(c).get(0).penalties()).containsExactly(new PartSpec.Si(2f, 0.1f));
    assertThat(Experiments.baselineDefaults("split-mnist", Scenario.CL3).onlineEwcLambda()).isEqualTo(1e9f);
    assertThat(Experiments.baselineDefaults("permuted-mnist-10", Scenario.CL2).onlineEwcGamma()).isEqualTo(0.9f);
  }
}
