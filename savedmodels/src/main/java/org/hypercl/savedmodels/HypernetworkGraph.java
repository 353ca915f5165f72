package org.hypercl.savedmodels;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hypercl.graphs.Hypernetwork;
import org.hypercl.graphs.TargetSpec;
import org.hypercl.graphs.ForwardContext;
import org.hypercl.graphs.NetworkState;
import org.hypercl.graphs.TargetNetwork;
import org.hypercl.graphs.TaskEmbeddings;
import org.hypercl.graphs.TaskInference;
import org.hypercl.graphs.Tensors;
import org.hypercl.graphs.Variables;
import org.hypercl.graphs.WeightLayout;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The hypernetwork of a run rebuilt with the {@code graphs} builders (same variable names as the
 * learner's graph) and restored from the run's checkpoint, with the serving signatures of
 * {@link Signatures} on top. It is both what the hypernetwork SavedModel is exported from and the
 * reference an export is verified against.
 *
 * <p>Only the tasks learned at the checkpoint are reachable: {@code task_id} indexes the first
 * {@code tasksLearned} rows of the embedding table, and a larger id fails in the graph.
 *
 * <p>Permuted inputs (tasks.json): {@code predict} takes raw rows and applies the task's
 * permutation, as the learner does; {@code predict_with_embedding} and {@code infer_task} take rows
 * as the target network sees them: an embedding names no task, and an example whose task is to be
 * inferred comes as it was observed, already permuted by whatever task it belongs to.
 */
public final class HypernetworkGraph implements AutoCloseable {

  /** Seed for the builders' initial values, all of which the checkpoint overwrites. */
  private static final long UNUSED_SEED = 0L;

  /** The op holding the learned tasks' embeddings {@code [tasksLearned, d_e]}. */
  static final String LEARNED_EMBEDDINGS_OP = "serving/learned_task_embeddings";

  private final RunCheckpoint run;
  private final Graph graph;
  private final Session session;
  private final List<Signature> signatures = new ArrayList<>();
  private final Operand<TFloat32> learnedEmbeddings;
  /** The target network's per-task state (batch-norm statistics), restored from the checkpoint; null if none. */
  private final NetworkState state;
  /** What {@code infer_task} picks tasks by; null where the model has no {@code infer_task}. */
  private final TaskInference.Score score;

  private HypernetworkGraph(RunCheckpoint run, TaskInference.Score inferBy) {
    this.run = run;
    this.score = hasInferTask(run) ? inferBy : null;
    this.graph = new Graph();
    Session s = null;
    try {
      Ops tf = Ops.create(graph);
      // Names are what the checkpoint holds. Of the task embeddings only the table is needed: the
      // learner's trainable copy and its begin/commit ops have no use in a served model.
      Hypernetwork hnet = Hypernetwork.create(tf, run.hypernetwork(), UNUSED_SEED);
      int de = run.hypernetwork().embeddingDim();
      Variable<TFloat32> table = Variables.zeros(tf, TaskEmbeddings.TABLE_NAME, run.numTasks(), de);
      TargetNetwork net = run.target().network();
      // The learner's names (its main part has no scope), so the checkpoint fills them.
      state = net.stateTables().isEmpty() ? null : NetworkState.variables(tf, "target_state/", net.stateTables(), run.numTasks());

      Ops sv = tf.withSubScope("serving");
      TargetSpec target = run.target();
      int learned = run.tasksLearned();
      List<Operand<TFloat32>> params = hnet.read(sv);
      learnedEmbeddings =
          sv.withName("learned_task_embeddings")
              .slice(sv.identity(table), sv.constant(new int[] {0, 0}), sv.constant(new int[] {learned, de}));

      Placeholder<TFloat32> x =
          sv.withName(Signatures.X).placeholder(TFloat32.class, Placeholder.shape(Shape.of(Signatures.inputShape(target))));
      Placeholder<TInt32> taskId =
          sv.withName(Signatures.TASK_ID).placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      Placeholder<TFloat32> embedding =
          sv.withName(Signatures.TASK_EMBEDDING).placeholder(TFloat32.class, Placeholder.shape(Shape.of(de)));
      Placeholder<TInt32> head =
          target.numHeads() > 1
              ? sv.withName(Signatures.HEAD).placeholder(TInt32.class, Placeholder.shape(Shape.scalar()))
              : null;

      Ops byId = sv.withSubScope(Signatures.PREDICT);
      Operand<TFloat32> idWeights =
          byId.withName(Signatures.WEIGHTS)
              .identity(hnet.generateOne(byId, params, byId.gather(learnedEmbeddings, taskId, byId.constant(0))));
      // x arrives raw; each task sees it through its own permutation (a [T, in] constant by task id).
      Operand<TFloat32> idInput = run.hasPermutations()
          ? byId.withName("permuted_x").gather(x,
              byId.gather(byId.withName("input_permutations").constant(permutationTable(run)), taskId, byId.constant(0)),
              byId.constant(1))
          : x;
      Map<String, Operand<?>> byIdOutputs =
          PredictionOutputs.build(byId, run.kind(), net.forwardHead(byId, idInput, idWeights, ForwardContext.head(taskId).withState(state)).output());
      // serving_default repeats predict: TF Serving uses it when a request names no signature.
      for (String key : List.of(Signatures.PREDICT, Signatures.SERVING_DEFAULT)) {
        Signature.Builder predict = predictSignature(key, x).input(Signatures.TASK_ID, taskId);
        byIdOutputs.forEach(predict::output);
        signatures.add(predict.build());
      }

      // With an embedding there is no task to take a permutation from: x is the target network's input.
      Ops byEmb = sv.withSubScope(Signatures.PREDICT_WITH_EMBEDDING);
      Operand<TFloat32> embWeights =
          byEmb.withName(Signatures.WEIGHTS).identity(hnet.generateOne(byEmb, params, embedding));
      Signature.Builder predictEmb =
          predictSignature(Signatures.PREDICT_WITH_EMBEDDING, x).input(Signatures.TASK_EMBEDDING, embedding);
      if (head != null) {
        predictEmb.input(Signatures.HEAD, head);
      }
      // For a target with per-task state, the head also picks whose batch-norm statistics normalise.
      outputs(byEmb, predictEmb, net.forwardHead(byEmb, x, embWeights, ForwardContext.head(head == null ? byEmb.constant(0) : head).withState(state)).output());
      signatures.add(predictEmb.build());

      signatures.add(weightSignature(sv.withSubScope(Signatures.GENERATE_WEIGHTS), Signatures.GENERATE_WEIGHTS,
          Signatures.TASK_ID, taskId, idWeights));
      signatures.add(weightSignature(sv.withSubScope(Signatures.GENERATE_WEIGHTS_WITH_EMBEDDING),
          Signatures.GENERATE_WEIGHTS_WITH_EMBEDDING, Signatures.TASK_EMBEDDING, embedding, embWeights));

      if (hasInferTask(run)) {
        Ops inf = sv.withSubScope(Signatures.INFER_TASK);
        Operand<TFloat32> all = hnet.generate(inf, params, learnedEmbeddings);
        // x is the example as observed (for a permuted task, already permuted): every task's network sees it as it is.
        TaskInference.Result r = TaskInference.build(inf, target.network(), x,
            inf.constant(java.util.stream.IntStream.range(0, learned).toArray()), all, List.of(score), state, learned).get(score);
        Signature.Builder infer = Signature.builder()
            .key(Signatures.INFER_TASK)
            .methodName(Signatures.METHOD_PREDICT)
            .input(Signatures.X, x)
            .output(Signatures.TASK_ID, inf.withName(Signatures.TASK_ID).identity(r.taskId()))
            .output(Signatures.SCORES, inf.withName(Signatures.SCORES).identity(r.scores()));
        if (score == TaskInference.Score.ENTROPY) {
          // The output's name in exports from before the score was selectable.
          infer.output(Signatures.ENTROPIES, inf.withName(Signatures.ENTROPIES).identity(r.scores()));
        }
        signatures.add(infer.build());
      }
      s = new Session(graph);
      s.restore(run.checkpointPrefix().toString());
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      graph.close();
      throw new IllegalArgumentException(
          "cannot restore the hypernetwork from checkpoint " + run.checkpointPrefix() + ": " + e.getMessage(), e);
    }
    this.session = s;
  }

  /** Whether the model has {@code infer_task}: classifiers whose target network runs every candidate in one pass. */
  static boolean hasInferTask(RunCheckpoint run) {
    return run.kind() == OutputKind.CLASSIFICATION && run.target().network().supportsCandidates();
  }

  /**
   * Task {@code task}'s row of every state table (its batch-norm statistics), each a one-row
   * {@code [1][channels]} table to bake into that task's model; empty for a target without state.
   */
  public Map<String, float[][]> stateOf(int task) {
    Map<String, float[][]> out = new LinkedHashMap<>();
    if (state == null) {
      return out;
    }
    List<String> names = state.names();
    Session.Runner r = session.runner();
    names.forEach(n -> r.fetch(state.table(n)));
    try (Result res = r.run()) {
      for (int i = 0; i < names.size(); i++) {
        float[] all = Tensors.toFloats(res.get(i));
        int c = all.length / state.conditions();
        out.put(names.get(i), new float[][] {java.util.Arrays.copyOfRange(all, task * c, (task + 1) * c)});
      }
    }
    return out;
  }

  /** Row t: task t's input permutation, the identity for a task without one. */
  private static int[][] permutationTable(RunCheckpoint run) {
    int in = run.target().inputSize();
    int[][] rows = new int[run.tasksLearned()][];
    for (int t = 0; t < rows.length; t++) {
      int[] p = run.permutations().get(t);
      rows[t] = p != null ? p.clone() : java.util.stream.IntStream.range(0, in).toArray();
    }
    return rows;
  }

  /** Rebuilds the run's hypernetwork and restores it from the latest checkpoint; infer_task uses the run's score. */
  public static HypernetworkGraph restore(RunCheckpoint run) {
    return new HypernetworkGraph(run, run.taskInference());
  }

  /** As {@link #restore(RunCheckpoint)}, with {@code infer_task} picking tasks by {@code score} (null: the run's). */
  public static HypernetworkGraph restore(RunCheckpoint run, TaskInference.Score score) {
    return new HypernetworkGraph(run, score != null ? score : run.taskInference());
  }

  /** The score {@code infer_task} picks tasks by, or null where the model has no {@code infer_task}. */
  public TaskInference.Score inferTaskScore() {
    return score;
  }

  private static Signature.Builder predictSignature(String key, Placeholder<TFloat32> x) {
    return Signature.builder().key(key).methodName(Signatures.METHOD_PREDICT).input(Signatures.X, x);
  }

  private void outputs(Ops tf, Signature.Builder sig, Operand<TFloat32> head) {
    PredictionOutputs.build(tf, run.kind(), head).forEach(sig::output);
  }

  private Signature weightSignature(
      Ops tf, String key, String inputName, Operand<?> input, Operand<TFloat32> weights) {
    Signature.Builder sig =
        Signature.builder().key(key).methodName(Signatures.METHOD_PREDICT).input(inputName, input)
            .output(Signatures.WEIGHTS, weights);
    WeightLayout layout = run.target().network().layout();
    for (WeightLayout.Entry e : layout.entries()) {
      sig.output(e.name(), tf.withName(e.name()).identity(layout.slice(tf, weights, e.name())));
    }
    return sig.build();
  }

  public RunCheckpoint run() {
    return run;
  }

  public Session session() {
    return session;
  }

  /** Every signature: predict, serving_default (the same), predict_with_embedding, generate_weights..., infer_task. */
  public List<Signature> signatures() {
    return Collections.unmodifiableList(signatures);
  }

  /** The learned tasks' embeddings, {@code [tasksLearned · d_e]} row-major. */
  public float[] learnedEmbeddings() {
    try (Result r = session.runner().fetch(learnedEmbeddings).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  /** The weights generated for learned task {@code task}, {@code [P]}. */
  public float[] generatedWeights(int task) {
    try (TInt32 t = TInt32.scalarOf(task);
        Result r = session.function(signature(Signatures.GENERATE_WEIGHTS)).call(Map.of(Signatures.TASK_ID, t))) {
      return Tensors.toFloats(r.get(Signatures.WEIGHTS).orElseThrow());
    }
  }

  /** The signature with this key. */
  public Signature signature(String key) {
    for (Signature s : signatures) {
      if (s.key().equals(key)) {
        return s;
      }
    }
    throw new IllegalArgumentException("no signature '" + key + "'; have " + keys());
  }

  private List<String> keys() {
    List<String> k = new ArrayList<>();
    signatures.forEach(s -> k.add(s.key()));
    return k;
  }

  /** Signature keys to output names, for the manifest. */
  Map<String, List<String>> outputNames() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    signatures.forEach(s -> m.put(s.key(), List.copyOf(s.outputNames())));
    return m;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
