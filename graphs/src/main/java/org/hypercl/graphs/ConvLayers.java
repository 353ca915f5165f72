package org.hypercl.graphs;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Functional convolutional layers on NHWC activations, their weights cut from a generated flat
 * vector. Kernels lie in the flat vector as {@code [out, in, kh, kw]} (PyTorch's order, so a
 * chunked hypernetwork covers the same groups of weights as in the authors' code) and are
 * transposed to TensorFlow's {@code [kh, kw, in, out]} here. Padding is symmetric, as in PyTorch:
 * TensorFlow's {@code SAME} pads a strided convolution on one side only, which would shift every
 * strided layer by a pixel against the reference, so a strided convolution pads with a {@code Pad}
 * op (Conv2D's own {@code EXPLICIT} padding has no usable gradient here: the C++ gradient builds
 * {@code Conv2DBackpropInput} without the paddings and the step fails). With stride 1 and a pad of
 * (k − 1)/2, {@code SAME} pads exactly that on every side and is used instead: no padded copy of
 * the activations forward, none to slice in the gradient.
 */
public final class ConvLayers {

  /** PyTorch's default batch-norm epsilon. */
  public static final float BN_EPSILON = 1e-5f;
  /** Weight of the new batch in a running statistic, PyTorch's convention (running = 0.9 old + 0.1 new). */
  public static final float BN_MOMENTUM = 0.1f;

  private ConvLayers() {}

  /**
   * A 2-D convolution with bias: {@code x [N, H, W, in]}, {@code kernel [out, in, kh, kw]},
   * {@code bias [out]}, {@code pad} zero pixels on every side, then a valid convolution with
   * {@code stride}.
   */
  public static Operand<TFloat32> conv2d(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel, Operand<TFloat32> bias, int stride, int pad) {
    Operand<TFloat32> k = tf.linalg.transpose(kernel, tf.constant(new int[] {2, 3, 1, 0}));
    long kh = kernel.shape().numDimensions() == 4 ? kernel.shape().size(2) : -1;
    long kw = kernel.shape().numDimensions() == 4 ? kernel.shape().size(3) : -1;
    boolean same = pad > 0 && stride == 1 && kh == kw && kh == 2L * pad + 1;
    Operand<TFloat32> in = pad == 0 || same ? x : zeroPad(tf, x, pad);
    Operand<TFloat32> y = tf.nn.conv2d(in, k, List.of(1L, (long) stride, (long) stride, 1L), same ? "SAME" : "VALID",
        Conv2d.dataFormat("NHWC"));
    return bias == null ? y : tf.nn.biasAdd(y, bias);
  }

  /** {@code pad} zero pixels on each side of the spatial dimensions of {@code [N, H, W, C]}. */
  public static Operand<TFloat32> zeroPad(Ops tf, Operand<TFloat32> x, int pad) {
    return tf.pad(x, tf.constant(new int[][] {{0, 0}, {pad, pad}, {pad, pad}, {0, 0}}), tf.constant(0f));
  }

  /**
   * Max pooling over {@code size × size} windows with stride {@code size}, dropping a ragged edge
   * (PyTorch's floor mode). Built as TensorFlow's {@code MaxPool} op with the window in its
   * attributes: TF Java's {@code tf.nn.maxPool} builds {@code MaxPoolV2}, whose window is a tensor,
   * and this CPU build hands neither that op nor its gradient to oneDNN: on a ZenkeNet step at
   * batch 256, one core, the V2 gradient took 19 ms per pooling layer, {@code MaxPool}'s 1.1 ms.
   */
  public static Operand<TFloat32> maxPool(Ops tf, Operand<TFloat32> x, int size) {
    long[] window = {1, size, size, 1};
    org.tensorflow.Output<TFloat32> y = tf.scope().opBuilder("MaxPool", "MaxPool")
        .addInput(x.asOutput())
        .setAttr("ksize", window)
        .setAttr("strides", window)
        .setAttr("padding", "VALID")
        .setAttr("data_format", "NHWC")
        .build()
        .output(0);
    return y;
  }

  /** The mean over height and width, {@code [N, H, W, C] → [N, C]}. */
  public static Operand<TFloat32> globalAveragePool(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(x, tf.constant(new int[] {1, 2}));
  }

  /**
   * Inverted dropout with rate {@code rate}: in training each unit (or, with {@code perChannel},
   * each whole feature map of each example, as PyTorch's {@code Dropout2d}) is zeroed with
   * probability {@code rate} and the rest scaled by {@code 1/(1−rate)}; outside training the
   * identity. The draw is stateless: {@code seed [2]} plus {@code salt} in its second word, so
   * each layer draws its own mask and a given step always draws the same.
   */
  public static Operand<TFloat32> dropout(
      Ops tf, Operand<TFloat32> x, float rate, boolean perChannel, ForwardContext context, int salt) {
    if (!context.training() || rate <= 0f) {
      return x;
    }
    if (context.seed() == null) {
      throw new IllegalArgumentException("a training pass with dropout needs a seed in its ForwardContext");
    }
    Operand<TInt32> shape = tf.shape(x);
    if (perChannel) {
      Operand<TInt32> n = tf.slice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      Operand<TInt32> c = tf.slice(shape, tf.constant(new int[] {3}), tf.constant(new int[] {1}));
      shape = tf.concat(List.of(n, tf.constant(new int[] {1, 1}), c), tf.constant(0));
    }
    Operand<TInt64> seed = tf.math.add(context.seed(), tf.constant(new long[] {0L, salt}));
    Operand<TFloat32> u = tf.random.statelessRandomUniform(shape, seed, TFloat32.class);
    float keep = 1f - rate;
    Operand<TFloat32> mask = tf.math.floor(tf.math.add(u, tf.constant(keep)));
    return tf.math.mul(x, tf.math.mul(mask, tf.constant(1f / keep)));
  }

  /** A batch-norm layer's output and the updates of its running statistics (empty outside training). */
  public record Normalized(Operand<TFloat32> output, List<Op> updates) {}

  /**
   * Batch normalisation of {@code x [N, H, W, C]} with generated {@code gamma, beta [C]}. Training
   * normalises with the batch's mean and biased variance and overwrites the condition's running
   * mean and variance ({@code state} tables {@code name + "/mean"}, {@code name + "/var"}) with
   * {@code 0.9 · old + 0.1 · batch} (the variance unbiased, as PyTorch does); otherwise the
   * condition's running statistics normalise.
   *
   * <p>One {@code FusedBatchNormV3} op does either (its batch variance output is already the
   * unbiased one), and its gradient is one fused op too: the same function as the composite
   * {@code (x − mean)·rsqrt(var + ε)·γ + β}, with a fifth of its element-wise passes over x.
   */
  public static Normalized batchNorm(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta, String name, ForwardContext context) {
    NetworkState state = context.state();
    if (state == null || context.condition() == null) {
      throw new IllegalArgumentException("batch norm " + name + " needs per-condition state and a condition id in its ForwardContext");
    }
    String meanName = name + "/mean";
    String varName = name + "/var";
    Operand<TInt32> c = context.condition();
    if (!context.training()) {
      FusedBatchNorm<TFloat32, TFloat32> bn = tf.nn.fusedBatchNorm(x, gamma, beta, state.row(tf, meanName, c),
          state.row(tf, varName, c), FusedBatchNorm.epsilon(BN_EPSILON), FusedBatchNorm.isTraining(false),
          FusedBatchNorm.dataFormat("NHWC"));
      return new Normalized(bn.y(), List.of());
    }
    Operand<TFloat32> none = tf.constant(new float[0]);
    FusedBatchNorm<TFloat32, TFloat32> bn = tf.nn.fusedBatchNorm(x, gamma, beta, none, none,
        FusedBatchNorm.epsilon(BN_EPSILON), FusedBatchNorm.isTraining(true), FusedBatchNorm.dataFormat("NHWC"));
    Operand<TFloat32> m = tf.constant(BN_MOMENTUM);
    Operand<TFloat32> keep = tf.constant(1f - BN_MOMENTUM);
    Operand<TFloat32> newMean = tf.math.add(tf.math.mul(keep, state.row(tf, meanName, c)), tf.math.mul(m, tf.stopGradient(bn.batchMean())));
    Operand<TFloat32> newVar = tf.math.add(tf.math.mul(keep, state.row(tf, varName, c)), tf.math.mul(m, tf.stopGradient(bn.batchVariance())));
    List<Op> updates = List.of(state.updateRow(tf, meanName, c, newMean), state.updateRow(tf, varName, c, newVar));
    return new Normalized(bn.y(), updates);
  }

  /** The two state tables of a batch-norm layer over {@code channels} channels. */
  public static List<NetworkState.Table> batchNormTables(String name, int channels) {
    return List.of(new NetworkState.Table(name + "/mean", channels, 0f), new NetworkState.Table(name + "/var", channels, 1f));
  }
}
