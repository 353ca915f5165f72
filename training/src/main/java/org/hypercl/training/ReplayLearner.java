package org.hypercl.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.hypercl.graphs.AdamOptimizer;
import org.hypercl.graphs.ClassIncremental;
import org.hypercl.graphs.ForwardContext;
import org.hypercl.graphs.Losses;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.MlpTargetNetwork;
import org.hypercl.graphs.OutputRegularizerPenalty;
import org.hypercl.graphs.StepSeeds;
import org.hypercl.graphs.TargetNetwork;
import org.hypercl.graphs.TaskInference;
import org.hypercl.graphs.Tensors;
import org.hypercl.graphs.Variables;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * HNET+R (von Oswald et al., 2020, §3 and Table 1): a classifier with its own weights learns each
 * task from its data plus replay of the earlier tasks, drawn from a VAE whose decoder's weights a
 * hypernetwork generates from a task embedding and Eq. 2 protects. As the reference does, each
 * task trains in two phases, one after the other:
 *
 * <ol>
 *   <li>the classifier, {@code settings.iterations()} steps (or its epochs): at task t ≥ 1 its loss
 *       is {@code (1−w)·CE(real) + w·KD(replay)}, the replay batch being ⌈batch/t⌉ samples of each
 *       earlier task r (z ~ N(0, I) with r's one-hot, decoded by {@code h(e_r)}, through a sigmoid)
 *       and its targets the logits of a frozen copy of the classifier taken when the task began
 *       (distillation at temperature T, scaled by T²);
 *   <li>the VAE on task t's data, {@code replay.iterations()} steps, skipped on the last task (no
 *       later task replays it): reconstruction + KL/input size + β_rp · Eq. 2 over the decoder's
 *       earlier embeddings, with the Adam lookahead.
 * </ol>
 *
 * <p>The scenario sets the classifier's outputs, as in the reference: CL1, a head per task, the
 * replay of task r read on head r; CL2, one shared head; CL3, a head per task read as one growing
 * softmax over the heads of tasks 0..t, whose replay targets are the frozen copy's logits of the
 * earlier heads and 0 on head t. Without a task id (CL2/CL3) the classifier predicts from all its
 * outputs; {@link #inferTasks} reports, per score, the head it picks among the candidates, and
 * {@code max-logit} is the plain argmax over their outputs, the reference's CL3 reading.
 *
 * <p>Each step is one session run of one phase. Random draws (the VAE's noise, the replay codes)
 * are stateless functions of (seed, task, step), so a resumed run continues exactly.
 */
final class ReplayLearner implements ContinualLearner {

  /** What the classifier learns. */
  enum Mode {
    /** HNET+R: the classes, distilled on replay from the frozen copy. */
    CLASSES,
    /**
     * HNET+TIR's task-inference network: the task itself, one output per task read as a head of
     * size 1 (the CL3 layout), a growing softmax over tasks 0..t; real data's target is t, a replayed
     * sample's the task that generated it (hard targets, cross-entropy). It does not train on the
     * first task (a softmax over one task teaches nothing).
     */
    TASKS
  }

  /** Names of the values {@link #trainStep} returns. */
  static final List<String> STEP_OUTPUTS =
      List.of("task_loss", "regularizer", "classifier/real_loss", "classifier/replay_loss", "replay/reconstruction", "replay/kl",
          "batch_metric");

  private final ExperimentConfig config;
  private final Mode mode;
  /** RPL-UB: the replay batch is real data of the earlier tasks, fed per step; no VAE trains. */
  private final boolean realReplay;
  /** RPL-UB's replay rows {@code [t · m, in]}, grouped by task. */
  private final Placeholder<TFloat32> replayRows;
  /** The earlier tasks' data, for RPL-UB. */
  private final Map<Integer, TaskData> pastTasks = new java.util.HashMap<>();
  /** Target width of the task data (the classes of a task; in {@link Mode#TASKS} not the classifier's outputs). */
  private final int dataOutputs;
  private final LearnerSettings settings;
  private final LearnerSettings.Replay replay;
  private final Graph graph;
  private final Ops tf;
  private final TargetNetwork net;
  private final TaskInputs inputs;
  private final Placeholder<TInt32> trainTask;
  private final Placeholder<TInt64> stepSeed;
  /** Earlier tasks replayed in a classifier step, {@code [t]}. */
  private final Placeholder<TInt32> replayTasks;
  /** Replay samples per earlier task, a scalar. */
  private final Placeholder<TInt32> replayPerTask;
  private final OwnWeights classifier;
  private final AdamOptimizer classifierAdam;
  private final Variable<TFloat32> teacher;
  private final Op copyTeacher;
  private final OwnWeights encoder;
  private final AdamOptimizer encoderAdam;
  /** The decoder's weights: generated by a protected hypernetwork (HNET+R, HNET+TIR) or its own (DGR). */
  private final WeightSource decoder;
  /** DGR: the decoder's own weights, trained on current and replayed data, and their copy taken at the task's start. */
  private final boolean dgr;
  private final Variable<TFloat32> decoderTeacher;
  private final Op copyDecoderTeacher;
  private final AdamOptimizer decoderAdam;
  private final OutputRegularizerPenalty decoderPenalty;
  private final MlpSpec decoderSpec;
  /** Classifier step outputs ({@link #STEP_OUTPUTS} order), without and with replay, and the VAE step's. */
  private final List<Operand<TFloat32>> firstOutputs;
  private final List<Operand<TFloat32>> replayOutputs;
  private final List<Operand<TFloat32>> vaeOutputs;
  private final Op firstUpdate;
  private final Op replayUpdate;
  private final List<Op> vaeUpdates;
  /** A GAN: the generator is the decoder, the discriminator takes the encoder's place; each step first updates D. */
  private final boolean gan;
  private final Op discriminatorUpdate;
  private final Operand<TFloat32> discriminatorLoss;
  private final List<String> stepOutputNames;
  private final Placeholder<TInt32> evalTask;
  private final Operand<TFloat32> evalOutput;
  private final Placeholder<TInt32> candidates;
  private final Map<TaskInference.Score, Operand<TInt32>> inferredTask = new EnumMap<>(TaskInference.Score.class);
  private final Map<TaskInference.Score, Operand<TFloat32>> inferredLogits = new EnumMap<>(TaskInference.Score.class);
  /** Samples of the decoder: task ids {@code [k]} and codes {@code [k, latent]} in, pixels {@code [k, in]} out. */
  private final Placeholder<TInt32> sampleTasks;
  private final Placeholder<TFloat32> sampleCodes;
  private final Operand<TFloat32> samples;
  /** The decoder's weights {@code [k, P]} of the fed sample tasks. */
  private final Operand<TFloat32> sampleWeights;
  private Session session;
  private int tasksLearned;
  private int currentTask = -1;
  private int classifierSteps;
  private IndexSampler sampler;

  ReplayLearner(ExperimentConfig config, int maxTrainSize) {
    this(config, maxTrainSize, Mode.CLASSES, config.target().outputSize());
  }

  /**
   * @param config in {@link Mode#TASKS}, a CL3 config whose target has one head of size 1 per task
   * @param dataOutputs the width of the tasks' one-hot labels
   */
  ReplayLearner(ExperimentConfig config, int maxTrainSize, Mode mode, int dataOutputs) {
    this.mode = mode;
    this.dataOutputs = dataOutputs;
    this.realReplay = config.method() == Method.RPL_UB;
    this.dgr = config.method() == Method.DGR;
    this.gan = config.settings().replay().isGan();
    if (gan && dgr) {
      throw new IllegalArgumentException("dgr replays from a VAE; a GAN replay model is for hnet-r and hnet-tir");
    }
    this.stepOutputNames = gan
        ? List.of("task_loss", "regularizer", "classifier/real_loss", "classifier/replay_loss", "replay/discriminator_loss",
            "replay/generator_loss", "batch_metric")
        : STEP_OUTPUTS;
    if (mode == Mode.TASKS && (config.scenario() != Scenario.CL3 || config.target().outputSize() != 1)) {
      throw new IllegalArgumentException("a task-inference network has one output per task (a cl3 layout of heads of 1); got "
          + config.target() + " in " + config.scenario().id());
    }
    if (maxTrainSize <= 0) {
      throw new IllegalArgumentException("max training set size must be positive, got " + maxTrainSize);
    }
    if (config.kind() != TaskKind.CLASSIFICATION || !(config.target().network() instanceof MlpTargetNetwork)) {
      throw new IllegalArgumentException("replay (" + config.method().name().toLowerCase(java.util.Locale.ROOT) + ") trains an MLP classifier; " + config.name()
          + " has " + config.target().network());
    }
    this.config = config;
    this.settings = config.settings();
    this.replay = settings.replay();
    if (replay.conditionDim() < Math.max(1, config.numTasks() - 1)) {
      throw new IllegalArgumentException("the replay decoder's condition is a one-hot of " + replay.conditionDim()
          + " values; " + config.name() + " replays " + (config.numTasks() - 1) + " tasks");
    }
    this.graph = new Graph();
    boolean ok = false;
    try {
      this.tf = Ops.create(graph);
      this.net = config.target().network();
      int in = config.target().inputSize();
      this.inputs = new TaskInputs(tf, maxTrainSize, in, dataOutputs);
      Ops train = tf.withSubScope("train");
      // Shaped placeholders: shape inference then knows every rank (Grappler warns about ops of unknown rank).
      this.trainTask = train.withName("task").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      this.stepSeed = train.withName("seed").placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      this.replayTasks = train.withName("replay_tasks").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      this.replayPerTask = train.withName("replay_per_task").placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      this.replayRows = train.withName("replay_rows").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, in)));
      long seed = settings.seed();

      // The classifier and its frozen copy.
      classifier = new OwnWeights(tf, "", net.layout(), seed);
      classifierAdam = new AdamOptimizer(tf, "adam", classifier.trainable(), settings.adam());
      teacher = Variables.zeros(tf, "teacher/weights", net.parameterCount());
      copyTeacher = tf.assign(teacher, tf.identity(classifier.trainable().get(0)));

      // The VAE: an encoder of its own, a decoder generated from an embedding per replayed task.
      // A GAN's discriminator has the encoder's place (own weights, its own Adam).
      MlpTargetNetwork encoderNet = new MlpTargetNetwork(gan ? replay.discriminator(in) : replay.encoder(in));
      decoderSpec = replay.decoder(in);
      MlpTargetNetwork decoderNet = new MlpTargetNetwork(decoderSpec);
      String own = gan ? "replay/discriminator/" : "replay/encoder/";
      encoder = new OwnWeights(tf, own, encoderNet.layout(), StepSeeds.mix(seed, 11, -3));
      encoderAdam = new AdamOptimizer(tf, own + "adam", encoder.trainable(),
          AdamOptimizer.Settings.withLearningRate(replay.encoderLearningRate()));
      if (dgr) {
        decoder = new OwnWeights(tf, "replay/decoder/", decoderNet.layout(), StepSeeds.mix(seed, 12, -3));
        decoderTeacher = Variables.zeros(tf, "replay/decoder_copy/weights", decoderNet.parameterCount());
        copyDecoderTeacher = tf.assign(decoderTeacher, tf.identity(decoder.trainable().get(0)));
      } else {
        decoder = new GeneratedWeights(tf, "replay/", replay.hypernetwork(in), replayedTasks(config),
            new SplittableRandom(StepSeeds.mix(seed, 12, -3)));
        decoderTeacher = null;
        copyDecoderTeacher = null;
      }
      decoderAdam = new AdamOptimizer(tf, "replay/adam", decoder.trainable(),
          AdamOptimizer.Settings.withLearningRate(replay.decoderLearningRate()));

      // Classifier steps.
      Ops c = train.withSubScope("classifier");
      List<Operand<TFloat32>> params = Variables.read(c, classifier.trainable());
      Operand<TFloat32> w = params.get(0);
      Operand<TFloat32> realLogits = net.forwardAllHeads(c, inputs.batchX, w, ForwardContext.none().inTraining()).output();
      Operand<TFloat32>[] real = realLoss(c, realLogits);
      Operand<TFloat32> realLoss = real[0];
      Operand<TFloat32> metric = real[1];
      Operand<TFloat32> nan = c.constant(Float.NaN);
      Operand<TFloat32> zero = c.constant(0f);
      List<Operand<TFloat32>> firstGrads = Tensors.floatOperands(c.gradients(realLoss, params));
      firstUpdate = classifierAdam.update(c, firstGrads, List.of((Op) realLoss, (Op) metric));
      firstOutputs = distinct(c, List.of(realLoss, zero, realLoss, nan, nan, nan, metric));

      Ops r = c.withSubScope("replay");
      Operand<TFloat32> fake = realReplay ? replayRows : replayBatch(r, decoderNet, replayDecoderWeights(r));
      Operand<TFloat32> studentAll = net.forwardAllHeads(r, fake, w, ForwardContext.none().inTraining()).output();
      Operand<TFloat32> teacherAll = r.stopGradient(net.forwardAllHeads(r, fake, r.identity(teacher), ForwardContext.none()).output());
      Operand<TFloat32> kd = replayLoss(r, studentAll, teacherAll);
      Operand<TFloat32> rw = replayWeight(r);
      Operand<TFloat32> mixed = r.math.add(r.math.mul(r.math.sub(r.constant(1f), rw), realLoss), r.math.mul(rw, kd));
      List<Operand<TFloat32>> replayGrads = Tensors.floatOperands(r.gradients(mixed, params));
      replayUpdate = classifierAdam.update(r, replayGrads, List.of((Op) mixed, (Op) realLoss, (Op) kd, (Op) metric));
      replayOutputs = distinct(r, List.of(mixed, zero, realLoss, kd, nan, nan, metric));

      if (gan) {
        // GAN steps: D on real (rescaled to [−1, 1]) and generated batches, then G against the updated D.
        Losses.Gan loss = Losses.Gan.parse(replay.ganLoss());
        Ops d = train.withSubScope("gan_discriminator");
        Operand<TInt32> rows = d.reshape(d.size(inputs.batchIndices, TInt32.class), d.constant(new int[] {1}));
        Operand<TInt32> tasks = d.broadcastTo(d.reshape(trainTask, d.constant(new int[] {1})), rows);
        List<Operand<TFloat32>> dParams = Variables.read(d, encoder.trainable());
        Operand<TFloat32> realX = d.math.sub(d.math.mul(inputs.batchX, d.constant(2f)), d.constant(1f));
        // The current generator: its hypernetwork on the embedding being learned (the table row is written at the task's end).
        Operand<TFloat32> current = decoder.trainWeights(d, Variables.read(d, decoder.trainable()));
        Operand<TFloat32> fake1 = d.stopGradient(generate(d, decoderNet, current, tasks, rows,
            d.math.add(stepSeed, d.constant(new long[] {0L, 21L}))));
        ForwardContext dCtx = ForwardContext.none().inTraining(stepSeed);
        Operand<TFloat32> dReal = discriminate(d, encoderNet, realX, dParams.get(0), dCtx, 31);
        Operand<TFloat32> dFake = discriminate(d, encoderNet, fake1, dParams.get(0), dCtx, 41);
        discriminatorLoss = loss.discriminator(d, dReal, dFake);
        discriminatorUpdate = encoderAdam.update(d, Tensors.floatOperands(d.gradients(discriminatorLoss, dParams)),
            List.of((Op) discriminatorLoss));

        Ops g = train.withSubScope("gan_generator");
        List<Operand<TFloat32>> gParams = Variables.read(g, decoder.trainable());
        Operand<TFloat32> fake2 = generate(g, decoderNet, decoder.trainWeights(g, gParams), tasks, rows,
            g.math.add(stepSeed, g.constant(new long[] {0L, 22L})));
        Operand<TFloat32> dOfFake = discriminate(g, encoderNet, fake2, g.identity(encoder.trainable().get(0)), dCtx, 51);
        Operand<TFloat32> gLoss = loss.generator(g, dOfFake);
        List<Operand<TFloat32>> gTaskGrads = Tensors.floatOperands(g.gradients(gLoss, gParams));
        List<Operand<TFloat32>> gGrads = new ArrayList<>(gTaskGrads);
        Operand<TFloat32> reg = g.constant(0f);
        if (replay.beta() > 0) {
          GeneratedWeights generated = (GeneratedWeights) decoder;
          decoderPenalty = new OutputRegularizerPenalty(tf, g, generated.hypernetwork(), generated.embeddings().table(),
              replayedTasks(config), gParams, gTaskGrads, decoderAdam,
              new OutputRegularizerPenalty.Settings(replay.beta(), 0, settings.lookahead(), settings.regularizerForm().graphForm()),
              StepSeeds.mix(seed, 12, -5), null);
          reg = decoderPenalty.loss();
          for (int i = 0; i < gGrads.size(); i++) {
            Operand<TFloat32> pg = decoderPenalty.gradients().get(i);
            if (pg != null) {
              gGrads.set(i, g.math.add(gGrads.get(i), pg));
            }
          }
        } else {
          decoderPenalty = null;
        }
        vaeUpdates = List.of(decoderAdam.update(g, gGrads, List.of((Op) gLoss, (Op) reg)));
        // The discriminator's loss comes from the step's first run; its slot here is filled in then.
        vaeOutputs = distinct(g, List.of(gLoss, reg, nan, nan, nan, gLoss, nan));
      } else {
        discriminatorLoss = null;
        discriminatorUpdate = null;
        // VAE steps.
        Ops v = train.withSubScope("vae");
        List<Operand<TFloat32>> encParams = Variables.read(v, encoder.trainable());
        List<Operand<TFloat32>> decParams = Variables.read(v, decoder.trainable());
        Operand<TInt32> batchRows = v.reshape(v.size(inputs.batchIndices, TInt32.class), v.constant(new int[] {1}));
        Operand<TInt32> rowTasks = v.broadcastTo(v.reshape(trainTask, v.constant(new int[] {1})), batchRows);
        Operand<TFloat32> decW = dgr ? decParams.get(0) : decoder.trainWeights(v, decParams);
        Operand<TFloat32>[] cur = vaeLoss(v, encoderNet, decoderNet, inputs.batchX, rowTasks, batchRows, encParams.get(0), decW, stepSeed);
        Operand<TFloat32> rec = cur[0];
        Operand<TFloat32> kl = cur[1];
        Operand<TFloat32> vaeLoss = v.math.add(rec, kl);
        if (dgr) {
          // DGR: the VAE also learns the replay of its copy, weighted as the classifier's (1/t against 1 − 1/t).
          Ops vr = v.withSubScope("replay");
          Operand<TFloat32> fakeX = replayBatch(vr, decoderNet, replayDecoderWeights(vr));
          Operand<TInt32> fakeRows = vr.reshape(vr.shape(rowTasks(vr)), vr.constant(new int[] {1}));
          Operand<TFloat32>[] rp = vaeLoss(vr, encoderNet, decoderNet, fakeX, rowTasks(vr), fakeRows, encParams.get(0), decW,
              vr.math.add(stepSeed, vr.constant(new long[] {0L, 13L})));
          Operand<TFloat32> rpw = replayWeight(vr);
          Operand<TFloat32> rpLoss = vr.math.add(rp[0], rp[1]);
          // At the first task nothing is replayed (the replay batch is empty and its loss NaN): the weight is 0 there.
          Operand<TFloat32> safe = vr.select(vr.math.greater(rpw, vr.constant(0f)), rpLoss, vr.zerosLike(rpLoss));
          vaeLoss = vr.math.add(vr.math.mul(vr.math.sub(vr.constant(1f), rpw), vaeLoss), vr.math.mul(rpw, safe));
        }
        List<Operand<TFloat32>> encGrads = Tensors.floatOperands(v.gradients(vaeLoss, encParams));
        List<Operand<TFloat32>> decTaskGrads = Tensors.floatOperands(v.gradients(vaeLoss, decParams));
        List<Operand<TFloat32>> decGrads = new ArrayList<>(decTaskGrads);
        Operand<TFloat32> reg = v.constant(0f);
        if (!dgr && replay.beta() > 0) {
          GeneratedWeights generated = (GeneratedWeights) decoder;
          decoderPenalty = new OutputRegularizerPenalty(tf, v, generated.hypernetwork(), generated.embeddings().table(),
              replayedTasks(config), decParams, decTaskGrads, decoderAdam,
              new OutputRegularizerPenalty.Settings(replay.beta(), 0, settings.lookahead(), settings.regularizerForm().graphForm()),
              StepSeeds.mix(seed, 12, -5), null);
          reg = decoderPenalty.loss();
          for (int i = 0; i < decGrads.size(); i++) {
            Operand<TFloat32> g = decoderPenalty.gradients().get(i);
            if (g != null) {
              decGrads.set(i, v.math.add(decGrads.get(i), g));
            }
          }
        } else {
          decoderPenalty = null;
        }
        List<Op> after = List.of((Op) vaeLoss, (Op) rec, (Op) kl, (Op) reg);
        vaeUpdates = List.of(encoderAdam.update(v, encGrads, after), decoderAdam.update(v, decGrads, after));
        vaeOutputs = distinct(v, List.of(vaeLoss, reg, nan, nan, rec, kl, nan));

      }

      // Evaluation: the classifier on the task's head, and its prediction without the task id.
      Ops ev = tf.withSubScope("eval");
      evalTask = ev.withName("task").placeholder(TInt32.class);
      Operand<TFloat32> evalW = ev.identity(classifier.trainable().get(0));
      evalOutput = net.forwardHead(ev, inputs.evalInput, evalW, ForwardContext.head(evalTask)).output();
      Ops inf = tf.withSubScope("inference");
      candidates = inf.withName("candidates").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> all = net.forwardAllHeads(inf, inputs.evalInput, inf.identity(classifier.trainable().get(0)), ForwardContext.none()).output();
      // [n, k, C]: the candidates' heads.
      Operand<TFloat32> heads = inf.gather(all, candidates, inf.constant(1));
      for (TaskInference.Score s : TaskInference.Score.values()) {
        Operand<TInt32> best = inf.math.argMin(s.of(inf, heads), inf.constant(1), TInt32.class);
        inferredTask.put(s, inf.gather(candidates, best, inf.constant(0)));
        inferredLogits.put(s, inf.gather(heads, best, inf.constant(1), Gather.batchDims(1L)));
      }

      Ops smp = tf.withSubScope("samples");
      sampleTasks = smp.withName("tasks").placeholder(TInt32.class);
      sampleCodes = smp.withName("codes").placeholder(TFloat32.class);
      Operand<TFloat32> sampleIn = smp.concat(List.of(sampleCodes, oneHot(smp, sampleTasks)), smp.constant(1));
      Operand<TFloat32> sampleW = decoder.weightsOfMany(smp, sampleTasks);
      sampleWeights = sampleW;
      Operand<TFloat32> out = decoderNet.forwardCandidates(smp, smp.expandDims(sampleIn, smp.constant(1)), sampleW, ForwardContext.none());
      samples = pixels(smp, smp.reshape(out, smp.constant(new int[] {-1, in})));

      session = new Session(graph, settings.sessionConfig());
      session.initialize();
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  /**
   * The VAE loss terms of {@code x} {@code [n, in]}, each row conditioned on its task: the
   * reconstruction and KL/input size, both batch means.
   */
  @SuppressWarnings("unchecked")
  private Operand<TFloat32>[] vaeLoss(Ops v, MlpTargetNetwork encoderNet, MlpTargetNetwork decoderNet, Operand<TFloat32> x,
      Operand<TInt32> rowTasks, Operand<TInt32> rows, Operand<TFloat32> encW, Operand<TFloat32> decW, Operand<TInt64> seed) {
    int latent = replay.latentDim();
    Operand<TFloat32> stats = encoderNet.forward(v, x, encW, ForwardContext.none().inTraining()).output();
    Operand<TFloat32> mu = v.slice(stats, v.constant(new int[] {0, 0}), v.constant(new int[] {-1, latent}));
    Operand<TFloat32> logVar = v.slice(stats, v.constant(new int[] {0, latent}), v.constant(new int[] {-1, latent}));
    // The noise's shape from fed values, not from μ: a shape read off μ would put the noise op,
    // which has no gradient, on μ's backward path.
    Operand<TInt32> noiseShape = v.concat(List.of(rows, v.constant(new int[] {latent})), v.constant(0));
    Operand<TFloat32> eps = v.random.statelessRandomNormal(noiseShape, seed, TFloat32.class);
    Operand<TFloat32> z = v.math.add(mu, v.math.mul(eps, v.math.exp(v.math.mul(v.constant(0.5f), logVar))));
    Operand<TFloat32> decIn = v.concat(List.of(z, oneHot(v, rowTasks)), v.constant(1));
    Operand<TFloat32> recLogits = decoderNet.forward(v, decIn, decW, ForwardContext.none().inTraining()).output();
    return new Operand[] {Losses.bernoulliReconstruction(v, recLogits, x), Losses.gaussianKl(v, mu, logVar, inSize())};
  }

  private int inSize() {
    return config.target().inputSize();
  }

  /** The replay's decoder weights {@code [t, P_dec]} for the tasks replayed: generated per task, or DGR's copy for all. */
  private Operand<TFloat32> replayDecoderWeights(Ops o) {
    if (!dgr) {
      return decoder.weightsOfMany(o, replayTasks);
    }
    Operand<TInt32> k = o.reshape(o.shape(replayTasks), o.constant(new int[] {1}));
    Operand<TInt32> shape = o.concat(List.of(k, o.constant(new int[] {Math.toIntExact(decoderTeacher.shape().size())})), o.constant(0));
    return o.broadcastTo(o.expandDims(o.identity(decoderTeacher), o.constant(0)), shape);
  }

  /**
   * The weight of the replay loss, a scalar: the settings' w for the hypernetwork methods; for DGR
   * 1 − 1/(t+1) at (0-based) task t, the baselines' source's weighting of t earlier tasks against one.
   */
  private Operand<TFloat32> replayWeight(Ops o) {
    if (!dgr) {
      return o.constant(replay.replayWeight());
    }
    Operand<TFloat32> tasks = o.math.add(o.dtypes.cast(trainTask, TFloat32.class), o.constant(1f));
    return o.math.sub(o.constant(1f), o.math.div(o.constant(1f), tasks));
  }

  /** The generator's output as pixels in [0, 1]: a VAE decoder's sigmoid, a GAN generator's tanh mapped from [−1, 1]. */
  private Operand<TFloat32> pixels(Ops o, Operand<TFloat32> out) {
    if (!gan) {
      return o.math.sigmoid(out);
    }
    return o.math.mul(o.math.add(o.math.tanh(out), o.constant(1f)), o.constant(0.5f));
  }

  /** A GAN generator's batch {@code [n, in]} in [−1, 1] (tanh), from codes z ~ N(0, I) drawn from {@code seed} and each row's task's one-hot. */
  private Operand<TFloat32> generate(Ops o, MlpTargetNetwork decoderNet, Operand<TFloat32> w, Operand<TInt32> rowTasks,
      Operand<TInt32> rows, Operand<TInt64> seed) {
    Operand<TInt32> shape = o.concat(List.of(rows, o.constant(new int[] {replay.latentDim()})), o.constant(0));
    Operand<TFloat32> z = o.random.statelessRandomNormal(shape, seed, TFloat32.class);
    Operand<TFloat32> in = o.concat(List.of(z, oneHot(o, rowTasks)), o.constant(1));
    return o.math.tanh(decoderNet.forward(o, in, w, ForwardContext.none().inTraining()).output());
  }

  /** The discriminator's logit {@code [n, 1]}: the MLP with dropout after each hidden layer in training ({@code salt} per call). */
  private Operand<TFloat32> discriminate(Ops o, MlpTargetNetwork net, Operand<TFloat32> x, Operand<TFloat32> w,
      ForwardContext context, int salt) {
    MlpSpec spec = net.spec();
    java.util.Map<String, Operand<TFloat32>> layers = net.layout().split(o, w);
    Operand<TFloat32> h = x;
    for (int l = 0; l < spec.numLayers(); l++) {
      h = o.nn.biasAdd(o.linalg.matMul(h, layers.get("w" + l), org.tensorflow.op.linalg.MatMul.transposeB(
          spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN)), layers.get("b" + l));
      if (l < spec.numLayers() - 1) {
        h = org.hypercl.graphs.ConvLayers.dropout(o, spec.activation().apply(o, h), replay.discriminatorDropout(), false, context,
            salt + l);
      }
    }
    return h;
  }

  /** One fetchable op per entry (a run's results may not name one tensor twice). */
  private static List<Operand<TFloat32>> distinct(Ops o, List<Operand<TFloat32>> values) {
    return values.stream().map(x -> (Operand<TFloat32>) o.identity(x)).toList();
  }

  /** Embeddings of the decoder's hypernetwork: one per task a later task replays (all but the last). */
  static int replayedTasks(ExperimentConfig config) {
    return Math.max(1, config.numTasks() - 1);
  }

  /** Steps of task {@code task}: the classifier's, then the VAE's unless it is the last task. */
  static int stepsOf(ExperimentConfig config, int task, int trainSize) {
    return stepsOf(config, Mode.CLASSES, task, trainSize);
  }

  /** Steps of task {@code task} in {@code mode}: the classifier's (none on the first task in TASKS mode), then the VAE's. */
  static int stepsOf(ExperimentConfig config, Mode mode, int task, int trainSize) {
    int steps = classifierStepsOf(config, mode, task, trainSize);
    boolean vae = task < config.numTasks() - 1 && config.method() != Method.RPL_UB;
    return vae ? steps + config.settings().replay().iterations() : steps;
  }

  private static int classifierStepsOf(ExperimentConfig config, Mode mode, int task, int trainSize) {
    return task == 0 && oneOutputPerTask(config, mode) ? 0 : config.settings().iterationsFor(trainSize);
  }

  /**
   * Whether each task has a single output (the task-inference network, or class-incremental tasks
   * of one class): a softmax over the first task's one output teaches nothing, so the classifier
   * starts at the second task, and there the first task's replay has a hard target (its output's
   * frozen copy never trained), as in the reference.
   */
  private static boolean oneOutputPerTask(ExperimentConfig config, Mode mode) {
    return mode == Mode.TASKS || (config.scenario() == Scenario.CL3 && config.target().outputSize() == 1);
  }

  private Operand<TFloat32> oneHot(Ops o, Operand<TInt32> tasks) {
    return o.oneHot(tasks, o.constant(replay.conditionDim()), o.constant(1f), o.constant(0f));
  }

  private int headSize() {
    return config.target().outputSize();
  }

  /** The heads of tasks 0..t−1 (+ {@code tasksCounted}), an int32 scalar; CL3's growing softmax reads them as one. */
  private Operand<TInt32> activeHeads(Ops o, int tasksCounted) {
    return o.math.add(trainTask, o.constant(tasksCounted));
  }

  /** The cross-entropy of the current task's batch in the scenario's layout, and the batch accuracy. */
  @SuppressWarnings("unchecked")
  private Operand<TFloat32>[] realLoss(Ops o, Operand<TFloat32> all) {
    Operand<TFloat32> logits;
    Operand<TFloat32> targets;
    if (config.scenario() == Scenario.CL3) {
      logits = ClassIncremental.logits(o, all, net.numHeads(), headSize(), activeHeads(o, 1));
      // In TASKS mode the label is the task: a single 1 on head t.
      Operand<TFloat32> label = mode == Mode.TASKS
          ? o.onesLike(o.slice(inputs.batchY, o.constant(new int[] {0, 0}), o.constant(new int[] {-1, 1})))
          : inputs.batchY;
      targets = ClassIncremental.targets(o, label, trainTask, headSize(), activeHeads(o, 1));
    } else {
      logits = TargetNetwork.selectHead(o, all, ForwardContext.head(trainTask), net.numHeads());
      targets = inputs.batchY;
    }
    Operand<TFloat32> loss = Losses.softmaxCrossEntropy(o, logits, targets);
    Operand<TInt32> predicted = o.math.argMax(logits, o.constant(1), TInt32.class);
    Operand<TInt32> actual = o.math.argMax(targets, o.constant(1), TInt32.class);
    Operand<TFloat32> acc =
        o.math.mul(o.constant(100f), o.math.mean(o.dtypes.cast(o.math.equal(predicted, actual), TFloat32.class), o.constant(0)));
    return new Operand[] {loss, acc};
  }

  /**
   * The replay batch {@code [t · m, in]}: for each replayed task r, m codes z ~ N(0, I) with r's
   * one-hot, decoded with r's generated weights, through a sigmoid. Rows are grouped by task.
   */
  private Operand<TFloat32> replayBatch(Ops o, MlpTargetNetwork decoderNet, Operand<TFloat32> weights) {
    Operand<TInt32> k = o.reshape(o.shape(replayTasks), o.constant(new int[] {1}));
    Operand<TInt32> m = o.reshape(replayPerTask, o.constant(new int[] {1}));
    Operand<TInt32> shape = o.concat(List.of(k, m, o.constant(new int[] {replay.latentDim()})), o.constant(0));
    Operand<TInt64> seed = o.math.add(stepSeed, o.constant(new long[] {0L, 7L}));
    Operand<TFloat32> z = o.random.statelessRandomNormal(shape, seed, TFloat32.class);
    Operand<TFloat32> cond = o.expandDims(oneHot(o, replayTasks), o.constant(1));
    Operand<TInt32> condShape = o.concat(List.of(k, m, o.constant(new int[] {replay.conditionDim()})), o.constant(0));
    Operand<TFloat32> x = o.concat(List.of(z, o.broadcastTo(cond, condShape)), o.constant(2));
    Operand<TFloat32> logits = decoderNet.forwardCandidates(o, x, weights, ForwardContext.none());
    return o.stopGradient(pixels(o, o.reshape(logits, o.constant(new int[] {-1, config.target().inputSize()}))));
  }

  /** The task that generated each row of the replay batch, {@code [t · m]}. */
  private Operand<TInt32> rowTasks(Ops o) {
    Operand<TInt32> k = o.reshape(o.shape(replayTasks), o.constant(new int[] {1}));
    Operand<TInt32> m = o.reshape(replayPerTask, o.constant(new int[] {1}));
    return o.reshape(o.broadcastTo(o.expandDims(replayTasks, o.constant(1)), o.concat(List.of(k, m), o.constant(0))), o.constant(new int[] {-1}));
  }

  /** The distillation loss of the replay batch in the scenario's layout (in TASKS mode, cross-entropy with the generating task). */
  private Operand<TFloat32> replayLoss(Ops o, Operand<TFloat32> student, Operand<TFloat32> teacherLogits) {
    float temp = replay.temperature();
    if (mode == Mode.TASKS) {
      // Hard targets: the task that generated the sample, over the outputs of tasks 0..t.
      Operand<TFloat32> s = ClassIncremental.logits(o, student, net.numHeads(), 1, activeHeads(o, 1));
      Operand<TFloat32> targets = o.oneHot(rowTasks(o), o.math.add(trainTask, o.constant(1)), o.constant(1f), o.constant(0f));
      return Losses.softmaxCrossEntropy(o, s, targets);
    }
    switch (config.scenario()) {
      case CL1 -> {
        // Row i of the batch came from task replayTasks[i / m]: it is read on that task's head.
        ForwardContext ctx = ForwardContext.headPerExample(rowTasks(o));
        return Losses.distillation(o, TargetNetwork.selectHead(o, student, ctx, net.numHeads()),
            TargetNetwork.selectHead(o, teacherLogits, ctx, net.numHeads()), temp);
      }
      case CL2 -> {
        ForwardContext ctx = ForwardContext.none();
        return Losses.distillation(o, TargetNetwork.selectHead(o, student, ctx, 1), TargetNetwork.selectHead(o, teacherLogits, ctx, 1), temp);
      }
      default -> {
        Operand<TFloat32> s = ClassIncremental.logits(o, student, net.numHeads(), headSize(), activeHeads(o, 1));
        Operand<TFloat32> t = ClassIncremental.logits(o, teacherLogits, net.numHeads(), headSize(), activeHeads(o, 0));
        // The teacher's logits of the earlier heads, 0 on the current one.
        Operand<TInt32> pad = o.reshape(o.stack(List.of(o.constant(0), o.constant(0), o.constant(0), o.constant(headSize()))),
            o.constant(new int[] {2, 2}));
        Operand<TFloat32> kd = Losses.distillation(o, s, o.pad(t, pad, o.constant(0f)), temp);
        if (!oneOutputPerTask(config, mode)) {
          return kd;
        }
        // Class-incremental at the second task: the first class's output never trained, so its replay gets the hard target.
        Operand<TFloat32> hard = Losses.softmaxCrossEntropy(o, s,
            o.oneHot(rowTasks(o), o.math.add(trainTask, o.constant(1)), o.constant(1f), o.constant(0f)));
        return o.select(o.math.equal(trainTask, o.constant(1)), hard, kd);
      }
    }
  }

  @Override
  public ExperimentConfig config() {
    return config;
  }

  @Override
  public int tasksLearned() {
    return tasksLearned;
  }

  @Override
  public List<String> stepOutputNames() {
    return stepOutputNames;
  }

  private void checkTask(int task) {
    config.checkTask(task);
  }

  private void checkShapes(TaskData data) {
    if (data.inputDim() != config.target().inputSize() || data.outputDim() != dataOutputs) {
      throw new IllegalArgumentException("task " + data.name() + " has inputs of width " + data.inputDim() + " and targets of width "
          + data.outputDim() + "; the classifier takes " + config.target().inputSize() + " and learns " + dataOutputs + " classes");
    }
  }

  /** The VAE's Bernoulli decoder models pixels in [0, 1]: other inputs are refused, naming the task. */
  static void checkPixels(TaskData data) {
    float[] x = data.trainX();
    for (int i = 0; i < x.length; i++) {
      if (!(x[i] >= 0f && x[i] <= 1f)) {
        throw new IllegalArgumentException("task " + data.name() + ": input value " + x[i] + " at row " + i / data.inputDim()
            + " is outside [0, 1]; the replay VAE models pixels in [0, 1] (use unnormalised pixel data)");
      }
    }
  }

  @Override
  public void beginTask(int task, TaskData data) {
    if (task != tasksLearned) {
      throw new IllegalStateException("tasks are learned in order: expected task " + tasksLearned + ", got " + task);
    }
    checkTask(task);
    checkShapes(data);
    checkPixels(data);
    inputs.load(session, data);
    pastTasks.put(task, data);
    sampler = new IndexSampler(data.trainSize(), StepSeeds.mix(settings.seed(), task, -1));
    classifierSteps = classifierStepsOf(config, mode, task, data.trainSize());
    currentTask = task;
    session.run(classifierAdam.reset());
    session.run(copyTeacher);
    if (dgr) {
      session.run(copyDecoderTeacher);
    }
    if (task < replayedTasks(config)) {
      decoder.beginTask(session, task);
      session.run(encoderAdam.reset());
      session.run(decoderAdam.reset());
      if (decoderPenalty != null) {
        decoderPenalty.beginTask(session, task);
      }
    }
  }

  @Override
  public float[] trainStep(int task, long step) {
    if (task != currentTask) {
      throw new IllegalStateException("task " + task + " has not begun (current task: " + currentTask + ")");
    }
    List<Tensor> owned = new ArrayList<>(8);
    try {
      int[] batch = sampler.batch(step, settings.batchSize());
      Session.Runner r = session.runner();
      r.feed(inputs.batchIndices, own(owned, Tensors.ints(batch, batch.length)));
      r.feed(trainTask, own(owned, TInt32.scalarOf(task)));
      r.feed(stepSeed, own(owned, TInt64.vectorOf(StepSeeds.mix(settings.seed(), task, step), -6L)));
      List<Operand<TFloat32>> outputs;
      if (step < classifierSteps) {
        if (task == 0) {
          outputs = firstOutputs;
          r.addTarget(firstUpdate);
        } else {
          int[] past = new int[task];
          for (int i = 0; i < task; i++) {
            past[i] = i;
          }
          r.feed(replayTasks, own(owned, Tensors.ints(past, task)));
          int m = replayPerTask(settings.batchSize(), task);
          r.feed(replayPerTask, own(owned, TInt32.scalarOf(m)));
          if (realReplay) {
            r.feed(replayRows, own(owned, Tensors.floats(realRows(task, step, m), (long) task * m, config.target().inputSize())));
          }
          outputs = replayOutputs;
          r.addTarget(replayUpdate);
        }
      } else {
        if (task >= replayedTasks(config)) {
          throw new IllegalArgumentException("step " + step + " of task " + task + ": the last task trains the classifier only ("
              + classifierSteps + " steps)");
        }
        if (decoderPenalty != null) {
          decoderPenalty.feed(r, owned, task, step);
        }
        if (dgr) {
          int[] past = java.util.stream.IntStream.range(0, task).toArray();
          r.feed(replayTasks, own(owned, Tensors.ints(past, task)));
          r.feed(replayPerTask, own(owned, TInt32.scalarOf(replayPerTask(settings.batchSize(), Math.max(1, task)))));
        }
        outputs = vaeOutputs;
        vaeUpdates.forEach(r::addTarget);
      }
      float dLoss = Float.NaN;
      if (gan && step >= classifierSteps) {
        // The discriminator's step first, in a run of its own, so that the generator's sees the updated D.
        Session.Runner d = session.runner();
        d.feed(inputs.batchIndices, own(owned, Tensors.ints(batch, batch.length)));
        d.feed(trainTask, own(owned, TInt32.scalarOf(task)));
        d.feed(stepSeed, own(owned, TInt64.vectorOf(StepSeeds.mix(settings.seed(), task, step), -6L)));
        try (Result res = d.fetch(discriminatorLoss).addTarget(discriminatorUpdate).run()) {
          dLoss = Tensors.toScalar(res.get(0));
        }
      }
      outputs.forEach(r::fetch);
      try (Result res = r.run()) {
        float[] out = new float[outputs.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = Tensors.toScalar(res.get(i));
        }
        if (gan && step >= classifierSteps) {
          out[4] = dLoss;
        }
        return out;
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  @Override
  public boolean replaysRealData() {
    return realReplay;
  }

  @Override
  public void addPastTask(int task, TaskData data) {
    checkShapes(data);
    pastTasks.putIfAbsent(task, data);
  }

  /**
   * RPL-UB's replay rows at (task, step): m training examples of each earlier task, drawn with
   * replacement from (seed, task, step, earlier task), as that task's network sees them (permuted).
   */
  private float[] realRows(int task, long step, int m) {
    int in = config.target().inputSize();
    float[] rows = new float[task * m * in];
    for (int r = 0; r < task; r++) {
      TaskData d = pastTasks.get(r);
      if (d == null) {
        throw new IllegalStateException("RPL-UB replays task " + r + " but was not given its data");
      }
      int[] perm = d.inputPermutation();
      SplittableRandom rng = new SplittableRandom(StepSeeds.mix(settings.seed(), task * 1_000L + r, step));
      for (int i = 0; i < m; i++) {
        int src = rng.nextInt(d.trainSize()) * in;
        int dst = (r * m + i) * in;
        for (int j = 0; j < in; j++) {
          rows[dst + j] = d.trainX()[src + (perm == null ? j : perm[j])];
        }
      }
    }
    return rows;
  }

  /** Replay samples per earlier task at task {@code t}: ⌈batch / t⌉, as the reference. */
  static int replayPerTask(int batchSize, int t) {
    return (batchSize + t - 1) / t;
  }

  private static <T extends Tensor> T own(List<Tensor> list, T t) {
    list.add(t);
    return t;
  }

  @Override
  public void finishTask(int task) {
    if (task != currentTask) {
      throw new IllegalStateException("task " + task + " has not begun (current task: " + currentTask + ")");
    }
    if (task < replayedTasks(config)) {
      decoder.endTask(session, task);
    }
    tasksLearned = task + 1;
    currentTask = -1;
  }

  @Override
  public float[] predict(int task, float[] x, int n, int[] permutation) {
    checkTask(task);
    return EvalBatches.predict(session, inputs, config.target().inputSize(), config.target().outputSize(), settings.evalBatchSize(),
        evalTask, evalOutput, task, x, n, permutation, Map.of());
  }

  @Override
  public double evaluate(int task, TaskData data) {
    checkShapes(data);
    if (mode == Mode.TASKS) {
      throw new IllegalStateException("a task-inference network predicts tasks, not classes");
    }
    float[] pred = predict(task, data.testX(), data.testSize(), data.inputPermutation());
    return Metrics.score(config.kind(), pred, data.testY(), data.outputDim());
  }

  /**
   * Without the task id: per score, the candidate head whose logits score lowest and the class it
   * predicts ({@code max-logit}: the argmax over the candidates' outputs). With one shared head
   * (CL2) there is no task to infer: the tasks are reported as −1 and the class is the head's argmax.
   */
  @Override
  public Map<TaskInference.Score, InferredPredictions> inferTasks(float[] x, int n, int[] candidateTasks, int[] permutation) {
    if (candidateTasks.length == 0) {
      throw new IllegalArgumentException("task inference needs at least one candidate task");
    }
    for (int t : candidateTasks) {
      checkTask(t);
    }
    boolean shared = net.numHeads() == 1;
    return EvalBatches.infer(session, inputs, config.target().inputSize(), settings.evalBatchSize(), candidates,
        shared ? new int[] {0} : candidateTasks, inferredTask, inferredLogits, headSize(), !shared, x, n, permutation, Map.of());
  }

  /**
   * Samples of the decoder for {@code tasks[i]} from latent codes {@code codes} ({@code [k, latent]}
   * row-major): {@code [k, in]} pixels in [0, 1]. Tasks must be ones the VAE has an embedding for.
   */
  @Override
  public float[] generate(int[] tasks, float[] codes) {
    return sample(tasks, codes);
  }

  float[] sample(int[] tasks, float[] codes) {
    int latent = replay.latentDim();
    if (codes.length != tasks.length * latent) {
      throw new IllegalArgumentException(tasks.length + " samples need " + tasks.length * latent + " latent values, got " + codes.length);
    }
    for (int t : tasks) {
      if (t < 0 || t >= replayedTasks(config)) {
        throw new IllegalArgumentException("the replay decoder has embeddings for tasks 0.." + (replayedTasks(config) - 1) + ", not " + t);
      }
    }
    try (TInt32 t = Tensors.ints(tasks, tasks.length);
        TFloat32 z = Tensors.floats(codes, tasks.length, latent);
        Result r = session.runner().feed(sampleTasks, t).feed(sampleCodes, z).fetch(samples).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  /** Samples per replayed task in the pictures. */
  static final int PICTURE_SAMPLES = 10;

  /**
   * A grid of the decoder's samples, a row per task it can replay so far and {@link
   * #PICTURE_SAMPLES} columns, from the same latent codes after every task (so the pictures show
   * what the protected decoder keeps): {@code replay-samples-after-task-N}, TensorBoard tag
   * {@code replay/samples}. Square images only (784 or 1024 pixels); other inputs get no picture.
   */
  @Override
  public List<Picture> pictures(int task) {
    int rows = Math.min(task + 1, replayedTasks(config));
    if (task >= replayedTasks(config)) {
      return List.of(); // the last task trains no VAE: the picture would repeat the one before
    }
    int in = config.target().inputSize();
    int side = (int) Math.round(Math.sqrt(in));
    if (side * side != in) {
      return List.of();
    }
    int k = rows * PICTURE_SAMPLES;
    int[] ids = new int[k];
    for (int i = 0; i < k; i++) {
      ids[i] = i / PICTURE_SAMPLES;
    }
    float[] codes = new float[k * replay.latentDim()];
    SplittableRandom rng = new SplittableRandom(StepSeeds.mix(settings.seed(), -7, -7));
    for (int i = 0; i < codes.length; i++) {
      // Box-Muller: the same codes for every picture of the run.
      codes[i] = (float) (Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble()));
    }
    float[] pixels = sample(ids, codes);
    int width = PICTURE_SAMPLES * (side + 1) + 1;
    int height = rows * (side + 1) + 1;
    byte[] gray = new byte[width * height];
    for (int i = 0; i < k; i++) {
      int x0 = 1 + (i % PICTURE_SAMPLES) * (side + 1);
      int y0 = 1 + (i / PICTURE_SAMPLES) * (side + 1);
      for (int p = 0; p < in; p++) {
        gray[(y0 + p / side) * width + x0 + p % side] = (byte) Math.round(255 * Math.max(0f, Math.min(1f, pixels[i * in + p])));
      }
    }
    return List.of(new Picture("replay-samples-after-task-" + (task + 1), "replay/samples", width, height, gray));
  }

  @Override
  public java.util.Optional<float[]> ownWeights() {
    return java.util.Optional.of(classifierWeights()[0]);
  }

  /** The decoder's weights of tasks 0..k−1, k the tasks whose VAE phase has run (none for RPL-UB). */
  @Override
  public List<float[]> generatorWeights() {
    int k = realReplay ? 0 : Math.min(tasksLearned, replayedTasks(config));
    if (k == 0) {
      return List.of();
    }
    int[] ids = java.util.stream.IntStream.range(0, k).toArray();
    try (TInt32 t = Tensors.ints(ids, k); Result r = session.runner().feed(sampleTasks, t).fetch(sampleWeights).run()) {
      float[] all = Tensors.toFloats(r.get(0));
      int p = all.length / k;
      List<float[]> out = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        out.add(java.util.Arrays.copyOfRange(all, i * p, (i + 1) * p));
      }
      return out;
    }
  }

  /** The classifier's weights {@code [P]}, and the frozen copy's. */
  float[][] classifierWeights() {
    try (Result r = session.runner().fetch(classifier.trainable().get(0)).fetch(teacher).run()) {
      return new float[][] {Tensors.toFloats(r.get(0)), Tensors.toFloats(r.get(1))};
    }
  }

  @Override
  public void save(Path prefix) {
    session.save(prefix.toString());
  }

  @Override
  public void restore(Path prefix, int learned) {
    if (learned < 0 || learned > config.numTasks()) {
      throw new IllegalArgumentException("tasks learned " + learned + " is not in [0, " + config.numTasks() + "]");
    }
    session.restore(prefix.toString());
    this.tasksLearned = learned;
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
