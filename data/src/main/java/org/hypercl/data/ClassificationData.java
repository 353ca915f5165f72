package org.hypercl.data;

/**
 * A finite, immutable set of labelled inputs for classification: the training, validation or test
 * split of one task.
 *
 * <p>Inputs are float vectors of {@link #inputDim()} values, row-major in the order given by
 * {@link #inputShape()} (height, width, channels for images). They are computed on demand from a
 * compact store, so copying a batch is the only cost.
 *
 * <pre>{@code
 * float[] batch = new float[indices.length * data.inputDim()];
 * data.copyInputs(indices, batch);           // row r = example indices[r]
 * int y = data.label(indices[0]);
 * }</pre>
 */
public interface ClassificationData {

  /** Number of examples. */
  int size();

  /** Values per input. */
  int inputDim();

  /** Shape of one input, e.g. {@code {32, 32, 1}}; the product is {@link #inputDim()}. */
  int[] inputShape();

  /** Labels are in {@code [0, numClasses())}. */
  int numClasses();

  /** Label of example {@code i}. */
  int label(int i);

  /** All labels, in example order (a new array). */
  int[] labels();

  /**
   * Writes the inputs of the given examples into {@code dst}, row-major: example {@code
   * indices[r]} goes to {@code dst[r * inputDim() .. (r + 1) * inputDim())}.
   *
   * @throws IllegalArgumentException if {@code dst} is shorter than {@code indices.length *
   *     inputDim()}
   * @throws IndexOutOfBoundsException if an index is not in {@code [0, size())}
   */
  void copyInputs(int[] indices, float[] dst);

  /** The labels of the given examples, in the given order. */
  default int[] labels(int[] indices) {
    int[] out = new int[indices.length];
    for (int r = 0; r < indices.length; r++) {
      out[r] = label(indices[r]);
    }
    return out;
  }

  /**
   * All inputs as one row-major {@code [size(), inputDim()]} array, for learners that keep a
   * task's data in the graph. Mind the size: 60,000 × 1024 floats are 246 MB.
   */
  default float[] allInputs() {
    long n = (long) size() * inputDim();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException(size() + " x " + inputDim() + " inputs do not fit in one Java array");
    }
    int[] all = new int[size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    float[] dst = new float[(int) n];
    copyInputs(all, dst);
    return dst;
  }

  /** A view of the given examples, in the given order (shares storage). */
  ClassificationData subset(int[] indices);
}
