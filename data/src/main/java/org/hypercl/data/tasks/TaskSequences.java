package org.hypercl.data.tasks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.hypercl.data.ClassificationTask;
import org.hypercl.data.CropFlipAugmentation;
import org.hypercl.data.DataSeeds;
import org.hypercl.data.ImageData;
import org.hypercl.data.ImageSet;
import org.hypercl.data.ListTaskSequence;
import org.hypercl.data.PixelEncoding;
import org.hypercl.data.TaskSequence;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.Datasets;
import org.hypercl.data.fetch.KnownDataset;

/**
 * Builds the paper's task sequences (von Oswald et al., "Continual learning with hypernetworks",
 * ICLR 2020) from loaded images, or from a {@link SequenceSpec} and the data folders.
 *
 * <pre>{@code
 * TaskSequence seq = TaskSequences.load(SequenceSpec.parse("split-mnist"), DataLocations.resolve(null));
 * }</pre>
 */
public final class TaskSequences {
  /** Seed stream for validation splits (task streams use the task index, which stays below it). */
  static final long VALIDATION_STREAM = 1_000_000L;
  /** Seed stream for the class order of split benchmarks. */
  static final long CLASS_ORDER_STREAM = 2_000_000L;
  /** Classes per CIFAR-100 task in Split CIFAR-10/100. */
  public static final int CIFAR100_CLASSES_PER_TASK = 10;

  private TaskSequences() {}

  /** See {@link PermutedTaskSequence#build}. */
  public static PermutedTaskSequence permuted(TrainTestImages source, int numTasks, long seed, int validationSize) {
    return PermutedTaskSequence.build(source, numTasks, seed, validationSize);
  }

  /**
   * SplitMNIST: five tasks of two digits, (0, 1), (2, 3), … (8, 9), each relabelled 0/1 (the lower
   * digit of the pair is 0), 784 inputs in [0, 1].
   *
   * @param shuffleClasses if true, the ten classes are put in a random order drawn from {@code
   *     seed} before pairing
   */
  public static TaskSequence splitMnist(TrainTestImages source, boolean shuffleClasses, long seed, int validationSize) {
    int[] order = classOrder(source.train().numClasses(), shuffleClasses, seed);
    int[][] groups = new int[order.length / 2][];
    for (int t = 0; t < groups.length; t++) {
      groups[t] = new int[] {order[2 * t], order[2 * t + 1]};
    }
    return split("split-" + source.name(), source, groups, seed, validationSize);
  }

  /**
   * Class-incremental SplitMNIST (the paper's Fig. A8): ten tasks of one class each, 0, 1, … 9 (or
   * a random order from {@code seed}), each with a single label; 784 inputs in [0, 1].
   */
  public static TaskSequence splitClasses(TrainTestImages source, boolean shuffleClasses, long seed, int validationSize) {
    int[] order = classOrder(source.train().numClasses(), shuffleClasses, seed);
    int[][] groups = new int[order.length][];
    for (int t = 0; t < groups.length; t++) {
      groups[t] = new int[] {order[t]};
    }
    return split("split-" + source.name() + "-classes", source, groups, seed, validationSize);
  }

  /**
   * One task per group of classes, labels renumbered by position in the group; inputs in [0, 1],
   * unpadded.
   */
  public static TaskSequence split(String name, TrainTestImages source, int[][] groups, long seed, int validationSize) {
    ImageSet train = source.train();
    PixelEncoding enc = PixelEncoding.unitRange(train.height(), train.width(), train.channels());
    List<ClassificationTask> tasks = new ArrayList<>();
    for (int t = 0; t < groups.length; t++) {
      tasks.add(task(t, source, groups[t], enc, null, seed, validationSize));
    }
    return new ListTaskSequence(name, tasks);
  }

  /**
   * Split CIFAR-10/100: CIFAR-10 (all ten classes) as task 0, then {@code numCifar100Tasks} tasks
   * of ten consecutive CIFAR-100 classes (0-9, 10-19, …). Inputs are 32×32×3 (HWC) standardised per
   * channel with the mean and standard deviation of the respective training set.
   *
   * @param augment whether tasks carry the random crop (pad 4) and horizontal flip for training
   */
  public static TaskSequence splitCifar(TrainTestImages cifar10, TrainTestImages cifar100, int numCifar100Tasks,
      boolean augment, long seed, int validationSize) {
    return splitCifar(cifar10, cifar100, numCifar100Tasks, augment, seed, validationSize, SequenceSpec.CifarPixels.STANDARDIZED);
  }

  /** As above, the pixels encoded as {@code pixels} says. */
  public static TaskSequence splitCifar(TrainTestImages cifar10, TrainTestImages cifar100, int numCifar100Tasks,
      boolean augment, long seed, int validationSize, SequenceSpec.CifarPixels pixels) {
    int max = cifar100.train().numClasses() / CIFAR100_CLASSES_PER_TASK;
    if (numCifar100Tasks < 0 || numCifar100Tasks > max) {
      throw new IllegalArgumentException("number of CIFAR-100 tasks must be in [0, " + max + "]: " + numCifar100Tasks);
    }
    List<ClassificationTask> tasks = new ArrayList<>();
    int[] all10 = classOrder(cifar10.train().numClasses(), false, seed);
    PixelEncoding enc10 = encoding(cifar10.train(), pixels);
    tasks.add(task(0, cifar10, all10, enc10, augment ? cropFlip(enc10, cifar10.train()) : null, seed, validationSize));
    PixelEncoding enc100 = encoding(cifar100.train(), pixels);
    for (int k = 0; k < numCifar100Tasks; k++) {
      int[] classes = new int[CIFAR100_CLASSES_PER_TASK];
      for (int c = 0; c < classes.length; c++) {
        classes[c] = k * CIFAR100_CLASSES_PER_TASK + c;
      }
      tasks.add(task(k + 1, cifar100, classes, enc100, augment ? cropFlip(enc100, cifar100.train()) : null, seed,
          validationSize));
    }
    return new ListTaskSequence("split-cifar-10-100-" + (numCifar100Tasks + 1), tasks);
  }

  /** Builds the sequence {@code spec} describes, loading its datasets from {@code locations}. */
  public static TaskSequence load(SequenceSpec spec, DataLocations locations) throws IOException {
    return switch (spec.kind()) {
      case PERMUTED -> permuted(Datasets.load(spec.dataset(), locations), spec.numTasks(), spec.seed(),
          spec.validationSize());
      case SPLIT -> spec.numTasks() == SequenceSpec.SPLIT_MNIST_CLASS_TASKS
          ? splitClasses(Datasets.load(spec.dataset(), locations), spec.shuffleClasses(), spec.seed(), spec.validationSize())
          : splitMnist(Datasets.load(spec.dataset(), locations), spec.shuffleClasses(), spec.seed(), spec.validationSize());
      case SPLIT_CIFAR -> splitCifar(Datasets.load(KnownDataset.CIFAR10, locations),
          Datasets.load(KnownDataset.CIFAR100, locations), spec.numTasks() - 1, spec.augment(), spec.seed(),
          spec.validationSize(), spec.pixels());
    };
  }

  private static ClassificationTask task(int index, TrainTestImages source, int[] classes, PixelEncoding enc,
      CropFlipAugmentation augmentation, long seed, int validationSize) {
    ImageData train = ImageData.ofClasses(source.train(), classes, enc);
    ImageData test = ImageData.ofClasses(source.test(), classes, enc);
    ImageData validation = null;
    if (validationSize > 0) {
      HoldOut split = HoldOut.of(train, validationSize, DataSeeds.derive(seed, VALIDATION_STREAM + index));
      train = (ImageData) split.train();
      validation = (ImageData) split.validation();
    }
    String name = source.name() + " classes " + Arrays.toString(classes);
    return new ClassificationTask(index, name, train, validation, test, augmentation);
  }

  static int[] classOrder(int numClasses, boolean shuffle, long seed) {
    int[] order = new int[numClasses];
    for (int i = 0; i < numClasses; i++) {
      order[i] = i;
    }
    if (shuffle) {
      Random rng = new Random(DataSeeds.derive(seed, CLASS_ORDER_STREAM));
      for (int i = numClasses - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** ImageNet's per-channel mean and deviation of [0, 1] pixels, as torchvision's models use them. */
  private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
  private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};

  private static PixelEncoding encoding(ImageSet train, SequenceSpec.CifarPixels pixels) {
    return switch (pixels) {
      case STANDARDIZED -> standardized(train);
      case UNIT -> PixelEncoding.unitRange(train.height(), train.width(), train.channels());
      case IMAGENET -> PixelEncoding.standardized(train.height(), train.width(), train.channels(), IMAGENET_MEAN, IMAGENET_STD);
    };
  }

  private static PixelEncoding standardized(ImageSet train) {
    return PixelEncoding.standardized(train.height(), train.width(), train.channels(), train.channelMeans(),
        train.channelStds());
  }

  /** Pads with a black pixel as {@code enc} encodes it (each channel's offset), whatever the encoding. */
  private static CropFlipAugmentation cropFlip(PixelEncoding enc, ImageSet images) {
    return new CropFlipAugmentation(images.height(), images.width(), images.channels(),
        CropFlipAugmentation.PADDING_DEFAULT, true, enc.channelOffsets());
  }
}
