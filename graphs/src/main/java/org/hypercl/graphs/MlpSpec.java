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
 * @param kernelOrder how each layer's weight matrix lies in the flat weight vector
 */
public record MlpSpec(int inputSize, int[] hidden, int outputSize, int numHeads, Activation activation, KernelOrder kernelOrder)
    implements TargetSpec {

  /**
   * How a layer's weight matrix is laid out in the flat weight vector. The order decides which
   * target weights share a chunk position of a chunked hypernetwork, so it changes what the
   * hypernetwork can express, not only how weights are stored.
   */
  public enum KernelOrder {
    /**
     * {@code [out, in]}: each unit's incoming weights are contiguous, as in PyTorch and the
     * authors' code, so a chunk covers whole units. The default.
     */
    OUT_IN,
    /**
     * {@code [in, out]}, Keras's kernel order: a chunk covers a band of inputs across all units.
     * Runs whose config.json predates this setting used it.
     */
    IN_OUT
  }

  /** A network in the default {@link KernelOrder#OUT_IN} order. */
  public MlpSpec(int inputSize, int[] hidden, int outputSize, int numHeads, Activation activation) {
    this(inputSize, hidden, outputSize, numHeads, activation, KernelOrder.OUT_IN);
  }

  public MlpSpec {
    java.util.Objects.requireNonNull(kernelOrder, "kernelOrder");
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

  /**
   * The layout of the flat weight vector: {@code w0,b0,w1,b1,...}, each {@code w_l} stored
   * {@code [out, in]} or {@code [in, out]} as {@link #kernelOrder()} says.
   */
  public WeightLayout layout() {
    WeightLayout.Builder b = WeightLayout.builder();
    int in = inputSize;
    for (int l = 0; l < numLayers(); l++) {
      int out = l < hidden.length ? hidden[l] : totalOutputs();
      if (kernelOrder == KernelOrder.OUT_IN) {
        b.add("w" + l, out, in);
      } else {
        b.add("w" + l, in, out);
      }
      b.add("b" + l, out);
      in = out;
    }
    return b.build();
  }

  /** The exact number of target weights, P. */
  @Override
  public long parameterCount() {
    return layout().totalSize();
  }

  @Override
  public MlpTargetNetwork network() {
    return new MlpTargetNetwork(this);
  }

  @Override
  public MlpSpec withHeads(int heads) {
    return new MlpSpec(inputSize, hidden, outputSize, heads, activation, kernelOrder);
  }

  /** Plain values for a JSON file (see {@link #fromMap}). */
  @Override
  public java.util.Map<String, Object> toMap() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("type", "mlp");
    m.put("inputSize", inputSize);
    m.put("hidden", hidden.clone());
    m.put("outputSize", outputSize);
    m.put("numHeads", numHeads);
    m.put("activation", activation.name().toLowerCase(java.util.Locale.ROOT));
    m.put("kernelOrder", kernelOrder.name().toLowerCase(java.util.Locale.ROOT));
    return m;
  }

  /**
   * Reads what {@link #toMap} wrote (numbers may arrive as any {@link Number}). A map without
   * {@code kernelOrder} comes from a run written before the setting existed: {@code in_out}.
   */
  public static MlpSpec fromMap(java.util.Map<String, ?> m) {
    KernelOrder order = KernelOrder.IN_OUT;
    if (m.containsKey("kernelOrder")) {
      String name = SpecValues.string(m, "kernelOrder");
      try {
        order = KernelOrder.valueOf(name.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("kernelOrder must be out_in or in_out, got '" + name + "'", e);
      }
    }
    return new MlpSpec(
        SpecValues.intValue(m, "inputSize"),
        SpecValues.intArray(m, "hidden"),
        SpecValues.intValue(m, "outputSize"),
        SpecValues.intValue(m, "numHeads"),
        Activation.parse(SpecValues.string(m, "activation")),
        order);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MlpSpec m
        && m.inputSize == inputSize
        && Arrays.equals(m.hidden, hidden)
        && m.outputSize == outputSize
        && m.numHeads == numHeads
        && m.activation == activation
        && m.kernelOrder == kernelOrder;
  }

  @Override
  public int hashCode() {
    return (((inputSize * 31 + Arrays.hashCode(hidden)) * 31 + outputSize) * 31 + numHeads) * 31 + kernelOrder.hashCode();
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
