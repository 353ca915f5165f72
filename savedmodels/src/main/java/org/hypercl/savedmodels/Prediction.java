package org.hypercl.savedmodels;

/**
 * Outputs of a target network for n input rows, row-major.
 *
 * @param kind regression or classification
 * @param n input rows
 * @param outputSize values per row
 * @param values {@code y} (regression) or {@code logits} (classification), {@code [n · outputSize]}
 * @param probabilities softmax of the logits, {@code [n · outputSize]} (null for regression)
 * @param classes argmax per row, {@code [n]} (null for regression)
 */
public record Prediction(OutputKind kind, int n, int outputSize, float[] values, float[] probabilities, int[] classes) {

  /** Regression outputs. */
  public float[] y() {
    if (kind != OutputKind.REGRESSION) {
      throw new IllegalStateException("a classifier has logits, probabilities and classes, not y");
    }
    return values;
  }

  /** Classification logits. */
  public float[] logits() {
    if (kind != OutputKind.CLASSIFICATION) {
      throw new IllegalStateException("a regression model has y, not logits");
    }
    return values;
  }

  /** Row {@code i} of {@link #values()}. */
  public float[] row(int i) {
    return java.util.Arrays.copyOfRange(values, i * outputSize, (i + 1) * outputSize);
  }
}
