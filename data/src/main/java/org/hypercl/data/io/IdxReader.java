package org.hypercl.data.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.hypercl.data.DataFileException;
import org.hypercl.data.ImageSet;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST ({@code *-idx3-ubyte}, {@code
 * *-idx1-ubyte}, plain or gzip), validating as it reads.
 *
 * <p>An IDX file is two zero bytes, a type byte ({@code 0x08} = unsigned byte, the only type read
 * here), the number of dimensions, one big-endian 32-bit size per dimension, then the data. See
 * <a href="http://yann.lecun.com/exdb/mnist/">LeCun et al., the MNIST database</a>.
 *
 * <pre>{@code
 * ImageSet train = IdxReader.readImages(dir.resolve("train-images-idx3-ubyte.gz"),
 *     dir.resolve("train-labels-idx1-ubyte.gz"), 10, "mnist/train");
 * }</pre>
 */
public final class IdxReader {
  private static final int TYPE_UNSIGNED_BYTE = 0x08;

  private IdxReader() {}

  /** The content of an unsigned-byte IDX file: its dimensions and its values, row-major. */
  public record IdxArray(int[] dims, byte[] data) {
    public IdxArray {
      dims = dims.clone();
    }

    @Override
    public int[] dims() {
      return dims.clone();
    }
  }

  /**
   * Reads and validates one unsigned-byte IDX file. The data is read straight into an array of
   * the size the header declares, so a file costs its decompressed size in memory once.
   */
  public static IdxArray read(Path file) throws DataFileException {
    return DataFiles.read(file, in -> parse(file, in, 0));
  }

  /**
   * Reads one unsigned-byte IDX file that must have {@code rank} dimensions, i.e. the magic number
   * {@code 0x000008<rank>}: 3 for images, 1 for labels. A file with another magic number fails
   * before its data is read, naming the file, the magic number expected and the one found.
   */
  public static IdxArray read(Path file, int rank) throws DataFileException {
    if (rank <= 0 || rank > 255) {
      throw new IllegalArgumentException("rank must be 1..255, got " + rank);
    }
    return DataFiles.read(file, in -> parse(file, in, rank));
  }

  /** E.g. "0x00000803 (unsigned bytes, 3 dimensions: images)". */
  private static String magic(int rank) {
    return String.format("0x000008%02x (unsigned bytes, %d dimension%s%s)", rank, rank, rank == 1 ? "" : "s",
        rank == 3 ? ": images" : rank == 1 ? ": labels" : "");
  }

  /** @param expectedRank the rank the file must declare, or 0 for any */
  private static IdxArray parse(Path file, InputStream in, int expectedRank) throws IOException {
    byte[] head = in.readNBytes(4);
    String expected = expectedRank > 0 ? magic(expectedRank) : "0x000008NN (unsigned bytes, NN dimensions)";
    if (head.length < 4) {
      throw new DataFileException(file, "too short for an IDX header (" + head.length + " bytes); expected the magic "
          + "number " + expected);
    }
    String found = String.format("0x%02x%02x%02x%02x", head[0], head[1], head[2], head[3]);
    if (head[0] != 0 || head[1] != 0) {
      throw new DataFileException(file, "wrong magic number: expected " + expected + ", found " + found
          + ": not an IDX file");
    }
    int type = head[2] & 0xFF;
    if (type != TYPE_UNSIGNED_BYTE) {
      throw new DataFileException(file, "wrong magic number: expected " + expected + ", found " + found
          + String.format(" (IDX data type 0x%02x; only 0x08, unsigned byte, is read)", type));
    }
    int rank = head[3] & 0xFF;
    if (rank == 0) {
      throw new DataFileException(file, "wrong magic number: expected " + expected + ", found " + found
          + " (0 dimensions)");
    }
    if (expectedRank > 0 && rank != expectedRank) {
      throw new DataFileException(file, "wrong magic number: expected " + expected + ", found " + found + " ("
          + rank + " dimension" + (rank == 1 ? "" : "s") + (rank == 1 ? ": a label file?" : rank == 3 ? ": an image file?" : "")
          + ")");
    }
    byte[] dimBytes = in.readNBytes(4 * rank);
    if (dimBytes.length < 4 * rank) {
      throw new DataFileException(file, "truncated: header declares " + rank + " dimensions but the file has "
          + (4 + dimBytes.length) + " bytes");
    }
    int[] dims = new int[rank];
    long count = 1;
    for (int d = 0; d < rank; d++) {
      int o = 4 * d;
      dims[d] = ((dimBytes[o] & 0xFF) << 24) | ((dimBytes[o + 1] & 0xFF) << 16) | ((dimBytes[o + 2] & 0xFF) << 8)
          | (dimBytes[o + 3] & 0xFF);
      if (dims[d] < 0) {
        throw new DataFileException(file, "dimension " + d + " is negative: " + dims[d]);
      }
      count *= dims[d];
      if (count > Integer.MAX_VALUE - 8) {
        throw new DataFileException(file, "dimensions " + Arrays.toString(Arrays.copyOf(dims, d + 1)) + " are too large");
      }
    }
    byte[] data = new byte[(int) count];
    int got = in.readNBytes(data, 0, data.length);
    if (got < count) {
      throw new DataFileException(file, "truncated: dimensions " + Arrays.toString(dims) + " need " + count
          + " data bytes, the file has " + got);
    }
    long extra = 0;
    while (in.read() >= 0) {
      extra++;
    }
    if (extra > 0) {
      throw new DataFileException(file, extra + " unexpected bytes after the " + count
          + " data bytes of dimensions " + Arrays.toString(dims));
    }
    return new IdxArray(dims, data);
  }

  /**
   * Reads an image file ({@code [n, rows, cols]}) and its label file ({@code [n]}) into an {@link
   * ImageSet} of single-channel images.
   *
   * @param numClasses labels must be below this
   * @param name name for the set, e.g. {@code "mnist/train"}
   * @throws DataFileException naming the file at fault: wrong dimensions, counts that differ, a
   *     label out of range, or any problem of {@link #read}
   */
  public static ImageSet readImages(Path imagesFile, Path labelsFile, int numClasses, String name)
      throws DataFileException {
    IdxArray images = read(imagesFile, 3);
    int[] idims = images.dims();
    if (idims[1] == 0 || idims[2] == 0) {
      throw new DataFileException(imagesFile, "images of size " + idims[1] + "x" + idims[2]);
    }
    IdxArray labels = read(labelsFile, 1);
    int[] ldims = labels.dims();
    if (ldims[0] != idims[0]) {
      throw new DataFileException(labelsFile, "has " + ldims[0] + " labels but " + imagesFile + " has "
          + idims[0] + " images");
    }
    byte[] lab = labels.data();
    for (int i = 0; i < lab.length; i++) {
      if ((lab[i] & 0xFF) >= numClasses) {
        throw new DataFileException(labelsFile, "label " + (lab[i] & 0xFF) + " of example " + i
            + " is out of range [0, " + numClasses + ")");
      }
    }
    return new ImageSet(name, idims[1], idims[2], 1, numClasses, images.data(), lab);
  }
}
