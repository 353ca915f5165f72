package org.hypercl.savedmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs whose tasks see their inputs through permutations (tasks.json): exports take raw rows. */
class PermutedExportTest {

  @TempDir Path tmp;

  /** Task 0 unpermuted (no entry), task 1 reversed, task 2 a rotation; 6 inputs. */
  private static final int[][] PERMS = {null, {5, 4, 3, 2, 1, 0}, {2, 3, 4, 5, 0, 1}};

  @Test
  void taskModelsAndPredictApplyTheTasksPermutationAndInferTaskTakesRowsAsObserved() throws IOException {
    try (TestRun run = TestRun.permutedClassification(tmp.resolve("run"), 3, 3, PERMS)) {
      ExportResult r = ModelExporter.export(run.dir, ExportOptions.defaults().withOut(tmp.resolve("out")));
      assertThat(r.maxDifference()).isLessThanOrEqualTo(1e-6);
      assertThat(r.manifest().tasks()).extracting(ExportManifest.Task::permutedInputs).containsExactly(false, true, true);
      assertThat(ExportManifest.read(tmp.resolve("out")).tasks().get(1).permutedInputs()).isTrue();
      int n = 7;
      float[] raw = TestRun.inputs(n, 6, 5);
      try (ExportedModels models = ExportedModels.open(tmp.resolve("out"))) {
        TaskInference inferred = models.hypernetwork().inferTask(raw, n);
        for (int t = 0; t < 3; t++) {
          float[] seen = PERMS[t] == null ? raw : TestRun.permute(raw, n, PERMS[t]);
          float[] want = run.predict(t, seen, n);
          assertThat(models.task(t).predict(raw, n).logits()).as("task model %d", t).containsExactly(want, within(1e-6f));
          assertThat(models.hypernetwork().predict(t, raw, n).logits()).as("predict %d", t)
              .containsExactly(want, within(1e-6f));
          // predict_with_embedding takes the target network's own input: the permuted rows.
          assertThat(models.hypernetwork().predictWithEmbedding(run.embedding(t), t, seen, n).logits())
              .as("predict_with_embedding %d", t).containsExactly(want, within(1e-6f));
          // infer_task takes the rows as observed: task t's entropy is taken on the row as given.
          float[] asGiven = run.predict(t, raw, n);
          for (int i = 0; i < n; i++) {
            assertThat(inferred.scores()[i * 3 + t]).isCloseTo(entropy(asGiven, i, 3), within(1e-5f));
          }
        }
        // The permutation matters: on raw rows, task 1's model differs from the unpermuted network.
        assertThat(models.task(1).predict(raw, n).logits()).isNotEqualTo(run.predict(1, raw, n));
      }
    }
  }

  @Test
  void aRunWithoutTasksJsonExportsUnpermutedModels() throws IOException {
    try (TestRun run = TestRun.classification(tmp.resolve("run"), 2, 2)) {
      assertThat(run.dir.resolve("tasks.json")).doesNotExist();
      ExportResult r = ModelExporter.export(run.dir, ExportOptions.defaults());
      assertThat(r.manifest().tasks()).extracting(ExportManifest.Task::permutedInputs).containsOnly(false);
      float[] x = TestRun.inputs(4, 6, 8);
      try (ExportedModels models = ExportedModels.open(run.dir.resolve("export"))) {
        assertThat(models.task(1).predict(x, 4).logits()).containsExactly(run.predict(1, x, 4), within(1e-6f));
      }
    }
  }

  @Test
  void anIdentityPermutationIsNone() {
    Path file = tmp.resolve("tasks.json");
    Json.write(file, Json.MAPPER.createObjectNode().set("tasks", Json.MAPPER.valueToTree(java.util.List.of(
        java.util.Map.of("index", 0, "name", "a", "permutation", new int[] {0, 1, 2}),
        java.util.Map.of("index", 1, "name", "b", "permutation", new int[] {1, 2, 0})))));
    var perms = RunCheckpoint.readPermutations(file, 2, 3);
    assertThat(perms.get(0)).isNull();
    assertThat(perms.get(1)).containsExactly(1, 2, 0);
  }

  @Test
  void badTasksJsonFailsNamingTheFieldAndValue() throws IOException {
    try (TestRun run = TestRun.permutedClassification(tmp.resolve("run"), 3, 2, PERMS)) {
      Path tasks = run.dir.resolve("tasks.json");
      Files.writeString(tasks, "{\"tasks\": [{\"index\": 0, \"name\": \"a\"}, "
          + "{\"index\": 1, \"name\": \"b\", \"permutation\": [0, 1, 2, 3, 4, 4]}]}");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("tasks.json")
          .hasMessageContaining("tasks[1].permutation[5] is 4");
      Files.writeString(tasks, "{\"tasks\": [{\"index\": 0, \"name\": \"a\", \"permutation\": [0, 1]}, "
          + "{\"index\": 1, \"name\": \"b\"}]}");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults()))
          .hasMessageContaining("tasks[0].permutation must list 6 input indices")
          .hasMessageContaining("got 2 values");
      Files.writeString(tasks, "{\"tasks\": [{\"index\": 0, \"name\": \"a\"}]}");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults()))
          .hasMessageContaining("at least the 2 learned tasks");
      Files.writeString(tasks, "{\"tasks\": [{\"index\": 1}, {\"index\": 0}]}");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults()))
          .hasMessageContaining("tasks[0] has index 1");
      assertThat(run.dir.resolve("export")).doesNotExist();
    }
  }

  private static float entropy(float[] logits, int row, int classes) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < classes; c++) {
      max = Math.max(max, logits[row * classes + c]);
    }
    double z = 0;
    for (int c = 0; c < classes; c++) {
      z += Math.exp(logits[row * classes + c] - max);
    }
    double h = 0;
    for (int c = 0; c < classes; c++) {
      double logP = logits[row * classes + c] - max - Math.log(z);
      h -= Math.exp(logP) * logP;
    }
    return (float) h;
  }
}
