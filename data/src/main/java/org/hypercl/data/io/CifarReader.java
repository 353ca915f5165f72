package org.hypercl.data.io;

import java.nio.file.Path;
import java.util.List;
import org.hypercl.data.DataFileException;
import org.hypercl.data.ImageSet;

/**
 * Reader for the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky, "Learning multiple layers
 * of features from tiny images", 2009), validating as it reads.
 *
 * <p>CIFAR-10 records are 1 label byte and 3072 pixel bytes ({@code data_batch_1.bin} …
 * {@code data_batch_5.bin}, {@code test_batch.bin}); CIFAR-100 records are a coarse label byte, a
 * fine label byte and 3072 pixel bytes ({@code train.bin}, {@code test.bin}). Pixels are stored in
 * the files as three 32×32 planes (red, green, blue); the returned {@link ImageSet} holds them
 * interleaved (height, width, channels), the layout of TensorFlow's NHWC convolutions.
 */
public final class CifarReader {
  /** Image side. */
  public static final int SIDE = 32;
  /** Colour channels. */
  public static final int CHANNELS = 3;
  /** Pixel bytes per image. */
  public static final int IMAGE_BYTES = SIDE * SIDE * CHANNELS;

  /** Which CIFAR-100 label to keep. */
  public enum Cifar100Labels {
    /** The 100 classes. */
    FINE,
    /** The 20 superclasses. */
    COARSE
  }

  private CifarReader() {}

  /** Reads CIFAR-10 binary batch files, concatenated in the given order. */
  public static ImageSet readCifar10(List<Path> files, String name) throws DataFileException {
    return read(files, 1, 0, 10, name);
  }

  /** Reads CIFAR-100 binary files, concatenated in the given order, keeping the chosen labels. */
  public static ImageSet readCifar100(List<Path> files, Cifar100Labels labels, String name) throws DataFileException {
    return labels == Cifar100Labels.FINE ? read(files, 2, 1, 100, name) : read(files, 2, 0, 20, name);
  }

  private static ImageSet read(List<Path> files, int labelBytes, int labelIndex, int numClasses, String name)
      throws DataFileException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException(name + ": no files given");
    }
    int record = labelBytes + IMAGE_BYTES;
    // First pass: record counts only (free for plain files), so the result is allocated once and
    // only one file's bytes are held beside it.
    long total = 0;
    for (Path file : files) {
      long length = DataFiles.read(file, DataFiles::countBytes);
      if (length == 0) {
        throw new DataFileException(file, "is empty");
      }
      if (length % record != 0) {
        throw new DataFileException(file, length + " bytes is not a whole number of " + record
            + "-byte CIFAR-" + (labelBytes == 1 ? "10" : "100") + " records (truncated, or the wrong CIFAR version?)");
      }
      total += length / record;
    }
    if (total * IMAGE_BYTES > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(name + ": " + total + " images do not fit in one array");
    }
    int n = (int) total;
    byte[] pixels = new byte[n * IMAGE_BYTES];
    byte[] labels = new byte[n];
    int i = 0;
    int plane = SIDE * SIDE;
    for (Path file : files) {
      byte[] bytes = DataFiles.readAll(file);
      if (i + bytes.length / record > n || bytes.length % record != 0) {
        throw new DataFileException(file, "changed while being read");
      }
      for (int off = 0; off < bytes.length; off += record, i++) {
        if (labelBytes == 2) {
          // Both labels are checked: a CIFAR-10 file read as CIFAR-100 fails here or on its size.
          int coarse = bytes[off] & 0xFF;
          int fine = bytes[off + 1] & 0xFF;
          if (coarse >= 20 || fine >= 100) {
            throw new DataFileException(file, "record " + (off / record) + " has coarse label " + coarse
                + " and fine label " + fine + ", expected below 20 and 100");
          }
        }
        int label = bytes[off + labelIndex] & 0xFF;
        if (label >= numClasses) {
          throw new DataFileException(file, "label " + label + " of record " + (off / record)
              + " is out of range [0, " + numClasses + ")");
        }
        labels[i] = (byte) label;
        int src = off + labelBytes;
        int dst = i * IMAGE_BYTES;
        for (int p = 0; p < plane; p++) {
          pixels[dst + p * 3] = bytes[src + p];
          pixels[dst + p * 3 + 1] = bytes[src + plane + p];
          pixels[dst + p * 3 + 2] = bytes[src + 2 * plane + p];
        }
      }
    }
    return new ImageSet(name, SIDE, SIDE, CHANNELS, numClasses, pixels, labels);
  }
}
