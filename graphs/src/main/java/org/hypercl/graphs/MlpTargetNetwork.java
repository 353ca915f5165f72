package org.hypercl.graphs;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A functional MLP: {@code f(x, θ)} where θ is a flat weight operand cut by {@link MlpSpec#layout()}.
 *
 * <pre>{@code
 * Operand<TFloat32> logits = MlpTargetNetwork.forward(tf, spec, x, weights, head);
 * }</pre>
 */
public final class MlpTargetNetwork {

  private MlpTargetNetwork() {}

  /**
   * Outputs of all heads, {@code [batch, numHeads, outputSize]}.
   *
   * @param x inputs {@code [batch, inputSize]}
   * @param weights flat weights {@code [P]}
   */
  public static Operand<TFloat32> forwardAllHeads(
      Ops tf, MlpSpec spec, Operand<TFloat32> x, Operand<TFloat32> weights) {
    java.util.Map<String, Operand<TFloat32>> parts = spec.layout().split(tf, weights);
    Operand<TFloat32> h = x;
    for (int l = 0; l < spec.numLayers(); l++) {
      Operand<TFloat32> w = parts.get("w" + l);
      Operand<TFloat32> b = parts.get("b" + l);
      h =
          tf.nn.biasAdd(
              spec.kernelOrder() == MlpSpec.KernelOrder.OUT_IN
                  ? tf.linalg.matMul(h, w, org.tensorflow.op.linalg.MatMul.transposeB(true))
                  : tf.linalg.matMul(h, w),
              b);
      if (l < spec.numLayers() - 1) {
        h = spec.activation().apply(tf, h);
      }
    }
    return tf.reshape(h, tf.constant(new int[] {-1, spec.numHeads(), spec.outputSize()}));
  }

  /**
   * Outputs of one head, {@code [batch, outputSize]}.
   *
   * @param head scalar head index (ignored for single-head networks)
   */
  public static Operand<TFloat32> forward(
      Ops tf, MlpSpec spec, Operand<TFloat32> x, Operand<TFloat32> weights, Operand<TInt32> head) {
    Operand<TFloat32> all = forwardAllHeads(tf, spec, x, weights);
    Operand<TInt32> index = spec.numHeads() == 1 ? tf.constant(0) : head;
    return tf.gather(all, index, tf.constant(1));
  }
}
