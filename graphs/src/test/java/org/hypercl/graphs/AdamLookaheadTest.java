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

class AdamLookaheadTest {

  private static final AdamOptimizer.Settings SETTINGS = new AdamOptimizer.Settings(0.01f, 0.9f, 0.999f, 1e-8f);

  private static final float[][] HISTORY = {{0.1f, -0.2f, 0.3f}, {0.4f, 0.05f, -0.6f}, {-0.2f, 0.3f, 0.1f}};

  /** One parameter vector θ with Adam and its update op fed by the placeholder {@code grad}. */
  private record Fixture(Variable<TFloat32> theta, AdamOptimizer adam, Placeholder<TFloat32> grad, Op update) {
    static Fixture create(Graph g) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> theta = Variables.of(tf, "theta", new float[] {0.5f, -1f, 2f}, 3);
      AdamOptimizer adam = new AdamOptimizer(tf, "adam", List.of(theta), SETTINGS);
      Placeholder<TFloat32> grad = tf.placeholder(TFloat32.class);
      return new Fixture(theta, adam, grad, adam.update(tf, List.of(grad), List.of()));
    }

    /**
     * Runs one update per gradient of {@link #HISTORY} and returns θ as the double-precision
     * reference expects it from {@code start}; {@code m} and {@code v} (zero on entry) follow.
     */
    double[] stepThroughHistory(Session s, float[] start, double[] m, double[] v) {
      double[] expect = {start[0], start[1], start[2]};
      for (int t = 1; t <= HISTORY.length; t++) {
        try (TFloat32 gt = Tensors.floats(HISTORY[t - 1], 3)) {
          s.runner().feed(grad, gt).addTarget(update).run().close();
        }
        double[] d = javaAdam(m, v, HISTORY[t - 1], t, true);
        for (int i = 0; i < 3; i++) {
          expect[i] += d[i];
        }
      }
      return expect;
    }
  }

  @Test
  void lookaheadEqualsOneAdamStepByHandAndLeavesTheMomentsAlone() {
    try (Graph g = new Graph()) {
      Fixture f = Fixture.create(g);
      Variable<TFloat32> theta = f.theta();
      AdamOptimizer adam = f.adam();
      Placeholder<TFloat32> grad = f.grad();
      List<Operand<TFloat32>> delta = AdamLookahead.delta(Ops.create(g), adam, List.of(grad));

      try (Session s = new Session(g)) {
        s.initialize();
        double[] m = new double[3];
        double[] v = new double[3];
        double[] expectTheta = f.stepThroughHistory(s, new float[] {0.5f, -1f, 2f}, m, v);
        int t = HISTORY.length;
        float[] thetaNow = GraphTestSupport.fetch(s, Map.of(), theta);
        for (int i = 0; i < 3; i++) {
          assertThat((double) thetaNow[i]).isCloseTo(expectTheta[i], within(1e-5));
        }

        float[] mBefore = GraphTestSupport.fetch(s, Map.of(), adam.firstMoments().get(0));
        float[] vBefore = GraphTestSupport.fetch(s, Map.of(), adam.secondMoments().get(0));
        float[] g4 = {0.7f, -0.1f, 0.2f};
        float[] lookahead;
        try (TFloat32 gt = Tensors.floats(g4, 3)) {
          lookahead = GraphTestSupport.fetch(s, Map.of(grad, gt), delta.get(0));
        }
        double[] expected = authorsLookahead(m.clone(), v.clone(), g4, t + 1);
        for (int i = 0; i < 3; i++) {
          assertThat((double) lookahead[i]).isCloseTo(expected[i], within(1e-7));
          assertThat(lookahead[i]).isNotZero();
        }
        assertThat(GraphTestSupport.fetch(s, Map.of(), adam.firstMoments().get(0))).containsExactly(mBefore);
        assertThat(GraphTestSupport.fetch(s, Map.of(), adam.secondMoments().get(0))).containsExactly(vBefore);
        assertThat(GraphTestSupport.fetch(s, Map.of(), adam.stepCount())[0]).isEqualTo(3f);
        assertThat(GraphTestSupport.fetch(s, Map.of(), theta)).containsExactly(thetaNow);

        s.run(adam.reset());
        assertThat(GraphTestSupport.fetch(s, Map.of(), adam.firstMoments().get(0))).containsOnly(0f);
        assertThat(GraphTestSupport.fetch(s, Map.of(), adam.stepCount())[0]).isZero();
      }
    }
  }

  /** Adam restarts at every task: after a reset the steps must again be Adam's from zero moments. */
  @Test
  void stepsAfterAResetMatchAdamFromZeroMoments() {
    try (Graph g = new Graph()) {
      Fixture f = Fixture.create(g);
      Variable<TFloat32> theta = f.theta();
      AdamOptimizer adam = f.adam();
      try (Session s = new Session(g)) {
        s.initialize();
        for (int round = 0; round < 3; round++) {
          s.run(adam.reset());
          double[] m = new double[3];
          double[] v = new double[3];
          double[] expect = f.stepThroughHistory(s, GraphTestSupport.fetch(s, Map.of(), theta), m, v);
          float[] now = GraphTestSupport.fetch(s, Map.of(), theta);
          float[] mNow = GraphTestSupport.fetch(s, Map.of(), adam.firstMoments().get(0));
          float[] vNow = GraphTestSupport.fetch(s, Map.of(), adam.secondMoments().get(0));
          for (int i = 0; i < 3; i++) {
            assertThat((double) now[i]).as("round %d, theta[%d]", round, i).isCloseTo(expect[i], within(1e-5));
            assertThat((double) mNow[i]).as("round %d, m[%d]", round, i).isCloseTo(m[i], within(1e-6));
            assertThat((double) vNow[i]).as("round %d, v[%d]", round, i).isCloseTo(v[i], within(1e-7));
          }
        }
      }
    }
  }

  /**
   * The fused update adds ε to √v̂, as the reference does, not to √v as TensorFlow's ApplyAdam
   * would: with gradients of the order of ε the two differ by a factor of about 16 at step 1.
   */
  @Test
  void epsilonIsAddedToTheBiasCorrectedSecondMoment() {
    try (Graph g = new Graph()) {
      Fixture f = Fixture.create(g);
      float[] tiny = {1e-8f, -2e-8f, 5e-9f};
      try (Session s = new Session(g); TFloat32 gt = Tensors.floats(tiny, 3)) {
        s.initialize();
        float[] start = GraphTestSupport.fetch(s, Map.of(), f.theta());
        double[] m = new double[3];
        double[] v = new double[3];
        double[] expect = {start[0], start[1], start[2]};
        for (int t = 1; t <= 2; t++) {
          s.runner().feed(f.grad(), gt).addTarget(f.update()).run().close();
          double[] d = javaAdam(m, v, tiny, t, true);
          for (int i = 0; i < 3; i++) {
            expect[i] += d[i];
          }
        }
        float[] now = GraphTestSupport.fetch(s, Map.of(), f.theta());
        for (int i = 0; i < 3; i++) {
          double moved = now[i] - start[i];
          double want = expect[i] - start[i];
          // Two steps of about lr·g/(|g|+ε): far from zero, and far from ApplyAdam's plain ε.
          assertThat(Math.abs(want)).isGreaterThan(0.5 * SETTINGS.learningRate());
          assertThat(moved).as("theta[%d] moved", i).isCloseTo(want, within(2e-6 + 1e-3 * Math.abs(want)));
        }
      }
    }
  }

  /**
   * The authors' lookahead ({@code adam_step} in hypercl's utils/optim_step.py): ε added to √v,
   * the bias corrections in the step size.
   */
  private static double[] authorsLookahead(double[] m, double[] v, float[] g, int t) {
    double[] d = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      double m2 = SETTINGS.beta1() * m[i] + (1 - SETTINGS.beta1()) * g[i];
      double v2 = SETTINGS.beta2() * v[i] + (1 - SETTINGS.beta2()) * g[i] * g[i];
      double step = SETTINGS.learningRate() * Math.sqrt(1 - Math.pow(SETTINGS.beta2(), t)) / (1 - Math.pow(SETTINGS.beta1(), t));
      d[i] = -step * m2 / (Math.sqrt(v2) + SETTINGS.epsilon());
    }
    return d;
  }

  /** The lookahead puts ε where the authors' code does: with |g| near ε it is far from the update's step. */
  @Test
  void lookaheadAddsEpsilonToTheRootOfTheRawSecondMoment() {
    try (Graph g = new Graph()) {
      Fixture f = Fixture.create(g);
      List<Operand<TFloat32>> delta = AdamLookahead.delta(Ops.create(g), f.adam(), List.of(f.grad()));
      float[] tiny = {1e-8f, -2e-8f, 5e-9f};
      try (Session s = new Session(g); TFloat32 gt = Tensors.floats(tiny, 3)) {
        s.initialize();
        float[] ahead = GraphTestSupport.fetch(s, Map.of(f.grad(), gt), delta.get(0));
        double[] authors = authorsLookahead(new double[3], new double[3], tiny, 1);
        double[] update = javaAdam(new double[3], new double[3], tiny, 1, false);
        for (int i = 0; i < 3; i++) {
          assertThat((double) ahead[i]).as("lookahead %d", i).isCloseTo(authors[i], within(1e-3 * Math.abs(authors[i])));
          assertThat(Math.abs(update[i])).as("the update's step %d differs", i).isGreaterThan(3 * Math.abs(authors[i]));
        }
      }
    }
  }

  /** One Adam step in double precision; updates m and v in place when {@code commit}. */
  private static double[] javaAdam(double[] m, double[] v, float[] g, int t, boolean commit) {
    double[] d = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      double m2 = SETTINGS.beta1() * m[i] + (1 - SETTINGS.beta1()) * g[i];
      double v2 = SETTINGS.beta2() * v[i] + (1 - SETTINGS.beta2()) * g[i] * g[i];
      double mhat = m2 / (1 - Math.pow(SETTINGS.beta1(), t));
      double vhat = v2 / (1 - Math.pow(SETTINGS.beta2(), t));
      d[i] = -SETTINGS.learningRate() * mhat / (Math.sqrt(vhat) + SETTINGS.epsilon());
      if (commit) {
        m[i] = m2;
        v[i] = v2;
      }
    }
    return d;
  }

  /**
   * With a learning-rate scale, the update and the lookahead both move θ by the scaled Adam step:
   * a scale of 0.25 gives a quarter of the unscaled first step (−lr·sign(g) at t = 1), 0 none.
   */
  @Test
  void learningRateScaleScalesTheStepAndTheLookahead() {
    float[] g = {0.3f, -0.7f, 0.1f};
    for (float scale : new float[] {1f, 0.25f, 0f}) {
      try (Graph graph = new Graph(); Session s = new Session(graph);
          TFloat32 gt = Tensors.floats(g, 3); TFloat32 st = TFloat32.scalarOf(scale)) {
        Ops tf = Ops.create(graph);
        Variable<TFloat32> theta = Variables.of(tf, "theta", new float[] {0.5f, -1f, 2f}, 3);
        Placeholder<TFloat32> lr = tf.placeholder(TFloat32.class);
        AdamOptimizer adam = new AdamOptimizer(tf, "adam", List.of(theta), SETTINGS, lr);
        Placeholder<TFloat32> grad = tf.placeholder(TFloat32.class);
        Operand<TFloat32> look = AdamLookahead.delta(tf, adam, List.of(grad)).get(0);
        Op update = adam.update(tf, List.of(grad), List.of());
        s.initialize();
        float[] ahead = GraphTestSupport.fetch(s, Map.of(grad, gt, lr, st), look);
        s.runner().feed(grad, gt).feed(lr, st).addTarget(update).run();
        float[] after = GraphTestSupport.fetch(s, Map.of(), tf.identity(theta));
        float[] start = {0.5f, -1f, 2f};
        for (int i = 0; i < 3; i++) {
          float want = -SETTINGS.learningRate() * Math.signum(g[i]) * scale;
          assertThat(ahead[i]).as("lookahead %d at scale %s", i, scale).isCloseTo(want, within(1e-6f));
          assertThat(after[i] - start[i]).as("update %d at scale %s", i, scale).isCloseTo(want, within(1e-6f));
        }
      }
    }
  }
}
