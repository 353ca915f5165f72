package org.hypercl.training;

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
import org.hypercl.graphs.TaskEmbeddings;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
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
public final class HypernetworkLearner extends AbstractLearner {

  private final Hypernetwork hnet;
  private final TaskEmbeddings embeddings;
  private final OutputRegularizer regularizer;
  private final AdamOptimizer adam;
  private final Placeholder<TFloat32> regScale;
  private final Operand<TFloat32> evalWeights;
  private final Placeholder<TFloat32> embeddingInput;
  private final Operand<TFloat32> weightsFromEmbedding;
  private RegularizerWindow windows;

  /**
   * Builds the graph and initialises every variable from the settings' seed.
   *
   * @param maxTrainSize the largest training set of any task (the in-graph data buffer's rows)
   */
  public HypernetworkLearner(ExperimentConfig config, int maxTrainSize) {
    super(config, maxTrainSize);
    boolean ok = false;
    try {
      SplittableRandom seeds = new SplittableRandom(settings.seed());
      hnet = Hypernetwork.create(tf, config.hypernetwork(), seeds.nextLong());
      embeddings = new TaskEmbeddings(tf, config.numTasks(), config.hypernetwork().embeddingDim(), seeds.nextLong());
      List<Variable<TFloat32>> trainable = new ArrayList<>(hnet.variables());
      trainable.add(embeddings.current());
      adam = new AdamOptimizer(tf, "adam", trainable, settings.adam());

      Ops train = tf.withSubScope("train");
      List<Operand<TFloat32>> params = hnet.read(train);
      Operand<TFloat32> e = train.identity(embeddings.current());
      Operand<TFloat32> weights = hnet.generateOne(train, params, e);
      trainPrediction = MlpTargetNetwork.forward(train, config.target(), inputs.batchX, weights, trainTask);
      taskLoss = Losses.taskLoss(train, config.kind(), trainPrediction, inputs.batchY);

      List<Operand<TFloat32>> wrt = new ArrayList<>(params);
      wrt.add(e);
      List<Operand<TFloat32>> taskGrads = Losses.floats(train.gradients(taskLoss, wrt));
      List<Operand<TFloat32>> grads = new ArrayList<>(taskGrads);
      regScale = train.withName("regularizer_scale").placeholder(TFloat32.class);
      if (settings.beta() > 0) {
        regularizer =
            new OutputRegularizer(tf, hnet, hnet.read(tf), embeddings.table(), config.numTasks(), settings.regularizerTasks() > 0);
        List<Operand<TFloat32>> regParams = params;
        if (settings.lookahead()) {
          List<Operand<TFloat32>> delta = AdamLookahead.delta(train, adam, taskGrads.subList(0, params.size()));
          regParams = AdamLookahead.apply(train, params, delta);
        }
        Operand<TFloat32> sum =
            settings.regularizerForm() == LearnerSettings.RegularizerForm.EXPANDED
                ? regularizer.expanded(train, regParams, embeddings.table())
                : regularizer.naive(train, regParams, embeddings.table());
        regularizerLoss = train.math.mul(regScale, sum);
        List<Operand<TFloat32>> regGrads = Losses.floats(train.gradients(regularizerLoss, params));
        for (int i = 0; i < params.size(); i++) {
          grads.set(i, train.math.add(taskGrads.get(i), regGrads.get(i)));
        }
      } else {
        regularizer = null;
        regularizerLoss = train.math.mul(regScale, train.constant(0f));
      }
      trainOp = adam.update(train, grads, List.of((Op) taskLoss, (Op) regularizerLoss));

      Ops ev = tf.withSubScope("eval");
      List<Operand<TFloat32>> evalParams = hnet.read(ev);
      evalWeights = hnet.generateOne(ev, evalParams, ev.gather(embeddings.table(), evalTask, ev.constant(0)));
      evalOutput = MlpTargetNetwork.forward(ev, config.target(), inputs.evalInput, evalWeights, evalTask);
      embeddingInput = ev.withName("embedding").placeholder(TFloat32.class);
      weightsFromEmbedding = hnet.generateOne(ev, evalParams, embeddingInput);
      startSession();
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  @Override
  protected void prepareTask(int task) {
    try (TInt32 t = TInt32.scalarOf(task)) {
      session.runner().feed(embeddings.taskInput(), t).addTarget(embeddings.beginTask()).run().close();
    }
    session.run(adam.reset());
    windows = new RegularizerWindow(task, settings.regularizerTasks(), new SplittableRandom(mix(settings.seed(), task, -2)));
    if (regularizer != null) {
      regularizer.store(session, windows.slotOrder());
    }
  }

  @Override
  protected void feedStep(Session.Runner r, List<Tensor> owned, int task, long step) {
    float scale = 0f;
    if (regularizer != null) {
      RegularizerWindow.Window w = windows.next(new SplittableRandom(mix(settings.seed(), task, step)));
      scale = w.size() == 0 ? 0f : settings.beta() / w.size();
      r.feed(regularizer.windowTasksInput(), own(owned, Tensors.ints(w.taskIds(), w.size())));
      r.feed(regularizer.windowStartInput(), own(owned, TInt32.scalarOf(w.start())));
      r.feed(regularizer.windowCountInput(), own(owned, TInt32.scalarOf(w.count())));
      r.feed(regularizer.windowWrapInput(), own(owned, TInt32.scalarOf(w.wrap())));
    }
    r.feed(regScale, own(owned, TFloat32.scalarOf(scale)));
  }

  @Override
  protected void completeTask(int task) {
    try (TInt32 t = TInt32.scalarOf(task)) {
      session.runner().feed(embeddings.taskInput(), t).addTarget(embeddings.commitTask()).run().close();
    }
  }

  /** The weights the hypernetwork generates for a task, {@code [P]}. */
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
}
