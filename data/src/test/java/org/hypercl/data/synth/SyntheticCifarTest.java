package org.hypercl.data.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hypercl.data.ImageSet;
import org.hypercl.data.TaskSequence;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.Datasets;
import org.hypercl.data.fetch.KnownDataset;
import org.hypercl.data.io.CifarReader;
import org.hypercl.data.tasks.SequenceSpec;
import org.hypercl.data.tasks.TaskSequences;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticCifarTest {
  @TempDir Path root;

  private static final SyntheticCifar.Options SMALL =
      SyntheticCifar.Options.defaults(KnownDataset.CIFAR10).withCounts(30, 10);

  @Test
  void cifar10IsFoundUnderTheDataDirAndReadsBackWithEveryClass() throws IOException {
    SyntheticCifar.Written w = SyntheticCifar.write(KnownDataset.CIFAR10, root, SMALL, false);
    assertThat(w.dir()).isEqualTo(root.resolve("cifar10"));
    assertThat(w.trainImages()).isEqualTo(300);
    assertThat(w.testImages()).isEqualTo(100);
    assertThat(w.files()).extracting(p -> root.relativize(p).toString()).containsExactly(
        "cifar10/cifar-10-batches-bin/data_batch_1.bin", "cifar10/cifar-10-batches-bin/data_batch_2.bin",
        "cifar10/cifar-10-batches-bin/data_batch_3.bin", "cifar10/cifar-10-batches-bin/data_batch_4.bin",
        "cifar10/cifar-10-batches-bin/data_batch_5.bin", "cifar10/cifar-10-batches-bin/test_batch.bin");
    for (Path f : w.files().subList(0, 5)) {
      assertThat(Files.size(f)).isEqualTo(60L * (1 + CifarReader.IMAGE_BYTES));
    }
    assertThat(Files.readString(w.dir().resolve(SyntheticCifar.MARKER_FILE))).contains("Not real CIFAR")
        .contains("seed=42").contains("trainPerClass=30");

    // Found as --data-dir would find real CIFAR-10.
    Datasets.Found found = Datasets.locate(KnownDataset.CIFAR10, DataLocations.of(root, Map.of(), root.resolve("home"),
        List.of()));
    assertThat(found.files()).isEqualTo(w.files());
    TrainTestImages images = KnownDataset.CIFAR10.read(found.files());
    assertThat(images.train().size()).isEqualTo(300);
    assertThat(images.test().size()).isEqualTo(100);
    assertThat(images.train().classCounts()).containsOnly(30);
    assertThat(images.test().classCounts()).containsOnly(10);
    // Shuffled: the first batch holds most classes, not only the first ones.
    ImageSet batch1 = CifarReader.readCifar10(w.files().subList(0, 1), "batch1");
    assertThat(batch1.classCounts()).doesNotContain(0);
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left.toList()).containsExactly(root.resolve("cifar10"));
    }
  }

  @Test
  void cifar100HasFineLabelsAndCoarseLabelsFineOverFive() throws IOException {
    SyntheticCifar.Written w = SyntheticCifar.write(KnownDataset.CIFAR100, root,
        SyntheticCifar.Options.defaults(KnownDataset.CIFAR10).withCounts(3, 1), false);
    assertThat(w.files()).extracting(p -> root.relativize(p).toString())
        .containsExactly("cifar100/cifar-100-binary/train.bin", "cifar100/cifar-100-binary/test.bin");
    TrainTestImages images = KnownDataset.CIFAR100.read(KnownDataset.CIFAR100.locate(w.dir()).orElseThrow());
    assertThat(images.train().numClasses()).isEqualTo(100);
    assertThat(images.train().classCounts()).containsOnly(3);
    assertThat(images.test().classCounts()).containsOnly(1);
    ImageSet coarse = CifarReader.readCifar100(w.files().subList(0, 1), CifarReader.Cifar100Labels.COARSE, "coarse");
    assertThat(coarse.classCounts()).containsOnly(15);
    for (int i = 0; i < coarse.size(); i++) {
      assertThat(coarse.label(i)).isEqualTo(images.train().label(i) / 5);
    }
  }

  @Test
  void sameSeedSameBytes_otherSeedOrNoiseOtherBytes() throws IOException {
    SyntheticCifar.Options few = SyntheticCifar.Options.defaults(KnownDataset.CIFAR10).withCounts(2, 1);
    List<Path> a = SyntheticCifar.write(KnownDataset.CIFAR10, root.resolve("a"), few, false).files();
    List<Path> b = SyntheticCifar.write(KnownDataset.CIFAR10, root.resolve("b"), few, false).files();
    List<Path> c = SyntheticCifar.write(KnownDataset.CIFAR10, root.resolve("c"), few.withSeed(43), false).files();
    List<Path> d = SyntheticCifar.write(KnownDataset.CIFAR10, root.resolve("d"), few.withNoise(0.2), false).files();
    for (int i = 0; i < a.size(); i++) {
      assertThat(Files.readAllBytes(b.get(i))).isEqualTo(Files.readAllBytes(a.get(i)));
      assertThat(Files.readAllBytes(c.get(i))).isNotEqualTo(Files.readAllBytes(a.get(i)));
      assertThat(Files.readAllBytes(d.get(i))).isNotEqualTo(Files.readAllBytes(a.get(i)));
    }
    // An example depends on its class, split and index only, not on how many were drawn.
    assertThat(SyntheticCifar.example(KnownDataset.CIFAR10, few.withCounts(50, 5), true, 4, 1))
        .isEqualTo(SyntheticCifar.example(KnownDataset.CIFAR10, few, true, 4, 1));
    // CIFAR-10 and CIFAR-100 share no prototype.
    assertThat(SyntheticCifar.example(KnownDataset.CIFAR100, few, true, 4, 1))
        .isNotEqualTo(SyntheticCifar.example(KnownDataset.CIFAR10, few, true, 4, 1));
  }

  @Test
  void classesAreLearnableFromTheWholeImageButNotFromOnePixel() throws IOException {
    SyntheticCifar.Written w = SyntheticCifar.write(KnownDataset.CIFAR10, root,
        SyntheticCifar.Options.defaults(KnownDataset.CIFAR10).withCounts(50, 20), false);
    TrainTestImages images = KnownDataset.CIFAR10.read(w.files());
    double all = nearestClassMeanAccuracy(images, null);
    int centre = (16 * CifarReader.SIDE + 16) * CifarReader.CHANNELS;
    double onePixel = nearestClassMeanAccuracy(images, new int[] {centre, centre + 1, centre + 2});
    assertThat(all).isGreaterThanOrEqualTo(0.6);
    assertThat(onePixel).isLessThan(0.45).isLessThan(all - 0.3);
  }

  @Test
  void examplesOfAClassDifferAndThePixelNoiseHasTheRequestedSize() {
    SyntheticCifar.Options opts = SyntheticCifar.Options.defaults(KnownDataset.CIFAR10);
    byte[] a = SyntheticCifar.example(KnownDataset.CIFAR10, opts, true, 3, 0);
    byte[] b = SyntheticCifar.example(KnownDataset.CIFAR10, opts, true, 3, 1);
    assertThat(a).isNotEqualTo(b);
    assertThat(SyntheticCifar.example(KnownDataset.CIFAR10, opts, false, 3, 0)).isNotEqualTo(a);
    // The same example without its noise (every other random draw is the same): the difference
    // is Gaussian noise of standard deviation 0.1 * 255, mean absolute value 0.8 sigma, a little
    // less where clipping cuts it.
    byte[] clean = SyntheticCifar.example(KnownDataset.CIFAR10, opts.withNoise(0), true, 3, 0);
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xFF) - (clean[i] & 0xFF));
    }
    assertThat(sum / a.length).isCloseTo(0.798 * 25.5, within(2.5));
  }

  @Test
  void anExistingFolderIsReplacedOnlyWhenAskedAndOnlyIfSynthetic() throws IOException {
    Path dir = SyntheticCifar.write(KnownDataset.CIFAR10, root, SMALL, false).dir();
    FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
        () -> SyntheticCifar.write(KnownDataset.CIFAR10, root, SMALL.withSeed(7), false));
    assertThat(e.getMessage()).isEqualTo(dir + ": dataset folder already exists, not replaced");
    assertThat(Files.readString(dir.resolve(SyntheticCifar.MARKER_FILE))).contains("seed=42");

    SyntheticCifar.write(KnownDataset.CIFAR10, root, SMALL.withSeed(7), true);
    assertThat(Files.readString(dir.resolve(SyntheticCifar.MARKER_FILE))).contains("seed=7");
    try (Stream<Path> left = Files.list(root)) {
      assertThat(left.toList()).containsExactly(dir);
    }

    // A folder without the marker, e.g. real downloaded CIFAR-100, is never replaced.
    Path real = Files.createDirectories(root.resolve("cifar100/cifar-100-binary"));
    Files.write(real.resolve("train.bin"), new byte[] {1, 2, 3});
    FileAlreadyExistsException kept = assertThrows(FileAlreadyExistsException.class,
        () -> SyntheticCifar.write(KnownDataset.CIFAR100, root, SMALL, true));
    assertThat(kept.getMessage()).startsWith(root.resolve("cifar100") + ": ").contains(SyntheticCifar.MARKER_FILE)
        .contains("real downloaded data");
    assertThat(Files.readAllBytes(real.resolve("train.bin"))).containsExactly(1, 2, 3);
  }

  @Test
  void filesGetTheUmasksPermissions() throws IOException {
    assumeTrue(Files.getFileAttributeView(root, PosixFileAttributeView.class) != null, "POSIX file system");
    Path plain = Files.createFile(root.resolve("plain"));
    Path plainDir = Files.createDirectory(root.resolve("plain-dir"));
    SyntheticCifar.Written w = SyntheticCifar.write(KnownDataset.CIFAR10, root, SMALL.withCounts(1, 1), false);
    for (Path f : w.files()) {
      assertThat(Files.getPosixFilePermissions(f)).isEqualTo(Files.getPosixFilePermissions(plain));
    }
    assertThat(Files.getPosixFilePermissions(w.dir())).isEqualTo(Files.getPosixFilePermissions(plainDir));
  }

  @Test
  void defaultsKeepBothDatasetsSmall() {
    assertThat(SyntheticCifar.Options.defaults(KnownDataset.CIFAR10).trainPerClass()).isEqualTo(100);
    assertThat(SyntheticCifar.Options.defaults(KnownDataset.CIFAR10).testPerClass()).isEqualTo(20);
    assertThat(SyntheticCifar.Options.defaults(KnownDataset.CIFAR100).trainPerClass()).isEqualTo(20);
    assertThat(SyntheticCifar.Options.defaults(KnownDataset.CIFAR100).testPerClass()).isEqualTo(5);
    assertThat(SyntheticCifar.Options.defaults(KnownDataset.CIFAR100).seed()).isEqualTo(42);
  }

  @Test
  void badOptionsAndDatasetsAreRefusedByName() {
    assertThat(assertThrows(IllegalArgumentException.class, () -> SMALL.withCounts(-1, 10)).getMessage())
        .isEqualTo("trainPerClass must be in [1, " + SyntheticCifar.MAX_PER_CLASS + "]: -1");
    assertThat(assertThrows(IllegalArgumentException.class, () -> SMALL.withCounts(10, 0)).getMessage())
        .startsWith("testPerClass must be in [1, ");
    assertThat(assertThrows(IllegalArgumentException.class, () -> SMALL.withNoise(Double.NaN)).getMessage())
        .isEqualTo("noise must be in [0, 1.0]: NaN");
    assertThat(assertThrows(IllegalArgumentException.class,
        () -> SyntheticCifar.write(KnownDataset.MNIST, root, SMALL, false)).getMessage()).contains("not mnist");
  }

  @Test
  void splitCifarBuildsFromTheGeneratedFiles() throws IOException {
    SyntheticCifar.Options few = SyntheticCifar.Options.defaults(KnownDataset.CIFAR10).withCounts(4, 2);
    SyntheticCifar.write(KnownDataset.CIFAR10, root, few, false);
    SyntheticCifar.write(KnownDataset.CIFAR100, root, few, false);
    DataLocations locations = DataLocations.of(root, Map.of(), root.resolve("home"), List.of());
    TaskSequence seq = TaskSequences.load(SequenceSpec.parse("split-cifar-10-100-3"), locations);
    assertThat(seq.numTasks()).isEqualTo(3);
    for (int t = 0; t < 3; t++) {
      assertThat(seq.task(t).numClasses()).isEqualTo(10);
      assertThat(seq.task(t).train().size()).isEqualTo(40);
      assertThat(seq.task(t).test().size()).isEqualTo(20);
      assertThat(seq.task(t).inputShape()).containsExactly(32, 32, 3);
      assertThat(seq.task(t).augmentation()).isPresent();
    }
  }

  /**
   * Test accuracy of the nearest class mean (Euclidean, on raw pixel values) of the training
   * images, on the pixel values at {@code offsets} or, if null, all of them.
   */
  private static double nearestClassMeanAccuracy(TrainTestImages images, int[] offsets) {
    ImageSet train = images.train();
    ImageSet test = images.test();
    int k = train.numClasses();
    int dim = offsets == null ? train.imageSize() : offsets.length;
    double[][] means = new double[k][dim];
    int[] counts = train.classCounts();
    for (int i = 0; i < train.size(); i++) {
      double[] m = means[train.label(i)];
      for (int j = 0; j < dim; j++) {
        m[j] += train.pixel(i, offsets == null ? j : offsets[j]) / (double) counts[train.label(i)];
      }
    }
    int right = 0;
    for (int i = 0; i < test.size(); i++) {
      int best = -1;
      double bestDistance = Double.POSITIVE_INFINITY;
      for (int c = 0; c < k; c++) {
        double d = 0;
        for (int j = 0; j < dim; j++) {
          double diff = test.pixel(i, offsets == null ? j : offsets[j]) - means[c][j];
          d += diff * diff;
        }
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
        }
      }
      if (best == test.label(i)) {
        right++;
      }
    }
    return right / (double) test.size();
  }
}
