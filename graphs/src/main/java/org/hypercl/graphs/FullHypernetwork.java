package org.hypercl.graphs;

import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The full hypernetwork: an MLP from a task embedding to all P target weights at once (used for
 * the paper's toy regression, Fig. 2).
 */
public final class FullHypernetwork extends Hypernetwork {

  FullHypernetwork(Ops tf, String name, HypernetworkSpec spec, long seed) {
    super(name, spec);
    if (spec.isChunked()) {
      throw new IllegalArgumentException("FullHypernetwork needs a spec without chunks: " + spec);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    int in = spec.embeddingDim();
    int out = spec.hidden().length == 0 ? spec.rowSize() : spec.hidden()[0];
    register(Variables.of(tf, name + "/w0", Initializers.xavierUniform(in, out, rng), in, out), "w0");
    createLayers(tf, rng, in);
  }

  @Override
  protected int firstLayerParamCount() {
    return 1;
  }

  @Override
  protected Operand<TFloat32> firstLayer(
      Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings, Operand<TFloat32> bias) {
    return tf.nn.biasAdd(tf.linalg.matMul(embeddings, params.get(0)), bias);
  }

  @Override
  protected Operand<TFloat32> inputRows(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings) {
    return embeddings;
  }

  @Override
  protected Operand<TFloat32> firstLayerMatrix(Ops tf, List<Operand<TFloat32>> params) {
    return params.get(0);
  }
}
