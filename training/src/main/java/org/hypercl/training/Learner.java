package org.hypercl.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.hypercl.graphs.AdamOptimizer;
import org.hypercl.graphs.ClassIncremental;
import org.hypercl.graphs.ForwardContext;
import org.hypercl.graphs.Hypernetwork;
import org.hypercl.graphs.ImageAugmentation;
import org.hypercl.graphs.Losses;
import org.hypercl.graphs.NetworkState;
import org.hypercl.graphs.Penalty;
import org.hypercl.graphs.ResourceBuffer;
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
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A continual learner assembled from parts ({@link PartSpec}): each part is the experiment's
 * target network, a {@link WeightSource} (a hypernetwork or the network's own variables), the task
 * loss, its {@link Penalty penalties} and an Adam optimizer of its own. The method decides the
 * parts ({@link Method#parts}); this class builds them into one graph, built once for the run.
 *
 * <p>Each training step is one session run: every part's task loss on the batch, its penalties
 * (for a hypernetwork, Eq. 2 over the past tasks in one batched pass, after the Adam lookahead),
 * and one Adam step per part. The task's training data lives in the graph; a step feeds batch
 * indices and the penalties' feeds only. Evaluation runs with the task id given (CL1) or infers the
 * task ({@link TaskInference}, CL2/CL3), generating every candidate's weights in one pass.
 *
 * <pre>{@code
 * try (Learner learner = new Learner(config, maxTrainSize)) {
 *   learner.learnTask(0, data0, StepListener.NONE);
 *   double metric = learner.evaluate(0, data0);
 * }
 * }</pre>
 */
public final class Learner implements ContinualLearner {

  /** A part as built into the graph. */
  private static final class Part {
    final WeightSource weights;
    final AdamOptimizer optimizer;
    final List<Penalty> penalties = new ArrayList<>();
    /** Per-task state of the part's target network (batch-norm statistics); null if it keeps none. */
    NetworkState state;
    /** The training batch's logits and the targets its loss compares them with (class-incremental: the heads so far as one). */
    Operand<TFloat32> prediction;
    Operand<TFloat32> targets;
    Operand<TFloat32> taskLoss;
    Operand<TFloat32> penaltyLoss;
    Op update;

    Part(WeightSource weights, AdamOptimizer optimizer) {
      this.weights = weights;
      this.optimizer = optimizer;
    }
  }

  private final ExperimentConfig config;
  private final LearnerSettings settings;
  private final Graph graph;
  private final Ops tf;
  private final TargetNetwork net;
  private final TaskInputs inputs;
  private final Placeholder<TInt32> trainTask;
  private final Placeholder<TInt32> evalTask;
  /** The seed of a step's random draws in the target network (dropout), {@code [2]}. */
  private final Placeholder<TInt64> stepSeed;
  /** The learning-rate factor of the step, fed when the settings have a schedule; null otherwise. */
  private final Placeholder<TFloat32> lrScale;
  /** With augmentation: each channel's value for the crop's padded pixels, set per task (a black pixel). */
  private final ResourceBuffer cropFill;
  private final Placeholder<TFloat32> loadCropFill;
  private final Op setCropFill;
  private final Operand<TFloat32> cropFillValue;
  private int currentTrainSize;
  private final List<Part> parts = new ArrayList<>();
  private final List<String> stepOutputNames = new ArrayList<>();
  private final List<Operand<TFloat32>> stepOutputs = new ArrayList<>();
  private final List<Op> updates = new ArrayList<>();
  /**
   * The step without penalties, for tasks where every penalty vanishes ({@link Penalty#vanishesAt}:
   * the first task, nothing to protect yet): the same update from the task-loss gradients alone, so
   * the lookahead and the regularizer's forward and backward pass are not computed for zeros.
   */
  private final List<Operand<TFloat32>> plainOutputs = new ArrayList<>();
  private final List<Op> plainUpdates = new ArrayList<>();
  private final Operand<TFloat32> evalOutput;
  /** The evaluated task's generated weights {@code [P]}, fed once computed; null for own weights. */
  private final Operand<TFloat32> evalWeights;
  private final Placeholder<TInt32> candidates;
  /** The candidates' generated weights {@code [k, P]}, fed once computed; null when not generated per task. */
  private final Operand<TFloat32> candidateWeights;
  /** Per score, the winning candidate's score {@code [batch]}: to combine groups of candidates. */
  private final Map<TaskInference.Score, Operand<TFloat32>> bestScores = new EnumMap<>(TaskInference.Score.class);
  /**
   * The most bytes of candidate weights {@code [k, P]} that task inference holds at once: more
   * candidates than fit are scored in groups and each row's best kept (PermutedMNIST-250's 250
   * candidates would otherwise take 4.5 GB).
   */
  private long candidateWeightBytes = CANDIDATE_WEIGHT_BYTES;
  static final long CANDIDATE_WEIGHT_BYTES = 512L << 20;
  private final Map<TaskInference.Score, TaskInference.Result> inference;
  /** CL3 trained class-incrementally ({@link Method#classIncremental}). */
  private final boolean classIncremental;
  /** Trains on the union of every task so far ({@link Method#trainsOnPastData}); their data by task. */
  private final boolean multitask;
  private final Map<Integer, TaskData> pastTasks = new java.util.TreeMap<>();
  private Session session;
  private int tasksLearned;
  private IndexSampler sampler;
  private int currentTask = -1;

  /**
   * Builds the graph and initialises every variable from the settings' seed.
   *
   * @param maxTrainSize the largest training set of any task (the in-graph data buffer's rows)
   */
  public Learner(ExperimentConfig config, int maxTrainSize) {
    if (maxTrainSize <= 0) {
      throw new IllegalArgumentException("max training set size must be positive, got " + maxTrainSize);
    }
    this.config = config;
    this.settings = config.settings();
    this.graph = new Graph();
    boolean ok = false;
    try {
      this.tf = Ops.create(graph);
      this.net = config.target().network();
      this.classIncremental = config.method().classIncremental(config);
      this.multitask = config.method().trainsOnPastData();
      this.inputs = multitask
          ? TaskInputs.union(tf, config.target().inputSize(), config.target().outputSize(), config.numTasks())
          : new TaskInputs(tf, maxTrainSize, config.target().inputSize(), config.target().outputSize());
      this.trainTask = tf.withSubScope("train").withName("task").placeholder(TInt32.class);
      this.evalTask = tf.withSubScope("eval").withName("task").placeholder(TInt32.class);
      this.stepSeed = tf.withSubScope("train").withName("seed").placeholder(TInt64.class);
      this.lrScale = settings.lrSchedule() == LearnerSettings.LrSchedule.CONSTANT ? null
          : tf.withSubScope("train").withName("lr_scale").placeholder(TFloat32.class);
      long[] inputShape = net.inputShape();
      if (settings.augment() && inputShape.length == 3) {
        Ops a = tf.withSubScope("augment");
        this.cropFill = new ResourceBuffer(a, "crop_fill", inputShape[2]);
        this.loadCropFill = a.withName("load_crop_fill").placeholder(TFloat32.class);
        this.setCropFill = a.assignVariableOp(cropFill.handle(), loadCropFill);
        this.cropFillValue = cropFill.read(a);
      } else {
        this.cropFill = null;
        this.loadCropFill = null;
        this.setCropFill = null;
        this.cropFillValue = null;
      }
      for (PartSpec spec : config.method().parts(config)) {
        buildPart(spec);
      }
      Part main = parts.get(0);
      Ops m = tf.withSubScope("metrics");
      Operand<TFloat32> batchMetric;
      if (config.kind() == TaskKind.CLASSIFICATION) {
        Operand<TInt32> predicted = m.math.argMax(main.prediction, m.constant(1), TInt32.class);
        Operand<TInt32> actual = m.math.argMax(main.targets, m.constant(1), TInt32.class);
        batchMetric = m.math.mul(m.constant(100f), m.math.mean(m.dtypes.cast(m.math.equal(predicted, actual), TFloat32.class), m.constant(0)));
      } else {
        batchMetric = m.identity(main.taskLoss);
      }
      stepOutputNames.add("batch_metric");
      stepOutputs.add(batchMetric);
      plainOutputs.add(batchMetric);

      Ops ev = tf.withSubScope("eval");
      Operand<TFloat32> evalW = main.weights.weightsOf(ev, evalTask);
      evalOutput = net.forwardHead(ev, inputs.evalInput, evalW, ForwardContext.head(evalTask).withState(main.state)).output();
      // Generated weights are computed once per evaluation and fed to every batch, not regenerated per batch.
      boolean generated = main.weights instanceof GeneratedWeights;
      evalWeights = generated ? evalW : null;
      if (ContinualRunner.infersTasks(config)) {
        Ops inf = tf.withSubScope("inference");
        candidates = inf.withName("candidates").placeholder(TInt32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1)));
        List<TaskInference.Score> scores = List.of(TaskInference.Score.values());
        java.util.Optional<Operand<TFloat32>> shared = main.state == null ? main.weights.sharedWeights(inf) : java.util.Optional.empty();
        // Weights shared by every task (and no per-task statistics): one pass, each candidate reading its head.
        if (shared.isPresent()) {
          inference = TaskInference.buildShared(inf, net, inputs.evalInput, candidates, shared.get(), scores);
          candidateWeights = null;
        } else {
          Operand<TFloat32> many = main.weights.weightsOfMany(inf, candidates);
          inference = TaskInference.build(inf, net, inputs.evalInput, candidates, many, scores, main.state, config.numTasks());
          candidateWeights = generated ? many : null;
          if (generated) {
            inference.forEach((score, r) -> bestScores.put(score, inf.reduceMin(r.scores(), inf.constant(1))));
          }
        }
      } else {
        candidates = null;
        inference = Map.of();
        candidateWeights = null;
      }
      if (main.weights instanceof GeneratedWeights g) {
        g.buildLookups(tf.withSubScope("lookup"));
      }
      session = new Session(graph, settings.sessionConfig());
      session.initialize();
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  private void buildPart(PartSpec spec) {
    String scope = spec.scope();
    long seed = scope.isEmpty() ? settings.seed() : StepSeeds.mix(settings.seed(), scope.hashCode(), -3);
    WeightSource weights = spec.weights().build(new PartSpec.WeightContext(tf, scope, config, net, seed));
    Part part = new Part(weights, new AdamOptimizer(tf, scope + "adam", weights.trainable(), settings.adam(), lrScale));
    Ops train = tf.withSubScope("train");
    if (!scope.isEmpty()) {
      train = train.withSubScope(scope.substring(0, scope.length() - 1));
    }
    List<Operand<TFloat32>> params = Variables.read(train, weights.trainable());
    Operand<TFloat32> w = weights.trainWeightsForForward(train, params);
    if (!net.stateTables().isEmpty()) {
      // One row per task, fresh (mean 0, variance 1) until that task trains; saved with the checkpoint.
      part.state = NetworkState.variables(tf, scope + "target_state/", net.stateTables(), config.numTasks());
    }
    Operand<TFloat32> batchX = inputs.batchX;
    if (settings.augment()) {
      long[] shape = net.inputShape();
      if (shape.length != 3) {
        throw new IllegalArgumentException("augmentation crops and flips images; " + net + " takes inputs of shape "
            + java.util.Arrays.toString(shape));
      }
      batchX = ImageAugmentation.cropFlip(train, batchX, (int) shape[0], (int) shape[1], (int) shape[2],
          LearnerSettings.AUGMENT_PADDING, cropFill.read(train), stepSeed, 1_000);
    }
    // The multitask bound's batch mixes tasks: each example is read on its own task's head.
    ForwardContext ctx = (multitask ? ForwardContext.headPerExample(inputs.batchTasks) : ForwardContext.head(trainTask))
        .withState(part.state).inTraining(stepSeed);
    TargetNetwork.Forward forward;
    if (classIncremental) {
      forward = net.forwardAllHeads(train, batchX, w, ctx);
      Operand<TInt32> active = train.math.add(trainTask, train.constant(1));
      part.prediction = ClassIncremental.logits(train, forward.output(), net.numHeads(), net.headSize(), active);
      part.targets = multitask
          ? ClassIncremental.targetsPerExample(train, inputs.batchY, inputs.batchTasks, net.numHeads(), net.headSize(), active)
          : ClassIncremental.targets(train, inputs.batchY, trainTask, net.headSize(), active);
    } else {
      forward = net.forward(train, batchX, w, ctx);
      part.prediction = forward.output();
      part.targets = inputs.batchY;
    }
    part.taskLoss =
        config.kind() == TaskKind.CLASSIFICATION
            ? Losses.softmaxCrossEntropy(train, part.prediction, part.targets)
            : Losses.meanSquaredError(train, part.prediction, part.targets);
    List<Operand<TFloat32>> taskGrads = Tensors.floatOperands(train.gradients(part.taskLoss, params));
    List<Operand<TFloat32>> grads = new ArrayList<>(taskGrads);
    for (PartSpec.Penalty p : spec.penalties()) {
      Penalty penalty = p.build(new PartSpec.PenaltyContext(tf, train, scope, weights, params, taskGrads, part.optimizer,
          config.numTasks(), seed, net, inputs.batchX, inputs.batchY, inputs.batchIndices, () -> currentTrainSize, classIncremental));
      part.penalties.add(penalty);
      for (int i = 0; i < grads.size(); i++) {
        Operand<TFloat32> g = penalty.gradients().get(i);
        if (g != null) {
          grads.set(i, train.math.add(grads.get(i), g));
        }
      }
    }
    Operand<TFloat32> penaltyLoss = part.penalties.isEmpty() ? train.constant(0f) : part.penalties.get(0).loss();
    for (int i = 1; i < part.penalties.size(); i++) {
      penaltyLoss = train.math.add(penaltyLoss, part.penalties.get(i).loss());
    }
    part.penaltyLoss = penaltyLoss;
    part.update = part.optimizer.update(train, grads, List.of((Op) part.taskLoss, (Op) part.penaltyLoss));
    parts.add(part);
    updates.add(part.update);
    for (Penalty penalty : part.penalties) {
      // E.g. SI's path integral: runs after the update, from this step's total gradients.
      updates.addAll(penalty.afterUpdate(train, grads, part.update));
    }
    // The running statistics move with the step, from the batch statistics of this step's forward pass.
    updates.addAll(forward.stateUpdates());
    plainUpdates.add(part.penalties.isEmpty() ? part.update : part.optimizer.update(train, taskGrads, List.of((Op) part.taskLoss)));
    plainUpdates.addAll(forward.stateUpdates());
    stepOutputNames.add(scope + "task_loss");
    stepOutputs.add(part.taskLoss);
    plainOutputs.add(part.taskLoss);
    stepOutputNames.add(scope + "regularizer");
    stepOutputs.add(part.penaltyLoss);
    plainOutputs.add(part.penalties.isEmpty() ? part.penaltyLoss : train.withName("no_penalty").constant(0f));
  }

  @Override
  public ExperimentConfig config() {
    return config;
  }

  @Override
  public int tasksLearned() {
    return tasksLearned;
  }

  /**
   * Names of the values {@link #trainStep} returns, in order: per part {@code task_loss} and
   * {@code regularizer} (its penalties' sum, 0 without any), then {@code batch_metric}; names of a
   * part with a scope carry it as a prefix.
   */
  @Override
  public List<String> stepOutputNames() {
    return List.copyOf(stepOutputNames);
  }

  private void checkShapes(TaskData data) {
    if (data.inputDim() != config.target().inputSize() || data.outputDim() != config.target().outputSize()) {
      throw new IllegalArgumentException(
          "task " + data.name() + " has inputs of width " + data.inputDim() + " and targets of width "
              + data.outputDim() + "; the target network takes " + config.target().inputSize()
              + " and gives " + config.target().outputSize());
    }
  }

  private void checkTask(int task) {
    config.checkTask(task);
  }

  @Override
  public void beginTask(int task, TaskData data) {
    if (task != tasksLearned) {
      throw new IllegalStateException("tasks are learned in order: expected task " + tasksLearned + ", got " + task);
    }
    checkTask(task);
    checkShapes(data);
    if (multitask) {
      List<TaskData> union = new ArrayList<>();
      for (int j = 0; j < task; j++) {
        TaskData past = pastTasks.get(j);
        if (past == null) {
          throw new IllegalStateException("the multitask bound trains on task " + j + " too but was not given its data");
        }
        union.add(past);
      }
      union.add(data);
      inputs.loadUnion(session, union);
      pastTasks.put(task, data);
      currentTrainSize = inputs.unionSize();
    } else {
      inputs.load(session, data);
      currentTrainSize = data.trainSize();
    }
    if (setCropFill != null) {
      setCropFill(data);
    }
    sampler = new IndexSampler(currentTrainSize, StepSeeds.mix(settings.seed(), task, -1));
    currentTask = task;
    for (Part p : parts) {
      p.weights.beginTask(session, task);
      session.run(p.optimizer.reset());
      for (Penalty penalty : p.penalties) {
        penalty.beginTask(session, task);
      }
    }
  }

  @Override
  public float[] trainStep(int task, long step) {
    return runStep(task, step, null);
  }

  /**
   * Takes training step {@code step} as {@link #trainStep} does, traced: TensorFlow records every
   * node's time, which {@link StepTrace} sums by op type and by scope. A traced step is slower than a
   * plain one; it changes the model exactly as the plain step would.
   */
  public StepTrace traceStep(int task, long step) {
    org.tensorflow.proto.RunMetadata[] meta = new org.tensorflow.proto.RunMetadata[1];
    long start = System.nanoTime();
    runStep(task, step, meta);
    return StepTrace.of(meta[0], (System.nanoTime() - start) / 1e3);
  }

  /** One training step; when {@code metadata} is not null, traced, with the run's metadata stored in it. */
  private float[] runStep(int task, long step, org.tensorflow.proto.RunMetadata[] metadata) {
    if (task != currentTask) {
      throw new IllegalStateException("task " + task + " has not begun (current task: " + currentTask + ")");
    }
    List<Tensor> owned = new ArrayList<>(8);
    try {
      int[] batch = sampler.batch(step, settings.batchSize());
      Session.Runner r = session.runner();
      if (multitask) {
        TaskInputs.UnionBatch u = inputs.unionBatch(batch);
        batch = u.rows();
        r.feed(inputs.batchTasks, own(owned, Tensors.ints(u.tasks(), batch.length)));
      }
      r.feed(inputs.batchIndices, own(owned, Tensors.ints(batch, batch.length)));
      r.feed(trainTask, own(owned, TInt32.scalarOf(task)));
      r.feed(stepSeed, own(owned, TInt64.vectorOf(StepSeeds.mix(settings.seed(), task, step), -4L)));
      if (lrScale != null) {
        r.feed(lrScale, own(owned, TFloat32.scalarOf(settings.lrSchedule().factor(step, settings.epochLength(currentTrainSize)))));
      }
      boolean plain = penaltiesVanish(task);
      if (!plain) {
        for (Part p : parts) {
          for (Penalty penalty : p.penalties) {
            penalty.feed(r, owned, task, step);
          }
        }
      }
      (plain ? plainOutputs : stepOutputs).forEach(r::fetch);
      (plain ? plainUpdates : updates).forEach(r::addTarget);
      if (metadata != null) {
        r.setOptions(org.tensorflow.proto.RunOptions.newBuilder()
            .setTraceLevel(org.tensorflow.proto.RunOptions.TraceLevel.FULL_TRACE).build());
      }
      try (Result res = metadata != null ? r.runAndFetchMetadata() : r.run()) {
        if (metadata != null) {
          metadata[0] = res.getMetadata().orElseThrow(() -> new IllegalStateException("TensorFlow returned no run metadata"));
        }
        float[] out = new float[stepOutputs.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = Tensors.toScalar(res.get(i));
        }
        return out;
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** Whether every penalty of every part is zero throughout {@code task}, so its step may leave them out. */
  private boolean penaltiesVanish(int task) {
    for (Part p : parts) {
      for (Penalty penalty : p.penalties) {
        if (!penalty.vanishesAt(task)) {
          return false;
        }
      }
    }
    return true;
  }

  private static <T extends Tensor> T own(List<Tensor> list, T t) {
    list.add(t);
    return t;
  }

  @Override
  public boolean replaysRealData() {
    return multitask;
  }

  /**
   * The crop pads with the task's black pixel (zeros if its data does not say). The multitask
   * bound's union of tasks is padded with the current task's.
   */
  private void setCropFill(TaskData data) {
    int channels = (int) net.inputShape()[2];
    float[] fill = data.blackPixel() != null ? data.blackPixel() : new float[channels];
    if (fill.length != channels) {
      throw new IllegalArgumentException("task " + data.name() + ": a black pixel of " + fill.length
          + " channels for images of " + channels);
    }
    try (TFloat32 t = Tensors.floats(fill, channels)) {
      session.runner().feed(loadCropFill, t).addTarget(setCropFill).run().close();
    }
  }

  /** The crop's fill values set for the current task (tests). */
  float[] cropFill() {
    if (cropFill == null) {
      throw new IllegalStateException(config.name() + " does not augment its inputs");
    }
    try (Result r = session.runner().fetch(cropFillValue).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  @Override
  public void addPastTask(int task, TaskData data) {
    if (multitask) {
      checkTask(task);
      checkShapes(data);
      pastTasks.putIfAbsent(task, data);
    }
  }

  @Override
  public void finishTask(int task) {
    if (task != currentTask) {
      throw new IllegalStateException("task " + task + " has not begun (current task: " + currentTask + ")");
    }
    for (Part p : parts) {
      for (Penalty penalty : p.penalties) {
        penalty.endTask(session, task);
      }
      p.weights.endTask(session, task);
    }
    tasksLearned = task + 1;
    currentTask = -1;
  }

  @Override
  public float[] predict(int task, float[] x, int n, int[] permutation) {
    checkTask(task);
    // A task's generated weights [P] once for all batches, instead of the hypernetwork once per batch.
    try (TInt32 t = TInt32.scalarOf(task);
        Result w = evalWeights == null ? null : session.runner().feed(evalTask, t).fetch(evalWeights).run()) {
      return EvalBatches.predict(session, inputs, config.target().inputSize(), config.target().outputSize(), settings.evalBatchSize(),
          evalTask, evalOutput, task, x, n, permutation, w == null ? Map.of() : Map.of(evalWeights, w.get(0)));
    }
  }

  /** Outputs for a task's own inputs, unpermuted: convenience for regression plots and tests. */
  public float[] predict(int task, float[] x, int n) {
    return predict(task, x, n, null);
  }

  @Override
  public double evaluate(int task, TaskData data) {
    checkShapes(data);
    float[] pred = predict(task, data.testX(), data.testSize(), data.inputPermutation());
    return Metrics.score(config.kind(), pred, data.testY(), data.outputDim());
  }

  @Override
  public Map<TaskInference.Score, InferredPredictions> inferTasks(float[] x, int n, int[] candidateTasks, int[] permutation) {
    if (inference.isEmpty()) {
      throw new IllegalStateException(config.kind() != TaskKind.CLASSIFICATION
          ? "task inference needs a classifier; " + config.name() + " is " + config.kind()
          : "task inference is implemented for MLP targets only, not " + net);
    }
    if (candidateTasks.length == 0) {
      throw new IllegalArgumentException("task inference needs at least one candidate task");
    }
    for (int task : candidateTasks) {
      checkTask(task);
    }
    Map<TaskInference.Score, Operand<TInt32>> taskIds = new EnumMap<>(TaskInference.Score.class);
    Map<TaskInference.Score, Operand<TFloat32>> logits = new EnumMap<>(TaskInference.Score.class);
    inference.forEach((s, r) -> {
      taskIds.put(s, r.taskId());
      logits.put(s, r.logits());
    });
    // More candidates' weights than fit at once go in groups, in candidate order, each row keeping
    // the first of its best-scored candidates as one argmin over all of them would.
    int group = candidateGroupSize(candidateTasks.length);
    Map<TaskInference.Score, Operand<TFloat32>> best = group < candidateTasks.length ? bestScores : null;
    Map<TaskInference.Score, EvalBatches.Scored> chosen = null;
    for (int from = 0; from < candidateTasks.length; from += group) {
      int[] part = Arrays.copyOfRange(candidateTasks, from, Math.min(candidateTasks.length, from + group));
      Map<TaskInference.Score, EvalBatches.Scored> scored = inferGroup(x, n, part, permutation, taskIds, logits, best);
      if (chosen == null) {
        chosen = scored;
      } else {
        chosen.forEach((s, r) -> r.keepBetter(scored.get(s)));
      }
    }
    return EvalBatches.predictions(chosen);
  }

  /** How many of {@code k} candidates' weights task inference holds at once ({@link #candidateWeightBytes}). */
  int candidateGroupSize(int k) {
    if (candidateWeights == null) {
      return k;
    }
    long perCandidate = 4L * net.parameterCount();
    return (int) Math.max(1, Math.min(k, candidateWeightBytes / perCandidate));
  }

  /** Bounds the bytes of candidate weights task inference holds at once (tests set small bounds). */
  void candidateWeightBytes(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("candidate weight bytes must be positive, got " + bytes);
    }
    candidateWeightBytes = bytes;
  }

  /**
   * Task inference over one group of candidates: their weights {@code [k, P]} (when generated)
   * computed once and fed to every batch, as the hypernetwork would otherwise run k times per
   * batch; {@code best} is fetched too when not null.
   */
  private Map<TaskInference.Score, EvalBatches.Scored> inferGroup(float[] x, int n, int[] candidateTasks, int[] permutation,
      Map<TaskInference.Score, Operand<TInt32>> taskIds, Map<TaskInference.Score, Operand<TFloat32>> logits,
      Map<TaskInference.Score, Operand<TFloat32>> best) {
    try (TInt32 c = Tensors.ints(candidateTasks, candidateTasks.length);
        Result w = candidateWeights == null ? null : session.runner().feed(candidates, c).fetch(candidateWeights).run()) {
      return EvalBatches.inferScored(session, inputs, config.target().inputSize(), settings.evalBatchSize(), candidates, candidateTasks,
          taskIds, logits, best, config.target().outputSize(), true, x, n, permutation,
          w == null ? Map.of() : Map.of(candidateWeights, w.get(0)));
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

  private GeneratedWeights generated() {
    if (parts.get(0).weights instanceof GeneratedWeights g) {
      return g;
    }
    throw new IllegalStateException(config.name() + " has no hypernetwork: its weights are its own");
  }

  /** The weights the hypernetwork generates for a task, {@code [P]}. */
  public float[] generatedWeights(int task) {
    checkTask(task);
    return generated().generated(session, task);
  }

  /** The weights the hypernetwork generates for any embedding {@code [d_e]}. */
  public float[] generatedWeights(float[] embedding) {
    return generated().generated(session, embedding);
  }

  /** The embedding table {@code [numTasks, d_e]}, row-major (rows of unlearned tasks are initial values). */
  public float[] taskEmbeddings() {
    return generated().embeddingTable(session);
  }

  /** Current values of the hypernetwork's parameters, by name, in {@link Hypernetwork#variables()} order. */
  public Map<String, float[]> hypernetworkValues() {
    return generated().hypernetworkValues(session);
  }

  /**
   * The per-task state of the target network (batch-norm running statistics), by table name, each
   * {@code [numTasks, channels]} row-major; empty for a network without state.
   */
  public Map<String, float[]> targetState() {
    NetworkState state = parts.get(0).state;
    Map<String, float[]> out = new java.util.LinkedHashMap<>();
    if (state == null) {
      return out;
    }
    List<String> names = state.names();
    Session.Runner r = session.runner();
    names.forEach(n -> r.fetch(state.table(n)));
    try (Result res = r.run()) {
      for (int i = 0; i < names.size(); i++) {
        out.put(names.get(i), Tensors.toFloats(res.get(i)));
      }
    }
    return out;
  }

  public Hypernetwork hypernetwork() {
    return generated().hypernetwork();
  }

  @Override
  public java.util.Optional<float[]> ownWeights() {
    if (!(parts.get(0).weights instanceof OwnWeights own)) {
      return java.util.Optional.empty();
    }
    try (Result r = session.runner().fetch(own.trainable().get(0)).run()) {
      return java.util.Optional.of(Tensors.toFloats(r.get(0)));
    }
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
