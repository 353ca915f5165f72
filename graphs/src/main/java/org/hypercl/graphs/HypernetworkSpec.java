package org.hypercl.graphs;

import java.util.Arrays;

/**
 * Architecture of a hypernetwork {@code h(e, Θ_h)} producing all {@code targetSize} weights of a
 * target network.
 *
 * @param embeddingDim task embedding size d_e
 * @param hidden hidden layer widths (may be empty: then the hypernetwork is one linear layer)
 * @param activation nonlinearity after each hidden layer (the output layer is linear)
 * @param chunkSize chunk size S for a chunked hypernetwork, or 0 for a full one
 * @param chunkEmbeddingDim chunk embedding size d_c (0 for a full hypernetwork)
 * @param targetSize number of target weights P
 */
public record HypernetworkSpec(
    int embeddingDim, int[] hidden, Activation activation, int chunkSize, int chunkEmbeddingDim, long targetSize) {

  public HypernetworkSpec {
    if (embeddingDim <= 0) {
      throw new IllegalArgumentException("task embedding size must be positive, got " + embeddingDim);
    }
    if (targetSize <= 0) {
      throw new IllegalArgumentException("target size must be positive, got " + targetSize);
    }
    if (chunkSize < 0 || chunkEmbeddingDim < 0) {
      throw new IllegalArgumentException("chunk size and chunk embedding size must not be negative");
    }
    if ((chunkSize == 0) != (chunkEmbeddingDim == 0)) {
      throw new IllegalArgumentException(
          "a chunked hypernetwork needs both a chunk size and a chunk embedding size (got chunk size "
              + chunkSize + ", chunk embedding size " + chunkEmbeddingDim + ")");
    }
    hidden = hidden.clone();
    for (int h : hidden) {
      if (h <= 0) {
        throw new IllegalArgumentException("hidden layer widths must be positive: " + Arrays.toString(hidden));
      }
    }
  }

  /** A full hypernetwork: one output per target weight. */
  public static HypernetworkSpec full(int embeddingDim, int[] hidden, Activation activation, long targetSize) {
    return new HypernetworkSpec(embeddingDim, hidden, activation, 0, 0, targetSize);
  }

  /** A chunked hypernetwork: chunk embeddings, chunks of {@code chunkSize} concatenated and cut. */
  public static HypernetworkSpec chunked(
      int embeddingDim, int chunkEmbeddingDim, int[] hidden, Activation activation, int chunkSize, long targetSize) {
    return new HypernetworkSpec(embeddingDim, hidden, activation, chunkSize, chunkEmbeddingDim, targetSize);
  }

  /** The same hypernetwork for a target network of {@code p} weights. */
  public HypernetworkSpec withTargetSize(long p) {
    return new HypernetworkSpec(embeddingDim, hidden, activation, chunkSize, chunkEmbeddingDim, p);
  }

  @Override
  public int[] hidden() {
    return hidden.clone();
  }

  public boolean isChunked() {
    return chunkSize > 0;
  }

  /** Width of one output row: S for a chunked hypernetwork, P for a full one. */
  public int rowSize() {
    return isChunked() ? chunkSize : Math.toIntExact(targetSize);
  }

  /** Output rows per task: n_c = ⌈P/S⌉, or 1 for a full hypernetwork. */
  public int numChunks() {
    return isChunked() ? Math.toIntExact((targetSize + chunkSize - 1) / chunkSize) : 1;
  }

  /** Width of the input to the first layer: d_e (+ d_c). */
  public int inputSize() {
    return embeddingDim + chunkEmbeddingDim;
  }

  /** Width of the rows fed to the (linear) output layer. */
  public int lastHiddenSize() {
    return hidden.length == 0 ? inputSize() : hidden[hidden.length - 1];
  }

  /** Trainable hypernetwork weights Θ_h, chunk embeddings included, task embeddings excluded. */
  public long parameterCount() {
    long count = 0;
    int in = inputSize();
    for (int h : hidden) {
      count += (long) in * h + h;
      in = h;
    }
    count += (long) in * rowSize() + rowSize();
    count += (long) numChunks() * chunkEmbeddingDim;
    return count;
  }

  /** Plain values for a JSON file (see {@link #fromMap}). */
  public java.util.Map<String, Object> toMap() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("type", isChunked() ? "chunked" : "full");
    m.put("embeddingDim", embeddingDim);
    m.put("hidden", hidden.clone());
    m.put("activation", activation.name().toLowerCase(java.util.Locale.ROOT));
    m.put("chunkSize", chunkSize);
    m.put("chunkEmbeddingDim", chunkEmbeddingDim);
    m.put("targetSize", targetSize);
    return m;
  }

  /** Reads what {@link #toMap} wrote. */
  public static HypernetworkSpec fromMap(java.util.Map<String, ?> m) {
    return new HypernetworkSpec(
        SpecValues.intValue(m, "embeddingDim"),
        SpecValues.intArray(m, "hidden"),
        Activation.parse(SpecValues.string(m, "activation")),
        SpecValues.intValue(m, "chunkSize"),
        SpecValues.intValue(m, "chunkEmbeddingDim"),
        SpecValues.longValue(m, "targetSize"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HypernetworkSpec s
        && s.embeddingDim == embeddingDim
        && Arrays.equals(s.hidden, hidden)
        && s.activation == activation
        && s.chunkSize == chunkSize
        && s.chunkEmbeddingDim == chunkEmbeddingDim
        && s.targetSize == targetSize;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hidden) * 31 + Long.hashCode(targetSize) + 17 * chunkSize + embeddingDim;
  }

  @Override
  public String toString() {
    return (isChunked() ? "chunked" : "full")
        + " hypernetwork: e" + embeddingDim
        + (isChunked() ? " + c" + chunkEmbeddingDim : "")
        + " -> " + Arrays.toString(hidden) + " " + activation.name().toLowerCase()
        + " -> " + (isChunked() ? numChunks() + " chunks of " + chunkSize : String.valueOf(targetSize));
  }
}
