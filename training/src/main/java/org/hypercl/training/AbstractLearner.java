package org.hypercl.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What every learner shares: one graph and session, the in-graph task data, the per-step batch
 * sampler, evaluation in batches, checkpoints. Subclasses build their model in their constructor
 * (after this one), set the protected operands and call {@link #startSession()}.
 */
public abstract class AbstractLearner implements ContinualLearner {

  protected final ExperimentConfig config;
  protected final LearnerSettings settings;
  protected final Graph graph;
  protected final Ops tf;
  final TaskInputs inputs;
  /** Int32 scalar: the task being trained (selects the head). */
  protected final Placeholder<TInt32> trainTask;
  /** Int32 scalar: the task being evaluated (selects head and, for a hypernetwork, the embedding). */
  protected final Placeholder<TInt32> evalTask;

  /** Set by subclasses before {@link #startSession()}. */
  protected Operand<TFloat32> taskLoss;
  protected Operand<TFloat32> regularizerLoss;
  protected Operand<TFloat32> trainPrediction;
  protected Op trainOp;
  protected Operand<TFloat32> evalOutput;

  private Operand<TFloat32> batchMetric;
  protected Session session;
  protected int tasksLearned;
  private IndexSampler sampler;
  private int currentTask = -1;

  protected AbstractLearner(ExperimentConfig config, int maxTrainSize) {
    if (maxTrainSize <= 0) {
      throw new IllegalArgumentException("max training set size must be positive, got " + maxTrainSize);
    }
    this.config = config;
    this.settings = config.settings();
    this.graph = new Graph();
    this.tf = Ops.create(graph);
    this.inputs = new TaskInputs(tf, maxTrainSize, config.target().inputSize(), config.target().outputSize());
    this.trainTask = tf.withSubScope("train").withName("task").placeholder(TInt32.class);
    this.evalTask = tf.withSubScope("eval").withName("task").placeholder(TInt32.class);
  }

  /** Builds the batch metric and opens the session with the configured threads. */
  protected final void startSession() {
    Ops m = tf.withSubScope("metrics");
    if (config.kind() == TaskKind.CLASSIFICATION) {
      Operand<TInt32> predicted = m.math.argMax(trainPrediction, m.constant(1), TInt32.class);
      Operand<TInt32> actual = m.math.argMax(inputs.batchY, m.constant(1), TInt32.class);
      batchMetric =
          m.math.mul(m.constant(100f), m.math.mean(m.dtypes.cast(m.math.equal(predicted, actual), TFloat32.class), m.constant(0)));
    } else {
      batchMetric = m.identity(taskLoss);
    }
    ConfigProto.Builder proto = ConfigProto.newBuilder();
    if (settings.intraOpThreads() > 0) {
      proto.setIntraOpParallelismThreads(settings.intraOpThreads());
    }
    if (settings.interOpThreads() > 0) {
      proto.setInterOpParallelismThreads(settings.interOpThreads());
    }
    session = new Session(graph, proto.build());
    session.initialize();
  }

  @Override
  public ExperimentConfig config() {
    return config;
  }

  @Override
  public int tasksLearned() {
    return tasksLearned;
  }

  protected void checkShapes(TaskData data) {
    if (data.inputDim() != config.target().inputSize() || data.outputDim() != config.target().outputSize()) {
      throw new IllegalArgumentException(
          "task " + data.name() + " has inputs of width " + data.inputDim() + " and targets of width "
              + data.outputDim() + "; the target network takes " + config.target().inputSize()
              + " and gives " + config.target().outputSize());
    }
  }

  protected void checkTask(int task) {
    if (task < 0 || task >= config.numTasks()) {
      throw new IllegalArgumentException("task id " + task + " is not in [0, " + config.numTasks() + ")");
    }
  }

  static long mix(long seed, long a, long b) {
    long h = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
    return h ^ (h >>> 31);
  }

  @Override
  public final void beginTask(int task, TaskData data) {
    if (task != tasksLearned) {
      throw new IllegalStateException("tasks are learned in order: expected task " + tasksLearned + ", got " + task);
    }
    checkTask(task);
    checkShapes(data);
    inputs.load(session, data);
    sampler = new IndexSampler(data.trainSize(), mix(settings.seed(), task, -1));
    currentTask = task;
    prepareTask(task);
  }

  /** Subclass part of {@link #beginTask}: optimizer reset, regularizer targets, embeddings. */
  protected abstract void prepareTask(int task);

  /** Adds the subclass's per-step feeds (tensors to close go in {@code owned}). */
  protected abstract void feedStep(Session.Runner runner, List<Tensor> owned, int task, long step);

  @Override
  public final float[] trainStep(int task, long step) {
    if (task != currentTask) {
      throw new IllegalStateException("task " + task + " has not begun (current task: " + currentTask + ")");
    }
    List<Tensor> owned = new ArrayList<>(8);
    try {
      int[] batch = sampler.batch(step, settings.batchSize());
      Session.Runner r = session.runner();
      r.feed(inputs.batchIndices, own(owned, Tensors.ints(batch, batch.length)));
      r.feed(trainTask, own(owned, TInt32.scalarOf(task)));
      feedStep(r, owned, task, step);
      r.fetch(taskLoss).fetch(regularizerLoss).fetch(batchMetric).addTarget(trainOp);
      try (Result res = r.run()) {
        return new float[] {Tensors.toScalar(res.get(0)), Tensors.toScalar(res.get(1)), Tensors.toScalar(res.get(2))};
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  protected static <T extends Tensor> T own(List<Tensor> list, T t) {
    list.add(t);
    return t;
  }

  @Override
  public final void finishTask(int task) {
    if (task != currentTask) {
      throw new IllegalStateException("task " + task + " has not begun (current task: " + currentTask + ")");
    }
    completeTask(task);
    tasksLearned = task + 1;
    currentTask = -1;
  }

  /** Subclass part of {@link #finishTask} (e.g. fixing the task embedding). */
  protected abstract void completeTask(int task);

  /** Adds the subclass's evaluation feeds for {@code task}. */
  protected void feedEval(Session.Runner runner, List<Tensor> owned, int task) {}

  @Override
  public float[] predict(int task, float[] x, int n, int[] permutation) {
    checkTask(task);
    int in = config.target().inputSize();
    int out = config.target().outputSize();
    if (x.length != n * in) {
      throw new IllegalArgumentException(n + " inputs of width " + in + " need " + n * in + " values, got " + x.length);
    }
    int[] perm = permutation;
    if (perm == null) {
      perm = new int[in];
      for (int i = 0; i < in; i++) {
        perm[i] = i;
      }
    }
    float[] result = new float[n * out];
    int batch = settings.evalBatchSize();
    for (int start = 0; start < n; start += batch) {
      int m = Math.min(batch, n - start);
      float[] chunk = new float[m * in];
      System.arraycopy(x, start * in, chunk, 0, m * in);
      List<Tensor> owned = new ArrayList<>(4);
      try {
        Session.Runner r = session.runner();
        r.feed(inputs.evalX, own(owned, Tensors.floats(chunk, m, in)));
        r.feed(inputs.evalPermutation, own(owned, Tensors.ints(perm, in)));
        r.feed(evalTask, own(owned, TInt32.scalarOf(task)));
        feedEval(r, owned, task);
        try (Result res = r.fetch(evalOutput).run()) {
          System.arraycopy(Tensors.toFloats(res.get(0)), 0, result, start * out, m * out);
        }
      } finally {
        owned.forEach(Tensor::close);
      }
    }
    return result;
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
