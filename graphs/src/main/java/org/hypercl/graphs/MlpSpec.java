package org.hypercl.graphs;

import java.util.Arrays;

/**
 * A fully connected target network: {@code inputSize → hidden... → numHeads × outputSize}.
 *
 * <p>With several heads the output layer holds one block of {@code outputSize} units per task
 * (CL1, multi-head); the forward pass picks one head by index.
 *
 * @param inputSize number of input features
 * @param hidden hidden layer widths (may be empty)
 * @param outputSize outputs per head
 * @param numHeads number of output heads (1 for a single head)
 * @param activation nonlinearity after every hidden layer (the output is linear)
 */
public record MlpSpec(int inputSize, int[] hidden, int outputSize, int numHeads, Activation activation) {

  public MlpSpec {
    if (inputSize <= 0 || outputSize <= 0 || numHeads <= 0) {
      throw new IllegalArgumentException(
          "MLP sizes must be positive: input=" + inputSize + " output=" + outputSize + " heads=" + numHeads);
    }
    hidden = hidden.clone();
    for (int h : hidden) {
      if (h <= 0) {
        throw new IllegalArgumentException("hidden layer widths must be positive: " + Arrays.toString(hidden));
      }
    }
  }

  @Override
  public int[] hidden() {
    return hidden.clone();
  }

  /** Number of layers with weights (hidden layers plus the output layer). */
  public int numLayers() {
    return hidden.length + 1;
  }

  /** Width of the output layer across all heads. */
  public int totalOutputs() {
    return outputSize * numHeads;
  }

  /** The layout of the flat weight vector: {@code w0,b0,w1,b1,...}, weights stored [in, out]. */
  public WeightLayout layout() {
    WeightLayout.Builder b = WeightLayout.builder();
    int in = inputSize;
    for (int l = 0; l < numLayers(); l++) {
      int out = l < hidden.length ? hidden[l] : totalOutputs();
      b.add("w" + l, in, out);
      b.add("b" + l, out);
      in = out;
    }
    return b.build();
  }

  /** The exact number of target weights, P. */
  public long parameterCount() {
    return layout().totalSize();
  }

  /** Plain values for a JSON file (see {@link #fromMap}). */
  public java.util.Map<String, Object> toMap() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("inputSize", inputSize);
    m.put("hidden", hidden.clone());
    m.put("outputSize", outputSize);
    m.put("numHeads", numHeads);
    m.put("activation", activation.name().toLowerCase(java.util.Locale.ROOT));
    return m;
  }

  /** Reads what {@link #toMap} wrote (numbers may arrive as any {@link Number}). */
  public static MlpSpec fromMap(java.util.Map<String, ?> m) {
    return new MlpSpec(
        SpecValues.intValue(m, "inputSize"),
        SpecValues.intArray(m, "hidden"),
        SpecValues.intValue(m, "outputSize"),
        SpecValues.intValue(m, "numHeads"),
        Activation.parse(SpecValues.string(m, "activation")));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MlpSpec m
        && m.inputSize == inputSize
        && Arrays.equals(m.hidden, hidden)
        && m.outputSize == outputSize
        && m.numHeads == numHeads
        && m.activation == activation;
  }

  @Override
  public int hashCode() {
    return ((inputSize * 31 + Arrays.hashCode(hidden)) * 31 + outputSize) * 31 + numHeads;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder().append(inputSize);
    for (int h : hidden) {
      s.append('-').append(h);
    }
    s.append('-').append(outputSize);
    if (numHeads > 1) {
      s.append(" x").append(numHeads).append(" heads");
    }
    return s.append(" (").append(activation.name().toLowerCase()).append(')').toString();
  }
}
