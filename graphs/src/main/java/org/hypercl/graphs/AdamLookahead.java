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
 *   ΔΘ = −lr · (m'/(1−β1^k)) / (√(v'/(1−β2^k)) + ε)
 * </pre>
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
    List<Operand<TFloat32>> deltas = new ArrayList<>(taskGrads.size());
    for (int i = 0; i < taskGrads.size(); i++) {
      AdamOptimizer.Step s =
          AdamOptimizer.step(
              tf,
              optimizer.settings(),
              tf.identity(optimizer.firstMoments().get(i)),
              tf.identity(optimizer.secondMoments().get(i)),
              taskGrads.get(i),
              t);
      deltas.add(tf.stopGradient(optimizer.scaled(tf, s.delta())));
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
