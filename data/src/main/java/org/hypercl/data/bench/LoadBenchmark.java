package org.hypercl.data.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.hypercl.data.BatchIterator;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.Datasets;
import org.hypercl.data.fetch.KnownDataset;
import org.hypercl.data.tasks.PermutedTaskSequence;

/**
 * Times loading full Fashion-MNIST from its files (e.g. Debian's {@code
 * /usr/share/datasets/fashion-mnist/}) and building PermutedMNIST-N on it, and reports the peak
 * resident memory of the process ({@code VmHWM}).
 *
 * <pre>
 * java -cp data/target/classes org.hypercl.data.bench.LoadBenchmark [--data-dir DIR] [--tasks 100]
 * </pre>
 */
public final class LoadBenchmark {
  /** PermutedMNIST-100, the paper's larger permuted benchmark. */
  public static final int TASKS_DEFAULT = 100;
  private static final int BATCH = 128;
  private static final int BATCHES = 2000;

  private LoadBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path dataDir = null;
    int tasks = TASKS_DEFAULT;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data-dir" -> dataDir = Path.of(args[++i]);
        case "--tasks" -> tasks = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; usage: LoadBenchmark [--data-dir DIR] [--tasks N]");
      }
    }
    DataLocations locations = DataLocations.resolve(dataDir);
    Datasets.Found found = Datasets.find(KnownDataset.FASHION_MNIST, locations)
        .orElseThrow(() -> Datasets.notFound(KnownDataset.FASHION_MNIST, locations));
    System.out.println("Fashion-MNIST from " + found.dir());
    System.out.printf(Locale.ROOT, "VmHWM before loading: %s%n", peakRss());

    long t0 = System.nanoTime();
    TrainTestImages fashion = KnownDataset.FASHION_MNIST.read(found.files());
    long t1 = System.nanoTime();
    PermutedTaskSequence seq = PermutedTaskSequence.build(fashion, tasks, 42L, 0);
    long t2 = System.nanoTime();
    System.out.printf(Locale.ROOT, "load %d train + %d test images: %.0f ms%n", fashion.train().size(),
        fashion.test().size(), ms(t0, t1));
    System.out.printf(Locale.ROOT, "build %s (%d tasks, %d inputs): %.1f ms%n", seq.name(), seq.numTasks(),
        seq.inputDim(), ms(t1, t2));
    System.out.printf(Locale.ROOT, "VmHWM after load + build: %s%n", peakRss());

    BatchIterator it = BatchIterator.shuffled(seq.task(tasks - 1).train(), BATCH, 1L);
    long checksum = 0;
    long t3 = System.nanoTime();
    for (int b = 0; b < BATCHES; b++) {
      checksum += it.next().labels()[0];
    }
    long t4 = System.nanoTime();
    System.out.printf(Locale.ROOT, "%d shuffled permuted batches of %d: %.1f us per batch (checksum %d)%n",
        BATCHES, BATCH, ms(t3, t4) * 1000 / BATCHES, checksum);

    long t5 = System.nanoTime();
    float[] all = seq.baseTrain().allInputs();
    long t6 = System.nanoTime();
    System.out.printf(Locale.ROOT, "baseTrain().allInputs() [%d x %d floats, %.0f MB]: %.0f ms%n",
        seq.baseTrain().size(), seq.inputDim(), all.length * 4.0 / (1 << 20), ms(t5, t6));
    System.out.printf(Locale.ROOT, "VmHWM at end: %s%n", peakRss());
  }

  private static double ms(long from, long to) {
    return (to - from) / 1e6;
  }

  /** The process's peak resident set size from /proc/self/status, or "n/a" off Linux. */
  static String peakRss() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return "n/a";
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return line.substring(6).trim();
      }
    }
    return "n/a";
  }
}
