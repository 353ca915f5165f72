package org.hypercl.tools.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.ResNetSpec;
import org.hypercl.savedmodels.ExportedModels;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.Learner;
import org.hypercl.training.LearnerSettings;
import org.hypercl.training.TaskData;
import org.hypercl.training.TaskKind;
import org.hypercl.training.TaskSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ResNet target (batch norm with per-task statistics) trained, exported and served: each task's
 * model, with its own statistics baked in, and the hypernetwork model give the learner's outputs.
 */
class ConvExportTest {

  @TempDir Path tmp;

  /** Two tasks of 32×32×3 images, task t's pixels offset by t so the tasks' statistics differ. */
  static TaskSource images(int n) {
    return new TaskSource() {
      @Override
      public String name() {
        return "conv-images";
      }

      @Override
      public int numTasks() {
        return 2;
      }

      @Override
      public int maxTrainSize() {
        return n;
      }

      @Override
      public TaskData task(int t) {
        SplittableRandom rng = new SplittableRandom(17 + t);
        float[] x = new float[2 * n * 3072];
        float[] y = new float[2 * n * 2];
        for (int i = 0; i < 2 * n; i++) {
          int c = rng.nextInt(2);
          for (int p = 0; p < 3072; p++) {
            x[i * 3072 + p] = (float) (rng.nextDouble() + t + (p < 1536 == (c == 0) ? 0.5 : 0));
          }
          y[i * 2 + c] = 1;
        }
        return new TaskData("images-" + t, 3072, 2, Arrays.copyOf(x, n * 3072), Arrays.copyOf(y, n * 2),
            Arrays.copyOfRange(x, n * 3072, 2 * n * 3072), Arrays.copyOfRange(y, n * 2, 4 * n));
      }
    };
  }

  @Test
  void resNetExportBakesEachTasksBatchNormStatistics() throws Exception {
    ResNetSpec target = new ResNetSpec(1, 2, 2);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(6, 6, new int[0], Activation.RELU, 3_000, target.parameterCount());
    LearnerSettings settings = LearnerSettings.defaults().toBuilder().iterations(12).batchSize(16).learningRate(0.001f)
        .beta(0.05f).evalBatchSize(32).build();
    ExperimentConfig config = new ExperimentConfig("Tiny ResNet", TaskKind.CLASSIFICATION, target, hnet, 2, settings);
    TaskSource source = images(64);
    Path runDir = tmp.resolve("run");
    try (ContinualRunner.Outcome o = SyntheticRuns.train(config, source, runDir)) {
      Learner learner = (Learner) o.learner();
      Path exportDir = tmp.resolve("served");
      ExportEndToEndTest.Cli export = ExportEndToEndTest.hypercl("export", runDir.toString(), "--out", exportDir.toString());
      assertThat(export.code()).as(export.err()).isZero();
      int n = 8;
      float[] table = learner.taskEmbeddings();
      try (ExportedModels models = ExportedModels.open(exportDir)) {
        float[][] byTask = new float[2][];
        for (int t = 0; t < 2; t++) {
          float[] x = Arrays.copyOf(source.task(t).testX(), n * 3072);
          float[] want = learner.predict(t, x, n, null);
          byTask[t] = want;
          assertThat(models.task(t).predict(x, n).logits()).containsExactly(want, within(1e-4f));
          assertThat(models.hypernetwork().predict(t, x, n).logits()).containsExactly(want, within(1e-4f));
          float[] emb = Arrays.copyOfRange(table, t * 6, t * 6 + 6);
          assertThat(models.hypernetwork().predictWithEmbedding(emb, t, x, n).logits()).containsExactly(want, within(1e-4f));
        }
        // Task 0's model normalises with task 0's statistics, not task 1's: on task 1's inputs the
        // learner with task 0 and the exported task-0 model agree.
        float[] x1 = Arrays.copyOf(source.task(1).testX(), n * 3072);
        assertThat(models.task(0).predict(x1, n).logits()).containsExactly(learner.predict(0, x1, n, null), within(1e-4f));
        // infer_task: each task's network normalised by its own statistics, the lowest entropy wins,
        // as the learner's own batched inference picks (the exported scores are those entropies).
        float[] both = new float[2 * n * 3072];
        System.arraycopy(source.task(0).testX(), 0, both, 0, n * 3072);
        System.arraycopy(source.task(1).testX(), 0, both, n * 3072, n * 3072);
        org.hypercl.savedmodels.TaskInference ti = models.hypernetwork().inferTask(both, 2 * n);
        int[] picks = learner.inferTasks(both, 2 * n, new int[] {0, 1}, null).get(org.hypercl.graphs.TaskInference.Score.ENTROPY).tasks();
        float[][] own = {learner.predict(0, both, 2 * n, null), learner.predict(1, both, 2 * n, null)};
        for (int i = 0; i < 2 * n; i++) {
          for (int t = 0; t < 2; t++) {
            double a = own[t][i * 2], b = own[t][i * 2 + 1], m = Math.max(a, b);
            double z = Math.exp(a - m) + Math.exp(b - m);
            double h = -(Math.exp(a - m) / z * (a - m - Math.log(z)) + Math.exp(b - m) / z * (b - m - Math.log(z)));
            assertThat(ti.scores()[i * 2 + t]).as("row %d task %d entropy", i, t).isCloseTo((float) h, within(1e-4f));
          }
          if (Math.abs(ti.scores()[i * 2] - ti.scores()[i * 2 + 1]) > 1e-4f) {
            assertThat(ti.taskIds()[i]).as("row %d", i).isEqualTo(picks[i]);
          }
        }
        // Images travel as [batch, 32, 32, 3].
        assertThat(models.manifest().input().shape()).containsExactly(-1, 32, 32, 3);
        assertThat(models.manifest().input().exampleSize()).isEqualTo(3072);
      }
      // Over REST, an instance is a nested [32][32][3] image; a flat row of 3,072 is refused by shape.
      try (org.hypercl.savedmodels.ModelServer server = org.hypercl.savedmodels.ModelServer.start(exportDir,
          org.hypercl.savedmodels.ServerOptions.defaults().withPort(0))) {
        float[] x = Arrays.copyOf(source.task(1).testX(), 2 * 3072);
        String body = "{\"instances\": [" + ServingBenchCommand.nestedJson(Arrays.copyOf(x, 3072), new long[] {32, 32, 3}) + ", "
            + ServingBenchCommand.nestedJson(Arrays.copyOfRange(x, 3072, 6144), new long[] {32, 32, 3}) + "]}";
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        String url = "http://127.0.0.1:" + server.port() + "/v1/models/" + server.manifest().tasks().get(1).model() + ":predict";
        java.net.http.HttpResponse<String> ok = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode predictions = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ok.body()).get("predictions");
        float[] want = learner.predict(1, x, 2, null);
        for (int i = 0; i < 2; i++) {
          for (int k = 0; k < 2; k++) {
            assertThat(predictions.get(i).get("logits").get(k).floatValue()).isCloseTo(want[i * 2 + k], within(1e-4f));
          }
        }
        java.net.http.HttpResponse<String> flat = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"instances\": [" + Arrays.toString(Arrays.copyOf(x, 3072)) + "]}"))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(flat.statusCode()).isEqualTo(400);
        assertThat(flat.body()).contains("'x'", "[3072]");
      }
    }
  }
}
