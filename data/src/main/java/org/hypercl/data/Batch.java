package org.hypercl.data;

/**
 * A batch of examples: their indices in the source data, their inputs (row-major {@code [size,
 * inputDim]}) and labels. The arrays belong to the receiver.
 */
public record Batch(int[] indices, float[] inputs, int[] labels) {

  public Batch {
    if (indices.length != labels.length || (indices.length > 0 && inputs.length % indices.length != 0)) {
      throw new IllegalArgumentException("inconsistent batch: " + indices.length + " indices, " + inputs.length
          + " input values, " + labels.length + " labels");
    }
  }

  /** Number of examples. */
  public int size() {
    return indices.length;
  }
}
