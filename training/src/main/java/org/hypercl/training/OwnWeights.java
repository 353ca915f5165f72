package org.hypercl.training;

import java.util.List;
import java.util.SplittableRandom;
import org.hypercl.graphs.Initializers;
import org.hypercl.graphs.Variables;
import org.hypercl.graphs.WeightLayout;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The target network's weights as one plain variable, shared by every task (the target network
 * trained alone; regularization baselines such as EWC would add a penalty). Matrices are
 * Xavier-uniform, biases zero.
 */
final class OwnWeights implements WeightSource {

  private final Variable<TFloat32> weights;

  OwnWeights(Ops tf, String scope, WeightLayout layout, long seed) {
    float[] init = new float[Math.toIntExact(layout.totalSize())];
    SplittableRandom rng = new SplittableRandom(seed);
    for (WeightLayout.Entry e : layout.entries()) {
      long[] shape = e.shape();
      if (shape.length == 2) {
        float[] w = Initializers.xavierUniform((int) shape[0], (int) shape[1], rng);
        System.arraycopy(w, 0, init, (int) e.offset(), w.length);
      } else if (shape.length == 4) {
        // A conv kernel [out, in, kh, kw]: Xavier-uniform with PyTorch's fans, in·kh·kw and out·kh·kw.
        long field = shape[2] * shape[3];
        double limit = Math.sqrt(6.0 / ((shape[0] + shape[1]) * field));
        for (long i = 0; i < e.size(); i++) {
          init[(int) (e.offset() + i)] = (float) ((rng.nextDouble() * 2 - 1) * limit);
        }
      } else if (e.name().endsWith("_gamma")) {
        // Batch-norm scales start at 1, shifts (and biases) at 0.
        java.util.Arrays.fill(init, (int) e.offset(), (int) (e.offset() + e.size()), 1f);
      }
    }
    this.weights = Variables.of(tf, scope + "target/weights", init, init.length);
  }

  @Override
  public List<Variable<TFloat32>> trainable() {
    return List.of(weights);
  }

  @Override
  public Operand<TFloat32> trainWeights(Ops tf, List<Operand<TFloat32>> params) {
    return params.get(0);
  }

  @Override
  public Operand<TFloat32> weightsOf(Ops tf, Operand<TInt32> task) {
    return tf.identity(weights);
  }

  @Override
  public java.util.Optional<Operand<TFloat32>> sharedWeights(Ops tf) {
    return java.util.Optional.of(tf.identity(weights));
  }

  /** The same weights for every task: {@code [k, P]} by broadcasting one row. */
  @Override
  public Operand<TFloat32> weightsOfMany(Ops tf, Operand<TInt32> tasks) {
    Operand<TInt32> k = tf.reshape(tf.shape(tasks), tf.constant(new int[] {1}));
    Operand<TInt32> shape = tf.concat(List.of(k, tf.constant(new int[] {Math.toIntExact(weights.shape().size())})), tf.constant(0));
    return tf.broadcastTo(tf.expandDims(tf.identity(weights), tf.constant(0)), shape);
  }
}
