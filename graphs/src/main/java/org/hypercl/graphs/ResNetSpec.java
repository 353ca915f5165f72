package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CIFAR ResNet of depth {@code 6n + 2} (He et al., 2016) for 32×32×3 images: a 3×3 convolution
 * to 16 channels, three stages of {@code n} residual units with 16, 32 and 64 channels (the first
 * unit of stages 2 and 3 halves the resolution with stride 2), global average pooling and a linear
 * output of {@code numHeads × outputSize}. A unit is conv → batch norm → ReLU → conv → batch norm
 * → (+ shortcut) → ReLU; every convolution is 3×3 with padding 1 and a bias; shortcuts are
 * identities, or, where the resolution halves, the input subsampled 2× and zero-padded in the
 * channels ("option A"). {@code n = 5} is ResNet-32; with 6 heads of 10 it has 468,540 weights,
 * the batch-norm scales and shifts included (they are generated like every other weight). Each
 * batch-norm layer keeps running statistics per task ({@link NetworkState}).
 *
 * @param n residual units per stage (5: ResNet-32)
 * @param numHeads output heads (one per task in CL1)
 * @param outputSize classes per head
 */
public record ResNetSpec(int n, int numHeads, int outputSize) implements TargetSpec {

  /** Channels of the stem and of the three stages. */
  static final int[] FILTERS = {16, 16, 32, 64};

  /** ResNet-32. */
  public static ResNetSpec resnet32(int numHeads, int outputSize) {
    return new ResNetSpec(5, numHeads, outputSize);
  }

  public ResNetSpec {
    if (n <= 0 || numHeads <= 0 || outputSize <= 0) {
      throw new IllegalArgumentException("ResNet needs positive n, heads and outputs, got n=" + n + " heads=" + numHeads + " outputs=" + outputSize);
    }
  }

  /** Depth in weight layers, {@code 6n + 2}. */
  public int depth() {
    return 6 * n + 2;
  }

  /** Convolutions (and batch-norm layers): the stem and two per unit. */
  public int numConvs() {
    return 1 + 6 * n;
  }

  /** Output channels of convolution {@code i} (0 is the stem). */
  int channels(int i) {
    return i == 0 ? FILTERS[0] : FILTERS[1 + (i - 1) / (2 * n)];
  }

  /**
   * Batch-norm {@code bn<i>_gamma, bn<i>_beta} for every layer first, then {@code conv<i>_w
   * [out, in, 3, 3]} and {@code conv<i>_b}, then {@code fc_w [numHeads·outputSize, 64]} and
   * {@code fc_b}: the authors' order of the weights.
   */
  public WeightLayout layout() {
    WeightLayout.Builder b = WeightLayout.builder();
    for (int i = 0; i < numConvs(); i++) {
      b.add("bn" + i + "_gamma", channels(i)).add("bn" + i + "_beta", channels(i));
    }
    int in = ZenkeNetSpec.CHANNELS;
    for (int i = 0; i < numConvs(); i++) {
      b.add("conv" + i + "_w", channels(i), in, 3, 3).add("conv" + i + "_b", channels(i));
      in = channels(i);
    }
    return b.add("fc_w", (long) numHeads * outputSize, in).add("fc_b", (long) numHeads * outputSize).build();
  }

  /** The running mean and variance of every batch-norm layer. */
  public List<NetworkState.Table> stateTables() {
    List<NetworkState.Table> t = new ArrayList<>();
    for (int i = 0; i < numConvs(); i++) {
      t.addAll(ConvLayers.batchNormTables("bn" + i, channels(i)));
    }
    return t;
  }

  @Override
  public long parameterCount() {
    return layout().totalSize();
  }

  @Override
  public ResNet network() {
    return new ResNet(this);
  }

  @Override
  public int inputSize() {
    return ZenkeNetSpec.SIDE * ZenkeNetSpec.SIDE * ZenkeNetSpec.CHANNELS;
  }

  @Override
  public ResNetSpec withHeads(int heads) {
    return new ResNetSpec(n, heads, outputSize);
  }

  @Override
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "resnet");
    m.put("n", n);
    m.put("numHeads", numHeads);
    m.put("outputSize", outputSize);
    return m;
  }

  /** Reads what {@link #toMap} wrote. */
  public static ResNetSpec fromMap(Map<String, ?> m) {
    return new ResNetSpec(SpecValues.intValue(m, "n"), SpecValues.intValue(m, "numHeads"), SpecValues.intValue(m, "outputSize"));
  }

  @Override
  public String toString() {
    return "ResNet-" + depth() + " 32x32x3 -> " + outputSize + (numHeads > 1 ? " x" + numHeads + " heads" : "");
  }
}
