package org.hypercl.savedmodels;

import java.util.ArrayList;
import java.util.List;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.MlpTargetNetwork;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Task inference by predictive entropy (von Oswald et al., 2020, §3, HNET+ENT): for an input x and
 * every known task t, with that task's generated weights and head,
 *
 * <pre>
 *   H_t(x) = −Σ_c softmax(f(x, h(e^(t))))_c · log softmax(f(x, h(e^(t))))_c,   t̂(x) = argmin_t H_t(x)
 * </pre>
 *
 * <p>For tasks with permuted inputs (PermutedMNIST), x is the raw row and task t's network sees it
 * through t's own permutation, exactly as it did in training.
 *
 * <pre>{@code
 * EntropyTaskInference.Result r = EntropyTaskInference.build(tf, spec, x, weights); // weights [T, P]
 * }</pre>
 */
public final class EntropyTaskInference {

  private EntropyTaskInference() {}

  /** {@code entropies [batch, T]} and the chosen {@code taskId [batch]} (int32). */
  public record Result(Operand<TFloat32> entropies, Operand<TInt32> taskId) {}

  /**
   * @param x inputs {@code [batch, inputSize]}
   * @param weights generated weights of the T candidate tasks {@code [T, P]}; row t is task t, which
   *     also selects head t of a multi-head target
   * @param numTasks T (static: one target-network pass per task is built)
   */
  public static Result build(Ops tf, MlpSpec spec, Operand<TFloat32> x, Operand<TFloat32> weights, int numTasks) {
    return build(tf, spec, x, weights, java.util.Collections.nCopies(numTasks, null));
  }

  /**
   * As {@link #build(Ops, MlpSpec, Operand, Operand, int)} for tasks that see their inputs through
   * their own permutation: {@code H_t} is computed on {@code gather(x, permutations[t], axis=1)}, so
   * {@code x} holds raw (unpermuted) rows.
   *
   * @param permutations one entry per candidate task (T = its size): the task's input permutation
   *     (input j is raw input {@code permutation[j]}), or null for none
   */
  public static Result build(
      Ops tf, MlpSpec spec, Operand<TFloat32> x, Operand<TFloat32> weights, List<int[]> permutations) {
    int numTasks = permutations.size();
    if (numTasks <= 0) {
      throw new IllegalArgumentException("task inference needs at least one task, got " + numTasks);
    }
    List<Operand<TFloat32>> perTask = new ArrayList<>(numTasks);
    for (int t = 0; t < numTasks; t++) {
      Operand<TFloat32> w = tf.gather(weights, tf.constant(t), tf.constant(0));
      int[] perm = permutations.get(t);
      Operand<TFloat32> xt = perm == null ? x : tf.gather(x, tf.constant(perm), tf.constant(1));
      Operand<TFloat32> logits = MlpTargetNetwork.forward(tf, spec, xt, w, tf.constant(t));
      perTask.add(entropy(tf, logits));
    }
    Operand<TFloat32> entropies = tf.stack(perTask, org.tensorflow.op.core.Stack.axis(1L));
    Operand<TInt32> task = tf.math.argMin(entropies, tf.constant(1), TInt32.class);
    return new Result(entropies, task);
  }

  /** Entropy of the softmax of {@code logits} along the last axis, {@code [batch]}. */
  public static Operand<TFloat32> entropy(Ops tf, Operand<TFloat32> logits) {
    Operand<TFloat32> logP = tf.nn.logSoftmax(logits);
    Operand<TFloat32> p = tf.math.exp(logP);
    return tf.math.neg(tf.reduceSum(tf.math.mul(p, logP), tf.constant(-1)));
  }
}
