package org.hypercl.graphs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The convolutional network of Zenke et al. (2017) for 32×32×3 images, as the paper's Split
 * CIFAR-10/100 experiment uses it: conv 3×3 3→32 (padding 1), conv 3×3 32→32 (no padding), max
 * pool 2, dropout; conv 3×3 32→64 (padding 1), conv 3×3 64→64 (no padding), max pool 2, dropout;
 * a fully connected layer of 512 on the 64·6·6 = 2,304 features, dropout; a linear output of
 * {@code numHeads × outputSize}. Every layer but the output is followed by ReLU. With 6 heads of
 * 10 it has 1,276,508 weights.
 *
 * @param numHeads output heads (one per task in CL1)
 * @param outputSize classes per head
 * @param convDropout rate of the feature-map dropout after each pooling (PyTorch's Dropout2d; 0.25)
 * @param fcDropout rate of the dropout after the hidden fully connected layer (0.5)
 */
public record ZenkeNetSpec(int numHeads, int outputSize, float convDropout, float fcDropout) implements TargetSpec {

  /** Image side. */
  public static final int SIDE = 32;
  /** Colour channels. */
  public static final int CHANNELS = 3;
  /** Features after the second pooling, flattened in channel, row, column order. */
  public static final int FLAT = 64 * 6 * 6;
  /** Width of the hidden fully connected layer. */
  public static final int FC = 512;

  /** The paper's dropout rates, 0.25 and 0.5. */
  public ZenkeNetSpec(int numHeads, int outputSize) {
    this(numHeads, outputSize, 0.25f, 0.5f);
  }

  public ZenkeNetSpec {
    if (numHeads <= 0 || outputSize <= 0) {
      throw new IllegalArgumentException("ZenkeNet needs positive heads and outputs, got heads=" + numHeads + " outputs=" + outputSize);
    }
    if (!(convDropout >= 0f && convDropout < 1f) || !(fcDropout >= 0f && fcDropout < 1f)) {
      throw new IllegalArgumentException("dropout rates must be in [0, 1), got convDropout=" + convDropout + " fcDropout=" + fcDropout);
    }
  }

  /**
   * {@code c0..c3} kernels {@code [out, in, 3, 3]} and biases, {@code f0 [512, 2304]}, {@code f1
   * [numHeads·outputSize, 512]} and biases: the authors' order of the weights.
   */
  public WeightLayout layout() {
    return WeightLayout.builder()
        .add("c0_w", 32, CHANNELS, 3, 3).add("c0_b", 32)
        .add("c1_w", 32, 32, 3, 3).add("c1_b", 32)
        .add("c2_w", 64, 32, 3, 3).add("c2_b", 64)
        .add("c3_w", 64, 64, 3, 3).add("c3_b", 64)
        .add("f0_w", FC, FLAT).add("f0_b", FC)
        .add("f1_w", (long) numHeads * outputSize, FC).add("f1_b", (long) numHeads * outputSize)
        .build();
  }

  @Override
  public long parameterCount() {
    return layout().totalSize();
  }

  @Override
  public ZenkeNet network() {
    return new ZenkeNet(this);
  }

  @Override
  public int inputSize() {
    return SIDE * SIDE * CHANNELS;
  }

  @Override
  public ZenkeNetSpec withHeads(int heads) {
    return new ZenkeNetSpec(heads, outputSize, convDropout, fcDropout);
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "zenkenet");
    m.put("numHeads", numHeads);
    m.put("outputSize", outputSize);
    m.put("convDropout", convDropout);
    m.put("fcDropout", fcDropout);
    return m;
  }

  /** Reads what {@link #toMap} wrote. */
  public static ZenkeNetSpec fromMap(Map<String, ?> m) {
    return new ZenkeNetSpec(SpecValues.intValue(m, "numHeads"), SpecValues.intValue(m, "outputSize"),
        SpecValues.floatValue(m, "convDropout"), SpecValues.floatValue(m, "fcDropout"));
  }

  @Override
  public String toString() {
    return "ZenkeNet 32x32x3 -> " + outputSize + (numHeads > 1 ? " x" + numHeads + " heads" : "");
  }
}
