package org.hypercl.savedmodels;

import org.hypercl.graphs.TargetSpec;
import org.hypercl.graphs.ForwardContext;
import org.hypercl.graphs.NetworkState;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * One task's target network with its generated weights (and, for a target with batch norm, the
 * task's running statistics) baked in as constants: a plain model that
 * any SavedModel runtime serves without this project. Signature {@link Signatures#SERVING_DEFAULT}.
 * A task with an input permutation takes raw (unpermuted) rows and gathers them with its
 * permutation, a constant of the graph, as the learner does: {@code x_task = gather(x, perm, axis=1)}.
 */
final class TaskModelGraph implements AutoCloseable {

  private final Graph graph;
  private final Session session;
  private final Signature signature;

  /**
   * @param weights the task's generated weights {@code [P]}
   * @param head the head to read (the task id for a multi-head target; ignored for one head)
   * @param permutation the task's input permutation (input j is raw input {@code permutation[j]}),
   *     or null for none
   * @param state the task's row of each of the target's state tables (batch-norm statistics), baked
   *     in as constants; empty for a target without state
   */
  TaskModelGraph(TargetSpec spec, OutputKind kind, float[] weights, int head, int[] permutation, java.util.Map<String, float[][]> state) {
    if (weights.length != spec.parameterCount()) {
      throw new IllegalArgumentException(
          "the target network has " + spec.parameterCount() + " weights, got " + weights.length);
    }
    if (permutation != null && spec.inputShape().length != 1) {
      throw new IllegalArgumentException("an input permutation needs flat input rows; " + spec.network() + " takes images");
    }
    if (permutation != null && permutation.length != spec.inputSize()) {
      throw new IllegalArgumentException(
          "the target network has " + spec.inputSize() + " inputs, the permutation " + permutation.length);
    }
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> x =
          tf.withName(Signatures.X).placeholder(TFloat32.class, Placeholder.shape(Shape.of(Signatures.inputShape(spec))));
      Operand<TFloat32> w =
          tf.withName("generated_weights").constant(Shape.of(weights.length), DataBuffers.of(weights, true, false));
      Operand<TFloat32> input = permutation == null
          ? x
          : tf.withName("permuted_x").gather(x, tf.withName("input_permutation").constant(permutation), tf.constant(1));
      ForwardContext context = ForwardContext.head(tf.constant(head));
      if (!state.isEmpty()) {
        // One row per table, the task's own: condition 0 of the baked tables.
        context = context.withState(NetworkState.constants(tf.withSubScope("target_state"), state)).withCondition(tf.constant(0));
      }
      Operand<TFloat32> out = spec.network().forwardHead(tf, input, w, context).output();
      Signature.Builder sig =
          Signature.builder().key(Signatures.SERVING_DEFAULT).methodName(Signatures.METHOD_PREDICT).input(Signatures.X, x);
      PredictionOutputs.build(tf, kind, out).forEach(sig::output);
      signature = sig.build();
      session = new Session(graph);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  Session session() {
    return session;
  }

  Signature signature() {
    return signature;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
