package org.hypercl.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.hypercl.graphs.AdamLookahead;
import org.hypercl.graphs.AdamOptimizer;
import org.hypercl.graphs.Hypernetwork;
import org.hypercl.graphs.MlpTargetNetwork;
import org.hypercl.graphs.OutputRegularizer;
import org.hypercl.graphs.RegularizerWindow;
import org.hypercl.graphs.ResourceBuffer;
import org.hypercl.graphs.TaskEmbeddings;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Continual learning with a task-conditioned hypernetwork (von Oswald et al., 2020).
 *
 * <p>One graph is built once for the whole run; tasks change feeds, not the graph. Each training
 * step is one session run: the task loss on generated weights, the Adam lookahead ΔΘ_h from the
 * task-loss gradient, the output regularizer (Eq. 2) over the past tasks in one batched
 * hypernetwork pass, and one Adam step on Θ_h and the current task embedding. The task's training
 * data lives in the graph; a step feeds only batch indices and the regularizer's window.
 *
 * <pre>{@code
 * try (HypernetworkLearner learner = new HypernetworkLearner(config, maxTrainSize)) {
 *   learner.learnTask(0, data0, StepListener.NONE);
 *   double mse = learner.evaluate(0, data0);
 * }
 * }</pre>
 */
public final class HypernetworkLearner implements AutoCloseable {

  private final ExperimentConfig config;
  private final LearnerSettings settings;
  private final int maxTrainSize;
  private final Graph graph;
  private final Session session;
  private final Hypernetwork hnet;
  private final TaskEmbeddings embeddings;
  private final OutputRegularizer regularizer;
  private final AdamOptimizer adam;

  private final ResourceBuffer dataX;
  private final ResourceBuffer dataY;
  private final Placeholder<TFloat32> loadX;
  private final Placeholder<TFloat32> loadY;
  private final Op loadData;

  private final Placeholder<TInt32> batchIndices;
  private final Placeholder<TInt32> trainHead;
  private final Placeholder<TFloat32> regScale;
  private final Operand<TFloat32> taskLoss;
  private final Operand<TFloat32> regLoss;
  private final Op trainStep;

  private final Placeholder<TFloat32> evalX;
  private final Placeholder<TInt32> evalTask;
  private final Operand<TFloat32> evalOutput;
  private final Operand<TFloat32> evalWeights;
  private final Placeholder<TFloat32> embeddingInput;
  private final Operand<TFloat32> weightsFromEmbedding;

  private int tasksLearned;

  /**
   * Builds the graph and initialises every variable from the settings' seed.
   *
   * @param maxTrainSize the largest training set of any task (the in-graph data buffer's rows)
   */
  public HypernetworkLearner(ExperimentConfig config, int maxTrainSize) {
    if (maxTrainSize <= 0) {
      throw new IllegalArgumentException("max training set size must be positive, got " + maxTrainSize);
    }
    this.config = config;
    this.settings = config.settings();
    this.maxTrainSize = maxTrainSize;
    this.graph = new Graph();
    boolean ok = false;
    try {
      Ops tf = Ops.create(graph);
      SplittableRandom seeds = new SplittableRandom(settings.seed());
      int in = config.target().inputSize();
      int out = config.target().outputSize();

      hnet = Hypernetwork.create(tf, config.hypernetwork(), seeds.nextLong());
      embeddings = new TaskEmbeddings(tf, config.numTasks(), config.hypernetwork().embeddingDim(), seeds.nextLong());
      List<Variable<TFloat32>> trainable = new ArrayList<>(hnet.variables());
      trainable.add(embeddings.current());
      adam = new AdamOptimizer(tf, "adam", trainable, settings.adam());

      Ops data = tf.withSubScope("data");
      // Resource variables: in the graph for the whole task, but not written to checkpoints.
      dataX = new ResourceBuffer(data, "x", maxTrainSize, in);
      dataY = new ResourceBuffer(data, "y", maxTrainSize, out);
      loadX = data.withName("load_x").placeholder(TFloat32.class);
      loadY = data.withName("load_y").placeholder(TFloat32.class);
      loadData =
          data.withControlDependencies(
                  List.of(data.assignVariableOp(dataX.handle(), loadX), data.assignVariableOp(dataY.handle(), loadY)))
              .noOp();

      Ops train = tf.withSubScope("train");
      batchIndices = train.withName("batch_indices").placeholder(TInt32.class);
      trainHead = train.withName("head").placeholder(TInt32.class);
      Operand<TFloat32> xb = train.resourceGather(dataX.handle(), batchIndices, TFloat32.class);
      Operand<TFloat32> yb = train.resourceGather(dataY.handle(), batchIndices, TFloat32.class);
      List<Operand<TFloat32>> params = hnet.read(train);
      Operand<TFloat32> e = train.identity(embeddings.current());
      Operand<TFloat32> weights = hnet.generateOne(train, params, e);
      Operand<TFloat32> pred = MlpTargetNetwork.forward(train, config.target(), xb, weights, trainHead);
      taskLoss = loss(train, pred, yb);

      List<Operand<TFloat32>> wrt = new ArrayList<>(params);
      wrt.add(e);
      List<Operand<TFloat32>> taskGrads = floats(train.gradients(taskLoss, wrt));
      List<Operand<TFloat32>> grads = new ArrayList<>(taskGrads);
      regScale = train.withName("regularizer_scale").placeholder(TFloat32.class);
      if (settings.beta() > 0) {
        regularizer = new OutputRegularizer(tf, hnet, hnet.read(tf), embeddings.table(), config.numTasks());
        List<Operand<TFloat32>> regParams = params;
        if (settings.lookahead()) {
          List<Operand<TFloat32>> delta = AdamLookahead.delta(train, adam, taskGrads.subList(0, params.size()));
          regParams = AdamLookahead.apply(train, params, delta);
        }
        Operand<TFloat32> sum =
            settings.regularizerForm() == LearnerSettings.RegularizerForm.EXPANDED
                ? regularizer.expanded(train, regParams, embeddings.table())
                : regularizer.naive(train, regParams, embeddings.table());
        regLoss = train.math.mul(regScale, sum);
        List<Operand<TFloat32>> regGrads = floats(train.gradients(regLoss, params));
        for (int i = 0; i < params.size(); i++) {
          grads.set(i, train.math.add(taskGrads.get(i), regGrads.get(i)));
        }
      } else {
        regularizer = null;
        regLoss = train.math.mul(regScale, train.constant(0f));
      }
      trainStep = adam.update(train, grads, List.of((Op) taskLoss, (Op) regLoss));

      Ops ev = tf.withSubScope("eval");
      evalX = ev.withName("x").placeholder(TFloat32.class);
      evalTask = ev.withName("task").placeholder(TInt32.class);
      List<Operand<TFloat32>> evalParams = hnet.read(ev);
      evalWeights = hnet.generateOne(ev, evalParams, ev.gather(embeddings.table(), evalTask, ev.constant(0)));
      evalOutput = MlpTargetNetwork.forward(ev, config.target(), evalX, evalWeights, evalTask);
      embeddingInput = ev.withName("embedding").placeholder(TFloat32.class);
      weightsFromEmbedding = hnet.generateOne(ev, evalParams, embeddingInput);

      ConfigProto.Builder proto = ConfigProto.newBuilder();
      if (settings.intraOpThreads() > 0) {
        proto.setIntraOpParallelismThreads(settings.intraOpThreads());
      }
      if (settings.interOpThreads() > 0) {
        proto.setInterOpParallelismThreads(settings.interOpThreads());
      }
      session = new Session(graph, proto.build());
      session.initialize();
      ok = true;
    } finally {
      if (!ok) {
        graph.close();
      }
    }
  }

  private Operand<TFloat32> loss(Ops tf, Operand<TFloat32> pred, Operand<TFloat32> target) {
    return switch (config.kind()) {
      case REGRESSION -> tf.math.mean(tf.math.square(tf.math.sub(pred, target)), tf.constant(new int[] {0, 1}));
      case CLASSIFICATION -> tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(pred, target).loss(), tf.constant(0));
    };
  }

  @SuppressWarnings("unchecked")
  private static List<Operand<TFloat32>> floats(Iterable<Operand<?>> ops) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Operand<?> o : ops) {
      out.add((Operand<TFloat32>) o);
    }
    return out;
  }

  public ExperimentConfig config() {
    return config;
  }

  /** Tasks learned so far; the next {@link #learnTask} must be this one. */
  public int tasksLearned() {
    return tasksLearned;
  }

  /**
   * Learns task {@code task} (the next in sequence): stores the regularizer's targets for the past
   * tasks, resets Adam, trains for the configured iterations and fixes the task's embedding.
   */
  public void learnTask(int task, TaskData data, StepListener listener) {
    if (task != tasksLearned) {
      throw new IllegalStateException("tasks are learned in order: expected task " + tasksLearned + ", got " + task);
    }
    if (task >= config.numTasks()) {
      throw new IllegalArgumentException("task " + task + " is beyond the experiment's " + config.numTasks() + " tasks");
    }
    checkShapes(data);
    if (data.trainSize() > maxTrainSize) {
      throw new IllegalArgumentException(
          "task " + task + " has " + data.trainSize() + " training examples; the learner holds at most " + maxTrainSize);
    }
    long started = System.nanoTime();
    loadTrainingData(data);
    try (TInt32 t = TInt32.scalarOf(task)) {
      session.runner().feed(embeddings.taskInput(), t).addTarget(embeddings.beginTask()).run().close();
    }
    session.run(adam.reset());

    SplittableRandom taskRng = new SplittableRandom(settings.seed() * 1_000_003L + task);
    RegularizerWindow windows = new RegularizerWindow(task, settings.regularizerTasks(), taskRng.split());
    if (regularizer != null) {
      int[] order = windows.slotOrder();
      for (int slot = 0; slot < order.length; slot++) {
        storeTargets(order[slot], slot);
      }
    }
    IndexSampler sampler = new IndexSampler(data.trainSize(), taskRng.nextLong());
    int iterations = settings.iterations();
    listener.taskStarted(task, data.name(), iterations);
    for (int it = 0; it < iterations; it++) {
      float[] losses = step(task, sampler.next(settings.batchSize()), windows);
      listener.stepFinished(task, it, losses[0], losses[1]);
    }
    try (TInt32 t = TInt32.scalarOf(task)) {
      session.runner().feed(embeddings.taskInput(), t).addTarget(embeddings.commitTask()).run().close();
    }
    tasksLearned++;
    listener.taskFinished(task, (System.nanoTime() - started) / 1e9);
  }

  private void checkShapes(TaskData data) {
    if (data.inputDim() != config.target().inputSize() || data.outputDim() != config.target().outputSize()) {
      throw new IllegalArgumentException(
          "task " + data.name() + " has inputs of width " + data.inputDim() + " and targets of width "
              + data.outputDim() + "; the target network takes " + config.target().inputSize()
              + " and gives " + config.target().outputSize());
    }
  }

  private void loadTrainingData(TaskData data) {
    int in = data.inputDim();
    int out = data.outputDim();
    float[] x = new float[maxTrainSize * in];
    float[] y = new float[maxTrainSize * out];
    System.arraycopy(data.trainX(), 0, x, 0, data.trainX().length);
    System.arraycopy(data.trainY(), 0, y, 0, data.trainY().length);
    try (TFloat32 tx = Tensors.floats(x, maxTrainSize, in);
        TFloat32 ty = Tensors.floats(y, maxTrainSize, out)) {
      session.runner().feed(loadX, tx).feed(loadY, ty).addTarget(loadData).run().close();
    }
  }

  private void storeTargets(int task, int slot) {
    try (TInt32 t = TInt32.scalarOf(task);
        TInt32 s = TInt32.scalarOf(slot)) {
      session.runner()
          .feed(regularizer.storeTaskInput(), t)
          .feed(regularizer.storeSlotInput(), s)
          .addTarget(regularizer.storeTargets())
          .run()
          .close();
    }
  }

  /** One training step; returns {task loss, regularizer loss}. */
  private float[] step(int task, int[] indices, RegularizerWindow windows) {
    List<Tensor> feeds = new ArrayList<>(8);
    try {
      Session.Runner r = session.runner();
      r.feed(batchIndices, track(feeds, Tensors.ints(indices, indices.length)));
      r.feed(trainHead, track(feeds, TInt32.scalarOf(task)));
      float scale = 0f;
      if (regularizer != null) {
        RegularizerWindow.Window w = windows.next();
        scale = w.size() == 0 ? 0f : settings.beta() / w.size();
        r.feed(regularizer.windowTasksInput(), track(feeds, Tensors.ints(w.taskIds(), w.size())));
        r.feed(regularizer.windowStartInput(), track(feeds, TInt32.scalarOf(w.start())));
        r.feed(regularizer.windowCountInput(), track(feeds, TInt32.scalarOf(w.count())));
        r.feed(regularizer.windowWrapInput(), track(feeds, TInt32.scalarOf(w.wrap())));
      }
      r.feed(regScale, track(feeds, TFloat32.scalarOf(scale)));
      r.fetch(taskLoss).fetch(regLoss).addTarget(trainStep);
      try (Result res = r.run()) {
        return new float[] {Tensors.toScalar(res.get(0)), Tensors.toScalar(res.get(1))};
      }
    } finally {
      feeds.forEach(Tensor::close);
    }
  }

  private static <T extends Tensor> T track(List<Tensor> list, T t) {
    list.add(t);
    return t;
  }

  /**
   * The target network's outputs for task {@code task} on {@code n} inputs (row-major), using the
   * weights the hypernetwork generates from the task's embedding; {@code [n · outputSize]}.
   */
  public float[] predict(int task, float[] x, int n) {
    checkTask(task);
    int in = config.target().inputSize();
    int out = config.target().outputSize();
    if (x.length != n * in) {
      throw new IllegalArgumentException(n + " inputs of width " + in + " need " + n * in + " values, got " + x.length);
    }
    float[] result = new float[n * out];
    int batch = settings.evalBatchSize();
    for (int start = 0; start < n; start += batch) {
      int m = Math.min(batch, n - start);
      float[] chunk = new float[m * in];
      System.arraycopy(x, start * in, chunk, 0, m * in);
      try (TFloat32 tx = Tensors.floats(chunk, m, in);
          TInt32 tt = TInt32.scalarOf(task);
          Result res = session.runner().feed(evalX, tx).feed(evalTask, tt).fetch(evalOutput).run()) {
        System.arraycopy(Tensors.toFloats(res.get(0)), 0, result, start * out, m * out);
      }
    }
    return result;
  }

  /** Test metric of {@code task}: MSE for regression, accuracy in percent for classification. */
  public double evaluate(int task, TaskData data) {
    checkShapes(data);
    float[] pred = predict(task, data.testX(), data.testSize());
    return Metrics.score(config.kind(), pred, data.testY(), data.outputDim());
  }

  /** The weights the hypernetwork generates for a learned task, {@code [P]}. */
  public float[] generatedWeights(int task) {
    checkTask(task);
    try (TInt32 tt = TInt32.scalarOf(task);
        Result res = session.runner().feed(evalTask, tt).fetch(evalWeights).run()) {
      return Tensors.toFloats(res.get(0));
    }
  }

  /** The weights the hypernetwork generates for any embedding {@code [d_e]}. */
  public float[] generatedWeights(float[] embedding) {
    int d = config.hypernetwork().embeddingDim();
    if (embedding.length != d) {
      throw new IllegalArgumentException("task embeddings have " + d + " values, got " + embedding.length);
    }
    try (TFloat32 te = Tensors.floats(embedding, d);
        Result res = session.runner().feed(embeddingInput, te).fetch(weightsFromEmbedding).run()) {
      return Tensors.toFloats(res.get(0));
    }
  }

  /** The embedding table {@code [numTasks, d_e]}, row-major (rows of unlearned tasks are initial values). */
  public float[] taskEmbeddings() {
    try (Result res = session.runner().fetch(embeddings.table()).run()) {
      return Tensors.toFloats(res.get(0));
    }
  }

  /** Current values of the hypernetwork's parameters, by name, in {@link Hypernetwork#variables()} order. */
  public Map<String, float[]> hypernetworkValues() {
    Map<String, float[]> values = new LinkedHashMap<>();
    Session.Runner r = session.runner();
    hnet.variables().forEach(r::fetch);
    try (Result res = r.run()) {
      for (int i = 0; i < hnet.variables().size(); i++) {
        values.put(hnet.variableNames().get(i), Tensors.toFloats(res.get(i)));
      }
    }
    return values;
  }

  public Hypernetwork hypernetwork() {
    return hnet;
  }

  private void checkTask(int task) {
    if (task < 0 || task >= config.numTasks()) {
      throw new IllegalArgumentException("task id " + task + " is not in [0, " + config.numTasks() + ")");
    }
  }

  /** Saves every variable to {@code prefix} (TF's checkpoint format: prefix.index, prefix.data-*). */
  public void save(Path prefix) {
    session.save(prefix.toString());
  }

  /** Restores every variable from {@code prefix}; {@code tasksLearned} says how far the run got. */
  public void restore(Path prefix, int tasksLearned) {
    if (tasksLearned < 0 || tasksLearned > config.numTasks()) {
      throw new IllegalArgumentException("tasks learned " + tasksLearned + " is not in [0, " + config.numTasks() + "]");
    }
    session.restore(prefix.toString());
    this.tasksLearned = tasksLearned;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
