package org.hypercl.training;

import java.util.SplittableRandom;

/**
 * Training batch indices as a pure function of the step: a seeded shuffle of {@code [0, n)} per
 * epoch, cut into consecutive batches (a batch may run into the next epoch). Because batch s is
 * computed from (seed, s) alone, a run resumed at step s draws exactly the batches an
 * uninterrupted run would.
 */
final class IndexSampler {

  private final int n;
  private final long seed;
  private long cachedEpoch = -1;
  private int[] cachedOrder;

  IndexSampler(int n, long seed) {
    if (n <= 0) {
      throw new IllegalArgumentException("no examples to sample from");
    }
    this.n = n;
    this.seed = seed;
  }

  private int[] epochOrder(long epoch) {
    if (epoch != cachedEpoch) {
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      SplittableRandom rng = new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (epoch + 1));
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
      cachedOrder = order;
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }

  /** The indices of batch number {@code step} (0-based). */
  int[] batch(long step, int batchSize) {
    int[] batch = new int[batchSize];
    long first = step * batchSize;
    for (int b = 0; b < batchSize; b++) {
      long q = first + b;
      batch[b] = epochOrder(q / n)[(int) (q % n)];
    }
    return batch;
  }
}
