package org.hypercl.data;

import java.util.Random;

/** A random, in-place transformation of a batch of encoded inputs, used for training only. */
public interface Augmentation {

  /**
   * Transforms the first {@code count} rows of {@code inputs} (row-major, {@code inputDim} values
   * each) in place, drawing randomness only from {@code rng}.
   */
  void apply(float[] inputs, int count, int inputDim, Random rng);
}
