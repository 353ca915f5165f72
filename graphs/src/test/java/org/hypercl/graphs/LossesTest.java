package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The VAE and distillation losses against hand computations. */
class LossesTest {

  private static float eval(java.util.function.Function<Ops, Operand<TFloat32>> build) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> out = build.apply(tf);
      try (Session s = new Session(g)) {
        return GraphTestSupport.fetch(s, Map.of(), out)[0];
      }
    }
  }

  private static double sigmoid(double l) {
    return 1 / (1 + Math.exp(-l));
  }

  /** BCE of sigmoid(logits) against pixels, mean over pixels then batch; large logits do not overflow. */
  @Test
  void reconstructionIsTheMeanBinaryCrossEntropy() {
    float[][] logits = {{0.5f, -2f, 3f}, {-0.1f, 40f, -40f}};
    float[][] x = {{1f, 0f, 0.25f}, {0f, 1f, 0f}};
    double sum = 0;
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 3; j++) {
        double p = sigmoid(logits[r][j]);
        // log(1 − σ(40)) underflows in double too; its term has weight 1 − x = 0 here.
        double lp = Math.log(p);
        double lq = x[r][j] == 1f ? 0 : Math.log1p(-p);
        sum += -(x[r][j] * lp + (1 - x[r][j]) * lq);
      }
    }
    double expected = sum / 6;
    float got = eval(tf -> Losses.bernoulliReconstruction(tf, tf.constant(logits), tf.constant(x)));
    assertThat((double) got).isCloseTo(expected, within(1e-5));
  }

  /** KL of N(μ, σ²) from N(0, 1), summed over latents, batch mean, over the input size. */
  @Test
  void klOverInputSize() {
    float[][] mu = {{0.3f, -1f}, {0f, 2f}};
    float[][] logVar = {{0f, -0.5f}, {1f, 0.2f}};
    double sum = 0;
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 2; j++) {
        sum += -0.5 * (1 + logVar[r][j] - mu[r][j] * mu[r][j] - Math.exp(logVar[r][j]));
      }
    }
    double expected = sum / 2 / 784;
    float got = eval(tf -> Losses.gaussianKl(tf, tf.constant(mu), tf.constant(logVar), 784));
    assertThat((double) got).isCloseTo(expected, within(1e-7));
  }

  /** Vanilla GAN: one-sided smoothing puts the discriminator's optimum on real data at σ(l) = 0.9; the generator's loss falls as D is fooled. */
  @Test
  void ganLossesAndLabelSmoothing() {
    float[][] real = {{2.5f}, {-0.5f}};
    float[][] fake = {{-1f}, {0.3f}};
    double d = 0;
    for (int i = 0; i < 2; i++) {
      double pr = sigmoid(real[i][0]);
      double pf = sigmoid(fake[i][0]);
      d += (-(0.9 * Math.log(pr) + 0.1 * Math.log(1 - pr)) - Math.log(1 - pf)) / 2;
    }
    double expected = d;
    assertThat((double) eval(tf -> Losses.Gan.VANILLA.discriminator(tf, tf.constant(real), tf.constant(fake))))
        .isCloseTo(expected, within(1e-5));
    // Smoothed: a real logit of logit(0.9) beats a more confident one.
    float best = (float) Math.log(0.9 / 0.1);
    float atBest = eval(tf -> Losses.Gan.VANILLA.discriminator(tf, tf.constant(new float[][] {{best}}), tf.constant(new float[][] {{-30f}})));
    float beyond = eval(tf -> Losses.Gan.VANILLA.discriminator(tf, tf.constant(new float[][] {{8f}}), tf.constant(new float[][] {{-30f}})));
    assertThat((double) atBest).isCloseTo(-(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)), within(1e-5));
    assertThat(beyond).isGreaterThan(atBest);
    // The generator's loss falls as the discriminator calls its samples real.
    float fooled = eval(tf -> Losses.Gan.VANILLA.generator(tf, tf.constant(new float[][] {{3f}})));
    float caught = eval(tf -> Losses.Gan.VANILLA.generator(tf, tf.constant(new float[][] {{-3f}})));
    assertThat(fooled).isLessThan(caught);
    assertThat((double) fooled).isCloseTo(-Math.log(sigmoid(3)), within(1e-5));
    // Pearson χ²: D's targets 1 (real) and −1 (fake), G's 0.
    assertThat(eval(tf -> Losses.Gan.PEARSON.discriminator(tf, tf.constant(new float[][] {{1f}, {1f}}),
        tf.constant(new float[][] {{-1f}, {-1f}})))).isEqualTo(0f);
    assertThat((double) eval(tf -> Losses.Gan.PEARSON.discriminator(tf, tf.constant(new float[][] {{0f}, {2f}}),
        tf.constant(new float[][] {{0f}, {1f}})))).isCloseTo((1 + 1) / 2.0 + (1 + 4) / 2.0, within(1e-6));
    assertThat((double) eval(tf -> Losses.Gan.PEARSON.generator(tf, tf.constant(new float[][] {{0.5f}, {-1f}}))))
        .isCloseTo((0.25 + 1) / 2, within(1e-6));
  }

  /** −Σ softmax(t/T) log_softmax(s/T), batch mean, times T². */
  @Test
  void distillationAtTemperatureTwo() {
    float[][] s = {{1f, 2f, 0f}, {-1f, 0.5f, 0.5f}};
    float[][] t = {{3f, 0f, 0f}, {0f, 0f, 4f}};
    double temp = 2;
    double sum = 0;
    for (int r = 0; r < 2; r++) {
      double zs = 0;
      double zt = 0;
      for (int j = 0; j < 3; j++) {
        zs += Math.exp(s[r][j] / temp);
        zt += Math.exp(t[r][j] / temp);
      }
      for (int j = 0; j < 3; j++) {
        sum -= Math.exp(t[r][j] / temp) / zt * (s[r][j] / temp - Math.log(zs));
      }
    }
    double expected = sum / 2 * temp * temp;
    float got = eval(tf -> Losses.distillation(tf, tf.constant(s), tf.constant(t), 2f));
    assertThat((double) got).isCloseTo(expected, within(1e-5));
  }
}
