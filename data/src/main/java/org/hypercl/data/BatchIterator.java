package org.hypercl.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Random;

/**
 * Batches over a {@link ClassificationData}, in one of two modes:
 *
 * <ul>
 *   <li>{@link #shuffled shuffled}, for training: an endless stream of full batches; the examples
 *       are reshuffled at every epoch from a seeded generator, and a batch may straddle two epochs.
 *       Two iterators with the same data, batch size and seed give the same batches.
 *   <li>{@link #inOrder in order}, for evaluation: each example once, in order; the last batch may
 *       be smaller.
 * </ul>
 *
 * <p>Learners that keep a task's inputs in the graph can call {@link #nextIndices()} and feed the
 * indices only. Not thread-safe.
 *
 * <pre>{@code
 * BatchIterator it = BatchIterator.shuffled(task.train(), 128, 42L);
 * for (int step = 0; step < 5000; step++) {
 *   Batch b = it.next();
 *   ...
 * }
 * }</pre>
 */
public final class BatchIterator implements Iterator<Batch> {
  private final ClassificationData data;
  private final int batchSize;
  private final Random rng;
  private final Augmentation augmentation;
  private int[] order;
  private int position;

  private BatchIterator(ClassificationData data, int batchSize, Random rng, Augmentation augmentation) {
    this.data = Objects.requireNonNull(data, "data");
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive: " + batchSize);
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException("no examples to batch in " + data);
    }
    this.batchSize = batchSize;
    this.rng = rng;
    this.augmentation = augmentation;
    this.order = new int[data.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (rng != null) {
      shuffle(order, rng);
    }
  }

  /** Endless shuffled full batches, reshuffled each epoch; no augmentation. */
  public static BatchIterator shuffled(ClassificationData data, int batchSize, long seed) {
    return new BatchIterator(data, batchSize, new Random(seed), null);
  }

  /**
   * Endless shuffled full batches with {@code augmentation} applied to the inputs (the indices and
   * labels are unaffected). The augmentation draws from the same seeded generator.
   */
  public static BatchIterator shuffled(ClassificationData data, int batchSize, long seed, Augmentation augmentation) {
    return new BatchIterator(data, batchSize, new Random(seed), Objects.requireNonNull(augmentation, "augmentation"));
  }

  /** Each example once, in order, the last batch possibly smaller. */
  public static BatchIterator inOrder(ClassificationData data, int batchSize) {
    return new BatchIterator(data, batchSize, null, null);
  }

  /** Whether this is an endless, shuffling iterator. */
  public boolean isShuffled() {
    return rng != null;
  }

  @Override
  public boolean hasNext() {
    return rng != null || position < order.length;
  }

  /** The indices of the next batch, without building its inputs. */
  public int[] nextIndices() {
    if (!hasNext()) {
      throw new NoSuchElementException("all " + order.length + " examples have been returned");
    }
    if (rng == null) {
      int n = Math.min(batchSize, order.length - position);
      int[] out = new int[n];
      System.arraycopy(order, position, out, 0, n);
      position += n;
      return out;
    }
    int[] out = new int[batchSize];
    for (int r = 0; r < batchSize; r++) {
      if (position == order.length) {
        shuffle(order, rng);
        position = 0;
      }
      out[r] = order[position++];
    }
    return out;
  }

  @Override
  public Batch next() {
    int[] indices = nextIndices();
    float[] inputs = new float[indices.length * data.inputDim()];
    data.copyInputs(indices, inputs);
    if (augmentation != null) {
      augmentation.apply(inputs, indices.length, data.inputDim(), rng);
    }
    return new Batch(indices, inputs, data.labels(indices));
  }

  private static void shuffle(int[] a, Random rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
