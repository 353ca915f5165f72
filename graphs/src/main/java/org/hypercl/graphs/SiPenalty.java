package org.hypercl.graphs;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Synaptic intelligence (Zenke et al., 2017) on a part's own weights θ {@code [P]}, as the
 * baselines' source does it: during a task every update adds {@code −g ⊙ Δθ} to a running sum W
 * (g the step's total gradient, Δθ the change the update made); at the task's end
 * {@code Ω += W / ((θ − θ_prev)² + ξ)} with θ_prev the weights at the end of the previous task
 * (the initial weights for the first), and θ_prev becomes θ. The penalty is
 * {@code c · Σ_p Ω_p (θ_p − θ_prev,p)²}; it is zero until a task has ended.
 */
public final class SiPenalty implements Penalty {

  /** The damping the baselines' source uses. */
  public static final float XI_DEFAULT = 0.1f;

  private final Variable<TFloat32> weights;
  private final Variable<TFloat32> omega;
  private final Variable<TFloat32> previous;
  private final Variable<TFloat32> pathSum;
  private final Variable<TFloat32> before;
  private final Operand<TFloat32> loss;
  private final List<Operand<TFloat32>> gradients;
  private final Op startTask;
  private final Op startFirstTask;
  private final Op finish;
  private final List<Operand<TFloat32>> state;

  /**
   * @param c the penalty's strength
   * @param xi the damping ξ
   */
  public SiPenalty(Ops tf, Ops train, String scope, Variable<TFloat32> weights, Operand<TFloat32> read, float c, float xi) {
    if (!(c >= 0) || !(xi > 0)) {
      throw new IllegalArgumentException("invalid SI settings: c=" + c + " xi=" + xi);
    }
    this.weights = weights;
    long p = weights.shape().size();
    String name = scope + "si/";
    omega = Variables.zeros(tf, name + "omega", p);
    previous = Variables.zeros(tf, name + "previous", p);
    pathSum = Variables.zeros(tf, name + "path_sum", p);
    before = Variables.zeros(tf, name + "before_step", p);

    Operand<TFloat32> diff = train.math.sub(read, train.identity(previous));
    Operand<TFloat32> om = train.identity(omega);
    loss = train.math.mul(train.constant(c), train.sum(train.math.mul(om, train.math.square(diff)), train.constant(0)));
    gradients = List.of(train.math.mul(train.constant(2 * c), train.math.mul(om, diff)));

    Ops s = tf.withSubScope(name.substring(0, name.length() - 1));
    Operand<TFloat32> w = s.identity(weights);
    Op zero = s.assign(pathSum, s.zeros(s.constant(new long[] {p}), TFloat32.class));
    Op mark = s.assign(before, w);
    startTask = s.withControlDependencies(List.of(zero, mark)).noOp();
    startFirstTask = s.withControlDependencies(List.of(zero, mark, s.assign(previous, w))).noOp();
    Operand<TFloat32> change = s.math.sub(w, s.identity(previous));
    Op addOmega = s.assign(omega, s.math.add(s.identity(omega),
        s.math.div(s.identity(pathSum), s.math.add(s.math.square(change), s.constant(xi)))));
    Op move = s.withControlDependencies(List.of(addOmega)).assign(previous, w);
    finish = s.withControlDependencies(List.of(addOmega, move)).noOp();
    state = List.of(s.identity(omega), s.identity(previous));
  }

  @Override
  public String name() {
    return "si";
  }

  @Override
  public Operand<TFloat32> loss() {
    return loss;
  }

  @Override
  public List<Operand<TFloat32>> gradients() {
    return gradients;
  }

  /** W ← 0 and the weights before the first step; at the first task also θ_prev ← θ. */
  @Override
  public void beginTask(Session session, int task) {
    session.run(task == 0 ? startFirstTask : startTask);
  }

  /**
   * After the update: {@code W −= g ⊙ (θ_after − θ_before)}, then θ_before ← θ_after. The
   * update's assigns have run (control dependency) before θ is read.
   */
  @Override
  public List<Op> afterUpdate(Ops ops, List<Operand<TFloat32>> totalGradients, Op update) {
    Ops after = ops.withControlDependencies(List.of(update));
    Operand<TFloat32> now = after.identity(weights);
    Operand<TFloat32> step = after.math.sub(now, after.identity(before));
    Op add = after.assign(pathSum, after.math.sub(after.identity(pathSum), after.math.mul(totalGradients.get(0), step)));
    Op mark = ops.withControlDependencies(List.of(add)).assign(before, now);
    return List.of(mark);
  }

  /** Ω += W / ((θ − θ_prev)² + ξ), then θ_prev ← θ. */
  @Override
  public void endTask(Session session, int task) {
    session.run(finish);
  }

  /** Reads of Ω and θ_prev, for inspection and tests. */
  public List<Operand<TFloat32>> state() {
    return state;
  }
}
