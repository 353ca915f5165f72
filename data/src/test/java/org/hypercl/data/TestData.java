package org.hypercl.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Small generated datasets and files for tests; nothing here is real data. */
public final class TestData {
  private TestData() {}

  /** Images whose pixel values are a function of (image, offset), labels cycling through the classes. */
  public static ImageSet images(String name, int n, int h, int w, int c, int numClasses) {
    byte[] pixels = new byte[n * h * w * c];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) ((i * 7 + i / (h * w * c) * 13) & 0xFF);
    }
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) (i % numClasses);
    }
    return new ImageSet(name, h, w, c, numClasses, pixels, labels);
  }

  /** A small MNIST-shaped dataset (28×28, 10 classes) with random pixels. */
  public static TrainTestImages mnistLike(String name, int nTrain, int nTest, long seed) {
    return new TrainTestImages(name, random(name + "/train", nTrain, 28, 28, 1, 10, seed),
        random(name + "/test", nTest, 28, 28, 1, 10, seed + 1));
  }

  public static ImageSet random(String name, int n, int h, int w, int c, int numClasses, long seed) {
    Random rng = new Random(seed);
    byte[] pixels = new byte[n * h * w * c];
    rng.nextBytes(pixels);
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) (i % numClasses);
    }
    return new ImageSet(name, h, w, c, numClasses, pixels, labels);
  }

  /** An unsigned-byte IDX file's bytes. */
  public static byte[] idx(int[] dims, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(0);
    out.write(0x08);
    out.write(dims.length);
    for (int d : dims) {
      out.write(d >>> 24);
      out.write(d >>> 16);
      out.write(d >>> 8);
      out.write(d);
    }
    out.writeBytes(data);
    return out.toByteArray();
  }

  public static byte[] gzip(byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(data);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  /** Writes an ImageSet as the four MNIST IDX files into {@code dir} (gzip if {@code gz}). */
  public static void writeIdx(Path dir, String prefix, ImageSet set, boolean gz) throws IOException {
    Files.createDirectories(dir);
    byte[] pixels = new byte[set.size() * set.imageSize()];
    byte[] labels = new byte[set.size()];
    for (int i = 0; i < set.size(); i++) {
      labels[i] = (byte) set.label(i);
      for (int j = 0; j < set.imageSize(); j++) {
        pixels[i * set.imageSize() + j] = (byte) set.pixel(i, j);
      }
    }
    byte[] img = idx(new int[] {set.size(), set.height(), set.width()}, pixels);
    byte[] lab = idx(new int[] {set.size()}, labels);
    String sfx = gz ? ".gz" : "";
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + sfx), gz ? gzip(img) : img);
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + sfx), gz ? gzip(lab) : lab);
  }

  /** Writes a whole MNIST-like dataset ({@code train-*} and {@code t10k-*}) into {@code dir}. */
  public static void writeMnist(Path dir, TrainTestImages data, boolean gz) throws IOException {
    writeIdx(dir, "train", data.train(), gz);
    writeIdx(dir, "t10k", data.test(), gz);
  }

  /**
   * A CIFAR binary record file: {@code labelBytes} label bytes (given per record) then 3072 pixel
   * bytes in planar RGB order, pixel value = (record*31 + offset) mod 256.
   */
  public static byte[] cifarRecords(int[][] labels) {
    int labelBytes = labels.length == 0 ? 1 : labels[0].length;
    int record = labelBytes + 3072;
    byte[] out = new byte[labels.length * record];
    for (int r = 0; r < labels.length; r++) {
      for (int b = 0; b < labelBytes; b++) {
        out[r * record + b] = (byte) labels[r][b];
      }
      for (int p = 0; p < 3072; p++) {
        out[r * record + labelBytes + p] = (byte) ((r * 31 + p) & 0xFF);
      }
    }
    return out;
  }

  /** A gzip-compressed ustar archive of the given files (path → content). */
  public static byte[] tarGz(Map<String, byte[]> files) {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      byte[] h = new byte[512];
      byte[] name = e.getKey().getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(name, 0, h, 0, name.length);
      put(h, 100, String.format("%07o", 0644));
      put(h, 108, String.format("%07o", 0));
      put(h, 116, String.format("%07o", 0));
      put(h, 124, String.format("%011o", e.getValue().length));
      put(h, 136, String.format("%011o", 0));
      h[156] = '0';
      put(h, 257, "ustar");
      h[262] = 0;
      put(h, 263, "00");
      for (int i = 148; i < 156; i++) {
        h[i] = ' ';
      }
      int sum = 0;
      for (byte b : h) {
        sum += b & 0xFF;
      }
      put(h, 148, String.format("%06o", sum));
      h[154] = 0;
      tar.writeBytes(h);
      tar.writeBytes(e.getValue());
      int pad = (512 - e.getValue().length % 512) % 512;
      tar.writeBytes(new byte[pad]);
    }
    tar.writeBytes(new byte[1024]);
    return gzip(tar.toByteArray());
  }

  private static void put(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  /** Writes {@code bytes} to a new file. */
  public static Path write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(bytes);
    }
    return file;
  }
}
