package org.hypercl.data.tasks;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hypercl.data.DataSeeds;
import org.hypercl.data.fetch.KnownDataset;

/**
 * A task sequence described by value, as a command line gives it: which benchmark, on which
 * dataset, how many tasks, with which seed and options.
 *
 * <p>Names: {@code permuted-mnist-<N>}, {@code split-mnist}, {@code split-cifar-10-100} (6 tasks)
 * or {@code split-cifar-10-100-<T>} (T = 1 + number of CIFAR-100 tasks, at most 11), for Split
 * CIFAR with an optional {@code -unit} or {@code -imagenet} suffix choosing its {@link CifarPixels}. {@link
 * #withDataset} substitutes Fashion-MNIST (or another dataset of MNIST's shape) for MNIST.
 *
 * @param validationSize examples per task held out of training for validation; 0 for none
 * @param shuffleClasses split benchmarks: random class order from the seed
 * @param augment Split CIFAR: random crop and flip for training
 * @param pixels Split CIFAR: how pixels are encoded
 */
public record SequenceSpec(Kind kind, KnownDataset dataset, int numTasks, long seed, int validationSize,
    boolean shuffleClasses, boolean augment, CifarPixels pixels) {

  /** How Split CIFAR's pixels become inputs. */
  public enum CifarPixels {
    /** Standardised per channel with the mean and deviation of each dataset's training set (no suffix). */
    STANDARDIZED,
    /** {@code b / 255}, as the reference feeds the ZenkeNet ({@code -unit}). */
    UNIT,
    /**
     * {@code (b / 255 − mean) / std} with ImageNet's mean (0.485, 0.456, 0.406) and deviation
     * (0.229, 0.224, 0.225), as the reference feeds ResNet-32 ({@code -imagenet}).
     */
    IMAGENET;

    String suffix() {
      return this == STANDARDIZED ? "" : "-" + name().toLowerCase(Locale.ROOT);
    }
  }

  /** A sequence with the default (standardised) pixels. */
  public SequenceSpec(Kind kind, KnownDataset dataset, int numTasks, long seed, int validationSize,
      boolean shuffleClasses, boolean augment) {
    this(kind, dataset, numTasks, seed, validationSize, shuffleClasses, augment, CifarPixels.STANDARDIZED);
  }

  /** The benchmark families. */
  public enum Kind { PERMUTED, SPLIT, SPLIT_CIFAR }

  /** Tasks in Split CIFAR-10/100 as in the paper: CIFAR-10, then 5 × 10 CIFAR-100 classes. */
  public static final int SPLIT_CIFAR_TASKS_DEFAULT = 6;
  /** Tasks in SplitMNIST. */
  public static final int SPLIT_MNIST_TASKS = 5;
  /** Tasks of the class-incremental SplitMNIST ({@code split-mnist-classes}): one class each. */
  public static final int SPLIT_MNIST_CLASS_TASKS = 10;

  private static final Pattern PERMUTED = Pattern.compile("permuted-(mnist|fashion-mnist)-(\\d+)");
  private static final Pattern SPLIT = Pattern.compile("split-(mnist|fashion-mnist)(-classes)?");
  private static final Pattern SPLIT_CIFAR = Pattern.compile("split-cifar(?:-10-100)?(?:-(\\d+))?(?:-(unit|imagenet))?");

  public SequenceSpec {
    if (pixels == null) {
      pixels = CifarPixels.STANDARDIZED;
    }
    if (numTasks <= 0) {
      throw new IllegalArgumentException("number of tasks must be positive: " + numTasks);
    }
    if (validationSize < 0) {
      throw new IllegalArgumentException("validation size must be >= 0: " + validationSize);
    }
    if (kind != Kind.SPLIT_CIFAR && dataset != KnownDataset.MNIST && dataset != KnownDataset.FASHION_MNIST) {
      throw new IllegalArgumentException(kind + " needs MNIST or Fashion-MNIST, not " + dataset.id());
    }
    if (kind == Kind.SPLIT && numTasks != SPLIT_MNIST_TASKS && numTasks != SPLIT_MNIST_CLASS_TASKS) {
      throw new IllegalArgumentException("SplitMNIST has " + SPLIT_MNIST_TASKS + " tasks (two classes each) or "
          + SPLIT_MNIST_CLASS_TASKS + " (one class each, split-mnist-classes), not " + numTasks);
    }
    if (kind == Kind.SPLIT_CIFAR && (numTasks < 1 || numTasks > 11)) {
      throw new IllegalArgumentException("Split CIFAR-10/100 has 1 to 11 tasks, not " + numTasks);
    }
  }

  /** Parses a benchmark name with default options (seed {@link DataSeeds#DEFAULT}, no validation). */
  public static SequenceSpec parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    Matcher m = PERMUTED.matcher(n);
    if (m.matches()) {
      return new SequenceSpec(Kind.PERMUTED, KnownDataset.byId(m.group(1)), Integer.parseInt(m.group(2)),
          DataSeeds.DEFAULT, 0, false, false);
    }
    m = SPLIT.matcher(n);
    if (m.matches()) {
      return new SequenceSpec(Kind.SPLIT, KnownDataset.byId(m.group(1)), m.group(2) != null ? SPLIT_MNIST_CLASS_TASKS : SPLIT_MNIST_TASKS,
          DataSeeds.DEFAULT, 0, false, false);
    }
    m = SPLIT_CIFAR.matcher(n);
    if (m.matches()) {
      int tasks = m.group(1) == null ? SPLIT_CIFAR_TASKS_DEFAULT : Integer.parseInt(m.group(1));
      CifarPixels px = m.group(2) == null ? CifarPixels.STANDARDIZED : CifarPixels.valueOf(m.group(2).toUpperCase(Locale.ROOT));
      return new SequenceSpec(Kind.SPLIT_CIFAR, KnownDataset.CIFAR100, tasks, DataSeeds.DEFAULT, 0, false, true, px);
    }
    throw new IllegalArgumentException("unknown task sequence '" + name
        + "'; expected permuted-mnist-<N>, split-mnist or split-cifar-10-100[-<T>][-unit|-imagenet]");
  }

  /** The same benchmark on another dataset, e.g. {@code --dataset fashion-mnist}. */
  public SequenceSpec withDataset(KnownDataset newDataset) {
    if (kind == Kind.SPLIT_CIFAR) {
      throw new IllegalArgumentException("Split CIFAR-10/100 always uses CIFAR-10 and CIFAR-100");
    }
    return new SequenceSpec(kind, newDataset, numTasks, seed, validationSize, shuffleClasses, augment, pixels);
  }

  public SequenceSpec withSeed(long newSeed) {
    return new SequenceSpec(kind, dataset, numTasks, newSeed, validationSize, shuffleClasses, augment, pixels);
  }

  public SequenceSpec withValidationSize(int size) {
    return new SequenceSpec(kind, dataset, numTasks, seed, size, shuffleClasses, augment, pixels);
  }

  public SequenceSpec withShuffledClasses(boolean shuffle) {
    return new SequenceSpec(kind, dataset, numTasks, seed, validationSize, shuffle, augment, pixels);
  }

  public SequenceSpec withAugmentation(boolean on) {
    return new SequenceSpec(kind, dataset, numTasks, seed, validationSize, shuffleClasses, on, pixels);
  }

  /** The canonical name, e.g. {@code permuted-fashion-mnist-10}. */
  public String name() {
    return switch (kind) {
      case PERMUTED -> "permuted-" + dataset.id() + "-" + numTasks;
      case SPLIT -> "split-" + dataset.id() + (numTasks == SPLIT_MNIST_CLASS_TASKS ? "-classes" : "");
      case SPLIT_CIFAR -> "split-cifar-10-100-" + numTasks + pixels.suffix();
    };
  }
}
