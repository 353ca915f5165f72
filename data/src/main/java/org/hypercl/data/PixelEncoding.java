package org.hypercl.data;

import java.util.Arrays;

/**
 * How the bytes of one stored image become the float input of a network: a scale and offset per
 * channel, an optional centred zero padding and an optional fixed permutation of the values.
 *
 * <p>Output value {@code j} is {@code byte[source(j)] * scale + offset} of its channel, or, for a
 * padding position, the value a zero byte would get. Permutations compose: after {@link
 * #permute(int[]) permute(p)}, output {@code j} is what output {@code p[j]} was before. Instances
 * are immutable and cheap (a few arrays of {@link #dim()} entries), so one per task is fine even
 * for hundreds of permuted tasks.
 */
public final class PixelEncoding {
  private final int height;
  private final int width;
  private final int channels;
  private final boolean spatial;
  /** Offset into the stored HWC image, or {@code -(c + 1)} for padding in channel c. */
  private final int[] source;
  private final float[] scale;
  private final float[] offset;

  private PixelEncoding(int height, int width, int channels, boolean spatial, int[] source, float[] scale,
      float[] offset) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.spatial = spatial;
    this.source = source;
    this.scale = scale;
    this.offset = offset;
  }

  /** Pixel bytes mapped to [0, 1] ({@code b / 255}), no padding, no permutation. */
  public static PixelEncoding unitRange(int height, int width, int channels) {
    double[] zero = new double[channels];
    double[] one = new double[channels];
    Arrays.fill(one, 1.0);
    return standardized(height, width, channels, zero, one);
  }

  /**
   * Per-channel standardisation: {@code (b / 255 - mean[c]) / std[c]}.
   *
   * @param mean per-channel mean of the [0, 1]-scaled pixels
   * @param std per-channel standard deviation of the [0, 1]-scaled pixels, all positive
   */
  public static PixelEncoding standardized(int height, int width, int channels, double[] mean, double[] std) {
    if (height <= 0 || width <= 0 || channels <= 0) {
      throw new IllegalArgumentException("bad shape " + height + "x" + width + "x" + channels);
    }
    if (mean.length != channels || std.length != channels) {
      throw new IllegalArgumentException("need " + channels + " means and stds, got " + mean.length + " and " + std.length);
    }
    int dim = height * width * channels;
    int[] source = new int[dim];
    float[] scale = new float[dim];
    float[] offset = new float[dim];
    for (int j = 0; j < dim; j++) {
      int c = j % channels;
      if (!(std[c] > 0)) {
        throw new IllegalArgumentException("std of channel " + c + " must be positive: " + std[c]);
      }
      source[j] = j;
      scale[j] = (float) (1.0 / (255.0 * std[c]));
      offset[j] = (float) (-mean[c] / std[c]);
    }
    return new PixelEncoding(height, width, channels, true, source, scale, offset);
  }

  /**
   * Centres the image in a larger {@code newHeight × newWidth} frame filled with zero bytes (e.g.
   * MNIST 28×28 → 32×32 adds 2 rows and columns on each side).
   *
   * @throws IllegalStateException after a permutation, when there is no geometry left to pad
   */
  public PixelEncoding padTo(int newHeight, int newWidth) {
    if (!spatial) {
      throw new IllegalStateException("cannot pad a permuted encoding; pad first, then permute");
    }
    if (newHeight < height || newWidth < width) {
      throw new IllegalArgumentException(
          "cannot pad " + height + "x" + width + " to the smaller " + newHeight + "x" + newWidth);
    }
    int top = (newHeight - height) / 2;
    int left = (newWidth - width) / 2;
    int dim = newHeight * newWidth * channels;
    int[] src = new int[dim];
    float[] sc = new float[dim];
    float[] off = new float[dim];
    for (int y = 0; y < newHeight; y++) {
      for (int x = 0; x < newWidth; x++) {
        for (int c = 0; c < channels; c++) {
          int j = (y * newWidth + x) * channels + c;
          int sy = y - top;
          int sx = x - left;
          if (sy >= 0 && sy < height && sx >= 0 && sx < width) {
            int old = (sy * width + sx) * channels + c;
            src[j] = source[old];
            sc[j] = scale[old];
            off[j] = offset[old];
          } else {
            src[j] = -(c + 1);
            sc[j] = 0f;
            off[j] = offset[c]; // what a zero byte in this channel encodes to
          }
        }
      }
    }
    return new PixelEncoding(newHeight, newWidth, channels, true, src, sc, off);
  }

  /**
   * Reorders the outputs: output {@code j} of the result is output {@code permutation[j]} of this
   * encoding.
   *
   * @throws IllegalArgumentException unless {@code permutation} holds each of {@code 0 .. dim()-1}
   *     exactly once
   */
  public PixelEncoding permute(int[] permutation) {
    checkPermutation(permutation, dim());
    int dim = dim();
    int[] src = new int[dim];
    float[] sc = new float[dim];
    float[] off = new float[dim];
    for (int j = 0; j < dim; j++) {
      int p = permutation[j];
      src[j] = source[p];
      sc[j] = scale[p];
      off[j] = offset[p];
    }
    return new PixelEncoding(height, width, channels, false, src, sc, off);
  }

  static void checkPermutation(int[] permutation, int dim) {
    if (permutation.length != dim) {
      throw new IllegalArgumentException("permutation has " + permutation.length + " entries, expected " + dim);
    }
    boolean[] seen = new boolean[dim];
    for (int p : permutation) {
      if (p < 0 || p >= dim || seen[p]) {
        throw new IllegalArgumentException("not a permutation of 0.." + (dim - 1) + ": bad or repeated entry " + p);
      }
      seen[p] = true;
    }
  }

  /** Values per encoded input. */
  public int dim() {
    return source.length;
  }

  /** Shape of the encoded input: {height, width, channels}. */
  public int[] shape() {
    return new int[] {height, width, channels};
  }

  /** Checks that this encoding can read images of {@code images}' shape. */
  void checkCompatible(ImageSet images) {
    int size = images.imageSize();
    for (int s : source) {
      if (s >= size || s < -channels) {
        throw new IllegalArgumentException("encoding reads offset " + s + " but images of " + images.name()
            + " have " + size + " values");
      }
    }
    if (images.channels() != channels) {
      throw new IllegalArgumentException("encoding has " + channels + " channels, " + images.name() + " has "
          + images.channels());
    }
  }

  /** Encodes the stored image starting at {@code base} in {@code pixels} to {@code dst[dstOffset..]}. */
  void encode(byte[] pixels, int base, float[] dst, int dstOffset) {
    int[] src = source;
    float[] sc = scale;
    float[] off = offset;
    for (int j = 0; j < src.length; j++) {
      int s = src[j];
      dst[dstOffset + j] = s >= 0 ? (pixels[base + s] & 0xFF) * sc[j] + off[j] : off[j];
    }
  }
}
