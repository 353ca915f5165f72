package org.hypercl.data.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.hypercl.data.DataFileException;
import org.hypercl.data.TestData;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.tasks.SequenceSpec;
import org.hypercl.data.tasks.TaskSequences;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path tmp;

  @Test
  void cacheDirPrecedence() {
    Path home = tmp.resolve("home");
    Path opt = tmp.resolve("opt");
    Path env = tmp.resolve("env");
    assertThat(DataLocations.of(opt, Map.of("HYPERCL_DATA", env.toString()), home, List.of()).cacheDir()).isEqualTo(opt);
    assertThat(DataLocations.of(null, Map.of("HYPERCL_DATA", env.toString()), home, List.of()).cacheDir()).isEqualTo(env);
    assertThat(DataLocations.of(null, Map.of(), home, List.of()).cacheDir()).isEqualTo(home.resolve(".hypercl/data"));
    DataLocations all = DataLocations.of(opt, Map.of("HYPERCL_DATA", env.toString()), home, List.of(tmp.resolve("sys")));
    assertThat(all.candidates(KnownDataset.FASHION_MNIST)).containsExactly(opt.resolve("fashion-mnist"),
        env.resolve("fashion-mnist"), home.resolve(".hypercl/data/fashion-mnist"), tmp.resolve("sys/fashion-mnist"));
  }

  @Test
  void findsADebianStyleSystemFolderAndLoadsIt() throws IOException {
    Path sys = tmp.resolve("usr/share/datasets");
    TrainTestImages data = TestData.mnistLike("x", 20, 10, 1);
    TestData.writeMnist(sys.resolve("fashion-mnist"), data, true);
    DataLocations loc = DataLocations.of(null, Map.of(), tmp.resolve("home"), List.of(sys));
    Datasets.Found found = Datasets.find(KnownDataset.FASHION_MNIST, loc).orElseThrow();
    assertThat(found.dir()).isEqualTo(sys.resolve("fashion-mnist"));
    TrainTestImages read = Datasets.load(KnownDataset.FASHION_MNIST, loc);
    assertThat(read.name()).isEqualTo("fashion-mnist");
    assertThat(read.train().sameContents(data.train())).isTrue();
    assertThat(read.test().sameContents(data.test())).isTrue();
    assertThat(Datasets.find(KnownDataset.MNIST, loc)).isEmpty();
  }

  @Test
  void userFolderWinsOverSystemAndRawFilesWork() throws IOException {
    Path sys = tmp.resolve("sys");
    Path user = tmp.resolve("user");
    TestData.writeMnist(sys.resolve("mnist"), TestData.mnistLike("x", 20, 10, 1), true);
    TestData.writeMnist(user.resolve("mnist"), TestData.mnistLike("x", 12, 6, 2), false);
    DataLocations loc = DataLocations.of(user, Map.of(), tmp.resolve("home"), List.of(sys));
    assertThat(Datasets.load(KnownDataset.MNIST, loc).train().size()).isEqualTo(12);
  }

  @Test
  void notFoundSaysWhereItLookedAndWhatToDo() throws IOException {
    Files.createDirectories(tmp.resolve("d"));
    DataLocations loc = DataLocations.of(tmp.resolve("d"), Map.of(), tmp.resolve("home"), List.of(tmp.resolve("sys")));
    DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> Datasets.load(KnownDataset.CIFAR10, loc));
    assertThat(e.getMessage()).contains(tmp.resolve("d/cifar10").toString()).contains(tmp.resolve("sys/cifar10").toString())
        .contains("hypercl data fetch cifar10").contains("cifar-10-batches-bin/data_batch_1.bin");
  }

  /** A searched folder that holds a dataset in part is named with the file it lacks. */
  @Test
  void notFoundNamesTheFileAnIncompleteFolderLacks() throws IOException {
    Path sys = tmp.resolve("sys");
    TestData.writeMnist(sys.resolve("fashion-mnist"), TestData.mnistLike("x", 20, 10, 1), true);
    Files.delete(sys.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz"));
    DataLocations loc = DataLocations.of(null, Map.of(), tmp.resolve("home"), List.of(sys));
    assertThat(Datasets.partialCopies(KnownDataset.FASHION_MNIST, loc)).containsExactly(new Datasets.Partial(
        sys.resolve("fashion-mnist"), sys.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz")));
    DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
        () -> Datasets.load(KnownDataset.FASHION_MNIST, loc));
    assertThat(e.getMessage()).contains("  " + sys.resolve("fashion-mnist")
        + " (incomplete: t10k-labels-idx1-ubyte.gz is missing, gzip or not)");
    assertThat(e.getMessage()).doesNotContain(tmp.resolve("home/.hypercl/data/fashion-mnist") + " (incomplete");
  }

  @Test
  void invalidFilesAreReportedByName() throws IOException {
    Path user = tmp.resolve("user");
    TestData.writeMnist(user.resolve("mnist"), TestData.mnistLike("x", 12, 6, 2), true);
    Path labels = user.resolve("mnist/t10k-labels-idx1-ubyte.gz");
    TestData.write(labels, TestData.gzip(TestData.idx(new int[] {5}, new byte[5])));
    DataLocations loc = DataLocations.of(user, Map.of(), tmp.resolve("home"), List.of());
    DataFileException e = assertThrows(DataFileException.class, () -> Datasets.load(KnownDataset.MNIST, loc));
    assertThat(e.file()).isEqualTo(labels);
  }

  @Test
  void aNamedFolderHoldingADatasetInPartFailsNamingTheMissingFileInsteadOfFallingBack() throws IOException {
    Path sys = tmp.resolve("sys");
    Path user = tmp.resolve("user");
    TestData.writeMnist(sys.resolve("mnist"), TestData.mnistLike("x", 20, 10, 1), true);
    TestData.writeMnist(user.resolve("mnist"), TestData.mnistLike("x", 12, 6, 2), true);
    Path labels = user.resolve("mnist/t10k-labels-idx1-ubyte.gz");
    Files.delete(labels);
    Map<String, DataLocations> byHow = Map.of(
        "--data-dir", DataLocations.of(user, Map.of(), tmp.resolve("home"), List.of(sys)),
        "$HYPERCL_DATA", DataLocations.of(null, Map.of("HYPERCL_DATA", user.toString()), tmp.resolve("home"), List.of(sys)));
    byHow.forEach((how, loc) -> {
      assertThat(loc.named()).containsExactly(Map.entry(user, how));
      DataFileException e = assertThrows(DataFileException.class, () -> Datasets.load(KnownDataset.MNIST, loc));
      assertThat(e.file()).isEqualTo(labels);
      assertThat(e.getMessage()).startsWith(labels + ": file not found").contains(how + " " + user)
          .contains("hypercl data fetch mnist --data-dir " + user).doesNotContain(sys.toString());
      assertThat(assertThrows(DataFileException.class, () -> Datasets.locate(KnownDataset.MNIST, loc)).file())
          .isEqualTo(labels);
      assertThat(assertThrows(DataFileException.class,
          () -> TaskSequences.load(SequenceSpec.parse("split-mnist"), loc)).file()).isEqualTo(labels);
    });
    // A folder the user did not name is searched past, complete or not.
    Path home = tmp.resolve("home");
    TestData.writeMnist(home.resolve(".hypercl/data/mnist"), TestData.mnistLike("x", 12, 6, 2), true);
    Files.delete(home.resolve(".hypercl/data/mnist/train-images-idx3-ubyte.gz"));
    DataLocations byDefault = DataLocations.of(null, Map.of(), home, List.of(sys));
    assertThat(byDefault.named()).isEmpty();
    assertThat(Datasets.locate(KnownDataset.MNIST, byDefault).dir()).isEqualTo(sys.resolve("mnist"));
    assertThat(Datasets.load(KnownDataset.MNIST, byDefault).train().size()).isEqualTo(20);
  }

  @Test
  void aNamedFolderWithoutTheDatasetIsSearchedPastAndLocateSaysWhichFolderIsUsed() throws IOException {
    Path sys = tmp.resolve("sys");
    Path user = tmp.resolve("user");
    TestData.writeMnist(sys.resolve("mnist"), TestData.mnistLike("x", 20, 10, 1), true);
    TestData.writeMnist(user.resolve("fashion-mnist"), TestData.mnistLike("x", 12, 6, 2), true);
    DataLocations loc = DataLocations.of(user, Map.of(), tmp.resolve("home"), List.of(sys));
    Datasets.Found mnist = Datasets.locate(KnownDataset.MNIST, loc);
    assertThat(mnist.dir()).isEqualTo(sys.resolve("mnist"));
    assertThat(mnist.files()).first().isEqualTo(sys.resolve("mnist/train-images-idx3-ubyte.gz"));
    assertThat(Datasets.locate(KnownDataset.FASHION_MNIST, loc).dir()).isEqualTo(user.resolve("fashion-mnist"));
    assertThrows(DatasetNotFoundException.class, () -> Datasets.locate(KnownDataset.CIFAR10, loc));
  }

  /** A mistyped --data-dir fails instead of training on another folder's copy; an unmade $HYPERCL_DATA does not. */
  @Test
  void aDataDirThatIsNoFolderFailsNamingItButAnUnmadeEnvironmentFolderIsSearchedPast() throws IOException {
    Path sys = tmp.resolve("sys");
    TestData.writeMnist(sys.resolve("mnist"), TestData.mnistLike("x", 20, 10, 1), true);
    Path typo = tmp.resolve("no-such-dir");
    DataFileException missing = assertThrows(DataFileException.class,
        () -> Datasets.locate(KnownDataset.MNIST, DataLocations.of(typo, Map.of(), tmp.resolve("home"), List.of(sys))));
    assertThat(missing.file()).isEqualTo(typo);
    assertThat(missing.getMessage()).contains("no such folder", "--data-dir", "hypercl data fetch DATASET --data-dir " + typo);
    Path file = tmp.resolve("a-file");
    TestData.write(file, new byte[] {1});
    DataFileException notDir = assertThrows(DataFileException.class,
        () -> Datasets.locate(KnownDataset.MNIST, DataLocations.of(null, Map.of("HYPERCL_DATA", file.toString()), tmp.resolve("home"), List.of(sys))));
    assertThat(notDir.getMessage()).contains("not a folder", "$HYPERCL_DATA");
    DataLocations unmadeEnv = DataLocations.of(null, Map.of("HYPERCL_DATA", typo.toString()), tmp.resolve("home"), List.of(sys));
    assertThat(Datasets.locate(KnownDataset.MNIST, unmadeEnv).dir()).isEqualTo(sys.resolve("mnist"));
  }

  @Test
  void datasetFilesStraightInANamedFolderOrAFileForItsSubFolderAreReported() throws IOException {
    Path sys = tmp.resolve("sys");
    TestData.writeMnist(sys.resolve("mnist"), TestData.mnistLike("x", 20, 10, 1), true);
    Path flat = tmp.resolve("flat");
    TestData.writeMnist(flat, TestData.mnistLike("x", 12, 6, 2), true);
    DataFileException e = assertThrows(DataFileException.class,
        () -> Datasets.locate(KnownDataset.MNIST, DataLocations.of(flat, Map.of(), tmp.resolve("home"), List.of(sys))));
    assertThat(e.file()).isEqualTo(flat.resolve("train-images-idx3-ubyte.gz"));
    assertThat(e.getMessage()).contains("put mnist's files in " + flat.resolve("mnist"));

    Path notADir = tmp.resolve("odd");
    TestData.write(notADir.resolve("mnist"), new byte[] {1});
    DataFileException odd = assertThrows(DataFileException.class,
        () -> Datasets.locate(KnownDataset.MNIST, DataLocations.of(notADir, Map.of(), tmp.resolve("home"), List.of(sys))));
    assertThat(odd.file()).isEqualTo(notADir.resolve("mnist"));
    assertThat(odd.getMessage()).contains("not a folder");

    Path cifar = tmp.resolve("c/cifar10/cifar-10-batches-bin");
    TestData.write(cifar.resolve("data_batch_1.bin"), TestData.cifarRecords(new int[][] {{1}}));
    DataFileException partial = assertThrows(DataFileException.class,
        () -> Datasets.locate(KnownDataset.CIFAR10, DataLocations.of(tmp.resolve("c"), Map.of(), tmp.resolve("home"), List.of())));
    assertThat(partial.file()).isEqualTo(cifar.resolve("data_batch_2.bin"));
  }

  @Test
  void anUnreadableNamedDatasetFolderIsReported() throws IOException {
    Path sys = tmp.resolve("sys");
    TestData.writeMnist(sys.resolve("mnist"), TestData.mnistLike("x", 20, 10, 1), true);
    Path user = tmp.resolve("user");
    TestData.writeMnist(user.resolve("mnist"), TestData.mnistLike("x", 12, 6, 2), true);
    Path dir = user.resolve("mnist");
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("---------"));
    try {
      assumeFalse(Files.isReadable(dir), "permissions do not bind this user (root?)");
      DataFileException e = assertThrows(DataFileException.class,
          () -> Datasets.locate(KnownDataset.MNIST, DataLocations.of(user, Map.of(), tmp.resolve("home"), List.of(sys))));
      assertThat(e.file()).isEqualTo(dir);
      assertThat(e.getMessage()).contains("permission denied");
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void readsCifarFromTheArchiveFolder() throws IOException {
    Path d = tmp.resolve("c/cifar10/cifar-10-batches-bin");
    for (int b = 1; b <= 5; b++) {
      TestData.write(d.resolve("data_batch_" + b + ".bin"), TestData.cifarRecords(new int[][] {{b}, {b + 1}}));
    }
    TestData.write(d.resolve("test_batch.bin"), TestData.cifarRecords(new int[][] {{9}}));
    DataLocations loc = DataLocations.of(tmp.resolve("c"), Map.of(), tmp.resolve("home"), List.of());
    TrainTestImages c = Datasets.load(KnownDataset.CIFAR10, loc);
    assertThat(c.train().size()).isEqualTo(10);
    assertThat(c.train().label(9)).isEqualTo(6);
    assertThat(c.test().label(0)).isEqualTo(9);
  }

  @Test
  void knownDatasetIds() {
    assertThat(KnownDataset.byId("Fashion-MNIST")).isEqualTo(KnownDataset.FASHION_MNIST);
    assertThat(KnownDataset.byId("cifar-10")).isEqualTo(KnownDataset.CIFAR10);
    assertThat(KnownDataset.byId("cifar100")).isEqualTo(KnownDataset.CIFAR100);
    assertThat(assertThrows(IllegalArgumentException.class, () -> KnownDataset.byId("svhn")).getMessage())
        .contains("mnist, fashion-mnist, cifar10, cifar100");
    for (KnownDataset d : KnownDataset.values()) {
      assertThat(d.downloads()).allSatisfy(f -> assertThat(f.sha256()).hasSize(64));
    }
  }
}
