package org.hypercl.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * {@link ClassificationData} backed by an {@link ImageSet}: a selection of its images, their
 * labels (possibly remapped) and the {@link PixelEncoding} that turns bytes into floats.
 *
 * <p>Views share the image store; only index arrays are per view. Immutable.
 */
public final class ImageData implements ClassificationData {
  private final ImageSet images;
  private final int[] rows;
  private final int[] labels;
  private final int numClasses;
  private final PixelEncoding encoding;

  private ImageData(ImageSet images, int[] rows, int[] labels, int numClasses, PixelEncoding encoding) {
    this.images = images;
    this.rows = rows;
    this.labels = labels;
    this.numClasses = numClasses;
    this.encoding = encoding;
  }

  /** All images of {@code images} with their own labels, encoded by {@code encoding}. */
  public static ImageData of(ImageSet images, PixelEncoding encoding) {
    Objects.requireNonNull(images, "images");
    encoding.checkCompatible(images);
    int n = images.size();
    int[] rows = new int[n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
      labels[i] = images.label(i);
    }
    return new ImageData(images, rows, labels, images.numClasses(), encoding);
  }

  /** All images with pixel values scaled to [0, 1]. */
  public static ImageData of(ImageSet images) {
    return of(images, PixelEncoding.unitRange(images.height(), images.width(), images.channels()));
  }

  /**
   * The images whose label is one of {@code classes}, in file order, relabelled by position:
   * class {@code classes[k]} becomes label {@code k}.
   */
  public static ImageData ofClasses(ImageSet images, int[] classes, PixelEncoding encoding) {
    encoding.checkCompatible(images);
    int[] map = new int[images.numClasses()];
    Arrays.fill(map, -1);
    for (int k = 0; k < classes.length; k++) {
      int c = classes[k];
      if (c < 0 || c >= images.numClasses()) {
        throw new IllegalArgumentException("class " + c + " not in " + images);
      }
      if (map[c] >= 0) {
        throw new IllegalArgumentException("class " + c + " listed twice");
      }
      map[c] = k;
    }
    int count = 0;
    for (int i = 0; i < images.size(); i++) {
      if (map[images.label(i)] >= 0) {
        count++;
      }
    }
    int[] rows = new int[count];
    int[] labels = new int[count];
    int r = 0;
    for (int i = 0; i < images.size(); i++) {
      int k = map[images.label(i)];
      if (k >= 0) {
        rows[r] = i;
        labels[r++] = k;
      }
    }
    return new ImageData(images, rows, labels, classes.length, encoding);
  }

  /** The same examples seen through another encoding (e.g. a task's permutation); shares arrays. */
  public ImageData withEncoding(PixelEncoding newEncoding) {
    newEncoding.checkCompatible(images);
    return new ImageData(images, rows, labels, numClasses, newEncoding);
  }

  @Override
  public ImageData subset(int[] indices) {
    int[] newRows = new int[indices.length];
    int[] newLabels = new int[indices.length];
    for (int r = 0; r < indices.length; r++) {
      int i = indices[r];
      Objects.checkIndex(i, rows.length);
      newRows[r] = rows[i];
      newLabels[r] = labels[i];
    }
    return new ImageData(images, newRows, newLabels, numClasses, encoding);
  }

  /** The store the examples come from. */
  public ImageSet images() {
    return images;
  }

  /** The encoding from bytes to floats. */
  public PixelEncoding encoding() {
    return encoding;
  }

  /** Index into {@link #images()} of example {@code i}. */
  public int sourceIndex(int i) {
    return rows[i];
  }

  @Override
  public int size() {
    return rows.length;
  }

  @Override
  public int inputDim() {
    return encoding.dim();
  }

  @Override
  public int[] inputShape() {
    return encoding.shape();
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  public int label(int i) {
    return labels[i];
  }

  @Override
  public int[] labels() {
    return labels.clone();
  }

  @Override
  public void copyInputs(int[] indices, float[] dst) {
    int dim = encoding.dim();
    if ((long) indices.length * dim > dst.length) {
      throw new IllegalArgumentException("destination holds " + dst.length + " floats, " + indices.length
          + " inputs need " + (long) indices.length * dim);
    }
    byte[] pixels = images.pixelBytes();
    int imageSize = images.imageSize();
    for (int r = 0; r < indices.length; r++) {
      int row = rows[Objects.checkIndex(indices[r], rows.length)];
      encoding.encode(pixels, row * imageSize, dst, r * dim);
    }
  }

  @Override
  public String toString() {
    return "ImageData[" + rows.length + " of " + images.name() + ", " + numClasses + " classes, input "
        + Arrays.toString(inputShape()) + "]";
  }
}
