package org.hypercl.data.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.hypercl.data.DataFileException;
import org.hypercl.data.ImageSet;
import org.hypercl.data.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
  @TempDir Path dir;

  private Path images;
  private Path labels;

  private ImageSet writeSample(boolean gz) throws IOException {
    ImageSet set = TestData.images("sample", 7, 4, 3, 1, 10);
    TestData.writeIdx(dir, "train", set, gz);
    String sfx = gz ? ".gz" : "";
    images = dir.resolve("train-images-idx3-ubyte" + sfx);
    labels = dir.resolve("train-labels-idx1-ubyte" + sfx);
    return set;
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void roundTripsRawAndGzip(boolean gz) throws IOException {
    ImageSet expected = writeSample(gz);
    ImageSet read = IdxReader.readImages(images, labels, 10, "x");
    assertThat(read.size()).isEqualTo(7);
    assertThat(read.height()).isEqualTo(4);
    assertThat(read.width()).isEqualTo(3);
    assertThat(read.channels()).isEqualTo(1);
    assertThat(read.sameContents(expected)).isTrue();
    assertThat(read.label(3)).isEqualTo(3);
  }

  @Test
  void readsDimensionsAndData() throws IOException {
    Path f = TestData.write(dir.resolve("a-idx2-ubyte"), TestData.idx(new int[] {2, 3}, new byte[] {1, 2, 3, 4, 5, (byte) 250}));
    IdxReader.IdxArray a = IdxReader.read(f);
    assertThat(a.dims()).containsExactly(2, 3);
    assertThat(a.data()).containsExactly(1, 2, 3, 4, 5, (byte) 250);
  }

  @Test
  void wrongMagicNumber() throws IOException {
    byte[] bytes = TestData.idx(new int[] {1, 2, 2}, new byte[4]);
    bytes[0] = 0x50;
    Path f = TestData.write(dir.resolve("bad-idx3-ubyte"), bytes);
    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
    assertThat(e.getMessage()).isEqualTo(f + ": wrong magic number: expected 0x000008NN (unsigned bytes, NN "
        + "dimensions), found 0x50000803: not an IDX file");
    assertThat(e.file()).isEqualTo(f);
  }

  /**
   * An image file whose magic number's last byte says 1 dimension: named with the magic numbers
   * expected and found, not read as 60000 labels followed by "unexpected bytes".
   */
  @Test
  void imageFileWithALabelFilesMagicNumber() throws IOException {
    writeSample(false);
    byte[] bytes = Files.readAllBytes(images);
    bytes[3] = 1;
    Files.write(images, bytes);
    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(images, labels, 10, "x"));
    assertThat(e.getMessage()).isEqualTo(images + ": wrong magic number: expected 0x00000803 (unsigned bytes, "
        + "3 dimensions: images), found 0x00000801 (1 dimension: a label file?)");
    assertThat(e.getMessage()).doesNotContain("unexpected bytes");
  }

  @Test
  void unsupportedDataType() throws IOException {
    byte[] bytes = TestData.idx(new int[] {1}, new byte[1]);
    bytes[2] = 0x0D; // float
    Path f = TestData.write(dir.resolve("float-idx1"), bytes);
    assertThat(assertThrows(DataFileException.class, () -> IdxReader.read(f)).getMessage())
        .contains(f.toString()).contains("expected 0x000008NN").contains("found 0x00000d01")
        .contains("data type 0x0d");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void truncatedData(boolean gz) throws IOException {
    byte[] full = TestData.idx(new int[] {3, 2, 2}, new byte[12]);
    byte[] cut = Arrays.copyOf(full, full.length - 5);
    Path f = TestData.write(dir.resolve("cut-idx3-ubyte" + (gz ? ".gz" : "")), gz ? TestData.gzip(cut) : cut);
    assertThat(assertThrows(DataFileException.class, () -> IdxReader.read(f)).getMessage())
        .startsWith(f.toString()).contains("truncated").contains("need 12 data bytes").contains("has 7");
  }

  @Test
  void truncatedHeader() throws IOException {
    Path f = TestData.write(dir.resolve("h"), new byte[] {0, 0, 8, 3, 0, 0});
    assertThat(assertThrows(DataFileException.class, () -> IdxReader.read(f)).getMessage()).contains("truncated");
  }

  @Test
  void trailingBytes() throws IOException {
    byte[] full = TestData.idx(new int[] {2}, new byte[] {1, 2});
    Path f = TestData.write(dir.resolve("long"), Arrays.copyOf(full, full.length + 3));
    assertThat(assertThrows(DataFileException.class, () -> IdxReader.read(f)).getMessage())
        .contains("3 unexpected bytes");
  }

  @Test
  void imageAndLabelCountsDiffer() throws IOException {
    writeSample(false);
    TestData.write(labels, TestData.idx(new int[] {6}, new byte[6]));
    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(images, labels, 10, "x"));
    assertThat(e.getMessage()).startsWith(labels.toString()).contains("6 labels").contains("7 images");
  }

  @Test
  void labelOutOfRange() throws IOException {
    writeSample(true);
    byte[] lab = new byte[7];
    lab[5] = 10;
    TestData.write(labels, TestData.gzip(TestData.idx(new int[] {7}, lab)));
    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(images, labels, 10, "x"));
    assertThat(e.getMessage()).startsWith(labels.toString()).contains("label 10 of example 5").contains("out of range");
  }

  @Test
  void wrongDimensions_labelsGivenAsImages() throws IOException {
    writeSample(false);
    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.readImages(labels, images, 10, "x"));
    assertThat(e.file()).isEqualTo(labels);
    assertThat(e.getMessage()).contains("expected 0x00000803").contains("found 0x00000801");
  }

  @Test
  void unreadableGzip() throws IOException {
    byte[] payload = new byte[5000];
    new java.util.Random(1).nextBytes(payload); // incompressible, so half the file cuts the deflate stream
    byte[] gz = TestData.gzip(TestData.idx(new int[] {5000}, payload));
    Path truncated = TestData.write(dir.resolve("t-idx1-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
    assertThat(assertThrows(DataFileException.class, () -> IdxReader.read(truncated)).getMessage())
        .startsWith(truncated.toString()).contains("unreadable gzip");
    byte[] garbled = gz.clone();
    garbled[garbled.length - 8] ^= (byte) 0xFF; // CRC-32 in the trailer
    Path bad = TestData.write(dir.resolve("g-idx1-ubyte.gz"), garbled);
    assertThat(assertThrows(DataFileException.class, () -> IdxReader.read(bad)).getMessage())
        .startsWith(bad.toString()).contains("unreadable gzip");
  }

  @Test
  void gzNameButNotGzip() throws IOException {
    Path f = TestData.write(dir.resolve("x-idx1-ubyte.gz"), TestData.idx(new int[] {1}, new byte[1]));
    assertThat(assertThrows(DataFileException.class, () -> IdxReader.read(f)).getMessage())
        .contains("named .gz but is not gzip");
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("nope-idx3-ubyte.gz");
    DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
    assertThat(e.getMessage()).isEqualTo(f + ": file not found");
  }

  @Test
  void directoryInsteadOfFile() throws IOException {
    Path d = Files.createDirectory(dir.resolve("d"));
    assertThat(assertThrows(DataFileException.class, () -> IdxReader.read(d)).getMessage()).contains("is a directory");
  }
}
