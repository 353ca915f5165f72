package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.TaskInference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HNET+R: the shipped sizes, the two phases of a task, the frozen copy, the protected decoder, CL3 replay, resume. */
class ReplayLearnerTest {

  /** Pixels of the generated images. */
  static final int DIM = 16;

  /**
   * Tasks of "images" in [0, 1]: task t has two classes, each a fixed random binary pattern of
   * {@link #DIM} pixels plus a little noise, clipped to [0, 1]. A VAE learns the patterns quickly.
   */
  static final class PatternTasks implements TaskSource {
    private final int numTasks;
    private final int trainSize;
    private final float[][] patterns;

    PatternTasks(int numTasks, int trainSize, long seed) {
      this.numTasks = numTasks;
      this.trainSize = trainSize;
      SplittableRandom rng = new SplittableRandom(seed);
      patterns = new float[numTasks * 2][DIM];
      for (float[] p : patterns) {
        for (int j = 0; j < DIM; j++) {
          p[j] = rng.nextInt(2);
        }
      }
    }

    private float[][] examples(int t, int n, SplittableRandom rng) {
      float[] x = new float[n * DIM];
      float[] y = new float[n * 2];
      for (int r = 0; r < n; r++) {
        int cls = rng.nextInt(2);
        for (int j = 0; j < DIM; j++) {
          float v = patterns[2 * t + cls][j] + (float) ((rng.nextDouble() - 0.5) * 0.4);
          x[r * DIM + j] = Math.max(0f, Math.min(1f, v));
        }
        y[r * 2 + cls] = 1;
      }
      return new float[][] {x, y};
    }

    @Override
    public String name() {
      return "patterns(" + numTasks + ")";
    }

    @Override
    public int numTasks() {
      return numTasks;
    }

    @Override
    public int maxTrainSize() {
      return trainSize;
    }

    @Override
    public TaskData task(int t) {
      SplittableRandom rng = new SplittableRandom(1000L * numTasks + t);
      float[][] train = examples(t, trainSize, rng);
      float[][] test = examples(t, 200, rng);
      return new TaskData("patterns-" + t, DIM, 2, train[0], train[1], test[0], test[1]);
    }
  }

  static LearnerSettings.Replay smallReplay(float beta, float weight) {
    return new LearnerSettings.Replay(List.of(32), List.of(32), 4, 4, 4, 4, List.of(8), "elu", 64, beta, 150, 0.01f, 0.01f, weight, 2f);
  }

  static ExperimentConfig experiment(Scenario scenario, int tasks, LearnerSettings.Replay replay) {
    MlpSpec target = new MlpSpec(DIM, new int[] {32}, 2, tasks, Activation.RELU);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(4, 4, new int[] {8}, Activation.RELU, 64, target.parameterCount());
    LearnerSettings s = LearnerSettings.defaults().toBuilder().iterations(150).batchSize(32).learningRate(0.01f).replay(replay).build();
    return new ExperimentConfig("patterns", TaskKind.CLASSIFICATION, target, hnet, tasks, s, Method.HNET_R).withScenario(scenario);
  }

  /** The reference's sizes: SplitMNIST decoder 250,350 and PermutedMNIST-10 decoder 400,400 with their hypernetworks. */
  @Test
  void shippedReplayModelsHaveTheReferenceSizes() {
    LearnerSettings.Replay split = Experiments.byName("split-mnist").settings().replay();
    assertThat(split.decoder(784).parameterCount()).isEqualTo(413_284);
    assertThat(split.hypernetwork(784).parameterCount()).isEqualTo(552_904);
    assertThat(split.hypernetwork(784).numChunks()).isEqualTo(9);
    assertThat(split.encoder(784).parameterCount()).isEqualTo(554_600);
    assertThat(ReplayLearner.replayedTasks(Experiments.byName("split-mnist")) * split.embeddingDim()).isEqualTo(384);
    LearnerSettings.Replay perm = Experiments.byName("permuted-mnist-10").settings().replay();
    assertThat(perm.decoder(1024).parameterCount()).isEqualTo(651_424);
    assertThat(perm.hypernetwork(1024).parameterCount()).isEqualTo(2_211_539);
    assertThat(ReplayLearner.replayedTasks(Experiments.byName("permuted-mnist-10")) * perm.embeddingDim()).isEqualTo(216);
    assertThat(perm.encoder(1024).parameterCount()).isEqualTo(2_226_200);
  }

  /** A task is the classifier's steps, then the VAE's; the last task has no VAE phase; replay takes ⌈batch/t⌉ per task. */
  @Test
  void stepsAndReplayShares() {
    ExperimentConfig c = experiment(Scenario.CL1, 3, smallReplay(0.05f, 0.5f));
    assertThat(Method.HNET_R.stepsPerTask(c, 0, 500)).isEqualTo(300);
    assertThat(Method.HNET_R.stepsPerTask(c, 1, 500)).isEqualTo(300);
    assertThat(Method.HNET_R.stepsPerTask(c, 2, 500)).isEqualTo(150);
    assertThat(ReplayLearner.replayPerTask(128, 1)).isEqualTo(128);
    assertThat(ReplayLearner.replayPerTask(128, 3)).isEqualTo(43);
    assertThat(ReplayLearner.replayPerTask(128, 4)).isEqualTo(32);
  }

  /** The distillation targets come from the copy taken when the task began, which the classifier's steps leave alone. */
  @Test
  void teacherIsFrozenAtTheTaskStart() {
    PatternTasks tasks = new PatternTasks(2, 300, 3);
    try (ReplayLearner l = new ReplayLearner(experiment(Scenario.CL3, 2, smallReplay(0.05f, 0.5f)), 300)) {
      l.learnTask(0, tasks.task(0), StepListener.NONE);
      float[] afterTask0 = l.classifierWeights()[0];
      l.beginTask(1, tasks.task(1));
      assertThat(l.classifierWeights()[1]).containsExactly(afterTask0);
      for (int s = 0; s < 20; s++) {
        float[] out = l.trainStep(1, s);
        assertThat(out[3]).as("replay loss at step %d", s).isFinite();
      }
      float[][] w = l.classifierWeights();
      assertThat(w[1]).as("the frozen copy").containsExactly(afterTask0);
      assertThat(Arrays.equals(w[0], afterTask0)).as("the classifier trained").isFalse();
    }
  }

  /** Max deviation of the decoder's samples for task 0 from fixed codes, after a later task's VAE phase. */
  private static double decoderDrift(float beta) {
    return decoderDrift(smallReplay(beta, 0.5f));
  }

  private static double decoderDrift(LearnerSettings.Replay replay) {
    PatternTasks tasks = new PatternTasks(3, 300, 4);
    float[] codes = new float[8 * 4];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    int[] ids = new int[8];
    try (ReplayLearner l = new ReplayLearner(experiment(Scenario.CL1, 3, replay), 300)) {
      l.learnTask(0, tasks.task(0), StepListener.NONE);
      float[] before = l.sample(ids, codes);
      l.learnTask(1, tasks.task(1), StepListener.NONE);
      float[] after = l.sample(ids, codes);
      double max = 0;
      for (int i = 0; i < before.length; i++) {
        assertThat(before[i]).isBetween(0f, 1f);
        max = Math.max(max, Math.abs(before[i] - after[i]));
      }
      return max;
    }
  }

  /** Eq. 2 keeps the decoder's output for task 0's embedding while the VAE learns task 1; without it the output moves. */
  @Test
  void protectedDecoderKeepsItsPastOutputs() {
    double kept = decoderDrift(1f);
    double free = decoderDrift(0f);
    assertThat(free).as("without the regularizer").isGreaterThan(0.2);
    assertThat(kept).as("with the regularizer (free: %s)", free).isLessThan(free / 4);
  }

  /** A GAN generator under Eq. 2 keeps task 0's samples while it learns task 1 (its steps: D, then G); without it they move. */
  @Test
  void protectedGanGeneratorKeepsItsPastOutputs() {
    LearnerSettings.Replay base = smallReplay(1f, 0.5f);
    LearnerSettings.Replay gan = new LearnerSettings.Replay(base.encoderHidden(), base.decoderHidden(), base.latentDim(),
        base.conditionDim(), base.embeddingDim(), base.chunkEmbeddingDim(), base.hnetHidden(), base.hnetActivation(), base.chunkSize(),
        1f, 150, 0.003f, 0.003f, 0.5f, 2f, "gan", "vanilla", 0.4f);
    LearnerSettings.Replay free = new LearnerSettings.Replay(gan.encoderHidden(), gan.decoderHidden(), gan.latentDim(),
        gan.conditionDim(), gan.embeddingDim(), gan.chunkEmbeddingDim(), gan.hnetHidden(), gan.hnetActivation(), gan.chunkSize(),
        0f, 150, 0.003f, 0.003f, 0.5f, 2f, "gan", "pearson", 0.4f);
    double kept = decoderDrift(gan);
    double moved = decoderDrift(free);
    assertThat(moved).as("without the regularizer").isGreaterThan(0.1);
    assertThat(kept).as("with the regularizer (without: %s)", moved).isLessThan(moved / 3);
    try (ReplayLearner l = new ReplayLearner(experiment(Scenario.CL1, 3, gan), 10)) {
      assertThat(l.stepOutputNames()).contains("replay/discriminator_loss");
    }
  }

  /** CL3 with replay keeps the first task; with the replay loss weighted 0 the class-incremental classifier forgets it. */
  @Test
  void replayKeepsEarlierClassesInCl3() {
    PatternTasks tasks = new PatternTasks(3, 400, 6);
    double[] with = after(experiment(Scenario.CL3, 3, smallReplay(0.05f, 0.5f)), tasks);
    double[] without = after(experiment(Scenario.CL3, 3, smallReplay(0.05f, 0f)), tasks);
    assertThat(with[0]).as("task 1 with replay (without: %s)", without[0]).isGreaterThan(without[0] + 30);
    assertThat(with[2]).as("the last task").isGreaterThan(90);
  }

  private static double[] after(ExperimentConfig c, TaskSource tasks) {
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, null, StepListener.NONE).run()) {
      RunResults r = o.results();
      assertThat(r.primary()).isEqualTo("cl3/max-logit");
      double[][] m = r.matrix();
      return m[m.length - 1];
    }
  }

  /** Killed inside a VAE phase and resumed, a run ends with the results of an uninterrupted one. */
  @Test
  void resumesToTheSameResults(@TempDir Path tmp) {
    PatternTasks tasks = new PatternTasks(2, 200, 7);
    ExperimentConfig base = experiment(Scenario.CL1, 2, smallReplay(0.05f, 0.5f));
    ExperimentConfig c = base.withSettings(base.settings().toBuilder().checkpointEvery(50).build());
    double[][] straight;
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, null, StepListener.NONE).run()) {
      straight = o.results().matrix();
    }
    Path dir = tmp.resolve("run");
    StepListener crash = new StepListener() {
      @Override
      public void stepFinished(int t, int iteration, float taskLoss, float regLoss) {
        if (t == 0 && iteration == 230) {
          throw new IllegalStateException("simulated kill");
        }
      }
    };
    assertThrows(IllegalStateException.class, () -> new ContinualRunner(c, tasks, RunDirectory.createNew(dir), crash).run().close());
    ExperimentConfig read = RunDirectory.open(dir).readConfig();
    assertThat(read).isEqualTo(c);
    try (ContinualRunner.Outcome o = new ContinualRunner(read, tasks, RunDirectory.open(dir), StepListener.NONE).run()) {
      assertThat(Arrays.deepEquals(o.results().matrix(), straight))
          .as("resumed %s, straight %s", Arrays.deepToString(o.results().matrix()), Arrays.deepToString(straight)).isTrue();
    }
  }

  /** After each task but the last, a grid of samples: a row per replayable task, ten columns of 4×4 images. */
  @Test
  void writesSampleGrids(@TempDir Path tmp) throws Exception {
    PatternTasks tasks = new PatternTasks(3, 200, 9);
    ExperimentConfig c = experiment(Scenario.CL1, 3, smallReplay(0.05f, 0.5f));
    Path dir = tmp.resolve("run");
    new ContinualRunner(c, tasks, RunDirectory.createNew(dir), StepListener.NONE).run().close();
    java.awt.image.BufferedImage first = javax.imageio.ImageIO.read(dir.resolve("plots/replay-samples-after-task-1.png").toFile());
    java.awt.image.BufferedImage second = javax.imageio.ImageIO.read(dir.resolve("plots/replay-samples-after-task-2.png").toFile());
    assertThat(first.getWidth()).isEqualTo(10 * 5 + 1);
    assertThat(first.getHeight()).isEqualTo(5 + 1);
    assertThat(second.getHeight()).isEqualTo(2 * 5 + 1);
    assertThat(dir.resolve("plots/replay-samples-after-task-3.png")).doesNotExist();
    // The same grids in TensorBoard's images, under one tag at each task's last step: the PNG
    // the event holds decodes to the file's pixels.
    Path events;
    try (var list = java.nio.file.Files.list(dir.resolve("events"))) {
      events = list.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
    }
    List<org.tensorflow.proto.Summary.Value> images = new java.util.ArrayList<>();
    List<Long> steps = new java.util.ArrayList<>();
    for (org.tensorflow.proto.Event e : ResumeAndEventsTest.readEvents(events)) {
      for (org.tensorflow.proto.Summary.Value v : e.getSummary().getValueList()) {
        if (v.getTag().startsWith("replay/samples")) {
          images.add(v);
          steps.add(e.getStep());
        }
      }
    }
    assertThat(images).hasSize(2);
    assertThat(steps.get(1)).isGreaterThan(steps.get(0));
    org.tensorflow.proto.Summary.Image img = images.get(1).hasImage() ? images.get(1).getImage() : null;
    byte[] png = img != null ? img.getEncodedImageString().toByteArray() : images.get(1).getTensor().getStringVal(2).toByteArray();
    java.awt.image.BufferedImage logged = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
    assertThat(logged.getWidth()).isEqualTo(second.getWidth());
    assertThat(logged.getHeight()).isEqualTo(second.getHeight());
    for (int y = 0; y < logged.getHeight(); y++) {
      for (int x = 0; x < logged.getWidth(); x++) {
        assertThat(logged.getRaster().getSample(x, y, 0)).as("pixel %d,%d", x, y).isEqualTo(second.getRaster().getSample(x, y, 0));
      }
    }
  }

  static ExperimentConfig tirExperiment(Scenario scenario, int tasks, LearnerSettings.Replay replay) {
    ExperimentConfig c = experiment(scenario, tasks, replay).withMethod(Method.HNET_TIR);
    return c.withSettings(c.settings().toBuilder().beta(0.05f).build());
  }

  /** The reference's HNET+TIR sizes on SplitMNIST: the task-inference net, the 50,150 decoder and its hypernetwork. */
  @Test
  void tirSizesAndSteps() {
    ExperimentConfig split = Experiments.withTirDecoder(Experiments.byName("split-mnist").withMethod(Method.HNET_TIR));
    assertThat(HnetTirLearner.taskInferenceWeights(split)).isEqualTo(476_405);
    LearnerSettings.Replay r = split.settings().replay();
    assertThat(r.decoder(784).parameterCount()).isEqualTo(136_084);
    assertThat(r.hypernetwork(784).parameterCount()).isEqualTo(552_328);
    LearnerSettings.Replay p10 = Experiments.withTirDecoder(Experiments.byName("permuted-mnist-10").withMethod(Method.HNET_TIR))
        .settings().replay();
    assertThat(p10.decoder(1024).parameterCount()).isEqualTo(2_227_024);
    assertThat(p10.hypernetwork(1024).parameterCount()).isEqualTo(2_211_691);
    ExperimentConfig c = tirExperiment(Scenario.CL3, 3, smallReplay(0.05f, 0.5f));
    // Task inference from the second task, the VAE but on the last, the classifier always.
    assertThat(Method.HNET_TIR.stepsPerTask(c, 0, 500)).isEqualTo(0 + 150 + 150);
    assertThat(Method.HNET_TIR.stepsPerTask(c, 1, 500)).isEqualTo(150 + 150 + 150);
    assertThat(Method.HNET_TIR.stepsPerTask(c, 2, 500)).isEqualTo(150 + 0 + 150);
  }

  /** HNET+TIR infers the task from replay-trained outputs; without the replay loss it only knows the last task. */
  @Test
  void tirInfersTasksInCl3() {
    PatternTasks tasks = new PatternTasks(3, 400, 10);
    try (ContinualRunner.Outcome with = new ContinualRunner(tirExperiment(Scenario.CL3, 3, smallReplay(0.05f, 0.5f)), tasks, null,
            StepListener.NONE).run();
        ContinualRunner.Outcome without = new ContinualRunner(tirExperiment(Scenario.CL3, 3, smallReplay(0.05f, 0f)), tasks, null,
            StepListener.NONE).run()) {
      RunResults w = with.results();
      assertThat(w.primary()).isEqualTo("cl3/max-logit");
      double[] inferred = w.matrices().get(RunResults.TASK_INFERENCE + "/max-logit")[2];
      double[] inferredWithout = without.results().matrices().get(RunResults.TASK_INFERENCE + "/max-logit")[2];
      assertThat(inferred[0]).as("task 1 inferred with replay (without: %s)", inferredWithout[0]).isGreaterThan(inferredWithout[0] + 30);
      assertThat(w.matrix()[2][0]).as("cl3 accuracy on task 1").isGreaterThan(80);
      // Given the task, the classifier is HNET's: it keeps every task.
      for (double a : w.matrices().get(RunResults.TASK_GIVEN)[2]) {
        assertThat(a).isGreaterThan(90);
      }
      // Only the task-inference network's reading is measured.
      assertThat(w.matrices().get(RunResults.TASK_INFERENCE + "/entropy")[2][0]).isNaN();
    }
  }

  /** Killed inside the task-inference phase and resumed, HNET+TIR ends where the uninterrupted run does (two checkpoints). */
  @Test
  void tirResumesToTheSameResults(@TempDir Path tmp) {
    PatternTasks tasks = new PatternTasks(2, 200, 11);
    ExperimentConfig base = tirExperiment(Scenario.CL3, 2, smallReplay(0.05f, 0.5f));
    ExperimentConfig c = base.withSettings(base.settings().toBuilder().checkpointEvery(50).build());
    double[][] straight;
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, null, StepListener.NONE).run()) {
      straight = o.results().matrix();
    }
    Path dir = tmp.resolve("run");
    StepListener crash = new StepListener() {
      @Override
      public void stepFinished(int t, int iteration, float taskLoss, float regLoss) {
        if (t == 1 && iteration == 70) {
          throw new IllegalStateException("simulated kill");
        }
      }
    };
    assertThrows(IllegalStateException.class, () -> new ContinualRunner(c, tasks, RunDirectory.createNew(dir), crash).run().close());
    try (ContinualRunner.Outcome o = new ContinualRunner(RunDirectory.open(dir).readConfig(), tasks, RunDirectory.open(dir),
        StepListener.NONE).run()) {
      assertThat(Arrays.deepEquals(o.results().matrix(), straight))
          .as("resumed %s, straight %s", Arrays.deepToString(o.results().matrix()), Arrays.deepToString(straight)).isTrue();
    }
  }

  /** RPL-UB replays real data of the earlier tasks: no VAE phase, and CL3 keeps the first task. */
  @Test
  void replayUpperBoundKeepsEarlierClasses() {
    ExperimentConfig c = experiment(Scenario.CL3, 3, smallReplay(0.05f, 0.5f)).withMethod(Method.RPL_UB);
    assertThat(Method.RPL_UB.stepsPerTask(c, 0, 400)).isEqualTo(150);
    double[] after = after(c, new PatternTasks(3, 400, 6));
    assertThat(after[0]).as("task 1").isGreaterThan(95);
    assertThat(after[2]).as("task 3").isGreaterThan(95);
  }

  /** DGR: an unprotected VAE trained on its own replay keeps the first task in CL3 too, with finite VAE losses throughout. */
  @Test
  void dgrKeepsEarlierClasses() {
    ExperimentConfig c = experiment(Scenario.CL3, 3, smallReplay(0.05f, 0.5f)).withMethod(Method.DGR);
    PatternTasks tasks = new PatternTasks(3, 400, 6);
    try (ReplayLearner l = new ReplayLearner(c, 400)) {
      for (int t = 0; t < 3; t++) {
        l.beginTask(t, tasks.task(t));
        for (int s = 0; s < Method.DGR.stepsPerTask(c, t, 400); s++) {
          float[] out = l.trainStep(t, s);
          assertThat(out[0]).as("task %d step %d loss", t, s).isFinite();
        }
        l.finishTask(t);
      }
    }
    double[] after = after(c, tasks);
    assertThat(after[0]).as("task 1").isGreaterThan(60);
    assertThat(after[2]).as("task 3").isGreaterThan(90);
  }

  /** The Bernoulli VAE refuses inputs outside [0, 1], naming the task. */
  @Test
  void refusesStandardizedInputs() {
    TaskData bad = new TaskData("standardized", DIM, 2, new float[DIM * 2], new float[] {1, 0, 0, 1}, new float[DIM], new float[] {1, 0});
    bad.trainX()[5] = -0.3f;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReplayLearner.checkPixels(bad));
    assertThat(e.getMessage()).contains("standardized").contains("[0, 1]");
  }

  /** CL2 has one head and nothing to infer: the inferred tasks are −1 and the classes the head's argmax. */
  @Test
  void sharedHeadInfersNoTask() {
    PatternTasks tasks = new PatternTasks(2, 200, 8);
    try (ReplayLearner l = new ReplayLearner(experiment(Scenario.CL2, 2, smallReplay(0.05f, 0.5f)), 200)) {
      TaskData d = tasks.task(0);
      l.learnTask(0, d, StepListener.NONE);
      var inferred = l.inferTasks(d.testX(), d.testSize(), new int[] {0}, null);
      for (TaskInference.Score s : TaskInference.Score.values()) {
        assertThat(inferred.get(s).tasks()).containsOnly(-1);
      }
      float[] out = l.predict(0, d.testX(), d.testSize(), null);
      int[] classes = inferred.get(TaskInference.Score.MAX_LOGIT).classes();
      for (int i = 0; i < classes.length; i++) {
        assertThat(classes[i]).isEqualTo(Metrics.argmax(out, 2 * i, 2));
      }
    }
  }
}
