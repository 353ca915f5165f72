package org.hypercl.data.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.hypercl.data.ClassificationTask;
import org.hypercl.data.DataSeeds;
import org.hypercl.data.ImageData;
import org.hypercl.data.ListTaskSequence;
import org.hypercl.data.PixelEncoding;
import org.hypercl.data.TrainTestImages;

/**
 * PermutedMNIST-N (Goodfellow et al. 2013; von Oswald et al. 2020, §4.2): every task is the same
 * 10-way classification of images zero-padded from 28×28 to 32×32 (1024 inputs, values in [0, 1]),
 * seen through a fixed pixel permutation of its own; the first task is unpermuted.
 *
 * <p>Task {@code t}'s input value {@code j} is base input value {@code permutation(t)[j]}. Only the
 * permutations are stored per task, not permuted copies, so N = 250 costs about 4 MB beyond the
 * images. Learners that keep data in the graph can take {@link #baseTrain()}'s {@code
 * allInputs()} once and gather with {@link #permutation(int)}.
 *
 * <pre>{@code
 * PermutedTaskSequence seq = PermutedTaskSequence.build(mnist, 10, DataSeeds.DEFAULT, 0);
 * float[] base = seq.baseTrain().allInputs();   // [60000, 1024], unpermuted
 * int[] perm = seq.permutation(3);               // task 3: x3[:, j] = base[:, perm[j]]
 * }</pre>
 */
public final class PermutedTaskSequence extends ListTaskSequence {
  /** Side of the padded images. */
  public static final int PADDED_SIDE = 32;

  private final ImageData baseTrain;
  private final ImageData baseValidation;
  private final ImageData baseTest;
  private final int[][] permutations;

  private PermutedTaskSequence(String name, List<ClassificationTask> tasks, ImageData baseTrain,
      ImageData baseValidation, ImageData baseTest, int[][] permutations) {
    super(name, tasks);
    this.baseTrain = baseTrain;
    this.baseValidation = baseValidation;
    this.baseTest = baseTest;
    this.permutations = permutations;
  }

  /**
   * Builds {@code numTasks} permuted tasks of {@code source} (MNIST or anything of its shape).
   *
   * @param seed permutations (and the validation split) are drawn from it; task {@code t}'s
   *     permutation depends only on the seed and {@code t}
   * @param validationSize examples held out of the training set for validation, the same ones for
   *     every task; 0 for none
   */
  public static PermutedTaskSequence build(TrainTestImages source, int numTasks, long seed, int validationSize) {
    if (numTasks <= 0) {
      throw new IllegalArgumentException("number of tasks must be positive: " + numTasks);
    }
    var train = source.train();
    PixelEncoding padded = PixelEncoding.unitRange(train.height(), train.width(), train.channels())
        .padTo(PADDED_SIDE, PADDED_SIDE);
    ImageData fullTrain = ImageData.of(train, padded);
    ImageData baseTest = ImageData.of(source.test(), padded);
    ImageData baseTrain = fullTrain;
    ImageData baseValidation = null;
    if (validationSize > 0) {
      HoldOut split = HoldOut.of(fullTrain, validationSize, DataSeeds.derive(seed, TaskSequences.VALIDATION_STREAM));
      baseTrain = (ImageData) split.train();
      baseValidation = (ImageData) split.validation();
    }
    int dim = padded.dim();
    int[][] perms = new int[numTasks][];
    List<ClassificationTask> tasks = new ArrayList<>(numTasks);
    for (int t = 0; t < numTasks; t++) {
      perms[t] = t == 0 ? identity(dim) : randomPermutation(dim, new Random(DataSeeds.derive(seed, t)));
      PixelEncoding enc = padded.permute(perms[t]);
      tasks.add(new ClassificationTask(t, "permutation " + t, baseTrain.withEncoding(enc),
          baseValidation == null ? null : baseValidation.withEncoding(enc), baseTest.withEncoding(enc), null));
    }
    String name = "permuted-" + source.name() + "-" + numTasks;
    return new PermutedTaskSequence(name, tasks, baseTrain, baseValidation, baseTest, perms);
  }

  /** Training examples padded to 32×32 and unpermuted (task 0's inputs). */
  public ImageData baseTrain() {
    return baseTrain;
  }

  /** Held-out validation examples, padded and unpermuted, if a validation split was requested. */
  public Optional<ImageData> baseValidation() {
    return Optional.ofNullable(baseValidation);
  }

  /** Test examples padded to 32×32 and unpermuted. */
  public ImageData baseTest() {
    return baseTest;
  }

  /**
   * Task {@code t}'s permutation (a copy): its input value {@code j} is base input value {@code
   * permutation(t)[j]}. Task 0's is the identity.
   */
  public int[] permutation(int t) {
    return permutations[t].clone();
  }

  private static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }

  private static int[] randomPermutation(int n, Random rng) {
    int[] p = identity(n);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }
}
