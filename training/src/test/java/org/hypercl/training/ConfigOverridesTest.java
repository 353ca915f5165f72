package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hypercl.graphs.MlpSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigOverridesTest {

  private static ExperimentConfig apply(ExperimentConfig c, String... assignments) {
    return ConfigOverrides.apply(c, ConfigOverrides.parse(List.of(assignments)));
  }

  @Test
  void dottedPathsAndPointersSetValues() {
    ExperimentConfig split = Experiments.splitMnist();
    ExperimentConfig c = apply(split, "settings.beta=0.05", "/settings/batchSize=64", "hypernetwork.hidden=[5,5]",
        "hypernetwork.activation=elu", "settings.lookahead=false", "experiment=my-split");
    assertThat(c.settings().beta()).isEqualTo(0.05f);
    assertThat(c.settings().batchSize()).isEqualTo(64);
    assertThat(c.hypernetwork().hidden()).containsExactly(5, 5);
    assertThat(c.hypernetwork().activation().name()).isEqualTo("ELU");
    assertThat(c.settings().lookahead()).isFalse();
    assertThat(c.name()).isEqualTo("my-split");
    // Everything else as it was.
    assertThat(c.settings().iterations()).isEqualTo(split.settings().iterations());
    assertThat(c.target()).isEqualTo(split.target());
    assertThat(ConfigOverrides.apply(split, Map.of())).isSameAs(split);
  }

  /** A changed target drags the hypernetwork's output size along. */
  @Test
  void hypernetworkFollowsTheTarget() {
    ExperimentConfig c = apply(Experiments.splitMnist(), "target.hidden=[100,100]");
    assertThat(((MlpSpec) c.target()).hidden()).containsExactly(100, 100);
    assertThat(c.hypernetwork().targetSize()).isEqualTo(c.target().parameterCount()).isEqualTo(784L * 100 + 100 + 100 * 100 + 100 + 100 * 10 + 10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> apply(Experiments.splitMnist(), "target.hidden=[100,100]", "hypernetwork.targetSize=5"));
    assertThat(e.getMessage()).contains("hypernetwork produces 5 weights");
  }

  @Test
  void badPathsAndValuesAreNamed() {
    ExperimentConfig split = Experiments.splitMnist();
    assertThat(assertThrows(IllegalArgumentException.class, () -> apply(split, "settings.bta=0.1")).getMessage())
        .contains("settings.bta").contains("no field 'bta'").contains("beta");
    assertThat(assertThrows(IllegalArgumentException.class, () -> apply(split, "setings.beta=0.1")).getMessage())
        .contains("the experiment has no field 'setings'");
    assertThat(assertThrows(IllegalArgumentException.class, () -> apply(split, "settings.beta.x=1")).getMessage())
        .contains("single value");
    assertThat(assertThrows(IllegalArgumentException.class, () -> apply(split, "hypernetwork.hidden.7=3")).getMessage())
        .contains("no index 7");
    assertThat(assertThrows(IllegalArgumentException.class, () -> apply(split, "settings.batchSize=many")).getMessage())
        .contains("settings.batchSize");
    assertThat(assertThrows(IllegalArgumentException.class, () -> apply(split, "settings.batchSize=-4")).getMessage())
        .contains("batch size").contains("-4");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConfigOverrides.parse(List.of("beta"))).getMessage())
        .contains("PATH=VALUE");
  }

  /** A run's config.json is a config file: read back, it is the experiment that was written. */
  @Test
  void aRunsConfigJsonReadsAsAConfigFile(@TempDir Path tmp) throws Exception {
    ExperimentConfig c = apply(Experiments.permutedMnist(10), "settings.beta=0.1").withScenario(Scenario.CL2);
    try (RunDirectory run = RunDirectory.createNew(tmp.resolve("run"))) {
      run.writeConfig(c, Experiments.toyTasks(1));
    }
    assertThat(ConfigOverrides.read(tmp.resolve("run").resolve(RunDirectory.CONFIG))).isEqualTo(c);
    Path bad = tmp.resolve("bad.json");
    Files.writeString(bad, "{\"experiment\": \"x\"}");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConfigOverrides.read(bad)).getMessage())
        .contains("bad.json").contains("kind");
    Files.writeString(bad, "[1]");
    assertThat(assertThrows(IllegalArgumentException.class, () -> ConfigOverrides.read(bad)).getMessage()).contains("not a JSON object");
  }
}
