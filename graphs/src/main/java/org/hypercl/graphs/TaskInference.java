package org.hypercl.graphs;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Task inference without a task id (CL2/CL3): every candidate task's network sees the input and
 * the task whose output is most confident wins. With the paper's score (HNET+ENT, von Oswald et
 * al., 2020, §3), the predictive entropy over that task's head,
 *
 * <pre>
 *   H_t(x) = −Σ_c p_c log p_c,   p = softmax(f(x, h(e^(t)))),   t̂(x) = argmin_t H_t(x)
 * </pre>
 *
 * <p>Batched: the candidates' weights {@code [k, P]} come from one hypernetwork pass, and
 * {@link TargetNetwork#forwardCandidateHeads} runs all k networks on the batch in one pass, each
 * on its own head only, so a batch costs one graph run whatever k is. With a multi-head target (CL3) candidate t reads head t; with
 * one shared head (CL2) every candidate reads it. Every candidate sees the same x, the example as
 * it was observed: for permuted tasks, already permuted (the permutation is how the task's data
 * came about, not a part of any candidate's network).
 *
 * <pre>{@code
 * TaskInference.Result r = TaskInference.build(tf, net, x, candidates, weights, Score.ENTROPY);
 * }</pre>
 *
 * This one implementation serves training's evaluation and the exported {@code infer_task}.
 */
public final class TaskInference {

  private TaskInference() {}

  /** How confident a candidate's output is; lower is more confident, the argmin wins. */
  public enum Score {
    /** The paper's: entropy of the softmax, {@code −Σ p log p}. */
    ENTROPY,
    /** Negative maximum softmax probability, {@code −max_c p_c} (Hendrycks and Gimpel, 2017). */
    MAX_SOFTMAX,
    /**
     * Energy, {@code −log Σ_c exp(logit_c)} (Liu et al., 2020): unlike the two above it keeps the
     * logits' scale, so a candidate whose logits are all large counts as confident.
     */
    ENERGY,
    /**
     * Negative largest logit, {@code −max_c logit_c}: over the heads of one classifier, the head
     * holding the largest logit wins, which is the plain argmax over all of its outputs (how the
     * reference scores a replay classifier in CL3).
     */
    MAX_LOGIT;

    /** The score of each row of {@code logits [..., C]}, {@code [...]}. */
    public Operand<TFloat32> of(Ops tf, Operand<TFloat32> logits) {
      Operand<TInt32> last = tf.constant(-1);
      return switch (this) {
        case ENTROPY -> {
          Operand<TFloat32> logP = tf.nn.logSoftmax(logits);
          yield tf.math.neg(tf.reduceSum(tf.math.mul(tf.math.exp(logP), logP), last));
        }
        case MAX_SOFTMAX -> tf.math.neg(tf.reduceMax(tf.nn.softmax(logits), last));
        case ENERGY -> {
          Operand<TFloat32> max = tf.reduceMax(logits, last, org.tensorflow.op.core.ReduceMax.keepDims(true));
          Operand<TFloat32> sum = tf.reduceSum(tf.math.exp(tf.math.sub(logits, max)), last);
          yield tf.math.neg(tf.math.add(tf.math.log(sum), tf.squeeze(max, org.tensorflow.op.core.Squeeze.axis(new Long[] {-1L}))));
        }
        case MAX_LOGIT -> tf.math.neg(tf.reduceMax(logits, last));
      };
    }

    /** The name used on the command line and in results: entropy, max-softmax, energy, max-logit. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@link #id()}, naming the valid values on failure. */
    public static Score parse(String id) {
      for (Score s : values()) {
        if (s.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown task-inference score '" + id + "'; expected entropy, max-softmax, energy or max-logit");
    }
  }

  /**
   * @param scores every candidate's score per example, {@code [batch, k]}
   * @param choice the index of the chosen candidate, {@code [batch]}
   * @param taskId the chosen candidate's task id, {@code [batch]}
   * @param logits the chosen candidate's outputs on its head, {@code [batch, C]}
   */
  public record Result(Operand<TFloat32> scores, Operand<TInt32> choice, Operand<TInt32> taskId, Operand<TFloat32> logits) {}

  /**
   * @param x inputs {@code [batch, ...inputShape]}, unpermuted
   * @param candidates task ids of the k candidates {@code [k]}; with several heads, candidate j
   *     reads head {@code candidates[j]}
   * @param weights the candidates' weights {@code [k, P]}, row j for candidate j
   */
  public static Result build(
      Ops tf,
      TargetNetwork net,
      Operand<TFloat32> x,
      Operand<TInt32> candidates,
      Operand<TFloat32> weights,
      Score score) {
    return build(tf, net, x, candidates, weights, List.of(score)).get(score);
  }

  /**
   * As {@link #build(Ops, TargetNetwork, Operand, Operand, Operand, Score)} for several
   * scores at once, all from one forward pass of the candidates: the scores cost next to nothing
   * beside it, so they can be compared on the same run for free.
   */
  public static Map<Score, Result> build(
      Ops tf,
      TargetNetwork net,
      Operand<TFloat32> x,
      Operand<TInt32> candidates,
      Operand<TFloat32> weights,
      List<Score> scores) {
    return build(tf, net, x, candidates, weights, scores, null, net.numHeads());
  }

  /**
   * As above for a target with per-task state (batch-norm statistics): candidate j is normalised
   * by the statistics of task {@code candidates[j]}; {@code maxCandidates} bounds k for targets that
   * run one pass per candidate (the convolutional ones).
   *
   * @param state the target's per-task state, or null for a target without
   */
  public static Map<Score, Result> build(
      Ops tf,
      TargetNetwork net,
      Operand<TFloat32> x,
      Operand<TInt32> candidates,
      Operand<TFloat32> weights,
      List<Score> scores,
      NetworkState state,
      int maxCandidates) {
    Operand<TFloat32> xk = tf.expandDims(x, tf.constant(0)); // [1, batch, ...]: broadcast over the candidates
    ForwardContext context = new ForwardContext(null, false, candidates, false, state, null);
    // [k, batch, C]: candidate j on head candidates[j], or every candidate on the one shared head
    Operand<TFloat32> logits = net.forwardCandidateHeads(tf, xk, weights, context, maxCandidates, candidates);
    return scored(tf, candidates, logits, scores);
  }

  /**
   * As {@link #build(Ops, TargetNetwork, Operand, Operand, Operand, List)} when every candidate
   * has the same weights {@code [P]} and the target no per-task state (a classifier with its own
   * weights, e.g. EWC's or SI's multi-head MLP): the candidates differ only in the head they read,
   * so the network runs once on the batch and candidate j reads head {@code candidates[j]} of that
   * one pass, where {@code build} would run k identical networks. The same results as {@code
   * build} with the row repeated k times.
   */
  public static Map<Score, Result> buildShared(
      Ops tf, TargetNetwork net, Operand<TFloat32> x, Operand<TInt32> candidates, Operand<TFloat32> weights, List<Score> scores) {
    Operand<TFloat32> all = net.forwardAllHeads(tf, x, weights, ForwardContext.none()).output(); // [batch, H, C]
    // Candidate j reads head candidates[j], or with one shared head head 0.
    Operand<TInt32> heads = net.numHeads() > 1 ? candidates : tf.zerosLike(candidates);
    Operand<TFloat32> perExample = tf.gather(all, heads, tf.constant(1)); // [batch, k, C]
    return scored(tf, candidates, tf.linalg.transpose(perExample, tf.constant(new int[] {1, 0, 2})), scores);
  }

  /** Each score's choice among the candidates from their logits {@code [k, batch, C]}. */
  private static Map<Score, Result> scored(Ops tf, Operand<TInt32> candidates, Operand<TFloat32> logits, List<Score> scores) {
    Operand<TFloat32> perExample = tf.linalg.transpose(logits, tf.constant(new int[] {1, 0, 2})); // [batch, k, C]
    Map<Score, Result> out = new EnumMap<>(Score.class);
    for (Score score : scores) {
      Operand<TFloat32> s = tf.linalg.transpose(score.of(tf, logits), tf.constant(new int[] {1, 0})); // [batch, k]
      Operand<TInt32> choice = tf.math.argMin(s, tf.constant(1), TInt32.class);
      Operand<TInt32> taskId = tf.gather(candidates, choice, tf.constant(0));
      Operand<TFloat32> chosen = tf.gather(perExample, choice, tf.constant(1), Gather.batchDims(1L));
      out.put(score, new Result(s, choice, taskId, chosen));
    }
    return out;
  }
}
