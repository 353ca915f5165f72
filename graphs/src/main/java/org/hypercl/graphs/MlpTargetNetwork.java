package org.hypercl.graphs;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
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
    int last = spec.numLayers() - 1;
    Operand<TFloat32> h = dense(tf, hidden(tf, x, parts), parts.get("w" + last), parts.get("b" + last));
    return Forward.of(tf.reshape(h, tf.constant(new int[] {-1, spec.numHeads(), spec.outputSize()})));
  }

  /**
   * With one head for the batch, only that head's block of the output layer is multiplied: {@code
   * [batch, in] × [in, C]} instead of {@code [in, numHeads · C]}.
   */
  @Override
  public Forward forwardHead(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
    if (spec.numHeads() == 1 || context.head() == null || context.perExampleHead()) {
      return forward(tf, x, weights, context);
    }
    Map<String, Operand<TFloat32>> parts = layout.split(tf, weights);
    int last = spec.numLayers() - 1;
    Operand<TFloat32> w = headBlock(tf, parts.get("w" + last), context.head(), false, true);
    Operand<TFloat32> b = headBlock(tf, parts.get("b" + last), context.head(), false, false);
    return Forward.of(dense(tf, hidden(tf, x, parts), w, b));
  }

  /** Units in the output layer's input: the last hidden layer's, or the input's without hidden layers. */
  private int outputLayerInputs() {
    int last = spec.numLayers() - 1;
    return last == 0 ? spec.inputSize() : spec.hidden()[last - 1];
  }

  /**
   * The block of {@code heads}' units of the output layer's kernel (or bias): its unit axis {@code
   * [H·C]} read as {@code [H, C]} and the head gathered. {@code perCandidate}: the operand has a
   * leading candidate axis {@code [k, ...]} and {@code heads [k]} picks one head per candidate.
   */
  private Operand<TFloat32> headBlock(Ops tf, Operand<TFloat32> flat, Operand<org.tensorflow.types.TInt32> heads, boolean perCandidate,
      boolean kernel) {
    int c = spec.outputSize();
    int nh = spec.numHeads();
    int in = outputLayerInputs();
    boolean outIn = spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN;
    int[] shape = !kernel ? new int[] {nh, c} : outIn ? new int[] {nh, c, in} : new int[] {in, nh, c};
    int axis = kernel && !outIn ? 1 : 0;
    if (!perCandidate) {
      return tf.gather(tf.reshape(flat, tf.constant(shape)), heads, tf.constant(axis));
    }
    int[] batched = new int[shape.length + 1];
    batched[0] = -1;
    System.arraycopy(shape, 0, batched, 1, shape.length);
    return tf.gather(tf.reshape(flat, tf.constant(batched)), heads, tf.constant(axis + 1), Gather.batchDims(1L));
  }

  /** The hidden layers, each followed by the activation: the output layer's input. */
  private Operand<TFloat32> hidden(Ops tf, Operand<TFloat32> x, Map<String, Operand<TFloat32>> parts) {
    Operand<TFloat32> h = x;
    for (int l = 0; l < spec.numLayers() - 1; l++) {
      h = spec.activation().apply(tf, dense(tf, h, parts.get("w" + l), parts.get("b" + l)));
    }
    return h;
  }

  private Operand<TFloat32> dense(Ops tf, Operand<TFloat32> h, Operand<TFloat32> w, Operand<TFloat32> b) {
    boolean outIn = spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN;
    return tf.nn.biasAdd(outIn ? tf.linalg.matMul(h, w, MatMul.transposeB(true)) : tf.linalg.matMul(h, w), b);
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
    List<org.tensorflow.Output<TFloat32>> parts = splitMany(tf, weights);
    int last = spec.numLayers() - 1;
    Operand<TFloat32> h = batchedDense(tf, hiddenMany(tf, x, parts), kernels(tf, parts.get(2 * last), outputLayerInputs(), spec.totalOutputs()),
        tf.reshape(parts.get(2 * last + 1), tf.constant(new int[] {-1, 1, spec.totalOutputs()})));
    Operand<org.tensorflow.types.TInt32> k = tf.slice(tf.shape(h), tf.constant(new int[] {0}), tf.constant(new int[] {2}));
    return tf.reshape(h, tf.concat(List.of(k, tf.constant(new int[] {spec.numHeads(), spec.outputSize()})), tf.constant(0)));
  }

  /**
   * Candidate j's output layer is only its head's block, gathered from its kernel and bias: k heads
   * multiplied instead of k × numHeads (at PermutedMNIST-100's last task, a third of the
   * candidates' products).
   */
  @Override
  public Operand<TFloat32> forwardCandidateHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context,
      int maxCandidates, Operand<org.tensorflow.types.TInt32> heads) {
    if (spec.numHeads() == 1) {
      return TargetNetwork.super.forwardCandidateHeads(tf, x, weights, context, maxCandidates, heads);
    }
    List<org.tensorflow.Output<TFloat32>> parts = splitMany(tf, weights);
    int last = spec.numLayers() - 1;
    Operand<TFloat32> kernel = headBlock(tf, parts.get(2 * last), heads, true, true);
    Operand<TFloat32> bias = headBlock(tf, parts.get(2 * last + 1), heads, true, false); // [k, C]
    return batchedDense(tf, hiddenMany(tf, x, parts), kernel, tf.expandDims(bias, tf.constant(1)));
  }

  /** {@code weights [k, P]} cut by the layout along axis 1, in its order (kernel, bias per layer). */
  private List<org.tensorflow.Output<TFloat32>> splitMany(Ops tf, Operand<TFloat32> weights) {
    int[] sizes = layout.sizes();
    return tf.splitV(weights, tf.constant(sizes), tf.constant(1), (long) sizes.length).output();
  }

  /** A layer's kernels {@code [k, in·out]} as {@code [k, in, out]} (or {@code [k, out, in]} in OUT_IN order). */
  private Operand<TFloat32> kernels(Ops tf, Operand<TFloat32> flat, int in, int out) {
    boolean outIn = spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN;
    return tf.reshape(flat, tf.constant(outIn ? new int[] {-1, out, in} : new int[] {-1, in, out}));
  }

  /** The candidates' hidden layers on {@code x [k or 1, batch, in]}: {@code [k, batch, last hidden]}. */
  private Operand<TFloat32> hiddenMany(Ops tf, Operand<TFloat32> x, List<org.tensorflow.Output<TFloat32>> parts) {
    Operand<TFloat32> h = x;
    int in = spec.inputSize();
    int[] hidden = spec.hidden();
    for (int l = 0; l < hidden.length; l++) {
      int out = hidden[l];
      h = spec.activation().apply(tf, batchedDense(tf, h, kernels(tf, parts.get(2 * l), in, out),
          tf.reshape(parts.get(2 * l + 1), tf.constant(new int[] {-1, 1, out}))));
      in = out;
    }
    return h;
  }

  private Operand<TFloat32> batchedDense(Ops tf, Operand<TFloat32> h, Operand<TFloat32> w, Operand<TFloat32> b) {
    boolean outIn = spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN;
    return tf.math.add(tf.train.batchMatMul(h, w, TFloat32.class, BatchMatMul.adjY(outIn)), b);
  }

  @Override
  public String toString() {
    return "MLP " + spec;
  }
}
