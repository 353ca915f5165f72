package org.hypercl.tools.serving;

import java.nio.file.Path;
import java.util.stream.IntStream;
import org.hypercl.graphs.TaskInference;
import org.hypercl.savedmodels.ExportOptions;
import org.hypercl.savedmodels.ExportResult;
import org.hypercl.savedmodels.ModelExporter;
import org.hypercl.savedmodels.RunCheckpoint;
import org.hypercl.training.ContinualLearner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.HnetTirLearner;
import org.hypercl.training.LearnerSettings;
import org.hypercl.training.RunDirectory;
import org.hypercl.tools.UserException;

/**
 * The export of an HNET+TIR run: its learner restored from the checkpoint the classifier's export
 * reads (the task-inference network's {@code model} beside the classifier's {@code
 * model-classifier}), which gives the task-inference network's weights, the decoder's weights of
 * each replayed task, and the learner's own task inference to verify the exported model against.
 */
final class HnetTirExport {

  private HnetTirExport() {}

  static ExportResult export(Path runDir, ExportOptions options) {
    RunCheckpoint ck = RunCheckpoint.read(runDir);
    ExperimentConfig c = RunDirectory.open(runDir).readConfig();
    int learned = ck.tasksLearned();
    Path prefix = ck.checkpointPrefix().resolveSibling(RunCheckpoint.CHECKPOINT_PREFIX);
    Path index = prefix.resolveSibling(RunCheckpoint.CHECKPOINT_PREFIX + ".index");
    if (!java.nio.file.Files.isRegularFile(index)) {
      throw new UserException("checkpoint " + prefix.getParent() + " has the hnet-tir classifier's "
          + ck.checkpointPrefix().getFileName() + " but not the task-inference network's " + index.getFileName());
    }
    try (ContinualLearner restored = c.method().create(c, 1)) {
      if (!(restored instanceof HnetTirLearner learner)) {
        throw new UserException(runDir + ": method " + c.method() + " is not hnet-tir");
      }
      learner.restore(prefix, learned);
      int[] candidates = IntStream.range(0, learned).toArray();
      ModelExporter.TaskInferenceReference reference = new ModelExporter.TaskInferenceReference() {
        @Override
        public float[] logits(float[] x, int n) {
          return learner.taskLogits(x, n);
        }

        @Override
        public int[] pick(float[] x, int n) {
          // What the runner's evaluation does without the task id: the learned tasks as candidates, rows as observed.
          return learner.inferTasks(x, n, candidates, null).get(TaskInference.Score.MAX_LOGIT).tasks();
        }
      };
      LearnerSettings.Replay r = c.settings().replay();
      ModelExporter.HnetTirParts parts = new ModelExporter.HnetTirParts(learned, HnetTirLearner.taskInferenceNetwork(c),
          learner.taskInferenceWeights(), reference, r.decoder(c.target().inputSize()), r.latentDim(),
          learner.generatorWeights(), r.isGan());
      return ModelExporter.exportHnetTir(runDir, options, parts);
    }
  }
}
