package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepSpecTest {

  private static SweepSpec spec(String json) {
    try {
      return SweepSpec.parse(JsonFiles.MAPPER.readTree(json.replace('\'', '"')), null);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String error(String json) {
    return assertThrows(IllegalArgumentException.class, () -> spec(json).expand()).getMessage();
  }

  private static Map<String, JsonNode> map(String json) {
    try {
      Map<String, JsonNode> out = new LinkedHashMap<>();
      JsonFiles.MAPPER.readTree(json.replace('\'', '"')).properties().forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void gridIsTheCartesianProductInSpecOrderTimesTheSeeds() {
    SweepSpec s = spec("{'name': 'g', 'experiment': 'split-mnist', 'set': {'settings.iterations': 50},"
        + " 'grid': {'settings.beta': [0.001, 0.01, 0.1], '/hypernetwork/hidden': [[10, 10], [25]]}, 'seeds': [1, 2]}");
    List<SweepRun> runs = s.expand();
    assertThat(runs).hasSize(3 * 2 * 2);
    assertThat(s.plannedConfigurations()).isEqualTo(6);
    // The first grid path varies slowest, the seeds fastest; paths are normalised to the dotted form.
    assertThat(runs.stream().map(r -> r.overrides().get("settings.beta") + " " + r.overrides().get("hypernetwork.hidden") + " " + r.seed()))
        .containsExactly(
            "0.001 [10,10] 1", "0.001 [10,10] 2", "0.001 [25] 1", "0.001 [25] 2",
            "0.01 [10,10] 1", "0.01 [10,10] 2", "0.01 [25] 1", "0.01 [25] 2",
            "0.1 [10,10] 1", "0.1 [10,10] 2", "0.1 [25] 1", "0.1 [25] 2");
    assertThat(runs.get(0).overrides().keySet()).containsExactly("settings.iterations", "settings.beta", "hypernetwork.hidden");
    assertThat(runs.get(0).setArguments()).containsExactly("--set", "settings.iterations=50", "--set", "settings.beta=0.001",
        "--set", "hypernetwork.hidden=[10,10]");
    // A seed's runs share the configuration's name; the run's name adds the seed.
    assertThat(runs.get(0).config()).isEqualTo(runs.get(1).config()).matches("[0-9a-f]{10}");
    assertThat(runs.get(0).name()).isEqualTo(runs.get(0).config() + "-seed1");
    assertThat(runs.stream().map(SweepRun::config).distinct()).hasSize(6);
    assertThat(runs.stream().map(SweepRun::name).distinct()).hasSize(12);
    // Expanding again gives the same runs.
    assertThat(s.expand()).isEqualTo(runs);
  }

  @Test
  void namesDependOnTheOverridesNotOnTheirOrderOrSpelling() {
    String a = SweepSpec.configName(map("{'settings.beta': 0.01, 'hypernetwork.hidden': [10, 10], 'x': {'b': 1, 'a': 2}}"));
    String b = SweepSpec.configName(map("{'x': {'a': 2, 'b': 1.0}, 'hypernetwork.hidden': [10, 10], 'settings.beta': 0.010}"));
    assertThat(a).isEqualTo(b);
    assertThat(SweepSpec.configName(map("{'settings.beta': 0.02, 'hypernetwork.hidden': [10, 10], 'x': {'b': 1, 'a': 2}}"))).isNotEqualTo(a);
    assertThat(SweepSpec.configName(map("{'hypernetwork.hidden': [10, 10]}"))).isNotEqualTo(SweepSpec.configName(map("{'hypernetwork.hidden': [10]}")));
    // The same configuration is named alike in two specs that list it differently.
    SweepRun one = spec("{'name': 'a', 'experiment': 'split-mnist', 'grid': {'settings.beta': [0.01], 'settings.lookahead': [false]}, 'seeds': [7]}")
        .expand().get(0);
    SweepRun two = spec("{'name': 'b', 'experiment': 'split-mnist', 'set': {'/settings/lookahead': false}, 'grid': {'settings.beta': [0.01, 0.1]}, 'seeds': [3, 7]}")
        .expand().get(1);
    assertThat(two.name()).isEqualTo(one.name());
  }

  @Test
  void randomSamplesAreReproducibleFromTheSeedAndInTheirRanges() {
    String json = "{'name': 'r', 'experiment': 'split-mnist', 'grid': {'settings.lookahead': [true, false]},"
        + " 'random': {'count': 40, 'seed': SEED, 'ranges': {"
        + "'settings.learningRate': {'logUniform': [1e-5, 1e-1]}, 'settings.beta': {'uniform': [0.5, 2]},"
        + "'settings.batchSize': {'intUniform': [16, 20]}, 'hypernetwork.activation': {'choice': ['relu', 'elu']}}}}";
    List<SweepRun> runs = spec(json.replace("SEED", "5")).expand();
    assertThat(runs).hasSize(2 * 40);
    assertThat(spec(json.replace("SEED", "5")).expand()).isEqualTo(runs);
    assertThat(spec(json.replace("SEED", "6")).expand()).isNotEqualTo(runs);
    // Each grid point gets the same samples.
    for (int i = 0; i < 40; i++) {
      Map<String, JsonNode> first = new LinkedHashMap<>(runs.get(i).overrides());
      Map<String, JsonNode> second = new LinkedHashMap<>(runs.get(40 + i).overrides());
      first.remove("settings.lookahead");
      second.remove("settings.lookahead");
      assertThat(second).isEqualTo(first);
    }
    List<Double> lr = runs.stream().map(r -> r.overrides().get("settings.learningRate").asDouble()).toList();
    assertThat(lr).allSatisfy(v -> assertThat(v).isBetween(1e-5, 1e-1));
    // Log-uniform: about a quarter of the draws in each decade, so some below 1e-4 and some above 1e-2.
    assertThat(lr.stream().filter(v -> v < 1e-4).count()).isGreaterThan(3);
    assertThat(lr.stream().filter(v -> v > 1e-2).count()).isGreaterThan(3);
    assertThat(runs).allSatisfy(r -> {
      assertThat(r.overrides().get("settings.beta").asDouble()).isBetween(0.5, 2.0);
      assertThat(r.overrides().get("settings.batchSize").isIntegralNumber()).isTrue();
      assertThat(r.overrides().get("settings.batchSize").asInt()).isBetween(16, 20);
      assertThat(r.overrides().get("hypernetwork.activation").asText()).isIn("relu", "elu");
    });
    assertThat(runs.stream().map(r -> r.overrides().get("settings.batchSize").asInt()).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(16, 17, 18, 19, 20);
    // Six significant digits.
    assertThat(runs).allSatisfy(r -> assertThat(r.overrides().get("settings.beta").decimalValue().precision()).isLessThanOrEqualTo(6));
  }

  @Test
  void conditionsApplyOnlyWhereTheirValuesMatch() {
    SweepSpec s = spec("{'name': 'c', 'experiment': 'split-mnist', 'grid': {'hypernetwork.chunkSize': [0, 4000],"
        + " 'settings.beta': [0.01, 0.1]}, 'conditions': ["
        + "{'when': {'hypernetwork.chunkSize': 0}, 'set': {'hypernetwork.chunkEmbeddingDim': 0}},"
        + "{'when': {'hypernetwork.chunkSize': 4000, 'settings.beta': 0.1}, 'set': {'settings.lookahead': false}},"
        + "{'when': {'settings.learningRate': 0.001}, 'set': {'settings.batchSize': 64}},"
        + "{'when': {'settings.learningRate': 0.5}, 'set': {'settings.batchSize': 7}}]}");
    List<SweepRun> runs = s.expand();
    assertThat(runs).hasSize(4);
    for (SweepRun r : runs) {
      boolean full = r.overrides().get("hypernetwork.chunkSize").asInt() == 0;
      boolean strong = r.overrides().get("settings.beta").asDouble() == 0.1;
      assertThat(r.overrides().containsKey("hypernetwork.chunkEmbeddingDim")).isEqualTo(full);
      assertThat(r.overrides().containsKey("settings.lookahead")).isEqualTo(!full && strong);
      // The base's learning rate (a float, 0.001f) matches 0.001; 0.5 does not.
      assertThat(r.overrides().get("settings.batchSize").asInt()).isEqualTo(64);
      ExperimentConfig c = ConfigOverrides.apply(s.base(), r.overrideTexts());
      assertThat(c.hypernetwork().chunkEmbeddingDim()).isEqualTo(full ? 0 : 96);
    }
    // Without the condition the full hypernetwork (chunk size 0 with chunk embeddings) is invalid, and it says which.
    assertThat(error("{'name': 'c', 'experiment': 'split-mnist', 'grid': {'hypernetwork.chunkSize': [4000, 0]}}"))
        .contains("configuration hypernetwork.chunkSize=0").contains("chunk embedding size");
  }

  @Test
  void seedsDefaultToTheBasesAndConfigIsRelativeToTheSpec(@TempDir Path tmp) throws Exception {
    assertThat(spec("{'name': 'one', 'experiment': 'toy-regression'}").expand())
        .singleElement().satisfies(r -> {
          assertThat(r.seed()).isEqualTo(LearnerSettings.SEED_DEFAULT);
          assertThat(r.overrides()).isEmpty();
        });
    Path sub = Files.createDirectories(tmp.resolve("sub"));
    JsonFiles.write(sub.resolve("base.json"), ConfigOverrides.apply(Experiments.toyRegression(), Map.of("settings.beta", "0.5")));
    Files.writeString(sub.resolve("spec.json"), "{\"name\": \"f\", \"config\": \"base.json\", \"grid\": {\"settings.lr\": [1]}}");
    // The file is named first, then the field and the path.
    assertThat(assertThrows(IllegalArgumentException.class, () -> SweepSpec.read(sub.resolve("spec.json"))).getMessage())
        .startsWith(sub.resolve("spec.json").toString()).contains("grid: override path 'settings.lr'").contains("learningRate");
    Files.writeString(sub.resolve("spec.json"), "{\"name\": \"f\", \"config\": \"base.json\", \"seeds\": [3, 4]}");
    SweepSpec s = SweepSpec.read(sub.resolve("spec.json"));
    assertThat(s.config()).isEqualTo(sub.resolve("base.json").toAbsolutePath());
    assertThat(s.base().settings().beta()).isEqualTo(0.5f);
    assertThat(s.expand()).extracting(SweepRun::seed).containsExactly(3L, 4L);
  }

  @Test
  void badSpecsFailNamingTheField() {
    String ok = "'name': 'x', 'experiment': 'split-mnist'";
    assertThat(error("{" + ok + ", 'grd': {}}")).contains("unknown field 'grd'").contains("grid");
    assertThat(error("{'experiment': 'split-mnist'}")).contains("name: is required");
    assertThat(error("{'name': 'x'}")).contains("\"experiment\"").contains("neither");
    assertThat(error("{'name': 'x', 'experiment': 'split-mnist', 'config': 'c.json'}")).contains("not both");
    assertThat(error("{'name': 'x', 'experiment': 'nope'}")).contains("experiment: unknown experiment 'nope'");
    assertThat(error("{" + ok + ", 'set': {'settings.bta': 1}}")).contains("set: override path 'settings.bta'").contains("beta");
    assertThat(error("{" + ok + ", 'grid': {'settings.beta': 0.1}}")).contains("grid.settings.beta: must be a non-empty list");
    assertThat(error("{" + ok + ", 'grid': {'settings.beta': [0.1, 0.10]}}")).contains("listed twice");
    assertThat(error("{" + ok + ", 'grid': {'settings.seed': [1, 2]}}")).contains("grid: 'settings.seed'").contains("\"seeds\"");
    assertThat(error("{" + ok + ", 'set': {'settings.beta': 1}, 'grid': {'/settings/beta': [1, 2]}}"))
        .contains("'settings.beta' is both in set and in grid");
    assertThat(error("{" + ok + ", 'random': {'count': 2, 'seed': 1, 'ranges': {'settings.beta': {'logUniform': [0, 1]}}}}"))
        .contains("random.ranges.settings.beta.logUniform: needs 0 < a");
    assertThat(error("{" + ok + ", 'random': {'count': 2, 'ranges': {'settings.beta': {'uniform': [0, 1]}}}}"))
        .contains("random.seed");
    assertThat(error("{" + ok + ", 'random': {'count': 2, 'seed': 1, 'ranges': {'settings.beta': {'normal': [0, 1]}}}}"))
        .contains("random.ranges.settings.beta: must be one of");
    assertThat(error("{" + ok + ", 'random': {'count': 1, 'seed': 1, 'ranges': {'hypernetwork.hiden': {'choice': [[1]]}}}}"))
        .contains("random.ranges: override path 'hypernetwork.hiden'");
    assertThat(error("{" + ok + ", 'conditions': [{'when': {'settings.beta': 1}}]}")).contains("conditions[0]: needs both");
    assertThat(error("{" + ok + ", 'conditions': [{'when': {'settings.bet': 1}, 'set': {'settings.lookahead': false}}]}"))
        .contains("conditions[0].when: override path 'settings.bet'");
    assertThat(error("{" + ok + ", 'grid': {'settings.beta': [1, 2]}, 'conditions': [{'when': {'settings.lookahead': true}, 'set': {'settings.beta': 3}}]}"))
        .contains("conditions[0].set: 'settings.beta' is swept by grid");
    assertThat(error("{" + ok + ", 'seeds': [1, 1]}")).contains("seeds: 1 is listed twice");
    assertThat(error("{" + ok + ", 'seeds': ['a']}")).contains("seeds: \"a\" is not an integer");
    for (String flag : List.of("--run-dir", "--seed=3", "--resume", "--experiment", "--config", "--set", "--baselines")) {
      String name = flag.replaceAll("=.*", "");
      assertThat(error("{" + ok + ", 'train': ['--iterations', '5', '" + flag + "', 'x']}")).contains("train: '" + name + "' may not be given");
    }
    assertThat(error("{" + ok + ", 'train': ['5']}")).contains("train: the arguments must start with a flag");
    // Values are validated too, when each configuration is applied.
    assertThat(error("{" + ok + ", 'grid': {'settings.batchSize': [32, -4]}}")).contains("configuration settings.batchSize=-4").contains("batch size");
  }

  @Test
  void duplicateConfigurationsAreDroppedAndValuesCompareByValue() {
    // Two draws of three from two choices must repeat one.
    List<SweepRun> runs = spec("{'name': 'd', 'experiment': 'split-mnist', 'random': {'count': 3, 'seed': 1,"
        + " 'ranges': {'settings.lookahead': {'choice': [true, false]}}}}").expand();
    assertThat(runs).hasSizeLessThanOrEqualTo(2);
    assertThat(runs.stream().map(SweepRun::name).distinct()).hasSameSizeAs(runs);
    assertThat(SweepSpec.sameValue(map("{'a': 1}").get("a"), map("{'a': 1.0}").get("a"))).isTrue();
    assertThat(SweepSpec.sameValue(map("{'a': [1, 2]}").get("a"), map("{'a': [1, 2.5]}").get("a"))).isFalse();
    assertThat(ConfigOverrides.normalPath("/settings/beta")).isEqualTo("settings.beta");
    assertThat(ConfigOverrides.normalPath("/a.b/c")).isEqualTo("/a.b/c");
  }
}
