package org.hypercl.data.fetch;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.hypercl.data.ImageSet;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.io.CifarReader;
import org.hypercl.data.io.IdxReader;

/**
 * The datasets this project can fetch, find and read, with their canonical download addresses and
 * SHA-256 checksums.
 *
 * <p>Checksums are those published in TensorFlow Datasets' {@code url_checksums} files for the same
 * addresses (MNIST from the CVDF mirror, which serves the original files of LeCun et al.;
 * Fashion-MNIST from Zalando's S3 bucket; CIFAR from the University of Toronto). Each dataset lives
 * in its own folder, named by {@link #id()}, under a data directory.
 */
public enum KnownDataset {
  MNIST("mnist", "MNIST handwritten digits", 10, Layout.IDX, null, null, List.of(
      idx("train-images-idx3-ubyte.gz", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
      idx("train-labels-idx1-ubyte.gz", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
      idx("t10k-images-idx3-ubyte.gz", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
      idx("t10k-labels-idx1-ubyte.gz", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"))),
  FASHION_MNIST("fashion-mnist", "Fashion-MNIST (Zalando), MNIST's format", 10, Layout.IDX, null, null, List.of(
      fashion("train-images-idx3-ubyte.gz", 26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
      fashion("train-labels-idx1-ubyte.gz", 29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
      fashion("t10k-images-idx3-ubyte.gz", 4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
      fashion("t10k-labels-idx1-ubyte.gz", 5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"))),
  CIFAR10("cifar10", "CIFAR-10, binary version", 10, Layout.CIFAR10, "cifar-10-binary.tar.gz", "cifar-10-batches-bin",
      List.of(new RemoteFile("cifar-10-binary.tar.gz",
          List.of(URI.create("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")), 170052171L,
          "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"))),
  CIFAR100("cifar100", "CIFAR-100, binary version (fine labels)", 100, Layout.CIFAR100, "cifar-100-binary.tar.gz",
      "cifar-100-binary",
      List.of(new RemoteFile("cifar-100-binary.tar.gz",
          List.of(URI.create("https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz")), 168513733L,
          "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec")));

  private enum Layout { IDX, CIFAR10, CIFAR100 }

  private static final List<String> IDX_FILES = List.of(
      "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  private static final List<String> CIFAR10_TRAIN = List.of(
      "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
  private static final List<String> CIFAR10_TEST = List.of("test_batch.bin");

  private final String id;
  private final String description;
  private final int numClasses;
  private final Layout layout;
  private final String archive;
  private final String archiveFolder;
  private final List<RemoteFile> downloads;

  KnownDataset(String id, String description, int numClasses, Layout layout, String archive, String archiveFolder,
      List<RemoteFile> downloads) {
    this.id = id;
    this.description = description;
    this.numClasses = numClasses;
    this.layout = layout;
    this.archive = archive;
    this.archiveFolder = archiveFolder;
    this.downloads = downloads;
  }

  private static RemoteFile idx(String name, long size, String sha) {
    return new RemoteFile(name, List.of(
        URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/" + name),
        URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/" + name)), size, sha);
  }

  private static RemoteFile fashion(String name, long size, String sha) {
    return new RemoteFile(name, List.of(
        URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/" + name)), size, sha);
  }

  /** Short name used on the command line and as folder name, e.g. {@code "fashion-mnist"}. */
  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  public int numClasses() {
    return numClasses;
  }

  /** Files to download, with their checksums. */
  public List<RemoteFile> downloads() {
    return downloads;
  }

  /** The archive to unpack after download, if the dataset comes as one. */
  public Optional<String> archive() {
    return Optional.ofNullable(archive);
  }

  /** The folder the archive unpacks to (inside the dataset folder), if any. */
  public Optional<String> archiveFolder() {
    return Optional.ofNullable(archiveFolder);
  }

  /** The dataset for {@code id}, case-insensitive; {@code "cifar-10"} etc. are accepted too. */
  public static KnownDataset byId(String id) {
    String key = id.toLowerCase(Locale.ROOT).replace("_", "-");
    for (KnownDataset d : values()) {
      if (d.id.equals(key) || d.id.equals(key.replace("-", ""))) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown dataset '" + id + "'; known: " + ids());
  }

  /** All ids, comma-separated. */
  public static String ids() {
    return String.join(", ", Arrays.stream(values()).map(KnownDataset::id).toList());
  }

  /**
   * The files the readers need, relative to a folder that holds them, for the message that tells
   * a user what to put where.
   */
  public List<String> requiredFiles() {
    return switch (layout) {
      case IDX -> IDX_FILES.stream().map(n -> n + ".gz").toList();
      case CIFAR10 -> concat(CIFAR10_TRAIN, CIFAR10_TEST).stream().map(n -> archiveFolder + "/" + n).toList();
      case CIFAR100 -> List.of(archiveFolder + "/train.bin", archiveFolder + "/test.bin");
    };
  }

  /**
   * The readable files of this dataset in {@code dir}, in the order the readers take them, or
   * empty if one is missing. IDX files may be gzip or not; CIFAR files may sit in the archive's
   * folder or directly in {@code dir}.
   */
  public Optional<List<Path>> locate(Path dir) {
    List<Path> out = new ArrayList<>();
    for (List<String> names : fileNames()) {
      Optional<Path> p = firstExisting(names.stream().map(dir::resolve).toArray(Path[]::new));
      if (p.isEmpty()) {
        return Optional.empty();
      }
      out.add(p.get());
    }
    return Optional.of(out);
  }

  /**
   * The first file the readers need that {@code dir} lacks (has no regular file under any of its
   * accepted names), under the name {@link #requiredFiles} gives it; empty if {@link #locate}
   * finds every file.
   */
  public Optional<Path> firstMissing(Path dir) {
    for (List<String> names : fileNames()) {
      if (names.stream().noneMatch(n -> Files.isRegularFile(dir.resolve(n)))) {
        return Optional.of(dir.resolve(names.get(0)));
      }
    }
    return Optional.empty();
  }

  /**
   * A file of this dataset, under one of its accepted names, that exists in {@code dir} itself: a
   * sign that the dataset was put straight into a data directory instead of its own sub-folder.
   */
  public Optional<Path> anyFileIn(Path dir) {
    return fileNames().stream().flatMap(List::stream).map(dir::resolve).filter(Files::exists).findFirst();
  }

  /** For each file the readers take, in their order, the names it may have in a dataset folder. */
  private List<List<String>> fileNames() {
    return switch (layout) {
      case IDX -> IDX_FILES.stream().map(base -> List.of(base + ".gz", base)).toList();
      case CIFAR10, CIFAR100 -> {
        List<String> names = layout == Layout.CIFAR10 ? concat(CIFAR10_TRAIN, CIFAR10_TEST) : List.of("train.bin", "test.bin");
        yield names.stream().map(n -> List.of(archiveFolder + "/" + n, n)).toList();
      }
    };
  }

  /**
   * Reads the dataset from files found by {@link #locate}.
   *
   * @throws org.hypercl.data.DataFileException naming the file if one is missing or invalid
   */
  public TrainTestImages read(List<Path> files) throws IOException {
    return switch (layout) {
      case IDX -> new TrainTestImages(id,
          IdxReader.readImages(files.get(0), files.get(1), numClasses, id + "/train"),
          IdxReader.readImages(files.get(2), files.get(3), numClasses, id + "/test"));
      case CIFAR10 -> new TrainTestImages(id,
          CifarReader.readCifar10(files.subList(0, 5), id + "/train"),
          CifarReader.readCifar10(files.subList(5, 6), id + "/test"));
      case CIFAR100 -> {
        ImageSet train = CifarReader.readCifar100(List.of(files.get(0)), CifarReader.Cifar100Labels.FINE, id + "/train");
        ImageSet test = CifarReader.readCifar100(List.of(files.get(1)), CifarReader.Cifar100Labels.FINE, id + "/test");
        yield new TrainTestImages(id, train, test);
      }
    };
  }

  private static Optional<Path> firstExisting(Path... candidates) {
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
