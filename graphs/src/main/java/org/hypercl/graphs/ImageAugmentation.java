package org.hypercl.graphs;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Training-time image augmentation in the graph, as the reference applies it to ResNet-32's CIFAR
 * inputs: each example is padded by {@code pad} pixels on every side, a random
 * {@code height × width} window of the padded image is kept (PyTorch's {@code RandomCrop(32,
 * padding=4)}), and it is mirrored left-right with probability one half ({@code
 * RandomHorizontalFlip}). Offsets and flips are drawn per example with stateless ops from a step
 * seed, so a step always draws the same and a resumed run draws what an uninterrupted one would.
 * The padded pixels get a per-channel fill value, fed at run time: the encoding of a black pixel,
 * which is what padding the raw image before normalising gives (the reference pads its PIL image,
 * then normalises).
 */
public final class ImageAugmentation {

  private ImageAugmentation() {}

  /**
   * Crop-and-flip of {@code x [N, height·width·channels]} (rows of HWC pixels), same shape out.
   *
   * @param fill {@code [channels]}: the value of a padded pixel in each channel
   * @param seed int64 {@code [2]}; {@code salt} is added to its second word
   */
  public static Operand<TFloat32> cropFlip(Ops tf, Operand<TFloat32> x, int height, int width, int channels, int pad,
      Operand<TFloat32> fill, Operand<TInt64> seed, int salt) {
    if (pad < 0) {
      throw new IllegalArgumentException("padding must not be negative, got " + pad);
    }
    Operand<TFloat32> img = tf.reshape(x, tf.constant(new int[] {-1, height, width, channels}));
    // Zero padding plus fill·border, where border is 1 on the padded ring and 0 inside: the image's
    // own pixels are added to exact zeros, so they pass unchanged.
    Operand<TFloat32> border = tf.constant(borderMask(height, width, pad));
    Operand<TFloat32> padded = tf.math.add(ConvLayers.zeroPad(tf, img, pad),
        tf.math.mul(border, tf.reshape(fill, tf.constant(new int[] {1, 1, 1, channels}))));
    Operand<TInt32> n = tf.slice(tf.shape(img), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> shape3 = tf.concat(List.of(n, tf.constant(new int[] {3})), tf.constant(0));
    Operand<TInt64> s = tf.math.add(seed, tf.constant(new long[] {0L, salt}));
    // Three uniform draws per example: row offset, column offset, flip.
    Operand<TFloat32> u = tf.random.statelessRandomUniform(shape3, s, TFloat32.class);
    Operand<TFloat32> span = tf.constant(new float[] {2 * pad + 1, 2 * pad + 1, 2});
    // min(.., 2p) guards the (measure-zero) draw u = 1.
    Operand<TInt32> draws = tf.math.minimum(tf.dtypes.cast(tf.math.floor(tf.math.mul(u, span)), TInt32.class),
        tf.constant(new int[] {2 * pad, 2 * pad, 1}));
    Operand<TInt32> dy = tf.slice(draws, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, 1}));
    Operand<TInt32> dx = tf.slice(draws, tf.constant(new int[] {0, 1}), tf.constant(new int[] {-1, 1}));
    Operand<TInt32> flip = tf.slice(draws, tf.constant(new int[] {0, 2}), tf.constant(new int[] {-1, 1}));
    Operand<TInt32> rowsIdx = tf.math.add(dy, tf.constant(range(height, false)));
    // Flipped: column j reads window column width−1−j.
    Operand<TInt32> cols = tf.math.add(
        tf.math.mul(tf.math.sub(tf.constant(1), flip), tf.constant(range(width, false))),
        tf.math.mul(flip, tf.constant(range(width, true))));
    Operand<TInt32> colsIdx = tf.math.add(dx, cols);
    Operand<TFloat32> rows = tf.gather(padded, rowsIdx, tf.constant(1), Gather.batchDims(1L));
    Operand<TFloat32> out = tf.gather(rows, colsIdx, tf.constant(2), Gather.batchDims(1L));
    return tf.reshape(out, tf.constant(new int[] {-1, height * width * channels}));
  }

  /** {@code [1, height+2·pad, width+2·pad, 1]}: 1 on the padded ring, 0 on the image. */
  private static float[][][][] borderMask(int height, int width, int pad) {
    float[][][][] m = new float[1][height + 2 * pad][width + 2 * pad][1];
    for (int i = 0; i < height + 2 * pad; i++) {
      for (int j = 0; j < width + 2 * pad; j++) {
        boolean inside = i >= pad && i < pad + height && j >= pad && j < pad + width;
        m[0][i][j][0] = inside ? 0f : 1f;
      }
    }
    return m;
  }

  private static int[][] range(int n, boolean reversed) {
    int[][] r = new int[1][n];
    for (int i = 0; i < n; i++) {
      r[0][i] = reversed ? n - 1 - i : i;
    }
    return r;
  }
}
