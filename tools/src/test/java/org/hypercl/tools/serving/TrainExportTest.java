package org.hypercl.tools.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.hypercl.savedmodels.ExportManifest;
import org.hypercl.savedmodels.ExportedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypercl train --export}: every run is exported when training ends. */
class TrainExportTest {

  @TempDir Path tmp;

  @Test
  void trainExportsEachHypernetworkRunAndResumeAddsAVersion() {
    var train = ExportEndToEndTest.hypercl("train", "--experiment", "toy-regression", "--iterations", "60",
        "--baselines", "--export", "--run-dir", tmp.toString());
    assertThat(train.code()).as(train.err()).isZero();
    Path hnetExport = tmp.resolve("hnet/export");
    assertThat(train.out()).contains("Exported toy-regression (regression, 3 of 3 tasks learned) to " + hnetExport)
        .contains("toy-regression-task2/1");
    assertThat(hnetExport.resolve("toy-regression-hnet/1/saved_model.pb")).isRegularFile();
    assertThat(tmp.resolve("fine-tuning/export/toy-regression-fine-tuning-task0/1/saved_model.pb")).isRegularFile();
    // The target network alone has its own weights: task models, no hypernetwork model.
    assertThat(tmp.resolve("target-only/export/toy-regression-target-only-task0/1/saved_model.pb")).isRegularFile();
    assertThat(ExportManifest.read(tmp.resolve("target-only/export")).hypernetworkModel()).isNull();
    assertThat(ExportManifest.read(hnetExport).version()).isEqualTo(1);

    // Resuming a finished run exports again, beside the first export rather than over it.
    var resume = ExportEndToEndTest.hypercl("train", "--resume", tmp.resolve("hnet").toString(), "--export");
    assertThat(resume.code()).as(resume.err()).isZero();
    assertThat(resume.out()).contains("toy-regression-task0/2");
    assertThat(hnetExport.resolve("toy-regression-hnet/2/saved_model.pb")).isRegularFile();
    assertThat(hnetExport.resolve("toy-regression-hnet/1/saved_model.pb")).isRegularFile();
    try (ExportedModels models = ExportedModels.open(hnetExport)) {
      assertThat(models.manifest().version()).isEqualTo(2);
      float[] x = {-2f, 0.5f, 3f};
      // The same checkpoint, exported twice: the same predictions.
      assertThat(models.task(1).predict(x, 3).y()).containsExactly(models.hypernetwork().predict(1, x, 3).y(),
          within(1e-6f));
    }

    var help = ExportEndToEndTest.hypercl("train", "--help");
    assertThat(help.out()).contains("--export").contains("RUN_DIR/export");
  }
}
