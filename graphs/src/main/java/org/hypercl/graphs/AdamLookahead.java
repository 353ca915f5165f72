package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The lookahead ΔΘ_h of Eq. 2: the step Adam would take on the task-loss gradient alone.
 *
 * <pre>
 *   m' = β1·m + (1−β1)·g,  v' = β2·v + (1−β2)·g²,  k = t + 1
 *   ΔΘ = −lr · √(1−β2^k)/(1−β1^k) · m' / (√v' + ε)
 * </pre>
 *
 * <p>This is the authors' lookahead (hypercl, {@code utils/optim_step.py}, {@code adam_step}): the
 * Adam of older PyTorch releases, with ε added to √v. The update itself ({@link AdamOptimizer})
 * adds ε to √v̂ as current PyTorch does; the two differ only where |g| is near ε/√(1−β2^k), which
 * early in a task is 30 times ε.
 *
 * It reads a copy of the optimizer's moments and changes nothing; the result is wrapped in
 * {@code StopGradient}, so the regularizer evaluated at {@code Θ_h + ΔΘ_h} is differentiated as
 * a function of Θ_h only.
 */
public final class AdamLookahead {

  private AdamLookahead() {}

  /**
   * ΔΘ for the first {@code taskGrads.size()} parameters of {@code optimizer}.
   *
   * @param taskGrads gradients of the task loss, in the optimizer's parameter order
   */
  public static List<Operand<TFloat32>> delta(Ops tf, AdamOptimizer optimizer, List<? extends Operand<TFloat32>> taskGrads) {
    if (taskGrads.size() > optimizer.parameters().size()) {
      throw new IllegalArgumentException("more gradients than optimizer parameters");
    }
    Operand<TFloat32> t = optimizer.nextStepNumber(tf);
    AdamOptimizer.Settings s = optimizer.settings();
    Operand<TFloat32> bc1 = tf.math.sub(tf.constant(1f), tf.math.pow(tf.constant(s.beta1()), t));
    Operand<TFloat32> bc2 = tf.math.sub(tf.constant(1f), tf.math.pow(tf.constant(s.beta2()), t));
    Operand<TFloat32> stepSize = optimizer.scaled(tf, tf.math.div(tf.math.mul(tf.constant(-s.learningRate()), tf.math.sqrt(bc2)), bc1));
    List<Operand<TFloat32>> deltas = new ArrayList<>(taskGrads.size());
    for (int i = 0; i < taskGrads.size(); i++) {
      Operand<TFloat32> g = taskGrads.get(i);
      Operand<TFloat32> m = tf.math.add(tf.math.mul(tf.constant(s.beta1()), tf.identity(optimizer.firstMoments().get(i))),
          tf.math.mul(tf.constant(1 - s.beta1()), g));
      Operand<TFloat32> v = tf.math.add(tf.math.mul(tf.constant(s.beta2()), tf.identity(optimizer.secondMoments().get(i))),
          tf.math.mul(tf.constant(1 - s.beta2()), tf.math.square(g)));
      Operand<TFloat32> delta = tf.math.mul(stepSize, tf.math.div(m, tf.math.add(tf.math.sqrt(v), tf.constant(s.epsilon()))));
      deltas.add(tf.stopGradient(delta));
    }
    return deltas;
  }

  /** {@code Θ + ΔΘ}, element-wise over two parameter lists. */
  public static List<Operand<TFloat32>> apply(Ops tf, List<Operand<TFloat32>> params, List<Operand<TFloat32>> deltas) {
    if (params.size() != deltas.size()) {
      throw new IllegalArgumentException(params.size() + " parameters but " + deltas.size() + " deltas");
    }
    List<Operand<TFloat32>> out = new ArrayList<>(params.size());
    for (int i = 0; i < params.size(); i++) {
      out.add(tf.math.add(params.get(i), deltas.get(i)));
    }
    return out;
  }
}
