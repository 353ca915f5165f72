package org.hypercl.tools.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.Tensors;
import org.hypercl.savedmodels.ExportManifest;
import org.hypercl.savedmodels.ExportOptions;
import org.hypercl.savedmodels.ExportResult;
import org.hypercl.savedmodels.ExportedModels;
import org.hypercl.savedmodels.LoadedModel;
import org.hypercl.savedmodels.ModelServer;
import org.hypercl.savedmodels.ServerOptions;
import org.hypercl.savedmodels.Signatures;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.LearnerSettings;
import org.hypercl.training.Method;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.Scenario;
import org.hypercl.training.StepListener;
import org.hypercl.training.TaskData;
import org.hypercl.training.TaskKind;
import org.hypercl.training.TaskSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/** Export of a replay run: per-task models of the classifier's own weights and the generator model, served. */
class ReplayExportTest {

  static final int DIM = 16;

  @TempDir Path tmp;

  /** Three tasks of two noisy binary 16-pixel patterns each, pixels in [0, 1]. */
  static TaskSource patterns() {
    SplittableRandom seeds = new SplittableRandom(3);
    float[][] protos = new float[6][DIM];
    for (float[] p : protos) {
      for (int j = 0; j < DIM; j++) {
        p[j] = seeds.nextInt(2);
      }
    }
    return new TaskSource() {
      @Override
      public String name() {
        return "patterns";
      }

      @Override
      public int numTasks() {
        return 3;
      }

      @Override
      public int maxTrainSize() {
        return 200;
      }

      @Override
      public TaskData task(int t) {
        SplittableRandom rng = new SplittableRandom(100 + t);
        float[][] tr = examples(t, 200, rng);
        float[][] te = examples(t, 50, rng);
        return new TaskData("patterns-" + t, DIM, 2, tr[0], tr[1], te[0], te[1]);
      }

      private float[][] examples(int t, int n, SplittableRandom rng) {
        float[] x = new float[n * DIM];
        float[] y = new float[n * 2];
        for (int r = 0; r < n; r++) {
          int c = rng.nextInt(2);
          for (int j = 0; j < DIM; j++) {
            x[r * DIM + j] = Math.max(0f, Math.min(1f, protos[2 * t + c][j] + (float) (rng.nextDouble() - 0.5) * 0.4f));
          }
          y[r * 2 + c] = 1;
        }
        return new float[][] {x, y};
      }
    };
  }

  static ExperimentConfig config(Method method) {
    MlpSpec target = new MlpSpec(DIM, new int[] {16}, 2, 3, Activation.RELU);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(4, 4, new int[] {8}, Activation.RELU, 64, target.parameterCount());
    LearnerSettings.Replay replay =
        new LearnerSettings.Replay(List.of(16), List.of(16), 4, 4, 4, 4, List.of(8), "elu", 64, 0.05f, 60, 0.01f, 0.01f, 0.5f, 2f);
    LearnerSettings s = LearnerSettings.defaults().toBuilder().iterations(60).batchSize(32).learningRate(0.01f).replay(replay).build();
    return new ExperimentConfig("patterns", TaskKind.CLASSIFICATION, target, hnet, 3, s, method).withScenario(Scenario.CL3);
  }

  @Test
  void replayRunExportsClassifierModelsAndAServedGenerator() throws Exception {
    Path run = tmp.resolve("run");
    float[] x = patterns().task(1).testX();
    int n = 50;
    int[] ids = {0, 1, 1, 0};
    float[] z = new float[4 * 4];
    SplittableRandom rng = new SplittableRandom(9);
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    float[] trainedSamples;
    float[] trainedTask1;
    try (ContinualRunner.Outcome o = new ContinualRunner(config(Method.HNET_R), patterns(), RunDirectory.createNew(run),
        StepListener.NONE).run()) {
      trainedSamples = o.learner().generate(ids, z);
      trainedTask1 = o.learner().predict(1, x, n, null);
    }
    ExportResult r = ExportCommand.exportAny(run, ExportOptions.defaults());
    ExportManifest m = r.manifest();
    assertThat(m.hypernetworkModel()).isNull();
    assertThat(m.generatorModel()).isEqualTo("patterns-generator");
    assertThat(m.models()).containsExactly("patterns-task0", "patterns-task1", "patterns-task2", "patterns-generator");
    // The VAE learned tasks 0 and 1 (the last task trains none).
    assertThat(((Number) m.generator().get("tasks")).intValue()).isEqualTo(2);
    Path export = r.out();

    // The generator reproduces the training graph's samples for fixed latent codes.
    try (LoadedModel g = LoadedModel.load("generator", 1, export.resolve("patterns-generator/1"), null);
        Tensor t = Tensors.ints(ids, 4);
        Tensor zt = Tensors.floats(z, 4, 4);
        Result res = g.call(Signatures.GENERATE, Map.of(Signatures.TASK_ID, t, Signatures.Z, zt))) {
      assertThat(Tensors.toFloats(res.get(Signatures.SAMPLES).orElseThrow())).containsExactly(trainedSamples, within(1e-5f));
    }
    try (ExportedModels models = ExportedModels.open(export)) {
      assertThat(models.hasHypernetwork()).isFalse();
      assertThat(models.task(1).predict(x, n).logits()).containsExactly(trainedTask1, within(1e-4f));
      float[] random = models.generate(1, 5, 7L);
      assertThat(random).hasSize(5 * DIM);
      for (float v : random) {
        assertThat(v).isBetween(0f, 1f);
      }
      assertThat(models.generate(1, 5, 7L)).containsExactly(random);
    }

    // Served: the generator's signatures over REST.
    try (ModelServer server = ModelServer.start(export, ServerOptions.defaults().withPort(0),
        new PrintStream(new ByteArrayOutputStream(), true))) {
      HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/v1/models/patterns-generator:predict"))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"signature_name\": \"generate_random\", \"inputs\": {\"task_id\": 0, \"count\": 3, \"seed\": [5, 0]}}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
      // TF Serving's columnar answer: one output, given directly as "outputs", 3 rows of 16 pixels.
      com.fasterxml.jackson.databind.JsonNode outputs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply.body()).get("outputs");
      assertThat(outputs.size()).isEqualTo(3);
      assertThat(outputs.get(0).size()).isEqualTo(DIM);
      outputs.forEach(row -> row.forEach(v -> assertThat(v.asDouble()).isBetween(0.0, 1.0)));
    }
  }

  /**
   * An HNET+TIR run exports its hypernetwork classifier as a hypernetwork run's: per-task models
   * and the hypernetwork model, from the classifier's checkpoint beside the task-inference
   * network's, giving the classifier's outputs for each task; the manifest says the task-inference
   * network is not part of it.
   */
  @Test
  void tirRunExportsItsHypernetworkClassifier() {
    Path run = tmp.resolve("tir");
    float[] x = patterns().task(1).testX();
    int n = 50;
    ExperimentConfig c = config(Method.HNET_TIR);
    c = c.withSettings(c.settings().toBuilder().beta(0.05f).build());
    float[][] trained = new float[3][];
    try (ContinualRunner.Outcome o = new ContinualRunner(c, patterns(), RunDirectory.createNew(run), StepListener.NONE).run()) {
      for (int t = 0; t < 3; t++) {
        trained[t] = o.learner().predict(t, x, n, null);
      }
    }
    ExportResult r = ExportCommand.exportAny(run, ExportOptions.defaults());
    ExportManifest m = r.manifest();
    assertThat(m.hypernetworkModel()).isEqualTo("patterns-hnet");
    assertThat(m.models()).containsExactly("patterns-task0", "patterns-task1", "patterns-task2", "patterns-hnet");
    assertThat(m.taskNumbering()).contains("hnet-tir", "task-inference network is not exported");
    try (ExportedModels models = ExportedModels.open(r.out())) {
      for (int t = 0; t < 3; t++) {
        assertThat(models.task(t).predict(x, n).logits()).as("task %d", t).containsExactly(trained[t], within(1e-4f));
        assertThat(models.hypernetwork().predict(t, x, n).logits()).as("hnet, task %d", t).containsExactly(trained[t], within(1e-4f));
      }
    }
  }

  @Test
  void ownWeightBaselineExportsWithoutGenerator() {
    Path run = tmp.resolve("rpl");
    new ContinualRunner(config(Method.RPL_UB), patterns(), RunDirectory.createNew(run), StepListener.NONE).run().close();
    ExportManifest m = ExportCommand.exportAny(run, ExportOptions.defaults()).manifest();
    assertThat(m.generatorModel()).isNull();
    assertThat(m.models()).containsExactly("patterns-task0", "patterns-task1", "patterns-task2");
  }
}
