package org.hypercl.graphs;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.types.TFloat32;

/**
 * A functional target network {@code f(x, θ)}: its weights are an operand, a flat {@code [P]}
 * vector cut by {@link #layout()}, so the same network runs on generated weights (training), on
 * fixed weights (export), on {@code θ + Δθ} or on plain variables (baselines).
 *
 * <p>Outputs are one block of {@link #headSize()} units per head. A {@link ForwardContext} picks
 * the head (one for the batch, or one per example), a condition id for per-task state, and whether
 * the network is training.
 *
 * <pre>{@code
 * TargetNetwork net = spec.network();
 * Operand<TFloat32> logits = net.forward(tf, x, weights, ForwardContext.head(task)).output();
 * }</pre>
 */
public interface TargetNetwork {

  /** How the flat weight vector is cut into tensors. */
  WeightLayout layout();

  /** The exact number of weights, P. */
  default long parameterCount() {
    return layout().totalSize();
  }

  /** Shape of one input example, without the batch dimension (e.g. {@code [784]}). */
  long[] inputShape();

  /** Number of values in one input example. */
  default int inputSize() {
    long n = 1;
    for (long d : inputShape()) {
      n *= d;
    }
    return Math.toIntExact(n);
  }

  /** Output heads (1 for a single shared head). */
  int numHeads();

  /** Outputs per head. */
  int headSize();

  /**
   * The per-condition state the network keeps (batch-norm running statistics), to be created once
   * per graph with {@link NetworkState#variables} and passed in every {@link ForwardContext}; empty
   * for a stateless network.
   */
  default List<NetworkState.Table> stateTables() {
    return List.of();
  }

  /**
   * Where the fully-connected output layer lies in the flat weight vector: its kernel, the kernel's
   * axis of output units, and its bias. Every head is a block of {@link #headSize()} output units;
   * {@link HeadMask} reads this to leave other tasks' heads out of Eq. 2. Empty for a network
   * without such a layer.
   */
  default java.util.Optional<OutputLayer> outputLayer() {
    return java.util.Optional.empty();
  }

  /**
   * The output layer's entries in the {@link #layout()}.
   *
   * @param kernel the kernel's name, a 2-D tensor
   * @param unitAxis the kernel's axis over output units: 0 for {@code [out, in]}, 1 for {@code [in, out]}
   * @param bias the bias's name, {@code [out]}
   */
  record OutputLayer(String kernel, int unitAxis, String bias) {
    public OutputLayer {
      if (unitAxis != 0 && unitAxis != 1) {
        throw new IllegalArgumentException("an output kernel's unit axis is 0 or 1, got " + unitAxis);
      }
    }
  }

  /** Whether {@link #forwardCandidates} is implemented (task inference needs it). */
  default boolean supportsCandidates() {
    return true;
  }

  /** Outputs of one forward pass and the state updates it asks for (e.g. batch-norm statistics). */
  record Forward(Operand<TFloat32> output, List<Op> stateUpdates) {
    public Forward {
      stateUpdates = List.copyOf(stateUpdates);
    }

    public static Forward of(Operand<TFloat32> output) {
      return new Forward(output, List.of());
    }
  }

  /**
   * Outputs of all heads, {@code [batch, numHeads, headSize]}.
   *
   * @param x inputs {@code [batch, ...inputShape]}
   * @param weights flat weights {@code [P]}
   */
  Forward forwardAllHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context);

  /**
   * Outputs of the head the context names, {@code [batch, headSize]}: one head for the batch (a
   * scalar) or one per example (a {@code [batch]} vector). A single-head network ignores the head.
   */
  default Forward forward(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
    Forward all = forwardAllHeads(tf, x, weights, context);
    return new Forward(selectHead(tf, all.output(), context, numHeads()), all.stateUpdates());
  }

  /**
   * Outputs of the context's head only, {@code [batch, headSize]}, for evaluation: the values of
   * {@link #forward}, up to rounding, without computing the other heads where the network can
   * leave them out (an MLP with a head per task). Training keeps {@link #forward}, so that what it
   * learns does not hang on which kernel shapes the matrix library was given.
   */
  default Forward forwardHead(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
    return forward(tf, x, weights, context);
  }

  /**
   * Many weight vectors on their own inputs in one pass: {@code x [k, batch, ...inputShape]} and
   * {@code weights [k, P]} give {@code [k, batch, numHeads, headSize]}, slice j being
   * {@code forwardAllHeads(x[j], weights[j])}. Task inference runs every candidate task this way.
   */
  Operand<TFloat32> forwardCandidates(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context);

  /**
   * As {@link #forwardCandidates(Ops, Operand, Operand, ForwardContext)} for at most {@code
   * maxCandidates} weight vectors, with per-task state: the context's condition, when given, is
   * {@code [k]}, candidate j's condition id (its task, whose batch-norm statistics normalise it),
   * and {@code x} may be {@code [1, batch, ...]}, the same inputs for every candidate. Networks
   * whose pass batches over the candidates ignore the bound; the convolutional targets run one pass
   * per candidate and need it.
   */
  default Operand<TFloat32> forwardCandidates(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context,
      int maxCandidates) {
    return forwardCandidates(tf, x, weights, context);
  }

  /**
   * Each candidate on its own head, for task inference: with {@code weights [k, P]} and {@code
   * heads [k]}, {@code [k, batch, headSize]}, slice j being head {@code heads[j]} of slice j of
   * {@link #forwardCandidates(Ops, Operand, Operand, ForwardContext, int)}; a single-head network
   * ignores {@code heads}. Networks that can leave the other heads out do (an MLP with a head per
   * task computes k heads instead of k × numHeads); the values are the same up to rounding.
   */
  default Operand<TFloat32> forwardCandidateHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context,
      int maxCandidates, Operand<org.tensorflow.types.TInt32> heads) {
    Operand<TFloat32> all = forwardCandidates(tf, x, weights, context, maxCandidates); // [k, batch, H, C]
    if (numHeads() == 1) {
      return tf.gather(all, tf.constant(0), tf.constant(2));
    }
    Operand<TFloat32> byHead = tf.linalg.transpose(all, tf.constant(new int[] {0, 2, 1, 3})); // [k, H, batch, C]
    return tf.gather(byHead, heads, tf.constant(1), Gather.batchDims(1L));
  }

  /** {@code [batch, heads, size]} to {@code [batch, size]} by the context's head (scalar or per example). */
  static Operand<TFloat32> selectHead(Ops tf, Operand<TFloat32> all, ForwardContext context, int numHeads) {
    if (numHeads == 1 || context.head() == null) {
      return tf.gather(all, tf.constant(0), tf.constant(1));
    }
    if (context.perExampleHead()) {
      return tf.gather(all, context.head(), tf.constant(1), Gather.batchDims(1L));
    }
    return tf.gather(all, context.head(), tf.constant(1));
  }
}
