package org.hypercl.data.tasks;

import java.util.Arrays;
import java.util.Random;
import org.hypercl.data.ClassificationData;

/**
 * A training set split into what is trained on and a held-out validation set, drawn from a seed.
 * Both parts keep the original example order.
 */
public record HoldOut(ClassificationData train, ClassificationData validation) {

  /**
   * Holds out {@code validationSize} examples of {@code data}, chosen uniformly by {@code seed}.
   *
   * @throws IllegalArgumentException unless {@code 0 < validationSize < data.size()}
   */
  public static HoldOut of(ClassificationData data, int validationSize, long seed) {
    int n = data.size();
    if (validationSize <= 0 || validationSize >= n) {
      throw new IllegalArgumentException("validation size must be in [1, " + (n - 1) + "] for " + n
          + " training examples: " + validationSize);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Random rng = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int[] val = Arrays.copyOf(order, validationSize);
    int[] train = Arrays.copyOfRange(order, validationSize, n);
    Arrays.sort(val);
    Arrays.sort(train);
    return new HoldOut(data.subset(train), data.subset(val));
  }
}
