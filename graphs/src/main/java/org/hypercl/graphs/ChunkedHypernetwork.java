package org.hypercl.graphs;

import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The chunked hypernetwork (paper §2, "Model compression with chunking"): the network maps
 * {@code [e ; c_i]} to chunk i of S weights; the n_c = ⌈P/S⌉ chunks are concatenated and the tail
 * cut to P. The chunk embeddings c_i are shared by all tasks and trained with Θ_h.
 *
 * <p>The first layer is split over {@code [e ; c]}: {@code e·W_e} is computed per task and
 * {@code c·W_c + b} once per pass, then broadcast to every (task, chunk) row.
 */
public final class ChunkedHypernetwork extends Hypernetwork {

  ChunkedHypernetwork(Ops tf, String name, HypernetworkSpec spec, long seed) {
    super(name, spec);
    if (!spec.isChunked()) {
      throw new IllegalArgumentException("ChunkedHypernetwork needs a chunked spec: " + spec);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    int de = spec.embeddingDim();
    int dc = spec.chunkEmbeddingDim();
    int nc = spec.numChunks();
    int out = spec.hidden().length == 0 ? spec.rowSize() : spec.hidden()[0];
    float[] w0 = Initializers.xavierUniform(de + dc, out, rng);
    float[] we = new float[de * out];
    float[] wc = new float[dc * out];
    System.arraycopy(w0, 0, we, 0, we.length);
    System.arraycopy(w0, we.length, wc, 0, wc.length);
    register(
        Variables.of(tf, name + "/chunk_embeddings", Initializers.standardNormal(nc * dc, rng), nc, dc),
        "chunk_embeddings");
    register(Variables.of(tf, name + "/w0_task", we, de, out), "w0_task");
    register(Variables.of(tf, name + "/w0_chunk", wc, dc, out), "w0_chunk");
    createLayers(tf, rng, de + dc);
  }

  @Override
  protected int firstLayerParamCount() {
    return 3;
  }

  @Override
  protected Operand<TFloat32> firstLayer(
      Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings, Operand<TFloat32> bias) {
    int width = spec.hidden()[0];
    Operand<TFloat32> perTask = tf.linalg.matMul(embeddings, params.get(1)); // [k, width]
    Operand<TFloat32> perChunk = tf.nn.biasAdd(tf.linalg.matMul(params.get(0), params.get(2)), bias); // [n_c, width]
    Operand<TFloat32> sum =
        tf.math.add(tf.expandDims(perTask, tf.constant(1)), tf.expandDims(perChunk, tf.constant(0)));
    return tf.reshape(sum, tf.constant(new int[] {-1, width}));
  }

  @Override
  protected Operand<TFloat32> inputRows(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings) {
    int de = spec.embeddingDim();
    int dc = spec.chunkEmbeddingDim();
    int nc = spec.numChunks();
    Operand<TInt32> k = tf.slice(tf.shape(embeddings), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    // [k, n_c, d_e] and [k, n_c, d_c], concatenated on the last axis.
    Operand<TFloat32> e = tf.tile(tf.expandDims(embeddings, tf.constant(1)), tf.constant(new int[] {1, nc, 1}));
    Operand<TFloat32> c =
        tf.tile(
            tf.expandDims(params.get(0), tf.constant(0)),
            tf.concat(List.of(k, tf.constant(new int[] {1, 1})), tf.constant(0)));
    Operand<TFloat32> rows = tf.concat(List.of(e, c), tf.constant(2));
    return tf.reshape(rows, tf.constant(new int[] {-1, de + dc}));
  }

  @Override
  protected Operand<TFloat32> firstLayerMatrix(Ops tf, List<Operand<TFloat32>> params) {
    return tf.concat(List.of(params.get(1), params.get(2)), tf.constant(0));
  }
}
