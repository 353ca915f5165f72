package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** EWC, online EWC and SI against hand computations on a linear classifier of 3 inputs and 2 classes. */
class BaselinePenaltiesTest {

  private static final float[][] X = {{1f, -2f, 0.5f}, {0.3f, 0.8f, -1f}, {-1.5f, 0.2f, 2f}, {2f, 1f, 1f}};
  private static final int[] Y = {0, 1, 1, 0};
  /** w0 [2, 3] (out, in) then b0 [2]. */
  private static final float[] THETA = {0.2f, -0.4f, 0.1f, -0.3f, 0.5f, 0.25f, 0.05f, -0.1f};

  /** The mean squared per-example gradient of −log p(label | x), labels predicted or given. */
  private static double[] fisher(float[] theta, boolean empirical) {
    return fisher(theta, empirical ? Y : null);
  }

  /** As above with the given labels, or the predicted ones if null. */
  private static double[] fisher(float[] theta, int[] given) {
    double[] f = new double[8];
    for (int n = 0; n < X.length; n++) {
      double[] z = new double[2];
      for (int o = 0; o < 2; o++) {
        z[o] = theta[6 + o];
        for (int i = 0; i < 3; i++) {
          z[o] += theta[o * 3 + i] * X[n][i];
        }
      }
      double m = Math.max(z[0], z[1]);
      double e0 = Math.exp(z[0] - m), e1 = Math.exp(z[1] - m);
      double[] p = {e0 / (e0 + e1), e1 / (e0 + e1)};
      int label = given != null ? given[n] : (z[1] > z[0] ? 1 : 0);
      for (int o = 0; o < 2; o++) {
        double d = p[o] - (o == label ? 1 : 0);
        for (int i = 0; i < 3; i++) {
          f[o * 3 + i] += d * X[n][i] * d * X[n][i] / X.length;
        }
        f[6 + o] += d * d / X.length;
      }
    }
    return f;
  }

  private record Model(Ops tf, Variable<TFloat32> theta, Operand<TFloat32> read, Placeholder<TInt32> idx,
      Operand<TFloat32> batchX, Operand<TFloat32> batchY, TargetNetwork net) {
    static Model create(Graph g) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> theta = Variables.of(tf, "theta", THETA.clone(), 8);
      float[] xs = new float[12];
      float[] ys = new float[8];
      for (int n = 0; n < 4; n++) {
        System.arraycopy(X[n], 0, xs, n * 3, 3);
        ys[n * 2 + Y[n]] = 1;
      }
      Placeholder<TInt32> idx = tf.placeholder(TInt32.class);
      Operand<TFloat32> bx = tf.gather(tf.constant(org.tensorflow.ndarray.Shape.of(4, 3), org.tensorflow.ndarray.buffer.DataBuffers.of(xs, true, false)), idx, tf.constant(0));
      Operand<TFloat32> by = tf.gather(tf.constant(org.tensorflow.ndarray.Shape.of(4, 2), org.tensorflow.ndarray.buffer.DataBuffers.of(ys, true, false)), idx, tf.constant(0));
      TargetNetwork net = new MlpSpec(3, new int[0], 2, 1, Activation.RELU).network();
      return new Model(tf, theta, tf.identity(theta), idx, bx, by, net);
    }
  }

  private static void set(Session s, Ops tf, Variable<TFloat32> v, float[] values) {
    try (TFloat32 t = Tensors.floats(values, values.length)) {
      Placeholder<TFloat32> p = tf.placeholder(TFloat32.class);
      s.runner().feed(p, t).addTarget(tf.assign(v, p)).run();
    }
  }

  @Test
  void ewcStoresTheFisherAndPenalisesTheDistanceToTheTaskEnd() {
    for (boolean empirical : new boolean[] {false, true}) {
      try (Graph g = new Graph(); Session s = new Session(g)) {
        Model m = Model.create(g);
        EwcPenalty ewc = new EwcPenalty(m.tf(), m.tf(), "", m.net(), m.theta(), m.read(), m.batchX(), m.batchY(), m.idx(),
            () -> 4, new EwcPenalty.Settings(10f, false, 1f, empirical, 3, 0));
        s.initialize();
        assertThat(GraphTestSupport.fetch(s, Map.of(), ewc.loss())[0]).as("no penalty before a task ended").isZero();
        ewc.endTask(s, 0);
        double[] f = fisher(THETA, empirical);
        float[] a = GraphTestSupport.fetch(s, Map.of(), ewc.state().get(0));
        for (int i = 0; i < 8; i++) {
          assertThat((double) a[i]).as("Fisher %d (empirical %s)", i, empirical).isCloseTo(f[i], within(1e-6));
        }
        assertThat(GraphTestSupport.fetch(s, Map.of(), ewc.loss())[0]).isCloseTo(0f, within(1e-6f));
        float[] moved = THETA.clone();
        double want = 0;
        for (int i = 0; i < 8; i++) {
          moved[i] += 0.1f * (i + 1);
          want += 0.5 * 10 * f[i] * 0.01 * (i + 1) * (i + 1);
        }
        set(s, m.tf(), m.theta(), moved);
        assertThat((double) GraphTestSupport.fetch(s, Map.of(), ewc.loss())[0]).isCloseTo(want, within(1e-5));
        float[] grad = GraphTestSupport.fetch(s, Map.of(), ewc.gradients().get(0));
        for (int i = 0; i < 8; i++) {
          assertThat((double) grad[i]).isCloseTo(10 * f[i] * 0.1 * (i + 1), within(1e-5));
        }
      }
    }
  }

  /**
   * Class-incremental EWC on two tasks of one class each (a head of size 1 per task): after task 0
   * the softmax over one class carries no information (F = 0); after task 1 the two heads are one
   * softmax over both classes, the 2-class classifier of {@link #fisher} with task 1's examples
   * labelled class 1 (empirical) or by the argmax over both heads (predicted).
   */
  @Test
  void classIncrementalFisherReadsTheHeadsSoFarAsOneSoftmax() {
    for (boolean empirical : new boolean[] {false, true}) {
      try (Graph g = new Graph(); Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        Variable<TFloat32> theta = Variables.of(tf, "theta", THETA.clone(), 8);
        float[] xs = new float[12];
        for (int n = 0; n < 4; n++) {
          System.arraycopy(X[n], 0, xs, n * 3, 3);
        }
        Placeholder<TInt32> idx = tf.placeholder(TInt32.class);
        Operand<TFloat32> bx = tf.gather(tf.constant(org.tensorflow.ndarray.Shape.of(4, 3),
            org.tensorflow.ndarray.buffer.DataBuffers.of(xs, true, false)), idx, tf.constant(0));
        Operand<TFloat32> by = tf.gather(tf.constant(new float[][] {{1f}, {1f}, {1f}, {1f}}), idx, tf.constant(0));
        TargetNetwork net = new MlpSpec(3, new int[0], 1, 2, Activation.RELU).network();
        EwcPenalty ewc = new EwcPenalty(tf, tf, "", net, theta, tf.identity(theta), bx, by, idx, () -> 4,
            new EwcPenalty.Settings(10f, false, 1f, empirical, 3, 0, true));
        s.initialize();
        ewc.endTask(s, 0);
        assertThat(GraphTestSupport.fetch(s, Map.of(), ewc.state().get(0))).as("one class: no information").containsOnly(0f);
        ewc.endTask(s, 1);
        double[] f = fisher(THETA, empirical ? new int[] {1, 1, 1, 1} : null);
        float[] a = GraphTestSupport.fetch(s, Map.of(), ewc.state().get(0));
        for (int i = 0; i < 8; i++) {
          assertThat((double) a[i]).as("Fisher %d (empirical %s)", i, empirical).isCloseTo(f[i], within(1e-6));
        }
      }
    }
  }

  /** The same network hidden from EWC's batched pass: the Fisher comes from the tiled weights. */
  private record Opaque(TargetNetwork net) implements TargetNetwork {
    @Override
    public WeightLayout layout() {
      return net.layout();
    }

    @Override
    public long[] inputShape() {
      return net.inputShape();
    }

    @Override
    public int numHeads() {
      return net.numHeads();
    }

    @Override
    public int headSize() {
      return net.headSize();
    }

    @Override
    public Forward forwardAllHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
      return net.forwardAllHeads(tf, x, weights, context);
    }

    @Override
    public Operand<TFloat32> forwardCandidates(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
      return net.forwardCandidates(tf, x, weights, context);
    }
  }

  /**
   * An MLP's one-pass Fisher (squared layer inputs and output gradients) equals the per-example
   * gradients of the tiled weights, on a ReLU network of two hidden layers and three heads, with
   * predicted and true labels, on one head and class-incrementally.
   */
  @Test
  void batchedFisherOfAnMlpEqualsThePerExampleGradients() {
    MlpSpec spec = new MlpSpec(5, new int[] {7, 6}, 2, 3, Activation.RELU);
    int p = (int) spec.parameterCount();
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    float[] theta = new float[p];
    for (int i = 0; i < p; i++) {
      theta[i] = (float) (rng.nextDouble() * 2 - 1);
    }
    int n = 37;
    float[] xs = new float[n * 5];
    float[] ys = new float[n * 2];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < 5; j++) {
        xs[r * 5 + j] = (float) (rng.nextDouble() * 4 - 2);
      }
      ys[r * 2 + rng.nextInt(2)] = 1;
    }
    for (boolean classIncremental : new boolean[] {false, true}) {
      for (boolean empirical : new boolean[] {false, true}) {
        float[][] fishers = new float[2][];
        for (int k = 0; k < 2; k++) {
          try (Graph g = new Graph(); Session s = new Session(g)) {
            Ops tf = Ops.create(g);
            Variable<TFloat32> w = Variables.of(tf, "theta", theta.clone(), p);
            Placeholder<TInt32> idx = tf.placeholder(TInt32.class);
            Operand<TFloat32> bx = tf.gather(tf.constant(org.tensorflow.ndarray.Shape.of(n, 5),
                org.tensorflow.ndarray.buffer.DataBuffers.of(xs, true, false)), idx, tf.constant(0));
            Operand<TFloat32> by = tf.gather(tf.constant(org.tensorflow.ndarray.Shape.of(n, 2),
                org.tensorflow.ndarray.buffer.DataBuffers.of(ys, true, false)), idx, tf.constant(0));
            TargetNetwork net = k == 0 ? spec.network() : new Opaque(spec.network());
            EwcPenalty ewc = new EwcPenalty(tf, tf, "", net, w, tf.identity(w), bx, by, idx, () -> n,
                new EwcPenalty.Settings(1f, false, 1f, empirical, 8, 0, classIncremental));
            s.initialize();
            ewc.endTask(s, 1);
            fishers[k] = GraphTestSupport.fetch(s, Map.of(), ewc.state().get(0));
          }
        }
        double scale = 0;
        for (float v : fishers[1]) {
          scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as("a Fisher to compare").isPositive();
        for (int i = 0; i < p; i++) {
          assertThat((double) fishers[0][i]).as("F[%d] (class-incremental %s, empirical %s)", i, classIncremental, empirical)
              .isCloseTo(fishers[1][i], within(1e-5 * scale));
        }
      }
    }
  }

  /**
   * Offline EWC over two tasks: the gradient is λ Σ_t F_t (θ − θ*_t), and the value differs from
   * λ/2 Σ_t F_t (θ − θ*_t)² only by a constant (the same difference between two points).
   */
  @Test
  void ewcSumsOneTermPerTask() {
    float lambda = 4f;
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Model m = Model.create(g);
      EwcPenalty ewc = new EwcPenalty(m.tf(), m.tf(), "", m.net(), m.theta(), m.read(), m.batchX(), m.batchY(), m.idx(),
          () -> 4, new EwcPenalty.Settings(lambda, false, 1f, false, 4, 0));
      s.initialize();
      ewc.endTask(s, 0);
      float[] second = THETA.clone();
      for (int i = 0; i < 8; i++) {
        second[i] += 0.25f * ((i % 2) * 2 - 1);
      }
      set(s, m.tf(), m.theta(), second);
      ewc.endTask(s, 1);
      double[] f1 = fisher(THETA, false);
      double[] f2 = fisher(second, false);
      float[][] points = new float[2][8];
      double[] exact = new double[2];
      float[] shown = new float[2];
      for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 8; i++) {
          points[k][i] = THETA[i] + 0.1f * (k + 1) * (i - 3);
        }
        set(s, m.tf(), m.theta(), points[k]);
        shown[k] = GraphTestSupport.fetch(s, Map.of(), ewc.loss())[0];
        float[] grad = GraphTestSupport.fetch(s, Map.of(), ewc.gradients().get(0));
        for (int i = 0; i < 8; i++) {
          double d1 = points[k][i] - THETA[i], d2 = points[k][i] - second[i];
          exact[k] += lambda / 2 * (f1[i] * d1 * d1 + f2[i] * d2 * d2);
          assertThat((double) grad[i]).as("gradient %d at point %d", i, k).isCloseTo(lambda * (f1[i] * d1 + f2[i] * d2), within(1e-5));
        }
      }
      assertThat((double) (shown[1] - shown[0])).isCloseTo(exact[1] - exact[0], within(1e-5));
      assertThat(shown[0]).isGreaterThanOrEqualTo(0f);
    }
  }

  /** Online EWC: F ← F_new + γF, penalty with γ·F around the latest weights (two tasks). */
  @Test
  void onlineEwcDecaysTheRunningFisher() {
    float gamma = 0.8f;
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Model m = Model.create(g);
      EwcPenalty ewc = new EwcPenalty(m.tf(), m.tf(), "", m.net(), m.theta(), m.read(), m.batchX(), m.batchY(), m.idx(),
          () -> 4, new EwcPenalty.Settings(2f, true, gamma, false, 4, 0));
      s.initialize();
      ewc.endTask(s, 0);
      double[] f1 = fisher(THETA, false);
      float[] second = THETA.clone();
      for (int i = 0; i < 8; i++) {
        second[i] -= 0.3f * (i % 3);
      }
      set(s, m.tf(), m.theta(), second);
      ewc.endTask(s, 1);
      double[] f2 = fisher(second, false);
      float[] a = GraphTestSupport.fetch(s, Map.of(), ewc.state().get(0));
      for (int i = 0; i < 8; i++) {
        assertThat((double) a[i]).isCloseTo(gamma * (f2[i] + gamma * f1[i]), within(1e-6));
      }
      // Centred on the latest weights: zero there, whatever the first task's weights were.
      assertThat(GraphTestSupport.fetch(s, Map.of(), ewc.loss())[0]).isCloseTo(0f, within(1e-6f));
    }
  }

  @Test
  void siIntegratesThePathAndNormalisesByTheTasksDisplacement() {
    float c = 3f, xi = 0.1f;
    float[][] gs = {{0.5f, -1f, 0.2f, 0f, 1f, 0.3f, -0.2f, 0.4f}, {0.1f, 0.2f, -0.4f, 0.6f, -0.5f, 0.3f, 0.2f, -0.1f}};
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Model m = Model.create(g);
      Ops tf = m.tf();
      SiPenalty si = new SiPenalty(tf, tf, "", m.theta(), m.read(), c, xi);
      Placeholder<TFloat32> grad = tf.placeholder(TFloat32.class);
      Op update = tf.assign(m.theta(), tf.math.sub(tf.identity(m.theta()), tf.math.mul(tf.constant(0.5f), grad)));
      List<Op> after = si.afterUpdate(tf, List.of(grad), update);
      s.initialize();
      si.beginTask(s, 0);
      double[] w = new double[8];
      double[] theta = new double[8];
      for (int i = 0; i < 8; i++) {
        theta[i] = THETA[i];
      }
      for (float[] gv : gs) {
        try (TFloat32 gt = Tensors.floats(gv, 8)) {
          Session.Runner r = s.runner().feed(grad, gt);
          after.forEach(r::addTarget);
          r.run();
        }
        for (int i = 0; i < 8; i++) {
          double step = -0.5 * gv[i];
          w[i] -= gv[i] * step;
          theta[i] += step;
        }
      }
      assertThat(GraphTestSupport.fetch(s, Map.of(), si.loss())[0]).as("zero before a task ended").isZero();
      si.endTask(s, 0);
      float[] omega = GraphTestSupport.fetch(s, Map.of(), si.state().get(0));
      float[] prev = GraphTestSupport.fetch(s, Map.of(), si.state().get(1));
      for (int i = 0; i < 8; i++) {
        double d = theta[i] - THETA[i];
        assertThat((double) omega[i]).as("omega %d", i).isCloseTo(w[i] / (d * d + xi), within(1e-5));
        assertThat((double) prev[i]).isCloseTo(theta[i], within(1e-6));
      }
      float[] moved = new float[8];
      double want = 0;
      for (int i = 0; i < 8; i++) {
        moved[i] = (float) theta[i] + 0.2f;
        want += c * omega[i] * 0.04;
      }
      set(s, tf, m.theta(), moved);
      assertThat((double) GraphTestSupport.fetch(s, Map.of(), si.loss())[0]).isCloseTo(want, within(1e-5));
      float[] gr = GraphTestSupport.fetch(s, Map.of(), si.gradients().get(0));
      for (int i = 0; i < 8; i++) {
        assertThat((double) gr[i]).isCloseTo(2 * c * omega[i] * 0.2, within(1e-5));
      }
    }
  }
}
