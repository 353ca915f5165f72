package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * The functional {@link ResNetSpec ResNet}: inputs {@code [batch, 3072]} or {@code [batch, 32, 32,
 * 3]}, weights a flat {@code [P]} operand. Batch norm reads the running statistics of the
 * context's condition (the task); a training pass normalises with the batch's statistics and
 * returns the updates of the condition's running statistics as {@link Forward#stateUpdates()},
 * which the caller must run with the step.
 */
public final class ResNet extends ImageTargetNetwork {

  private final ResNetSpec spec;

  public ResNet(ResNetSpec spec) {
    super(spec.layout(), spec.numHeads(), spec.outputSize(), spec.toString(), new OutputLayer("fc_w", 0, "fc_b"));
    this.spec = spec;
  }

  public ResNetSpec spec() {
    return spec;
  }

  @Override
  public List<NetworkState.Table> stateTables() {
    return spec.stateTables();
  }

  @Override
  public Forward forwardAllHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
    Map<String, Operand<TFloat32>> w = layout().split(tf, weights);
    List<Op> updates = new ArrayList<>();
    Operand<TFloat32> h = images(tf, x);
    h = tf.nn.relu(convBn(tf, h, 0, 1, w, context, updates));
    int layer = 1;
    for (int stage = 0; stage < 3; stage++) {
      for (int unit = 0; unit < spec.n(); unit++) {
        int stride = stage > 0 && unit == 0 ? 2 : 1;
        Operand<TFloat32> shortcut = stride == 1 ? h : subsampleAndPad(tf, h, ResNetSpec.FILTERS[stage + 1] / 4);
        Operand<TFloat32> inner = tf.nn.relu(convBn(tf, h, layer++, stride, w, context, updates));
        h = tf.nn.relu(tf.math.add(convBn(tf, inner, layer++, 1, w, context, updates), shortcut));
      }
    }
    h = ConvLayers.globalAveragePool(tf, h);
    h = tf.nn.biasAdd(tf.linalg.matMul(h, w.get("fc_w"), MatMul.transposeB(true)), w.get("fc_b"));
    return new Forward(byHead(tf, h), updates);
  }

  private static Operand<TFloat32> convBn(
      Ops tf, Operand<TFloat32> h, int i, int stride, Map<String, Operand<TFloat32>> w, ForwardContext context, List<Op> updates) {
    Operand<TFloat32> c = ConvLayers.conv2d(tf, h, w.get("conv" + i + "_w"), w.get("conv" + i + "_b"), stride, 1);
    ConvLayers.Normalized n = ConvLayers.batchNorm(tf, c, w.get("bn" + i + "_gamma"), w.get("bn" + i + "_beta"), "bn" + i, context);
    updates.addAll(n.updates());
    return n.output();
  }

  /**
   * Option A: every second row and column, {@code pad} zero channels on each side. The subsample
   * is a 1×1 pooling window with stride 2 (the same values as {@code x[:, ::2, ::2, :]}), whose
   * kernels forward and back cost less here than a strided slice and its gradient.
   */
  private static Operand<TFloat32> subsampleAndPad(Ops tf, Operand<TFloat32> h, int pad) {
    Operand<TFloat32> sub = tf.nn.avgPool(h, List.of(1L, 1L, 1L, 1L), List.of(1L, 2L, 2L, 1L), "VALID");
    return tf.pad(sub, tf.constant(new int[][] {{0, 0}, {0, 0}, {0, 0}, {pad, pad}}), tf.constant(0f));
  }
}
