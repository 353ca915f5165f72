package org.hypercl.graphs;

import org.tensorflow.Operand;
import org.tensorflow.types.TInt32;

/**
 * What a target network's forward pass needs besides inputs and weights.
 *
 * @param head the output head: an int32 scalar for the whole batch, or {@code [batch]} with one
 *     head per example when {@code perExampleHead}; null for a single-head network
 * @param perExampleHead whether {@code head} has one entry per example
 * @param condition an int32 scalar selecting per-task state (e.g. batch-norm statistics), or null
 * @param training whether the pass trains (dropout on, batch statistics used and updated)
 */
public record ForwardContext(Operand<TInt32> head, boolean perExampleHead, Operand<TInt32> condition, boolean training) {

  /** One head for the batch, inference mode. */
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

  /** The same context in training mode. */
  public ForwardContext inTraining() {
    return new ForwardContext(head, perExampleHead, condition, true);
  }
}
