package org.hypercl.graphs;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Task losses, each written once; every one is a batch mean. */
public final class Losses {

  private Losses() {}

  /** Mean over the batch of softmax cross-entropy with one-hot (or soft) target rows {@code [batch, C]}. */
  public static Operand<TFloat32> softmaxCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> targets) {
    return tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, targets).loss(), tf.constant(0));
  }

  /**
   * Knowledge distillation (Hinton et al., 2015) as the reference computes it: the batch mean of
   * {@code −Σ_c softmax(targetLogits/T)_c · log_softmax(logits/T)_c}, times {@code T²} so that its
   * gradients keep the scale of a cross-entropy. {@code targetLogits} get no gradient.
   *
   * @param logits the student's logits {@code [batch, C]}
   * @param targetLogits the teacher's logits {@code [batch, C]}
   * @param temperature T
   */
  public static Operand<TFloat32> distillation(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> targetLogits, float temperature) {
    Operand<TFloat32> inv = tf.constant(1f / temperature);
    Operand<TFloat32> targets = tf.nn.softmax(tf.math.mul(tf.stopGradient(targetLogits), inv));
    Operand<TFloat32> logP = tf.nn.logSoftmax(tf.math.mul(logits, inv));
    Operand<TFloat32> perExample = tf.math.neg(tf.reduceSum(tf.math.mul(targets, logP), tf.constant(1)));
    return tf.math.mul(tf.math.mean(perExample, tf.constant(0)), tf.constant(temperature * temperature));
  }

  /**
   * Mean over all entries of the binary cross-entropy of {@code sigmoid(logits)} against
   * {@code targets} in [0, 1] (a tensor of the logits' shape, or a scalar for all), from the logits.
   */
  public static Operand<TFloat32> sigmoidCrossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> targets) {
    // max(l, 0) − l·y + log(1 + exp(−|l|)): −y·log σ(l) − (1−y)·log(1−σ(l)) without overflow.
    Operand<TFloat32> perEntry = tf.math.add(
        tf.math.sub(tf.math.maximum(logits, tf.constant(0f)), tf.math.mul(logits, targets)),
        tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
    return tf.math.mean(tf.reshape(perEntry, tf.constant(new int[] {-1})), tf.constant(0));
  }

  /** A GAN's loss (the reference's {@code gan_helpers}): the discriminator's on real and fake logits, the generator's on fake logits. */
  public enum Gan {
    /**
     * Goodfellow et al. (2014), non-saturating: D minimises BCE(σ(D(x)), 0.9) + BCE(σ(D(G(z))), 0)
     * (one-sided label smoothing), G minimises BCE(σ(D(G(z))), 1).
     */
    VANILLA,
    /** Mao et al. (2017), Pearson χ² (a = −1, b = 1, c = 0): D: mean (D(x) − 1)² + mean (D(G(z)) + 1)²; G: mean D(G(z))². */
    PEARSON;

    public Operand<TFloat32> discriminator(Ops tf, Operand<TFloat32> real, Operand<TFloat32> fake) {
      return switch (this) {
        // Scalar targets broadcast (a target shaped from the logits would sit on their backward path).
        case VANILLA -> tf.math.add(sigmoidCrossEntropy(tf, real, tf.constant(0.9f)), sigmoidCrossEntropy(tf, fake, tf.constant(0f)));
        case PEARSON -> tf.math.add(meanSquare(tf, tf.math.sub(real, tf.constant(1f))), meanSquare(tf, tf.math.add(fake, tf.constant(1f))));
      };
    }

    public Operand<TFloat32> generator(Ops tf, Operand<TFloat32> fake) {
      return switch (this) {
        case VANILLA -> sigmoidCrossEntropy(tf, fake, tf.constant(1f));
        case PEARSON -> meanSquare(tf, fake);
      };
    }

    private static Operand<TFloat32> meanSquare(Ops tf, Operand<TFloat32> x) {
      return tf.math.mean(tf.reshape(tf.math.square(x), tf.constant(new int[] {-1})), tf.constant(0));
    }

    public static Gan parse(String id) {
      return switch (id.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "vanilla" -> VANILLA;
        case "pearson" -> PEARSON;
        default -> throw new IllegalArgumentException("unknown GAN loss '" + id + "'; expected vanilla or pearson");
      };
    }
  }

  /**
   * A Bernoulli decoder's reconstruction loss: binary cross-entropy of {@code sigmoid(logits)}
   * against {@code x} in [0, 1], averaged over pixels and then over the batch (the VAE of the
   * reference and of van de Ven and Tolias). Computed from the logits, which is stable where
   * the sigmoid saturates.
   */
  public static Operand<TFloat32> bernoulliReconstruction(Ops tf, Operand<TFloat32> logits, Operand<TFloat32> x) {
    // max(l, 0) − l·x + log(1 + exp(−|l|)): −x·log σ(l) − (1−x)·log(1−σ(l)) without overflow.
    Operand<TFloat32> perPixel = tf.math.add(
        tf.math.sub(tf.math.maximum(logits, tf.constant(0f)), tf.math.mul(logits, x)),
        tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(logits)))));
    return tf.math.mean(perPixel, tf.constant(new int[] {0, 1}));
  }

  /**
   * The KL divergence of {@code N(μ, diag(exp(logVar)))} from {@code N(0, I)},
   * {@code −½ Σ_j (1 + logVar_j − μ_j² − exp(logVar_j))}, averaged over the batch and divided by
   * {@code inputSize} (the reference's scaling, which weighs it against a per-pixel
   * reconstruction loss).
   */
  public static Operand<TFloat32> gaussianKl(Ops tf, Operand<TFloat32> mu, Operand<TFloat32> logVar, int inputSize) {
    Operand<TFloat32> inner = tf.math.sub(tf.math.sub(tf.math.add(tf.constant(1f), logVar), tf.math.square(mu)), tf.math.exp(logVar));
    Operand<TFloat32> perExample = tf.math.mul(tf.constant(-0.5f), tf.reduceSum(inner, tf.constant(1)));
    return tf.math.div(tf.math.mean(perExample, tf.constant(0)), tf.constant((float) inputSize));
  }

  /** Mean over batch and outputs of the squared error, for {@code [batch, n]} predictions. */
  public static Operand<TFloat32> meanSquaredError(Ops tf, Operand<TFloat32> predictions, Operand<TFloat32> targets) {
    return tf.math.mean(tf.math.square(tf.math.sub(predictions, targets)), tf.constant(new int[] {0, 1}));
  }
}
