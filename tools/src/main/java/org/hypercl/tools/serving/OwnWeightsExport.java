package org.hypercl.tools.serving;

import java.nio.file.Path;
import java.util.List;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.savedmodels.ModelExporter;
import org.hypercl.training.ContinualLearner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.LearnerSettings;
import org.hypercl.training.Method;
import org.hypercl.training.RunDirectory;
import org.hypercl.tools.UserException;

/**
 * The weights an export of a run whose classifier has its own weights needs (the regularization
 * baselines, HNET+R, DGR, RPL-UB; an HNET+TIR run's classifier is a hypernetwork's and is exported
 * as one), read by restoring the run's learner from its latest after-task
 * checkpoint: the classifier's weights and, for a replay run, the decoder's weights of every task
 * it replays.
 */
final class OwnWeightsExport {

  private OwnWeightsExport() {}

  /** Whether runs of this method are exported this way. */
  static boolean applies(Method m) {
    return m != Method.HYPERNETWORK && m != Method.HNET_TIR;
  }

  static ModelExporter.OwnWeights read(Path runDir) {
    RunDirectory dir = RunDirectory.open(runDir);
    ExperimentConfig c = dir.readConfig();
    int learned = 0;
    while (learned < c.numTasks() && java.nio.file.Files.isDirectory(dir.taskCheckpoint(learned + 1))) {
      learned++;
    }
    if (learned == 0) {
      throw new UserException("run " + runDir + " has no checkpoint of a finished task to export");
    }
    try (ContinualLearner learner = c.method().create(c, 1)) {
      learner.restore(dir.taskCheckpoint(learned).resolve(RunDirectory.CHECKPOINT_PREFIX), learned);
      float[] classifier = learner.ownWeights().orElseThrow(
          () -> new UserException(runDir + ": method " + c.method() + " has no classifier weights of its own to export"));
      List<float[]> decoder = learner.generatorWeights();
      LearnerSettings.Replay r = c.settings().replay();
      MlpSpec spec = decoder.isEmpty() ? null : r.decoder(c.target().inputSize());
      return new ModelExporter.OwnWeights(classifier, spec, r.latentDim(), decoder, r.isGan());
    }
  }
}
