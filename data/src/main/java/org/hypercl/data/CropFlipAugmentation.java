package org.hypercl.data;

import java.util.Random;

/**
 * The standard CIFAR training augmentation: pad each image by {@code padding} pixels on every side,
 * take a random crop of the original size, and flip it horizontally with probability ½.
 *
 * <p>Works on encoded HWC rows; padded positions get {@code fill[c]}, the encoding of a zero byte,
 * as when padding the raw image before normalising.
 *
 * @param fill per-channel value for padded positions
 */
public record CropFlipAugmentation(int height, int width, int channels, int padding, boolean flip, float[] fill)
    implements Augmentation {

  /** Padding of the reference CIFAR augmentation. */
  public static final int PADDING_DEFAULT = 4;

  public CropFlipAugmentation {
    if (height <= 0 || width <= 0 || channels <= 0 || padding < 0) {
      throw new IllegalArgumentException("bad crop/flip settings " + height + "x" + width + "x" + channels
          + " padding " + padding);
    }
    if (fill.length != channels) {
      throw new IllegalArgumentException("need " + channels + " fill values, got " + fill.length);
    }
    fill = fill.clone();
  }

  @Override
  public float[] fill() {
    return fill.clone();
  }

  @Override
  public void apply(float[] inputs, int count, int inputDim, Random rng) {
    if (inputDim != height * width * channels) {
      throw new IllegalArgumentException("input size " + inputDim + " is not " + height + "x" + width + "x" + channels);
    }
    float[] copy = new float[inputDim];
    for (int r = 0; r < count; r++) {
      int base = r * inputDim;
      System.arraycopy(inputs, base, copy, 0, inputDim);
      int dy = rng.nextInt(2 * padding + 1) - padding;
      int dx = rng.nextInt(2 * padding + 1) - padding;
      boolean mirror = flip && rng.nextBoolean();
      for (int y = 0; y < height; y++) {
        int sy = y + dy;
        for (int x = 0; x < width; x++) {
          int sx = (mirror ? width - 1 - x : x) + dx;
          int out = base + (y * width + x) * channels;
          if (sy < 0 || sy >= height || sx < 0 || sx >= width) {
            for (int c = 0; c < channels; c++) {
              inputs[out + c] = fill[c];
            }
          } else {
            System.arraycopy(copy, (sy * width + sx) * channels, inputs, out, channels);
          }
        }
      }
    }
  }
}
