package org.hypercl.tools.data;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.hypercl.data.DataSeeds;
import org.hypercl.data.fetch.KnownDataset;
import org.hypercl.data.synth.SyntheticCifar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hypercl data synth}: write synthetic CIFAR-10 and CIFAR-100 in the binary formats, where
 * {@code --data-dir} finds them, for smoke runs and tests without the real data. The work is in
 * {@link SyntheticCifar}.
 */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
        "Write SYNTHETIC datasets in the CIFAR-10 / CIFAR-100 binary formats, for smoke runs and tests on machines"
            + " that cannot download the real ones. Not real CIFAR: each class is a random colour pattern (an oriented"
            + " grating, a gradient and a blob), each image a shifted, possibly mirrored, jittered and noisy copy of"
            + " it. A small convnet learns the classes; scores on it say nothing about CIFAR.",
        "The files go where the data locator looks, as 'hypercl data fetch' would put them: DIR/cifar10/"
            + "cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin and DIR/cifar100/cifar-100-binary/"
            + "{train,test}.bin, each dataset folder with a " + SyntheticCifar.MARKER_FILE + " saying how it was made."
            + " Point the commands that read data at it with --data-dir DIR (or $HYPERCL_DATA=DIR): 'hypercl data"
            + " list --verify --data-dir DIR' reads it back, and any command that reads CIFAR finds it there exactly as"
            + " it would find downloaded CIFAR.",
        "The same options and seed give the same bytes. CIFAR-100's coarse labels are fine / 5.",
        "Exit status: 0 written, 1 writing failed or the dataset folder exists, 2 bad usage."})
public final class SynthCommand implements Callable<Integer> {
  /** Exit status when a dataset cannot be written, e.g. because its folder exists. */
  public static final int EXIT_FAILED = 1;

  @Spec CommandSpec spec;
  @ParentCommand DataCommand parent;

  @Parameters(index = "0", paramLabel = "DATASET", description = "cifar10, cifar100, or cifar (both).")
  String name;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Data directory to write into (created if needed); the datasets go into DIR/cifar10 and"
          + " DIR/cifar100. Use a folder of its own, not one that holds real data.")
  Path out;

  @Option(names = "--train-per-class", paramLabel = "N",
      description = "Training images per class, 1 to " + SyntheticCifar.MAX_PER_CLASS + " (default: "
          + SyntheticCifar.CIFAR10_TRAIN_PER_CLASS_DEFAULT + " for cifar10, "
          + SyntheticCifar.CIFAR100_TRAIN_PER_CLASS_DEFAULT + " for cifar100).")
  Integer trainPerClass;

  @Option(names = "--test-per-class", paramLabel = "N",
      description = "Test images per class, 1 to " + SyntheticCifar.MAX_PER_CLASS + " (default: "
          + SyntheticCifar.CIFAR10_TEST_PER_CLASS_DEFAULT + " for cifar10, "
          + SyntheticCifar.CIFAR100_TEST_PER_CLASS_DEFAULT + " for cifar100).")
  Integer testPerClass;

  @Option(names = "--seed", paramLabel = "S",
      description = "Seed of the class patterns and images (default: ${DEFAULT-VALUE}).")
  long seed = DataSeeds.DEFAULT;

  @Option(names = "--noise", paramLabel = "X",
      description = "Standard deviation of the Gaussian noise added to each pixel value, as a fraction of 0..255,"
          + " 0 to " + SyntheticCifar.MAX_NOISE + " (default: ${DEFAULT-VALUE}).")
  double noise = SyntheticCifar.NOISE_DEFAULT;

  @Option(names = "--force",
      description = "Replace a dataset folder that exists. Only a synthetic one (with its " + SyntheticCifar.MARKER_FILE
          + ") is ever replaced; a folder of real data is refused.")
  boolean force;

  @Override
  public Integer call() {
    if (parent != null && parent.dataDir != null) {
      throw new ParameterException(spec.commandLine(), "synth writes only to --out DIR; --data-dir ("
          + parent.dataDir + ") is where the other commands read, and is not used here");
    }
    List<KnownDataset> datasets = parse(name);
    List<SyntheticCifar.Options> options = datasets.stream().map(this::options).toList();
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int failed = 0;
    for (int i = 0; i < datasets.size(); i++) {
      KnownDataset d = datasets.get(i);
      try {
        SyntheticCifar.Written w = SyntheticCifar.write(d, out, options.get(i), force);
        long bytes = 0;
        for (Path f : w.files()) {
          bytes += Files.size(f);
        }
        stdout.printf(Locale.ROOT, "%s: synthetic, %d train and %d test images (%d classes, seed %d, noise %s),"
            + " %.1f MB in %s%n", d.id(), w.trainImages(), w.testImages(), d.numClasses(), seed,
            Double.toString(noise), bytes / 1e6, w.dir());
        for (Path f : w.files()) {
          stdout.println("  " + w.dir().relativize(f));
        }
      } catch (FileAlreadyExistsException e) {
        failed++;
        err.println("error: " + e.getMessage()
            + (force ? "" : "; pass --force to replace it, or choose another --out"));
      } catch (IOException e) {
        failed++;
        err.println("error: " + d.id() + ": " + describe(e));
      }
      stdout.flush();
      err.flush();
    }
    if (failed < datasets.size()) {
      stdout.println("Use it with --data-dir " + out + ", e.g. hypercl data list --verify --data-dir " + out);
      stdout.flush();
    }
    return failed == 0 ? 0 : EXIT_FAILED;
  }

  /** The dataset's defaults with the options given, checked; a bad value is a usage error naming its option. */
  private SyntheticCifar.Options options(KnownDataset dataset) {
    SyntheticCifar.Options defaults = SyntheticCifar.Options.defaults(dataset);
    try {
      return new SyntheticCifar.Options(trainPerClass == null ? defaults.trainPerClass() : trainPerClass,
          testPerClass == null ? defaults.testPerClass() : testPerClass, seed, noise);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage().replace("trainPerClass", "--train-per-class")
          .replace("testPerClass", "--test-per-class").replace("noise", "--noise"));
    }
  }

  private List<KnownDataset> parse(String id) {
    if (id.equalsIgnoreCase("cifar")) {
      return List.of(KnownDataset.CIFAR10, KnownDataset.CIFAR100);
    }
    KnownDataset d;
    try {
      d = KnownDataset.byId(id);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage().replaceFirst("; known: .*", "")
          + "; synth writes cifar10, cifar100 or cifar (both)");
    }
    if (d != KnownDataset.CIFAR10 && d != KnownDataset.CIFAR100) {
      throw new ParameterException(spec.commandLine(), "synth writes only cifar10, cifar100 or cifar (both), not "
          + d.id() + "; for " + d.id() + " use 'hypercl data fetch " + d.id() + "'");
    }
    return List.of(d);
  }

  /** An I/O failure as one line: file-system errors whose message is only a path get their kind. */
  private static String describe(IOException e) {
    if (e instanceof AccessDeniedException a && a.getReason() == null) {
      return a.getFile() + ": permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() == null && f.getOtherFile() == null) {
      return f.getFile() + ": " + f.getClass().getSimpleName();
    }
    return e.getMessage();
  }
}
