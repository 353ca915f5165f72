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
import org.hypercl.graphs.TaskInference;
import org.hypercl.graphs.Tensors;
import org.hypercl.savedmodels.ExportManifest;
import org.hypercl.savedmodels.ExportOptions;
import org.hypercl.savedmodels.ExportResult;
import org.hypercl.savedmodels.ExportedModels;
import org.hypercl.savedmodels.InferredTasks;
import org.hypercl.savedmodels.LoadedModel;
import org.hypercl.savedmodels.ModelServer;
import org.hypercl.savedmodels.ServerOptions;
import org.hypercl.savedmodels.Signatures;
import org.hypercl.training.ContinualLearner;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.HnetTirLearner;
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

  /** A tiny HNET+TIR run (the patterns, β 0.05) in {@code run}; {@code listener} may stop it early. */
  static ContinualRunner tirRunner(Path run, StepListener listener) {
    ExperimentConfig c = config(Method.HNET_TIR);
    c = c.withSettings(c.settings().toBuilder().beta(0.05f).build());
    return new ContinualRunner(c, patterns(), RunDirectory.createNew(run), listener);
  }

  /** Softmax of each row of {@code logits [n, k]}, in double. */
  static float[] softmaxRows(float[] logits, int n, int k) {
    float[] out = new float[n * k];
    for (int i = 0; i < n; i++) {
      double top = Double.NEGATIVE_INFINITY;
      for (int t = 0; t < k; t++) {
        top = Math.max(top, logits[i * k + t]);
      }
      double sum = 0;
      for (int t = 0; t < k; t++) {
        sum += Math.exp(logits[i * k + t] - top);
      }
      for (int t = 0; t < k; t++) {
        out[i * k + t] = (float) (Math.exp(logits[i * k + t] - top) / sum);
      }
    }
    return out;
  }

  /**
   * An HNET+TIR run exports everything it trained: its hypernetwork classifier as a hypernetwork
   * run's (per-task models and the hypernetwork model, from the classifier's checkpoint beside the
   * task-inference network's), giving the classifier's outputs for each task; the generator of its
   * VAE decoder, giving the trained decoder's samples; and its task-inference network, giving the
   * learner's own task picks and growing-softmax probabilities, also over REST.
   */
  @Test
  void tirRunExportsItsHypernetworkClassifier() throws Exception {
    Path run = tmp.resolve("tir");
    int n = 50;
    float[][] xs = new float[3][];
    for (int j = 0; j < 3; j++) {
      xs[j] = patterns().task(j).testX();
    }
    float[] x = xs[1];
    int[] ids = {0, 1, 1, 0};
    float[] z = new float[4 * 4];
    SplittableRandom rng = new SplittableRandom(9);
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    float[][] trained = new float[3][];
    int[][] picks = new int[3][];
    float[][] logits = new float[3][];
    float[] trainedSamples;
    try (ContinualRunner.Outcome o = tirRunner(run, StepListener.NONE).run()) {
      HnetTirLearner learner = (HnetTirLearner) o.learner();
      for (int t = 0; t < 3; t++) {
        trained[t] = learner.predict(t, x, n, null);
        // The learner's test-time reading without the task id, on each task's test rows.
        picks[t] = learner.inferTasks(xs[t], n, new int[] {0, 1, 2}, null).get(TaskInference.Score.MAX_LOGIT).tasks();
        logits[t] = learner.taskLogits(xs[t], n);
      }
      trainedSamples = learner.generate(ids, z);
    }
    ExportResult r = ExportCommand.exportAny(run, ExportOptions.defaults());
    ExportManifest m = r.manifest();
    assertThat(m.hypernetworkModel()).isEqualTo("patterns-hnet");
    assertThat(m.generatorModel()).isEqualTo("patterns-generator");
    assertThat(m.taskInferenceModel()).isEqualTo("patterns-task-inference");
    assertThat(m.models()).containsExactly("patterns-task0", "patterns-task1", "patterns-task2", "patterns-hnet",
        "patterns-generator", "patterns-task-inference");
    assertThat(m.taskNumbering()).contains("hnet-tir", "patterns-task-inference is its task-inference network")
        .doesNotContain("not exported");
    // The VAE learned tasks 0 and 1 (the last task trains none).
    assertThat(((Number) m.generator().get("tasks")).intValue()).isEqualTo(2);

    // The manifest as written: the task-inference model's contract.
    com.fasterxml.jackson.databind.JsonNode written =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out().resolve(ExportManifest.FILE).toFile());
    com.fasterxml.jackson.databind.JsonNode ti = written.get("taskInference");
    assertThat(written.get("taskInferenceModel").asText()).isEqualTo("patterns-task-inference");
    assertThat(ti.get("tasks").asInt()).isEqualTo(3);
    assertThat(ti.get("score").asText()).isEqualTo("max-logit");
    assertThat(ti.at("/signatures/serving_default").toString()).isEqualTo("[\"task_scores\",\"task_id\"]");
    assertThat(ti.at("/inputs/x/shape").toString()).isEqualTo(written.at("/input/shape").toString()).isEqualTo("[-1,16]");
    assertThat(ti.at("/outputs/task_scores/shape").toString()).isEqualTo("[-1,3]");
    assertThat(ti.at("/outputs/task_id/dtype").asText()).isEqualTo("int32");
    assertThat(ti.at("/network/numHeads").asInt()).isEqualTo(3);

    try (ExportedModels models = ExportedModels.open(r.out())) {
      for (int t = 0; t < 3; t++) {
        assertThat(models.task(t).predict(x, n).logits()).as("task %d", t).containsExactly(trained[t], within(1e-4f));
        assertThat(models.hypernetwork().predict(t, x, n).logits()).as("hnet, task %d", t).containsExactly(trained[t], within(1e-4f));
      }
      assertThat(models.hasTaskInference()).isTrue();
      int right = 0;
      for (int t = 0; t < 3; t++) {
        InferredTasks inferred = models.inferTask(xs[t], n);
        assertThat(inferred.numTasks()).isEqualTo(3);
        assertThat(inferred.taskIds()).as("picks on task %d's rows", t).containsExactly(picks[t]);
        assertThat(inferred.taskScores()).as("scores on task %d's rows", t).containsExactly(softmaxRows(logits[t], n, 3), within(1e-5f));
        int task = t;
        right += (int) java.util.Arrays.stream(inferred.taskIds()).filter(id -> id == task).count();
      }
      // A trained network, not a constant pick: most rows get their own task.
      assertThat(right).isGreaterThan(3 * n / 2);
    }

    // The generator reproduces the trained decoder's samples for fixed latent codes.
    try (LoadedModel g = LoadedModel.load("generator", 1, r.out().resolve("patterns-generator/1"), null);
        Tensor t = Tensors.ints(ids, 4);
        Tensor zt = Tensors.floats(z, 4, 4);
        Result res = g.call(Signatures.GENERATE, Map.of(Signatures.TASK_ID, t, Signatures.Z, zt))) {
      assertThat(Tensors.toFloats(res.get(Signatures.SAMPLES).orElseThrow())).containsExactly(trainedSamples, within(1e-5f));
    }

    // Served: the task-inference model over REST, two rows of task 2's test set.
    try (ModelServer server = ModelServer.start(r.out(), ServerOptions.defaults().withPort(0),
        new PrintStream(new ByteArrayOutputStream(), true))) {
      StringBuilder body = new StringBuilder("{\"instances\": [");
      for (int i = 0; i < 2; i++) {
        body.append(i == 0 ? "[" : ", [");
        for (int j = 0; j < DIM; j++) {
          body.append(j == 0 ? "" : ", ").append(xs[2][i * DIM + j]);
        }
        body.append("]");
      }
      body.append("]}");
      HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/v1/models/patterns-task-inference:predict"))
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
      com.fasterxml.jackson.databind.JsonNode predictions =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply.body()).get("predictions");
      assertThat(predictions.size()).isEqualTo(2);
      float[] want = softmaxRows(logits[2], n, 3);
      for (int i = 0; i < 2; i++) {
        assertThat(predictions.get(i).get("task_id").asInt()).isEqualTo(picks[2][i]);
        assertThat(predictions.get(i).get("task_scores").size()).isEqualTo(3);
        for (int t = 0; t < 3; t++) {
          assertThat(predictions.get(i).get("task_scores").get(t).asDouble()).isCloseTo(want[i * 3 + t], within(1e-5));
        }
      }
    }
  }

  /**
   * An HNET+TIR run stopped after 2 of its 3 tasks: the task-inference model scores the 2 learned
   * tasks only (a softmax over the learned tasks' outputs, not over every task's), as the run's
   * learner does at that checkpoint; the generator has the decoder of the 2 tasks it learned.
   */
  @Test
  void tirRunStoppedEarlyExportsTheTasksItLearned() {
    Path run = tmp.resolve("tir2");
    StepListener stop = new StepListener() {
      @Override
      public void taskStarted(int task, String name, int iterations) {
        if (task == 2) {
          throw new IllegalStateException("stopped after two tasks");
        }
      }
    };
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> tirRunner(run, stop).run()).hasMessageContaining("stopped");
    int n = 50;
    float[] x = patterns().task(1).testX();
    float[] logits;
    int[] picks;
    RunDirectory dir = RunDirectory.open(run);
    ExperimentConfig c = dir.readConfig();
    try (ContinualLearner l = c.method().create(c, 200)) {
      l.restore(dir.taskCheckpoint(2).resolve(RunDirectory.CHECKPOINT_PREFIX), 2);
      logits = ((HnetTirLearner) l).taskLogits(x, n);
      picks = l.inferTasks(x, n, new int[] {0, 1}, null).get(TaskInference.Score.MAX_LOGIT).tasks();
    }
    assertThat(logits).hasSize(2 * n);
    // The savedmodels module alone cannot restore the task-inference network: it refuses, saying what to use.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> org.hypercl.savedmodels.ModelExporter.export(run,
            ExportOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.json")
        .hasMessageContaining("HNET_TIR")
        .hasMessageContaining("exportHnetTir");
    assertThat(run.resolve("export")).doesNotExist();
    ExportResult r = ExportCommand.exportAny(run, ExportOptions.defaults());
    ExportManifest m = r.manifest();
    assertThat(m.models()).containsExactly("patterns-task0", "patterns-task1", "patterns-hnet", "patterns-generator",
        "patterns-task-inference");
    assertThat(m.taskInference().get("tasks")).isEqualTo(2);
    assertThat(((Number) m.generator().get("tasks")).intValue()).isEqualTo(2);
    try (LoadedModel ti = LoadedModel.load("ti", 1, r.out().resolve("patterns-task-inference/1"), null);
        Tensor xt = Tensors.floats(x, n, DIM);
        Result res = ti.call(Signatures.SERVING_DEFAULT, Map.of(Signatures.X, xt))) {
      Tensor scores = res.get(Signatures.TASK_SCORES).orElseThrow();
      assertThat(scores.shape().asArray()).containsExactly(n, 2);
      assertThat(Tensors.toFloats(scores)).containsExactly(softmaxRows(logits, n, 2), within(1e-5f));
      assertThat(Tensors.toInts(res.get(Signatures.TASK_ID).orElseThrow())).containsExactly(picks);
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
