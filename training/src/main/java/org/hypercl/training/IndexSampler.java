package org.hypercl.training;

import java.util.SplittableRandom;

/**
 * Training batch indices: a seeded shuffle of {@code [0, n)} per epoch, cut into batches, a new
 * shuffle when an epoch runs out. The same seed gives the same batches.
 */
final class IndexSampler {

  private final int[] order;
  private final SplittableRandom rng;
  private int position;

  IndexSampler(int n, long seed) {
    if (n <= 0) {
      throw new IllegalArgumentException("no examples to sample from");
    }
    this.order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    this.rng = new SplittableRandom(seed);
    shuffle();
  }

  private void shuffle() {
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    position = 0;
  }

  /** The next batch; a batch larger than n wraps into the next epoch. */
  int[] next(int batchSize) {
    int[] batch = new int[batchSize];
    for (int b = 0; b < batchSize; b++) {
      if (position == order.length) {
        shuffle();
      }
      batch[b] = order[position++];
    }
    return batch;
  }
}
