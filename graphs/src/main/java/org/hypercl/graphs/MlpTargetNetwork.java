package org.hypercl.graphs;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;

/**
 * A functional MLP {@code f(x, θ)}, θ a flat weight operand cut by {@link MlpSpec#layout()}:
 * every hidden layer followed by the spec's activation, a linear output layer of
 * {@code numHeads × outputSize} units.
 *
 * <pre>{@code
 * TargetNetwork net = new MlpTargetNetwork(spec);
 * Operand<TFloat32> logits = net.forward(tf, x, weights, ForwardContext.head(task)).output();
 * }</pre>
 */
public final class MlpTargetNetwork implements TargetNetwork {

  private final MlpSpec spec;
  private final WeightLayout layout;

  public MlpTargetNetwork(MlpSpec spec) {
    this.spec = spec;
    this.layout = spec.layout();
  }

  public MlpSpec spec() {
    return spec;
  }

  @Override
  public WeightLayout layout() {
    return layout;
  }

  @Override
  public long[] inputShape() {
    return new long[] {spec.inputSize()};
  }

  @Override
  public int numHeads() {
    return spec.numHeads();
  }

  @Override
  public int headSize() {
    return spec.outputSize();
  }

  @Override
  public java.util.Optional<OutputLayer> outputLayer() {
    int last = spec.numLayers() - 1;
    return java.util.Optional.of(new OutputLayer("w" + last, spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN ? 0 : 1, "b" + last));
  }

  @Override
  public Forward forwardAllHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
    Map<String, Operand<TFloat32>> parts = layout.split(tf, weights);
    boolean outIn = spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN;
    Operand<TFloat32> h = x;
    for (int l = 0; l < spec.numLayers(); l++) {
      Operand<TFloat32> w = parts.get("w" + l);
      h = tf.nn.biasAdd(outIn ? tf.linalg.matMul(h, w, MatMul.transposeB(true)) : tf.linalg.matMul(h, w), parts.get("b" + l));
      if (l < spec.numLayers() - 1) {
        h = spec.activation().apply(tf, h);
      }
    }
    return Forward.of(tf.reshape(h, tf.constant(new int[] {-1, spec.numHeads(), spec.outputSize()})));
  }

  /**
   * The sum over a batch of every example's squared loss gradient, {@code Σ_n (∂ℓ_n/∂θ)²}, exactly
   * and in one pass. A dense layer's gradient for example n is the outer product of the gradient
   * δ_n of its pre-activations and its input a_n, so
   *
   * <pre>
   *   Σ_n (δ_n a_nᵀ)² = (δ ⊙ δ)ᵀ (a ⊙ a)       (kernel; Σ_n δ_n ⊙ δ_n for the bias)
   * </pre>
   *
   * one matmul per layer instead of a backward pass per example (or the weights tiled per
   * example). It holds because example n's loss depends on its own row alone (no batch statistics
   * or dropout in this network), so the gradient of the summed loss with respect to the
   * pre-activations is δ_n in row n.
   *
   * @param x inputs {@code [batch, in]}
   * @param weights flat weights {@code [P]}
   * @param loss the summed per-example losses of all heads' outputs {@code [batch, heads, size]}
   * @return {@code [P]}, in the layout's order
   */
  public Operand<TFloat32> squaredExampleGradientSum(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights,
      java.util.function.Function<Operand<TFloat32>, Operand<TFloat32>> loss) {
    Map<String, Operand<TFloat32>> parts = layout.split(tf, weights);
    boolean outIn = spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN;
    java.util.List<Operand<TFloat32>> inputs = new java.util.ArrayList<>();
    java.util.List<Operand<TFloat32>> pre = new java.util.ArrayList<>();
    Operand<TFloat32> h = x;
    for (int l = 0; l < spec.numLayers(); l++) {
      Operand<TFloat32> w = parts.get("w" + l);
      inputs.add(h);
      Operand<TFloat32> z = tf.nn.biasAdd(outIn ? tf.linalg.matMul(h, w, MatMul.transposeB(true)) : tf.linalg.matMul(h, w), parts.get("b" + l));
      pre.add(z);
      h = l < spec.numLayers() - 1 ? spec.activation().apply(tf, z) : z;
    }
    Operand<TFloat32> total = loss.apply(tf.reshape(h, tf.constant(new int[] {-1, spec.numHeads(), spec.outputSize()})));
    java.util.List<Operand<TFloat32>> deltas = Tensors.floatOperands(tf.gradients(total, pre));
    java.util.List<Operand<TFloat32>> flat = new java.util.ArrayList<>();
    for (int l = 0; l < spec.numLayers(); l++) {
      Operand<TFloat32> d2 = tf.math.square(deltas.get(l));
      Operand<TFloat32> a2 = tf.math.square(inputs.get(l));
      Operand<TFloat32> kernel = outIn
          ? tf.linalg.matMul(d2, a2, MatMul.transposeA(true))
          : tf.linalg.matMul(a2, d2, MatMul.transposeA(true));
      flat.add(tf.reshape(kernel, tf.constant(new int[] {-1})));
      flat.add(tf.sum(d2, tf.constant(0)));
    }
    return tf.concat(flat, tf.constant(0));
  }

  /** k weight vectors at once: each layer is one batched matmul over {@code [k, batch, in]}. */
  @Override
  public Operand<TFloat32> forwardCandidates(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
    boolean outIn = spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN;
    int[] sizes = layout.sizes();
    var parts = tf.splitV(weights, tf.constant(sizes), tf.constant(1), (long) sizes.length).output();
    Operand<TFloat32> h = x;
    int in = spec.inputSize();
    int[] hidden = spec.hidden();
    for (int l = 0; l < spec.numLayers(); l++) {
      int out = l < hidden.length ? hidden[l] : spec.totalOutputs();
      Operand<TFloat32> w = tf.reshape(parts.get(2 * l), tf.constant(outIn ? new int[] {-1, out, in} : new int[] {-1, in, out}));
      Operand<TFloat32> b = tf.reshape(parts.get(2 * l + 1), tf.constant(new int[] {-1, 1, out}));
      h = tf.math.add(tf.train.batchMatMul(h, w, TFloat32.class, BatchMatMul.adjY(outIn)), b);
      if (l < spec.numLayers() - 1) {
        h = spec.activation().apply(tf, h);
      }
      in = out;
    }
    Operand<org.tensorflow.types.TInt32> k = tf.slice(tf.shape(h), tf.constant(new int[] {0}), tf.constant(new int[] {2}));
    return tf.reshape(h, tf.concat(java.util.List.of(k, tf.constant(new int[] {spec.numHeads(), spec.outputSize()})), tf.constant(0)));
  }

  @Override
  public String toString() {
    return "MLP " + spec;
  }
}
