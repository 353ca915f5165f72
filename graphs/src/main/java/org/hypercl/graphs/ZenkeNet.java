package org.hypercl.graphs;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * The functional {@link ZenkeNetSpec ZenkeNet}: inputs {@code [batch, 3072]} (rows of 32×32×3
 * pixels, height, width, channel) or {@code [batch, 32, 32, 3]}, weights a flat {@code [P]}
 * operand. Dropout is active only in a training pass, drawn from the context's seed.
 */
public final class ZenkeNet extends ImageTargetNetwork {

  private final ZenkeNetSpec spec;

  public ZenkeNet(ZenkeNetSpec spec) {
    super(spec.layout(), spec.numHeads(), spec.outputSize(), spec.toString(), new OutputLayer("f1_w", 0, "f1_b"));
    this.spec = spec;
  }

  public ZenkeNetSpec spec() {
    return spec;
  }

  @Override
  public Forward forwardAllHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> weights, ForwardContext context) {
    Map<String, Operand<TFloat32>> w = layout().split(tf, weights);
    Operand<TFloat32> h = images(tf, x);
    h = tf.nn.relu(ConvLayers.conv2d(tf, h, w.get("c0_w"), w.get("c0_b"), 1, 1));
    h = tf.nn.relu(ConvLayers.conv2d(tf, h, w.get("c1_w"), w.get("c1_b"), 1, 0));
    h = ConvLayers.dropout(tf, ConvLayers.maxPool(tf, h, 2), spec.convDropout(), true, context, 0);
    h = tf.nn.relu(ConvLayers.conv2d(tf, h, w.get("c2_w"), w.get("c2_b"), 1, 1));
    h = tf.nn.relu(ConvLayers.conv2d(tf, h, w.get("c3_w"), w.get("c3_b"), 1, 0));
    h = ConvLayers.dropout(tf, ConvLayers.maxPool(tf, h, 2), spec.convDropout(), true, context, 1);
    // Flattened channel-first, as the authors' NCHW network does, so f0's columns mean the same.
    h = tf.reshape(tf.linalg.transpose(h, tf.constant(new int[] {0, 3, 1, 2})), tf.constant(new int[] {-1, ZenkeNetSpec.FLAT}));
    h = tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(h, w.get("f0_w"), MatMul.transposeB(true)), w.get("f0_b")));
    h = ConvLayers.dropout(tf, h, spec.fcDropout(), false, context, 2);
    h = tf.nn.biasAdd(tf.linalg.matMul(h, w.get("f1_w"), MatMul.transposeB(true)), w.get("f1_b"));
    return Forward.of(byHead(tf, h));
  }
}
