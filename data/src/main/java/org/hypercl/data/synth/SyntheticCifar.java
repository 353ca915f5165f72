package org.hypercl.data.synth;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.hypercl.data.io.FolderFiles;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.hypercl.data.DataSeeds;
import org.hypercl.data.fetch.KnownDataset;
import org.hypercl.data.io.CifarReader;

/**
 * Writes synthetic datasets in the CIFAR-10 and CIFAR-100 binary formats, for smoke runs and tests
 * on machines where the real ones cannot be downloaded. Nothing in them is real CIFAR data.
 *
 * <p>A dataset goes where {@link org.hypercl.data.fetch.DataLocations} looks for it: {@code
 * <root>/cifar10/cifar-10-batches-bin/data_batch_1.bin} … {@code data_batch_5.bin}, {@code
 * test_batch.bin} and {@code <root>/cifar100/cifar-100-binary/train.bin}, {@code test.bin}, so that
 * {@code --data-dir <root>} finds it exactly as it would find the downloaded files. A {@value
 * #MARKER_FILE} beside the archive folder records that the data is synthetic and how it was made.
 *
 * <p>Each class has a prototype image drawn from the seed: a base colour, a colour gradient in a
 * random direction, a coloured blob and an oriented colour grating of class-specific frequency.
 * An example is its class's prototype shifted by up to {@value #MAX_SHIFT} pixels in each
 * direction, mirrored left-right with probability one half, with its per-channel gain and its
 * brightness jittered, a blob of random colour at a random place, and independent Gaussian noise
 * added to every pixel value, rounded and clipped to 0..255. The classes are meant for a small
 * convolutional network: a nearest-class-mean classifier on raw pixels already does well above
 * chance, a single pixel does much worse. CIFAR-100 coarse labels are {@code fine /
 * 5}. The images of each split are in a random order, CIFAR-10's training images cut into the five
 * batch files in that order.
 *
 * <p>The bytes depend only on the dataset, the {@link Options} and the seed: every example is drawn
 * from its own seed stream with {@link Random} and {@link StrictMath}, whose results Java
 * specifies exactly, so the same options give the same files on any machine.
 *
 * <p>A dataset folder is written whole into a temporary sibling folder (files created as ordinary
 * files, so with the umask's permissions, and flushed to disk) that is then renamed into place: a
 * reader never sees part of a dataset. An existing dataset folder is replaced only when asked, and
 * then only if its {@value #MARKER_FILE} shows that it is synthetic too; the old folder is renamed
 * aside before the new one is renamed in, then deleted.
 *
 * <pre>{@code
 * SyntheticCifar.Written w = SyntheticCifar.write(KnownDataset.CIFAR10, root,
 *     SyntheticCifar.Options.defaults(KnownDataset.CIFAR10), false);
 * }</pre>
 */
public final class SyntheticCifar {
  /** Default training images per CIFAR-10 class: 1000 images, 3 MB. */
  public static final int CIFAR10_TRAIN_PER_CLASS_DEFAULT = 100;
  /** Default test images per CIFAR-10 class. */
  public static final int CIFAR10_TEST_PER_CLASS_DEFAULT = 20;
  /**
   * Default training images per CIFAR-100 class: 2000 images, 6 MB, 200 per ten-class task of
   * Split CIFAR-10/100 (real CIFAR too has ten times fewer images per class in CIFAR-100).
   */
  public static final int CIFAR100_TRAIN_PER_CLASS_DEFAULT = 20;
  /** Default test images per CIFAR-100 class. */
  public static final int CIFAR100_TEST_PER_CLASS_DEFAULT = 5;
  /** Default per-pixel noise standard deviation, as a fraction of the 0..255 range. */
  public static final double NOISE_DEFAULT = 0.1;
  /** Most images per class and split (real CIFAR-10 has 5000 training and 1000 test images per class). */
  public static final int MAX_PER_CLASS = 6000;
  /** Largest noise level accepted. */
  public static final double MAX_NOISE = 1.0;
  /** Largest shift of an example against its prototype, in pixels, in each direction. */
  public static final int MAX_SHIFT = 3;
  /** The file, in the dataset folder, that marks the data as synthetic. */
  public static final String MARKER_FILE = "SYNTHETIC.txt";

  private static final int SIDE = CifarReader.SIDE;
  private static final int PLANE = SIDE * SIDE;
  private static final int CANVAS = SIDE + 2 * MAX_SHIFT;
  /** Per-example jitter: brightness offset (pixel values), per-channel gain (fraction), clutter blob colour. */
  private static final double BRIGHTNESS_JITTER = 16;
  private static final double GAIN_JITTER = 0.2;
  private static final double CLUTTER_AMPLITUDE = 90;
  /** Seed streams: prototypes per class, then examples per (split, class). */
  private static final long PROTOTYPE_STREAM = 0;
  private static final long TRAIN_STREAM = 1_000;
  private static final long TEST_STREAM = 2_000;
  private static final long ORDER_STREAM = 3_000;
  /** Separates CIFAR-10's streams from CIFAR-100's, so the two datasets share no prototype. */
  private static final long CIFAR100_STREAMS = 10_000;

  private SyntheticCifar() {}

  /**
   * How much to generate.
   *
   * @param trainPerClass training images per class, in [1, {@value #MAX_PER_CLASS}]
   * @param testPerClass test images per class, in [1, {@value #MAX_PER_CLASS}]
   * @param seed seed of everything random
   * @param noise standard deviation of the noise added to each pixel value, as a fraction of
   *     the 0..255 range, in [0, {@value #MAX_NOISE}]
   */
  public record Options(int trainPerClass, int testPerClass, long seed, double noise) {
    public Options {
      checkCount("trainPerClass", trainPerClass);
      checkCount("testPerClass", testPerClass);
      if (!(noise >= 0 && noise <= MAX_NOISE)) {
        throw new IllegalArgumentException("noise must be in [0, " + MAX_NOISE + "]: " + noise);
      }
    }

    /**
     * The default image counts of {@code dataset} ({@value #CIFAR10_TRAIN_PER_CLASS_DEFAULT} training
     * and {@value #CIFAR10_TEST_PER_CLASS_DEFAULT} test images per class for CIFAR-10, {@value
     * #CIFAR100_TRAIN_PER_CLASS_DEFAULT} and {@value #CIFAR100_TEST_PER_CLASS_DEFAULT} for CIFAR-100),
     * seed {@link DataSeeds#DEFAULT}, noise {@value #NOISE_DEFAULT}.
     */
    public static Options defaults(KnownDataset dataset) {
      Format.of(dataset); // fails for a dataset that is not CIFAR
      return dataset == KnownDataset.CIFAR10
          ? new Options(CIFAR10_TRAIN_PER_CLASS_DEFAULT, CIFAR10_TEST_PER_CLASS_DEFAULT, DataSeeds.DEFAULT,
              NOISE_DEFAULT)
          : new Options(CIFAR100_TRAIN_PER_CLASS_DEFAULT, CIFAR100_TEST_PER_CLASS_DEFAULT, DataSeeds.DEFAULT,
              NOISE_DEFAULT);
    }

    public Options withCounts(int train, int test) {
      return new Options(train, test, seed, noise);
    }

    public Options withSeed(long s) {
      return new Options(trainPerClass, testPerClass, s, noise);
    }

    public Options withNoise(double x) {
      return new Options(trainPerClass, testPerClass, seed, x);
    }

    private static void checkCount(String field, int n) {
      if (n < 1 || n > MAX_PER_CLASS) {
        throw new IllegalArgumentException(field + " must be in [1, " + MAX_PER_CLASS + "]: " + n);
      }
    }
  }

  /**
   * What {@link #write} wrote.
   *
   * @param dir the dataset folder ({@code <root>/<id>})
   * @param files the data files in reader order, training files first
   * @param trainImages images in the training files
   * @param testImages images in the test files
   */
  public record Written(KnownDataset dataset, Path dir, List<Path> files, int trainImages, int testImages) {
    public Written {
      files = List.copyOf(files);
    }
  }

  /**
   * Writes a synthetic {@code dataset} (CIFAR-10 or CIFAR-100) to {@code root/<dataset id>},
   * creating {@code root} if needed.
   *
   * @param replace whether an existing synthetic dataset folder may be replaced
   * @throws FileAlreadyExistsException naming the dataset folder if it exists and {@code replace}
   *     is false, or if it exists but holds no {@value #MARKER_FILE} (then it is never replaced)
   * @throws IllegalArgumentException if {@code dataset} is not CIFAR
   */
  public static Written write(KnownDataset dataset, Path root, Options options, boolean replace) throws IOException {
    Format format = Format.of(dataset);
    Objects.requireNonNull(options, "options");
    Path dest = root.resolve(dataset.id());
    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      checkReplaceable(dest, replace);
    }
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new FileSystemException(root.toString(), null, "is not a folder, so it cannot hold datasets");
    }
    Files.createDirectories(root);
    Path tmp = FolderFiles.createTempDirectory(root, "." + dataset.id() + "-synth-");
    try {
      List<String> names = dataset.requiredFiles();
      Path folder = Files.createDirectory(tmp.resolve(dataset.archiveFolder().orElseThrow()));
      List<String> fileNames = names.stream().map(n -> n.substring(n.lastIndexOf('/') + 1)).toList();
      int n = format.numClasses * options.trainPerClass();
      int[] train = order(format, options, n, TRAIN_STREAM);
      for (int f = 0; f < format.trainFiles; f++) {
        writeRecords(folder.resolve(fileNames.get(f)), format, options, TRAIN_STREAM, train,
            (int) ((long) f * n / format.trainFiles), (int) ((long) (f + 1) * n / format.trainFiles));
      }
      int[] test = order(format, options, format.numClasses * options.testPerClass(), TEST_STREAM);
      writeRecords(folder.resolve(fileNames.get(format.trainFiles)), format, options, TEST_STREAM, test, 0,
          test.length);
      writeMarker(tmp.resolve(MARKER_FILE), dataset, format, options);
      if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
        checkReplaceable(dest, replace);
        Path old = moveAside(dest, root, "." + dataset.id() + "-replaced-");
        try {
          moveAtomically(tmp, dest);
        } catch (IOException e) {
          try {
            moveAtomically(old, dest);
          } catch (IOException restore) {
            e.addSuppressed(new IOException("the replaced dataset folder is left in " + old, restore));
          }
          throw e;
        }
        FolderFiles.deleteTree(old);
      } else {
        moveAtomically(tmp, dest);
      }
    } finally {
      if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
        FolderFiles.deleteTree(tmp);
      }
    }
    List<Path> files = dataset.requiredFiles().stream().map(dest::resolve).toList();
    return new Written(dataset, dest, files, format.numClasses * options.trainPerClass(),
        format.numClasses * options.testPerClass());
  }

  /**
   * The pixels of one example as the files hold them: three 32×32 planes, red, green, blue.
   *
   * @param train whether it is from the training split (else the test split)
   * @param label its class (the fine label for CIFAR-100)
   * @param index its number among the examples of its class and split
   */
  public static byte[] example(KnownDataset dataset, Options options, boolean train, int label, int index) {
    Format format = Format.of(dataset);
    if (label < 0 || label >= format.numClasses) {
      throw new IllegalArgumentException(dataset.id() + ": label must be in [0, " + format.numClasses + "): " + label);
    }
    byte[] out = new byte[CifarReader.IMAGE_BYTES];
    render(prototype(format, options.seed(), label), options, streamSeed(format, options.seed(),
        train ? TRAIN_STREAM : TEST_STREAM, label), index, out, 0);
    return out;
  }

  private static void checkReplaceable(Path dest, boolean replace) throws FileAlreadyExistsException {
    if (!replace) {
      throw new FileAlreadyExistsException(dest.toString(), null, "dataset folder already exists, not replaced");
    }
    if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(dest.toString(), null,
          "exists and is not a dataset folder (a file or link), not replaced; remove it yourself");
    }
    if (!Files.isRegularFile(dest.resolve(MARKER_FILE), LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(dest.toString(), null, "dataset folder has no " + MARKER_FILE
          + ", so it may hold real downloaded data, and is never replaced by synthetic data; remove it yourself");
    }
  }

  /** The label layout of a CIFAR dataset. */
  private record Format(String name, int numClasses, int labelBytes, int trainFiles, long streams) {
    static Format of(KnownDataset dataset) {
      return switch (dataset) {
        case CIFAR10 -> new Format("CIFAR-10", 10, 1, 5, 0);
        case CIFAR100 -> new Format("CIFAR-100", 100, 2, 1, CIFAR100_STREAMS);
        default -> throw new IllegalArgumentException("synthetic data is made only for cifar10 and cifar100, not "
            + dataset.id());
      };
    }
  }

  /** Seed of stream {@code stream} + {@code label} of the dataset's streams. */
  private static long streamSeed(Format format, long seed, long stream, int label) {
    return DataSeeds.derive(seed, format.streams + stream + label);
  }

  /** The examples of a split in file order, as {@code label * perClass + index}: a seeded shuffle. */
  private static int[] order(Format format, Options options, int n, long stream) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random rng = new Random(streamSeed(format, options.seed(), ORDER_STREAM + stream, 0));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Writes the examples {@code order[from..to)} of a split as CIFAR records to {@code file}. */
  private static void writeRecords(Path file, Format format, Options options, long stream, int[] order, int from,
      int to) throws IOException {
    int perClass = stream == TRAIN_STREAM ? options.trainPerClass() : options.testPerClass();
    float[][] prototypes = new float[format.numClasses][];
    int record = format.labelBytes + CifarReader.IMAGE_BYTES;
    byte[] buf = new byte[record];
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW),
        1 << 16)) {
      for (int i = from; i < to; i++) {
        int label = order[i] / perClass;
        int index = order[i] % perClass;
        if (prototypes[label] == null) {
          prototypes[label] = prototype(format, options.seed(), label);
        }
        if (format.labelBytes == 2) {
          buf[0] = (byte) (label / 5);
          buf[1] = (byte) label;
        } else {
          buf[0] = (byte) label;
        }
        render(prototypes[label], options, streamSeed(format, options.seed(), stream, label), index, buf,
            format.labelBytes);
        out.write(buf);
      }
    }
    FolderFiles.fsync(file);
  }

  /**
   * The prototype of class {@code label}: a {@value #CANVAS}-pixel square canvas, three planes
   * (red, green, blue), values around the 0..255 range (not yet clipped).
   */
  private static float[] prototype(Format format, long seed, int label) {
    Random rng = new Random(streamSeed(format, seed, PROTOTYPE_STREAM, label));
    double[] base = new double[3];
    double[] gradient = new double[3];
    double[] blob = new double[3];
    double[] grating = new double[3];
    for (int ch = 0; ch < 3; ch++) {
      // Classes differ little in colour (their base colours lie in a 50-wide band around mid-grey),
      // so that colour alone, let alone one pixel's, does not tell them apart.
      base[ch] = 103 + 50 * rng.nextDouble();
      gradient[ch] = 50 * rng.nextDouble() - 25;
      blob[ch] = 80 * rng.nextDouble() - 40;
      grating[ch] = (rng.nextBoolean() ? 1 : -1) * (30 + 30 * rng.nextDouble());
    }
    double gradientAngle = 2 * Math.PI * rng.nextDouble();
    double blobX = 8 + 16 * rng.nextDouble();
    double blobY = 8 + 16 * rng.nextDouble();
    double blobRadius = 4 + 5 * rng.nextDouble();
    // 2 to 5 cycles per image side: coarse enough that a few pixels of shift do not wash the
    // grating out of the class mean entirely.
    double frequency = 2 + 3 * rng.nextDouble();
    double gratingAngle = Math.PI * rng.nextDouble();
    double phase = 2 * Math.PI * rng.nextDouble();
    double gx = StrictMath.cos(gradientAngle) / (SIDE / 2.0);
    double gy = StrictMath.sin(gradientAngle) / (SIDE / 2.0);
    double kx = 2 * Math.PI * frequency * StrictMath.cos(gratingAngle) / SIDE;
    double ky = 2 * Math.PI * frequency * StrictMath.sin(gratingAngle) / SIDE;
    float[] canvas = new float[3 * CANVAS * CANVAS];
    for (int y = 0; y < CANVAS; y++) {
      for (int x = 0; x < CANVAS; x++) {
        // Image coordinates of the unshifted example: the canvas has MAX_SHIFT pixels of margin.
        double u = x - MAX_SHIFT + 0.5;
        double v = y - MAX_SHIFT + 0.5;
        double ramp = (u - SIDE / 2.0) * gx + (v - SIDE / 2.0) * gy;
        double dx = (u - blobX) / blobRadius;
        double dy = (v - blobY) / blobRadius;
        double bump = StrictMath.exp(-(dx * dx + dy * dy) / 2);
        double wave = StrictMath.sin(kx * u + ky * v + phase);
        for (int ch = 0; ch < 3; ch++) {
          canvas[ch * CANVAS * CANVAS + y * CANVAS + x] =
              (float) (base[ch] + gradient[ch] * ramp + blob[ch] * bump + grating[ch] * wave);
        }
      }
    }
    return canvas;
  }

  /**
   * Example {@code index} of the class whose prototype and seed stream are given, as three planes
   * written to {@code out} at {@code offset}.
   */
  private static void render(float[] prototype, Options options, long classSeed, int index, byte[] out, int offset) {
    Random rng = new Random(DataSeeds.derive(classSeed, index));
    int shiftX = rng.nextInt(2 * MAX_SHIFT + 1);
    int shiftY = rng.nextInt(2 * MAX_SHIFT + 1);
    boolean flip = rng.nextBoolean();
    double brightness = 2 * BRIGHTNESS_JITTER * rng.nextDouble() - BRIGHTNESS_JITTER;
    double[] gain = new double[3];
    double[] clutter = new double[3];
    for (int ch = 0; ch < 3; ch++) {
      gain[ch] = 1 - GAIN_JITTER + 2 * GAIN_JITTER * rng.nextDouble();
      clutter[ch] = 2 * CLUTTER_AMPLITUDE * rng.nextDouble() - CLUTTER_AMPLITUDE;
    }
    // A blob of random colour at a random place, the same for no two examples: clutter that a
    // class mean averages away but that hides the prototype where it lies.
    double clutterX = SIDE * rng.nextDouble();
    double clutterY = SIDE * rng.nextDouble();
    double clutterRadius = 3 + 4 * rng.nextDouble();
    double sigma = options.noise() * 255;
    for (int ch = 0; ch < 3; ch++) {
      int plane = ch * CANVAS * CANVAS;
      for (int y = 0; y < SIDE; y++) {
        int row = plane + (y + shiftY) * CANVAS + shiftX;
        double dy = (y + 0.5 - clutterY) / clutterRadius;
        for (int x = 0; x < SIDE; x++) {
          double value = prototype[row + (flip ? SIDE - 1 - x : x)];
          value = 128 + (value - 128) * gain[ch] + brightness;
          double dx = (x + 0.5 - clutterX) / clutterRadius;
          double r2 = dx * dx + dy * dy;
          if (r2 < 9) {
            value += clutter[ch] * StrictMath.exp(-r2 / 2);
          }
          if (sigma > 0) {
            value += sigma * rng.nextGaussian();
          }
          out[offset + ch * PLANE + y * SIDE + x] = (byte) Math.max(0, Math.min(255, Math.round(value)));
        }
      }
    }
  }

  private static void writeMarker(Path file, KnownDataset dataset, Format format, Options options) throws IOException {
    String text = String.format(Locale.ROOT, "Synthetic data in the %s binary format, written by `hypercl data synth`."
        + "%nNot real CIFAR: for smoke runs and tests only. Each class is a random colour pattern; its examples"
        + "%nare shifted, mirrored, jittered and noisy copies of it (org.hypercl.data.synth.SyntheticCifar).%n%n"
        + "dataset=%s%ntrainPerClass=%d%ntestPerClass=%d%nseed=%d%nnoise=%s%n",
        format.name(), dataset.id(), options.trainPerClass(), options.testPerClass(), options.seed(),
        Double.toString(options.noise()));
    Files.write(file, text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW);
    FolderFiles.fsync(file);
  }


  /** Renames {@code path} to {@code dir/<prefix><random>} and returns that name. */
  private static Path moveAside(Path path, Path dir, String prefix) throws IOException {
    Path aside = dir.resolve(prefix + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()));
    moveAtomically(path, aside);
    return aside;
  }

  /**
   * Renames {@code from} to {@code to} in one step. A folder is never renamed onto a folder that
   * appeared there meanwhile with files in it: the rename fails.
   */
  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(from + " cannot be renamed atomically to " + to + ": " + e.getMessage(), e);
    }
  }


}
