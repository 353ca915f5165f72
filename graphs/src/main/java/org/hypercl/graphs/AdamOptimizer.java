package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Adam (Kingma and Ba, 2015) on an explicit variable list: our own slots and step count, and one
 * fused {@code ApplyAdam} per parameter, fed the ε that makes it the update below.
 *
 * <p>The update follows the reference implementation's formulation:
 *
 * <pre>
 *   m ← β1·m + (1−β1)·g,   v ← β2·v + (1−β2)·g²,   t ← t + 1
 *   θ ← θ − lr · (m / (1−β1^t)) / (√(v / (1−β2^t)) + ε)
 * </pre>
 *
 * We do not use the framework's {@code Optimizer.minimize}: it differentiates against every
 * variable in the graph, and a second optimizer in one graph fails on the first one's slots.
 */
public final class AdamOptimizer {

  public static final float LEARNING_RATE_DEFAULT = 0.001f;
  public static final float BETA1_DEFAULT = 0.9f;
  public static final float BETA2_DEFAULT = 0.999f;
  public static final float EPSILON_DEFAULT = 1e-8f;

  /** Adam's hyperparameters. */
  public record Settings(float learningRate, float beta1, float beta2, float epsilon) {
    public Settings {
      if (!(learningRate > 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
        throw new IllegalArgumentException(
            "invalid Adam settings: lr=" + learningRate + " beta1=" + beta1 + " beta2=" + beta2 + " eps=" + epsilon);
      }
    }

    public static Settings withLearningRate(float lr) {
      return new Settings(lr, BETA1_DEFAULT, BETA2_DEFAULT, EPSILON_DEFAULT);
    }
  }

  private final Settings settings;
  private final List<Variable<TFloat32>> params;
  private final List<Variable<TFloat32>> firstMoments = new ArrayList<>();
  private final List<Variable<TFloat32>> secondMoments = new ArrayList<>();
  private final Variable<TFloat32> stepCount;
  private final Op reset;
  /** A scalar the learning rate is multiplied by at each step (a schedule's feed), or null for none. */
  private final Operand<TFloat32> learningRateScale;

  public AdamOptimizer(Ops tf, String name, List<Variable<TFloat32>> params, Settings settings) {
    this(tf, name, params, settings, null);
  }

  /**
   * @param learningRateScale a scalar operand the learning rate is multiplied by (fed per step by a
   *     learning-rate schedule), or null for the constant rate of {@code settings}
   */
  public AdamOptimizer(Ops tf, String name, List<Variable<TFloat32>> params, Settings settings, Operand<TFloat32> learningRateScale) {
    this.learningRateScale = learningRateScale;
    this.settings = settings;
    this.params = List.copyOf(params);
    List<Op> resets = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      long[] shape = params.get(i).shape().asArray();
      Variable<TFloat32> m = Variables.zeros(tf, name + "/m" + i, shape);
      Variable<TFloat32> v = Variables.zeros(tf, name + "/v" + i, shape);
      firstMoments.add(m);
      secondMoments.add(v);
      resets.add(tf.assign(m, tf.zeros(tf.constant(shape), TFloat32.class)));
      resets.add(tf.assign(v, tf.zeros(tf.constant(shape), TFloat32.class)));
    }
    this.stepCount = Variables.named(tf, name + "/step").variable(tf.constant(0f));
    resets.add(tf.assign(stepCount, tf.constant(0f)));
    this.reset = Variables.named(tf.withControlDependencies(resets), name + "/reset").noOp();
  }

  public Settings settings() {
    return settings;
  }

  public List<Variable<TFloat32>> parameters() {
    return params;
  }

  public List<Variable<TFloat32>> firstMoments() {
    return firstMoments;
  }

  public List<Variable<TFloat32>> secondMoments() {
    return secondMoments;
  }

  /** Number of steps taken since the last reset (a float scalar variable). */
  public Variable<TFloat32> stepCount() {
    return stepCount;
  }

  /** Zeroes the moments and the step count (the reference resets Adam at every task). */
  public Op reset() {
    return reset;
  }

  /** {@code delta} times the learning-rate scale, if there is one (the step and the lookahead both use it). */
  public Operand<TFloat32> scaled(Ops tf, Operand<TFloat32> delta) {
    return learningRateScale == null ? delta : tf.math.mul(delta, learningRateScale);
  }

  /** The step number the next update will take, {@code t + 1}. */
  public Operand<TFloat32> nextStepNumber(Ops tf) {
    return tf.math.add(tf.identity(stepCount), tf.constant(1f));
  }

  /**
   * The update op: applies one Adam step with {@code grads} (one per parameter, in order) to the
   * parameters and moments. It runs after all gradients and after {@code after} (e.g. the loss
   * fetches), so a step never races with reads of the values it changes.
   */
  public Op update(Ops tf, List<? extends Operand<TFloat32>> grads, List<Op> after) {
    if (grads.size() != params.size()) {
      throw new IllegalArgumentException("expected " + params.size() + " gradients, got " + grads.size());
    }
    // Every assign waits for every gradient: backprop for one parameter reads the others, and an
    // in-place assign racing with those reads makes training nondeterministic.
    List<Op> deps = new ArrayList<>(after);
    for (Operand<TFloat32> g : grads) {
      deps.add(tf.identity(g));
    }
    Ops dep = tf.withControlDependencies(deps);
    Operand<TFloat32> t = nextStepNumber(dep);
    // One fused ApplyAdam per parameter, in place. TensorFlow's kernel divides by √v + ε̂ with the
    // bias corrections folded into the step size; ε̂ = ε·√(1−β2^t) makes that the update above,
    // m̂/(√v̂ + ε), exactly as the reference (PyTorch) writes it.
    Operand<TFloat32> beta1Power = dep.math.pow(dep.constant(settings.beta1()), t);
    Operand<TFloat32> beta2Power = dep.math.pow(dep.constant(settings.beta2()), t);
    Operand<TFloat32> epsilonHat =
        dep.math.mul(dep.constant(settings.epsilon()), dep.math.sqrt(dep.math.sub(dep.constant(1f), beta2Power)));
    Operand<TFloat32> lr = scaled(dep, dep.constant(settings.learningRate()));
    Operand<TFloat32> beta1 = dep.constant(settings.beta1());
    Operand<TFloat32> beta2 = dep.constant(settings.beta2());
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      assigns.add(dep.train.applyAdam(params.get(i), firstMoments.get(i), secondMoments.get(i), beta1Power, beta2Power, lr,
          beta1, beta2, epsilonHat, grads.get(i)));
    }
    assigns.add(dep.assign(stepCount, t));
    return tf.withControlDependencies(assigns).withName("adam_update").noOp();
  }
}
