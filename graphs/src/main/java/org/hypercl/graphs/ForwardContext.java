package org.hypercl.graphs;

import org.tensorflow.Operand;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * What a target network's forward pass needs besides inputs and weights.
 *
 * @param head the output head: an int32 scalar for the whole batch, or {@code [batch]} with one
 *     head per example when {@code perExampleHead}; null for a single-head network
 * @param perExampleHead whether {@code head} has one entry per example
 * @param condition an int32 scalar selecting per-task state (e.g. batch-norm statistics), or null
 * @param training whether the pass trains (dropout on, batch statistics used and updated)
 * @param state the per-condition tables the network reads (and, training, updates); null for a
 *     network without state ({@link TargetNetwork#stateTables()} empty)
 * @param seed an int64 {@code [2]} seed of the pass's random draws (dropout), fed per step so a
 *     resumed run draws what an uninterrupted one would; needed only by a training pass with dropout
 */
public record ForwardContext(
    Operand<TInt32> head, boolean perExampleHead, Operand<TInt32> condition, boolean training, NetworkState state,
    Operand<TInt64> seed) {

  /** A context without state or seed. */
  public ForwardContext(Operand<TInt32> head, boolean perExampleHead, Operand<TInt32> condition, boolean training) {
    this(head, perExampleHead, condition, training, null, null);
  }

  /** One head for the batch, inference mode; the head is also the condition. */
  public static ForwardContext head(Operand<TInt32> head) {
    return new ForwardContext(head, false, head, false);
  }

  /** One head per example, inference mode. */
  public static ForwardContext headPerExample(Operand<TInt32> heads) {
    return new ForwardContext(heads, true, null, false);
  }

  /** No head choice (single-head networks, or all heads wanted), inference mode. */
  public static ForwardContext none() {
    return new ForwardContext(null, false, null, false);
  }

  /** The same context in training mode, its random draws seeded by {@code seed} (null without dropout). */
  public ForwardContext inTraining(Operand<TInt64> seed) {
    return new ForwardContext(head, perExampleHead, condition, true, state, seed);
  }

  /** The same context in training mode, without a seed (networks without dropout). */
  public ForwardContext inTraining() {
    return inTraining(seed);
  }

  /** The same context with per-condition state. */
  public ForwardContext withState(NetworkState s) {
    return new ForwardContext(head, perExampleHead, condition, training, s, seed);
  }

  /** The same context with another condition id. */
  public ForwardContext withCondition(Operand<TInt32> c) {
    return new ForwardContext(head, perExampleHead, c, training, state, seed);
  }
}
