package org.hypercl.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.io.IdxReader;
import org.hypercl.data.tasks.PermutedTaskSequence;
import org.hypercl.savedmodels.ExportManifest;
import org.hypercl.savedmodels.ExportedModels;
import org.hypercl.training.JsonFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PermutedMNIST run end to end: training records how images become rows, the export's
 * manifest says it, and predict reads raw 28x28 IDX images as training padded them.
 */
class PermutedPredictTest {

  @TempDir Path tmp;

  private static CliRun hypercl(String... args) {
    return CliRun.of(args);
  }

  @Test
  void predictReadsRawMnistImagesForAPermutedMnistExport() throws Exception {
    Path data = tmp.resolve("data");
    TrainCommandTest.writeMnist(data.resolve("mnist"), 40, 12);
    Path run = tmp.resolve("run");
    CliRun train = hypercl("train", "--experiment", "permuted-mnist-10", "--data-dir", data.toString(), "--tasks", "2",
        "--iterations", "2", "--batch-size", "8", "--checkpoint-every", "0", "--export", "--run-dir", run.toString());
    assertThat(train.exit()).as(train.err()).isZero();

    JsonNode recorded = JsonFiles.read(run.resolve("config.json")).path("dataOptions").path("input");
    assertThat(recorded.toString()).isEqualTo("{\"rawShape\":[28,28,1],\"pad\":[2,2,2,2],\"scale\":[0.003921569],"
        + "\"offset\":[0.0]}");
    Path export = run.resolve("export");
    ExportManifest.Preprocessing pre = ExportManifest.read(export).input().preprocessing();
    assertThat(pre.rawShape()).containsExactly(28, 28, 1);
    assertThat(pre.pad()).containsExactly(2, 2, 2, 2);
    assertThat(pre.meaning()).contains("raw 28x28x1 image").contains("2 above, 2 below, 2 left, 2 right: 32x32x1");

    Path images = data.resolve("mnist/t10k-images-idx3-ubyte");
    Path out = tmp.resolve("pred.csv");
    CliRun predict = hypercl("predict", export.toString(), "--task", "1", "--input", images.toString(), "--output",
        out.toString());
    assertThat(predict.exit()).as(predict.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(13);

    // The same as the task's model on the rows training made of those images.
    var test = IdxReader.readImages(images, data.resolve("mnist/t10k-labels-idx1-ubyte"), 10, "t");
    float[] rows = PermutedTaskSequence.build(new TrainTestImages("t", test, test), 1, 0, 0).baseTest().allInputs();
    try (ExportedModels models = ExportedModels.open(export)) {
      float[] probs = models.task(1).predict(rows, 12).probabilities();
      for (int i = 0; i < 12; i++) {
        String[] cols = lines.get(i + 1).split(",");
        assertThat(cols[0]).isEqualTo("1");
        for (int c = 0; c < 10; c++) {
          assertThat(Float.parseFloat(cols[2 + c])).isCloseTo(probs[i * 10 + c], within(1e-6f));
        }
      }
    }

    // A manifest from before input.preprocessing still loads; predict then says why it cannot pad.
    Path manifest = export.resolve(ExportManifest.FILE);
    ObjectNode old = (ObjectNode) JsonFiles.read(manifest);
    ((ObjectNode) old.get("input")).remove("preprocessing");
    Files.writeString(manifest, old.toPrettyString());
    assertThat(ExportManifest.read(export).input().preprocessing()).isNull();
    CliRun older = hypercl("predict", export.toString(), "--task", "1", "--input", images.toString(), "--output",
        out.toString());
    assertThat(older.exit()).isEqualTo(2);
    assertThat(older.err()).contains("[12, 28, 28] give 784 values per example; the model takes 1024")
        .contains("records no input.preprocessing");
  }
}
