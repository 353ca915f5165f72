package org.hypercl.savedmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelExporterTest {

  @TempDir Path tmp;

  @Test
  void exportsEveryLearnedTaskAndTheHypernetworkInServingLayout() throws IOException {
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 3, 2)) {
      ExportResult r = ModelExporter.export(run.dir, ExportOptions.defaults());
      Path out = run.dir.resolve("export");
      assertThat(r.out()).isEqualTo(out.toAbsolutePath().normalize());
      assertThat(out.resolve("test-regression-task0/1/saved_model.pb")).isRegularFile();
      assertThat(out.resolve("test-regression-task1/1/saved_model.pb")).isRegularFile();
      assertThat(out.resolve("test-regression-task2")).doesNotExist(); // not learned yet
      assertThat(out.resolve("test-regression-hnet/1/variables")).isDirectory();
      ExportManifest m = ExportManifest.read(out);
      assertThat(m.models()).containsExactly("test-regression-task0", "test-regression-task1", "test-regression-hnet");
      assertThat(m.tasks().get(1).name()).isEqualTo("task-name-1");
      assertThat(m.tasks().get(1).embedding()).containsExactly(run.embedding(1));
      assertThat(m.provenance().get("created").asText()).isEqualTo("2020-01-01T00:00:00Z");
      assertThat(m.input().shape()).containsExactly(-1, 1);
      assertThat(m.source().tasksLearned()).isEqualTo(2);
      assertThat(r.maxDifference()).isLessThanOrEqualTo(1e-6);
      try (var s = Files.list(out)) {
        assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
      }
      // The served model holds the embedding table only, not the learner's trainable copy.
      try (org.tensorflow.SavedModelBundle b =
          org.tensorflow.SavedModelBundle.load(out.resolve("test-regression-hnet/1").toString(), "serve")) {
        assertThat(b.graph().operation("task_embeddings")).isNotNull();
        assertThat(b.graph().operation("current_task_embedding")).isNull();
        assertThat(b.graph().operation("begin_task_embedding")).isNull();
        assertThat(b.graph().operation("commit_task_embedding")).isNull();
      }
    }
  }

  @Test
  void anExportIsReadableByOthersUnderTheUmask() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
    Set<PosixFilePermission> plainDir = Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("probe-dir")));
    Set<PosixFilePermission> plainFile = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("probe-file")));
    assumeTrue(plainDir.contains(PosixFilePermission.OTHERS_EXECUTE), "umask leaves new folders open to others");
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 2, 2)) {
      // A fresh export folder is the staging folder renamed; a second version is moved into it.
      Path out = tmp.resolve("serving");
      ModelExporter.export(run.dir, ExportOptions.defaults().withOut(out));
      ModelExporter.export(run.dir, ExportOptions.defaults().withOut(out).withVersion(2));
      for (String dir : List.of("", "test-regression-task0", "test-regression-task0/1", "test-regression-hnet/2",
          "test-regression-hnet/2/variables")) {
        assertThat(Files.getPosixFilePermissions(out.resolve(dir))).as("folder '%s'", dir).isEqualTo(plainDir);
      }
      for (String file : List.of(ExportManifest.FILE, "test-regression-task1/1/saved_model.pb",
          "test-regression-hnet/2/saved_model.pb")) {
        assertThat(Files.getPosixFilePermissions(out.resolve(file))).as(file).isEqualTo(plainFile);
      }
    }
  }

  @Test
  void exportedModelsReproduceTheCheckpointedNetwork() throws IOException {
    try (TestRun run = TestRun.classification(tmp.resolve("run"), 3, 3)) {
      ModelExporter.export(run.dir, ExportOptions.defaults().withOut(tmp.resolve("out")));
      int n = 5;
      float[] x = TestRun.inputs(n, run.target.inputSize(), 3);
      try (ExportedModels models = ExportedModels.open(tmp.resolve("out"))) {
        for (int t = 0; t < 3; t++) {
          float[] want = run.predict(t, x, n);
          assertThat(models.task(t).predict(x, n).logits()).containsExactly(want, within(1e-6f));
          assertThat(models.hypernetwork().predict(t, x, n).logits()).containsExactly(want, within(1e-6f));
          assertThat(models.hypernetwork().predictWithEmbedding(run.embedding(t), t, x, n).logits())
              .containsExactly(want, within(1e-6f));
          assertThat(models.hypernetwork().generateWeights(t).flat()).containsExactly(run.weights(t), within(1e-6f));
        }
      }
    }
  }

  @Test
  void refusesToOverwriteAVersionButAddsANewOne() throws IOException {
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 2, 2)) {
      ModelExporter.export(run.dir, ExportOptions.defaults());
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("test-regression-task0/1 already exists");
      ModelExporter.export(run.dir, ExportOptions.defaults().withVersion(2));
      assertThat(run.dir.resolve("export/test-regression-hnet/2/saved_model.pb")).isRegularFile();
      assertThat(ExportManifest.read(run.dir.resolve("export")).version()).isEqualTo(2);
    }
  }

  /** A killed export's staging folder (its process gone) is removed by the next export; a live one's stays. */
  @Test
  void staleStagingFoldersAreRemoved() throws Exception {
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 2, 2)) {
      Path out = tmp.resolve("served");
      Process done = new ProcessBuilder("true").start();
      done.waitFor();
      Path stale = Files.createDirectories(tmp.resolve(".served.staging-111"));
      Files.writeString(stale.resolve(ModelExporter.OWNER_FILE), Long.toString(done.pid()));
      Path live = Files.createDirectories(tmp.resolve(".served.staging-222"));
      Files.writeString(live.resolve(ModelExporter.OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      ModelExporter.export(run.dir, ExportOptions.defaults().withOut(out));
      assertThat(stale).doesNotExist();
      assertThat(live).exists();
      assertThat(out.resolve(ModelExporter.OWNER_FILE)).doesNotExist();
    }
  }

  /** An export folder that cannot be made (a plain file where its parent should be) is named, with why. */
  @Test
  void anUnwritableExportFolderIsNamed() throws IOException {
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 2, 2)) {
      Path file = Files.writeString(tmp.resolve("plain-file"), "x");
      Path out = file.resolve("export");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults().withOut(out)))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessage("cannot write the export " + out + ": " + file + " is in the way (a file, not a folder)");
      assertThat(file).hasContent("x");
    }
  }

  @Test
  void anInterruptedExportLeavesNothing() throws IOException {
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 2, 2)) {
      Path out = tmp.resolve("out");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults().withOut(out), staging -> {
            throw new UncheckedIOException(new IOException("disk full (simulated)"));
          }))
          .hasMessageContaining("disk full");
      assertThat(TestRun.listTree(tmp)).noneMatch(p -> p.startsWith("out") || p.startsWith(".out"));

      // Into an existing export folder: its earlier version stays, nothing new appears.
      ModelExporter.export(run.dir, ExportOptions.defaults().withOut(out));
      var before = TestRun.listTree(out);
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults().withOut(out).withVersion(2),
              staging -> {
                throw new IllegalStateException("killed (simulated)");
              }))
          .hasMessageContaining("killed");
      assertThat(TestRun.listTree(out)).isEqualTo(before);
    }
  }

  @Test
  void aModelThatDoesNotMatchTheCheckpointFailsVerificationAndIsNotPublished() throws IOException {
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 2, 2)) {
      Path out = tmp.resolve("out");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults().withOut(out), staging -> {
            try {
              // Task 1's model published as task 0's: loads fine, gives the wrong task's outputs.
              Files.copy(staging.resolve("test-regression-task1/1/saved_model.pb"),
                  staging.resolve("test-regression-task0/1/saved_model.pb"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }))
          .isInstanceOf(ExportVerificationException.class)
          .hasMessageContaining("test-regression-task0");
      assertThat(out).doesNotExist();
      assertThat(TestRun.listTree(tmp)).noneMatch(p -> p.contains("staging"));
    }
  }

  /**
   * Only hnet-tir exports have a task-inference model: ExportedModels says so; a manifest that
   * names one with a wrong task count is refused, naming the file and the field.
   */
  @Test
  void aHypernetworkRunHasNoTaskInferenceModelAndABadEntryIsNamed() throws IOException {
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 3, 2)) {
      ExportResult r = ModelExporter.export(run.dir, ExportOptions.defaults());
      assertThat(r.manifest().taskInferenceModel()).isNull();
      assertThat(r.manifest().taskInference()).isNull();
      try (ExportedModels models = ExportedModels.open(r.out())) {
        assertThat(models.hasTaskInference()).isFalse();
        assertThatThrownBy(() -> models.inferTask(new float[] {1f}, 1))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no task-inference model");
      }
      Path file = r.out().resolve(ExportManifest.FILE);
      com.fasterxml.jackson.databind.node.ObjectNode node =
          (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(file.toFile());
      node.put("taskInferenceModel", "test-regression-hnet");
      node.putObject("taskInference").put("tasks", 5);
      Files.writeString(file, node.toString());
      assertThatThrownBy(() -> ExportManifest.read(r.out()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(file.toString())
          .hasMessageContaining("taskInference.tasks")
          .hasMessageContaining("1..2");
    }
  }

  @Test
  void badRunFoldersFailNamingTheFile() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    assertThatThrownBy(() -> ModelExporter.export(empty, ExportOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.json is missing");
    try (TestRun run = TestRun.regression(tmp.resolve("run"), 2, 1)) {
      Files.writeString(run.dir.resolve("checkpoints/latest"), "../../etc\n");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("latest");
      Files.writeString(run.dir.resolve("checkpoints/latest"), "task-001\n");
      Files.writeString(run.dir.resolve("config.json"), "{\"experiment\": \"x\", \"kind\": \"BOTH\"}");
      assertThatThrownBy(() -> ModelExporter.export(run.dir, ExportOptions.defaults()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("config.json")
          .hasMessageContaining("BOTH");
    }
    assertThatThrownBy(() -> ExportOptions.defaults().withModelName("../evil"))
        .hasMessageContaining("../evil");
  }
}
