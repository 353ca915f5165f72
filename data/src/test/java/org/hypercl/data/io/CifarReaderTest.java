package org.hypercl.data.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.hypercl.data.DataFileException;
import org.hypercl.data.ImageSet;
import org.hypercl.data.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {
  @TempDir Path dir;

  @Test
  void readsCifar10AndInterleavesChannels() throws IOException {
    Path a = TestData.write(dir.resolve("data_batch_1.bin"), TestData.cifarRecords(new int[][] {{3}, {9}}));
    Path b = TestData.write(dir.resolve("data_batch_2.bin"), TestData.cifarRecords(new int[][] {{0}}));
    ImageSet set = CifarReader.readCifar10(List.of(a, b), "c10");
    assertThat(set.size()).isEqualTo(3);
    assertThat(set.numClasses()).isEqualTo(10);
    assertThat(new int[] {set.label(0), set.label(1), set.label(2)}).containsExactly(3, 9, 0);
    // File layout: plane c, pixel p at offset c*1024 + p with value (r*31 + c*1024 + p) mod 256.
    int p = 5 * 32 + 7;
    for (int c = 0; c < 3; c++) {
      assertThat(set.pixel(1, p * 3 + c)).isEqualTo((31 + c * 1024 + p) & 0xFF);
    }
  }

  @Test
  void readsCifar100FineAndCoarse() throws IOException {
    Path f = TestData.write(dir.resolve("train.bin"), TestData.cifarRecords(new int[][] {{19, 99}, {0, 42}}));
    ImageSet fine = CifarReader.readCifar100(List.of(f), CifarReader.Cifar100Labels.FINE, "fine");
    ImageSet coarse = CifarReader.readCifar100(List.of(f), CifarReader.Cifar100Labels.COARSE, "coarse");
    assertThat(fine.numClasses()).isEqualTo(100);
    assertThat(fine.label(0)).isEqualTo(99);
    assertThat(fine.label(1)).isEqualTo(42);
    assertThat(coarse.numClasses()).isEqualTo(20);
    assertThat(coarse.label(0)).isEqualTo(19);
    assertThat(fine.pixel(0, 0)).isEqualTo(0);
  }

  @Test
  void gzipCompressedFilesReadTheSame() throws IOException {
    byte[] records = TestData.cifarRecords(new int[][] {{4}, {7}});
    Path raw = TestData.write(dir.resolve("raw/data_batch_1.bin"), records);
    Path gz = TestData.write(dir.resolve("gz/data_batch_1.bin.gz"), TestData.gzip(records));
    assertThat(CifarReader.readCifar10(List.of(gz), "gz").sameContents(CifarReader.readCifar10(List.of(raw), "raw")))
        .isTrue();
    byte[] cut = Arrays.copyOf(TestData.gzip(records), 200);
    Path bad = TestData.write(dir.resolve("bad/data_batch_1.bin.gz"), cut);
    assertThat(assertThrows(DataFileException.class, () -> CifarReader.readCifar10(List.of(bad), "x")).getMessage())
        .startsWith(bad.toString()).contains("unreadable gzip");
  }

  @Test
  void truncatedRecord() throws IOException {
    byte[] full = TestData.cifarRecords(new int[][] {{1}, {2}});
    Path f = TestData.write(dir.resolve("data_batch_1.bin"), Arrays.copyOf(full, full.length - 100));
    DataFileException e = assertThrows(DataFileException.class, () -> CifarReader.readCifar10(List.of(f), "x"));
    assertThat(e.getMessage()).startsWith(f.toString()).contains("not a whole number of 3073-byte");
  }

  @Test
  void labelOutOfRange() throws IOException {
    Path ok = TestData.write(dir.resolve("data_batch_1.bin"), TestData.cifarRecords(new int[][] {{1}}));
    Path bad = TestData.write(dir.resolve("data_batch_2.bin"), TestData.cifarRecords(new int[][] {{1}, {10}}));
    DataFileException e = assertThrows(DataFileException.class, () -> CifarReader.readCifar10(List.of(ok, bad), "x"));
    assertThat(e.file()).isEqualTo(bad);
    assertThat(e.getMessage()).contains("label 10 of record 1");
  }

  @Test
  void cifar100LabelOutOfRange() throws IOException {
    Path f = TestData.write(dir.resolve("test.bin"), TestData.cifarRecords(new int[][] {{20, 5}}));
    assertThat(assertThrows(DataFileException.class,
        () -> CifarReader.readCifar100(List.of(f), CifarReader.Cifar100Labels.FINE, "x")).getMessage())
        .contains("coarse label 20");
  }

  @Test
  void cifar10FileReadAsCifar100IsRejected() throws IOException {
    Path f = TestData.write(dir.resolve("test_batch.bin"), TestData.cifarRecords(new int[][] {{1}, {2}, {3}}));
    assertThrows(DataFileException.class,
        () -> CifarReader.readCifar100(List.of(f), CifarReader.Cifar100Labels.FINE, "x"));
  }

  @Test
  void emptyAndMissingFiles() throws IOException {
    Path empty = TestData.write(dir.resolve("empty.bin"), new byte[0]);
    assertThat(assertThrows(DataFileException.class, () -> CifarReader.readCifar10(List.of(empty), "x")).getMessage())
        .isEqualTo(empty + ": is empty");
    Path missing = dir.resolve("missing.bin");
    assertThat(assertThrows(DataFileException.class, () -> CifarReader.readCifar10(List.of(missing), "x")).getMessage())
        .isEqualTo(missing + ": file not found");
  }
}
