package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.hypercl.graphs.TaskInference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped experiment configurations: their exact sizes, and their config.json round trip. */
class ExperimentsTest {

  private static void counts(ExperimentConfig c, long target, int chunks, long hnet, long embeddings) {
    assertThat(c.target().parameterCount()).as("%s %s target", c.name(), c.scenario()).isEqualTo(target);
    assertThat(c.hypernetwork().targetSize()).isEqualTo(target);
    assertThat(c.hypernetwork().numChunks()).as("%s %s chunks", c.name(), c.scenario()).isEqualTo(chunks);
    assertThat(c.hypernetwork().parameterCount()).as("%s %s hypernetwork", c.name(), c.scenario()).isEqualTo(hnet);
    assertThat((long) c.numTasks() * c.hypernetwork().embeddingDim()).isEqualTo(embeddings);
  }

  /** The paper's counts (and the reference code's, for the CL2 single-head targets). */
  @Test
  void shippedConfigurationsHaveThePapersParameterCounts() {
    ExperimentConfig toy = Experiments.byName("toy-regression");
    assertThat(toy.target().parameterCount()).isEqualTo(141);
    ExperimentConfig split = Experiments.byName("split-mnist");
    counts(split, 478_410, 12, 465_192, 480);
    counts(split.withScenario(Scenario.CL3), 478_410, 12, 465_192, 480);
    counts(split.withScenario(Scenario.CL2), 475_202, 12, 465_192, 480);
    ExperimentConfig p10 = Experiments.byName("permuted-mnist-10");
    counts(p10, 2_126_100, 28, 2_029_699, 240);
    counts(p10.withScenario(Scenario.CL2), 2_036_010, 27, 2_029_691, 240);
    assertThat(Experiments.byName("permuted-mnist-100").target().parameterCount()).isEqualTo(3_027_000);
    // Back to a head per task from cl2.
    assertThat(p10.withScenario(Scenario.CL2).withScenario(Scenario.CL3).target().parameterCount()).isEqualTo(2_126_100);
    // Split CIFAR-10/100: six heads of ten.
    counts(Experiments.byName("split-cifar-resnet32"), 468_540, 67, 457_144, 192);
    counts(Experiments.byName("split-cifar-zenkenet"), 1_276_508, 233, 1_182_390, 288);
    assertThat(Experiments.sequenceOf("split-cifar-zenkenet")).isEqualTo("split-cifar-10-100-unit");
    assertThat(Experiments.sequenceOf("split-cifar-resnet32-si")).isEqualTo("split-cifar-10-100-imagenet");
    assertThat(Experiments.sequenceOf("permuted-mnist-10")).isEqualTo("permuted-mnist-10");
  }

  /** Epochs turn into steps per task by the task's size; without them every task takes the fixed count. */
  @Test
  void epochsGiveStepsByTaskSize() {
    LearnerSettings resnet = Experiments.splitCifarResNet32().settings();
    assertThat(resnet.iterationsFor(50_000)).isEqualTo(200 * 1_563);
    assertThat(resnet.iterationsFor(5_000)).isEqualTo(200 * 157);
    LearnerSettings zenke = Experiments.splitCifarZenkeNet().settings();
    assertThat(zenke.iterationsFor(5_000)).isEqualTo(80 * 20);
    assertThat(zenke.adamBeta1()).isEqualTo(0.5f);
    assertThat(Experiments.splitMnist().settings().iterationsFor(12_000)).isEqualTo(2000);
    assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> resnet.toBuilder().epochs(-1).build()).getMessage()).contains("epochs");
  }

  /**
   * The reference's ResNet-32 step schedule, with its timing: the factor of epoch e applies from
   * step e·E + 1 (the scheduler steps after the update of iteration e·E).
   */
  @Test
  void resNetStepScheduleFollowsTheReferencesEpochCount() {
    LearnerSettings.LrSchedule s = Experiments.splitCifarResNet32().settings().lrSchedule();
    assertThat(s).isEqualTo(LearnerSettings.LrSchedule.RESNET_STEPS);
    int e = 10;
    assertThat(s.factor(0, e)).isEqualTo(1f);
    assertThat(s.factor(81 * e, e)).isEqualTo(1f);
    assertThat(s.factor(81 * e + 1, e)).isEqualTo(0.1f);
    assertThat(s.factor(121 * e + 1, e)).isEqualTo(0.01f);
    assertThat(s.factor(161 * e + 1, e)).isEqualTo(0.001f);
    assertThat(s.factor(181 * e, e)).isEqualTo(0.001f);
    assertThat(s.factor(181 * e + 1, e)).isEqualTo(0.0005f);
    assertThat(LearnerSettings.LrSchedule.CONSTANT.factor(5000, e)).isEqualTo(1f);
    assertThat(Experiments.splitCifarZenkeNet().settings().lrSchedule()).isEqualTo(LearnerSettings.LrSchedule.CONSTANT);
  }

  private static final TaskSource NO_DATA = new TaskSource() {
    @Override
    public String name() {
      return "none";
    }

    @Override
    public int numTasks() {
      return 0;
    }

    @Override
    public int maxTrainSize() {
      return 0;
    }

    @Override
    public TaskData task(int i) {
      throw new UnsupportedOperationException();
    }
  };

  /** Every shipped experiment, method and scenario reads back from config.json as it was written. */
  @Test
  void configJsonRoundTripsEveryShippedExperiment(@TempDir Path tmp) {
    int n = 0;
    for (String name : Experiments.NAMES) {
      if (name.equals("split-mnist-classes")) {
        continue; // class-incremental: below
      }
      ExperimentConfig base = Experiments.byName(name);
      List<ExperimentConfig> variants = new java.util.ArrayList<>(List.of(base, base.asFineTuning(), base.asTargetNetworkOnly(),
          base.withMethod(Method.SI)));
      if (base.target() instanceof org.hypercl.graphs.MlpSpec) {
        variants.add(base.withMethod(Method.EWC));
        variants.add(base.withMethod(Method.ONLINE_EWC));
      }
      if (base.kind() == TaskKind.CLASSIFICATION && base.target() instanceof org.hypercl.graphs.MlpSpec) {
        for (Method m : new Method[] {Method.HNET_R, Method.HNET_TIR, Method.DGR, Method.RPL_UB}) {
          variants.add(base.withMethod(m));
        }
      }
      for (ExperimentConfig c : variants) {
        for (Scenario s : Scenario.values()) {
          if (s != Scenario.CL1 && (c.kind() != TaskKind.CLASSIFICATION
              || !(c.target() instanceof org.hypercl.graphs.MlpSpec) && c.method() != Method.HYPERNETWORK)) {
            continue;
          }
          n += roundTrip(tmp.resolve("run" + n), c.withScenario(s).withTaskInference(TaskInference.Score.ENERGY));
        }
      }
    }
    // toy: CL1 only; four MLP classifiers in three scenarios, ten methods; two conv classifiers in CL1, four methods
    // (no EWC), and their two hypernetwork variants (hnet, fine-tuning) in CL2 and CL3.
    assertThat(n).isEqualTo(6 + 4 * 10 * 3 + 2 * 4 + 2 * 2 * 2);
    ExperimentConfig classes = Experiments.byName("split-mnist-classes");
    for (Method m : new Method[] {Method.HNET_R, Method.DGR, Method.RPL_UB}) {
      roundTrip(tmp.resolve("classes-" + m), classes.withMethod(m));
    }
  }

  private static int roundTrip(Path dir, ExperimentConfig written) {
    try (RunDirectory run = RunDirectory.createNew(dir)) {
      run.writeConfig(written, NO_DATA);
    }
    assertThat(RunDirectory.open(dir).readConfig()).as("%s %s", written.name(), written.scenario()).isEqualTo(written);
    return 1;
  }

  /** One class per task is class-incremental: cl3 with a replay method; the hypernetwork classifier and other scenarios are refused. */
  @Test
  void singleClassTasksNeedAReplayMethodInCl3() {
    ExperimentConfig classes = Experiments.byName("split-mnist-classes");
    assertThat(classes.scenario()).isEqualTo(Scenario.CL3);
    assertThat(classes.target().parameterCount()).isEqualTo(784 * 400 + 400 + 400 * 400 + 400 + 400 * 10 + 10);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> classes.withMethod(Method.HYPERNETWORK));
    assertThat(e.getMessage()).contains("class-incremental").contains("hypernetwork");
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> classes.withScenario(Scenario.CL1));
  }

  /** config.json lists the learner's parts with type tags; one that disagrees with the method is refused. */
  @Test
  void partsAreWrittenWithTypeTagsAndCheckedOnRead(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    try (RunDirectory run = RunDirectory.createNew(dir)) {
      run.writeConfig(Experiments.splitMnist(), NO_DATA);
    }
    com.fasterxml.jackson.databind.JsonNode parts = JsonFiles.read(dir.resolve(RunDirectory.CONFIG)).get("parts");
    assertThat(parts.size()).isEqualTo(1);
    assertThat(parts.at("/0/weights/type").asText()).isEqualTo("generated");
    assertThat(parts.at("/0/weights/hypernetwork/chunkSize").asInt()).isEqualTo(42_000);
    assertThat(parts.at("/0/penalties/0/type").asText()).isEqualTo("output-regularizer");
    assertThat(parts.at("/0/penalties/0/beta").floatValue()).isEqualTo(0.01f);

    String text = java.nio.file.Files.readString(dir.resolve(RunDirectory.CONFIG));
    java.nio.file.Files.writeString(dir.resolve(RunDirectory.CONFIG), text.replace("\"output-regularizer\"", "\"l2-anchor\""));
    assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RunDirectory.open(dir).readConfig()).getMessage()).contains("config.json").contains("l2-anchor");
    com.fasterxml.jackson.databind.node.ObjectNode edited = (com.fasterxml.jackson.databind.node.ObjectNode) JsonFiles.MAPPER.readTree(text);
    ((com.fasterxml.jackson.databind.node.ObjectNode) edited.at("/parts/0/penalties/0")).put("lookahead", false);
    JsonFiles.write(dir.resolve(RunDirectory.CONFIG), edited);
    assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RunDirectory.open(dir).readConfig()).getMessage()).contains("field 'parts'");
  }

  /**
   * The CIFAR experiments leave other heads out of the regularizer, in settings and in their part;
   * a config.json from before the setting reads as regularizing every weight.
   */
  @Test
  void cifarExperimentsMaskOtherHeadsAndOlderFilesDoNot(@TempDir Path tmp) throws Exception {
    for (ExperimentConfig c : List.of(Experiments.splitCifarResNet32(), Experiments.splitCifarZenkeNet())) {
      assertThat(c.settings().maskOtherHeads()).as(c.name()).isTrue();
      assertThat(c.method().parts(c).get(0).penalties()).singleElement()
          .isInstanceOfSatisfying(PartSpec.OutputRegularization.class, r -> assertThat(r.maskOtherHeads()).isTrue());
    }
    assertThat(Experiments.splitMnist().settings().maskOtherHeads()).isFalse();
    Path dir = tmp.resolve("run");
    ExperimentConfig cifar = Experiments.splitCifarResNet32();
    try (RunDirectory run = RunDirectory.createNew(dir)) {
      run.writeConfig(cifar, NO_DATA);
    }
    Path file = dir.resolve(RunDirectory.CONFIG);
    com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode) JsonFiles.read(file);
    assertThat(n.at("/parts/0/penalties/0/maskOtherHeads").asBoolean()).isTrue();
    ((com.fasterxml.jackson.databind.node.ObjectNode) n.get("settings")).remove("maskOtherHeads");
    ((com.fasterxml.jackson.databind.node.ObjectNode) n.at("/parts/0/penalties/0")).remove("maskOtherHeads");
    JsonFiles.write(file, n);
    ExperimentConfig old = RunDirectory.open(dir).readConfig();
    assertThat(old.settings().maskOtherHeads()).isFalse();
    assertThat(old.settings()).isEqualTo(cifar.settings().toBuilder().maskOtherHeads(false).build());
  }

  /**
   * The experiment is config.json's top level: fields by name, scenario and score by id. A file
   * from before scenarios reads as CL1 with entropy; an unknown field or a bad value is refused by name.
   */
  @Test
  void configJsonTopLevelIsTheExperimentRecord(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    ExperimentConfig cl3 = Experiments.splitMnist().withScenario(Scenario.CL3).withTaskInference(TaskInference.Score.MAX_SOFTMAX);
    try (RunDirectory run = RunDirectory.createNew(dir)) {
      run.writeConfig(cl3, NO_DATA);
    }
    Path file = dir.resolve(RunDirectory.CONFIG);
    com.fasterxml.jackson.databind.node.ObjectNode n = (com.fasterxml.jackson.databind.node.ObjectNode) JsonFiles.read(file);
    assertThat(n.get("experiment").asText()).isEqualTo("split-mnist");
    assertThat(n.get("scenario").asText()).isEqualTo("cl3");
    assertThat(n.get("taskInference").asText()).isEqualTo("max-softmax");
    assertThat(n.get("method").asText()).isEqualTo("HYPERNETWORK");
    assertThat(n.at("/target/type").asText()).isEqualTo("mlp");
    assertThat(n.at("/settings/iterations").asInt()).isEqualTo(cl3.settings().iterations());
    assertThat(n.fieldNames()).toIterable().startsWith("experiment", "kind", "method", "scenario", "taskInference");

    com.fasterxml.jackson.databind.node.ObjectNode old = n.deepCopy();
    old.remove(java.util.List.of("method", "scenario", "taskInference", "parts"));
    JsonFiles.write(file, old);
    ExperimentConfig read = RunDirectory.open(dir).readConfig();
    assertThat(read.scenario()).isEqualTo(Scenario.CL1);
    assertThat(read.taskInference()).isEqualTo(TaskInference.Score.ENTROPY);
    assertThat(read.method()).isEqualTo(Method.HYPERNETWORK);

    com.fasterxml.jackson.databind.node.ObjectNode typo = n.deepCopy();
    typo.put("numTask", 5);
    JsonFiles.write(file, typo);
    assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RunDirectory.open(dir).readConfig()).getMessage()).contains("config.json").contains("numTask");

    com.fasterxml.jackson.databind.node.ObjectNode bad = n.deepCopy();
    bad.put("scenario", "cl9");
    JsonFiles.write(file, bad);
    assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RunDirectory.open(dir).readConfig()).getMessage()).contains("cl9");

    com.fasterxml.jackson.databind.node.ObjectNode missing = n.deepCopy();
    missing.remove("numTasks");
    JsonFiles.write(file, missing);
    assertThat(org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RunDirectory.open(dir).readConfig()).getMessage()).contains("numTasks");
  }
}
