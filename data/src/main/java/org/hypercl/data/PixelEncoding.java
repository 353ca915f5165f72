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
  /** What the tables above were built from, for {@link #storedShape}, {@link #padding} and the channels' affine map. */
  private final Geometry geometry;

  /**
   * @param stored the stored image's {height, width, channels}
   * @param padding zero padding around it, {top, bottom, left, right}
   */
  private record Geometry(int[] stored, int[] padding, float[] channelScale, float[] channelOffset) {}

  private PixelEncoding(int height, int width, int channels, boolean spatial, int[] source, float[] scale,
      float[] offset, Geometry geometry) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.spatial = spatial;
    this.source = source;
    this.scale = scale;
    this.offset = offset;
    this.geometry = geometry;
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
    float[] scale = new float[channels];
    float[] offset = new float[channels];
    for (int c = 0; c < channels; c++) {
      if (!(std[c] > 0)) {
        throw new IllegalArgumentException("std of channel " + c + " must be positive: " + std[c]);
      }
      scale[c] = (float) (1.0 / (255.0 * std[c]));
      offset[c] = (float) (-mean[c] / std[c]);
    }
    return affine(height, width, channels, scale, offset);
  }

  /**
   * Byte {@code b} of channel {@code c} becomes {@code b * scale[c] + offset[c]}: the map of {@link
   * #unitRange} and {@link #standardized} given by its floats, as {@link #channelScales()} and
   * {@link #channelOffsets()} report it (e.g. to apply an export's recorded preprocessing).
   */
  public static PixelEncoding affine(int height, int width, int channels, float[] scale, float[] offset) {
    if (height <= 0 || width <= 0 || channels <= 0) {
      throw new IllegalArgumentException("bad shape " + height + "x" + width + "x" + channels);
    }
    if (scale.length != channels || offset.length != channels) {
      throw new IllegalArgumentException("need " + channels + " scales and offsets, got " + scale.length + " and "
          + offset.length);
    }
    int dim = height * width * channels;
    int[] source = new int[dim];
    float[] sc = new float[dim];
    float[] off = new float[dim];
    for (int j = 0; j < dim; j++) {
      int c = j % channels;
      source[j] = j;
      sc[j] = scale[c];
      off[j] = offset[c];
    }
    return new PixelEncoding(height, width, channels, true, source, sc, off,
        new Geometry(new int[] {height, width, channels}, new int[4], scale.clone(), offset.clone()));
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
    int[] pad = geometry.padding().clone();
    pad[0] += top;
    pad[1] += newHeight - height - top;
    pad[2] += left;
    pad[3] += newWidth - width - left;
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
    return new PixelEncoding(newHeight, newWidth, channels, true, src, sc, off,
        new Geometry(geometry.stored(), pad, geometry.channelScale(), geometry.channelOffset()));
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
    return new PixelEncoding(height, width, channels, false, src, sc, off, geometry);
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

  /** Shape of the stored images this encoding reads: {height, width, channels} (e.g. MNIST's {28, 28, 1}). */
  public int[] storedShape() {
    return geometry.stored().clone();
  }

  /**
   * Rows and columns of zero bytes added around the stored image by {@link #padTo}: {top, bottom,
   * left, right} (MNIST padded to 32×32: {2, 2, 2, 2}); all 0 without padding.
   */
  public int[] padding() {
    return geometry.padding().clone();
  }

  /** Per channel: a byte b becomes {@code b * channelScales()[c] + channelOffsets()[c]}. */
  public float[] channelScales() {
    return geometry.channelScale().clone();
  }

  /** Per channel: see {@link #channelScales()} (a zero offset is +0, never -0). */
  public float[] channelOffsets() {
    float[] o = geometry.channelOffset().clone();
    for (int c = 0; c < o.length; c++) {
      o[c] += 0.0f;
    }
    return o;
  }

  /** Whether a permutation reorders the outputs (there is no image geometry left to pad). */
  public boolean permuted() {
    return !spatial;
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

  /**
   * Encodes the stored image (HWC bytes of {@link #storedShape()}) starting at {@code base} in
   * {@code pixels} to {@code dst[dstOffset .. dstOffset + dim())}.
   */
  public void encode(byte[] pixels, int base, float[] dst, int dstOffset) {
    int[] src = source;
    float[] sc = scale;
    float[] off = offset;
    for (int j = 0; j < src.length; j++) {
      int s = src[j];
      dst[dstOffset + j] = s >= 0 ? (pixels[base + s] & 0xFF) * sc[j] + off[j] : off[j];
    }
  }
}
