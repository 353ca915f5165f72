package org.hypercl.savedmodels;

import java.util.List;
import org.hypercl.graphs.ForwardContext;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.MlpTargetNetwork;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A replay VAE's decoder as a plain model: the decoder's weights of every task it replays baked in
 * as one constant table {@code [tasks, P]}, the task's one-hot appended to the latent code as in
 * training, a sigmoid for the pixels. Signatures {@link Signatures#GENERATE} (also the default) and
 * {@link Signatures#GENERATE_RANDOM}.
 */
final class GeneratorGraph implements AutoCloseable {

  private final Graph graph;
  private final Session session;
  private final List<Signature> signatures;

  /**
   * @param decoder the decoder MLP: {@code latentDim + conditionDim} inputs, the image's pixels out
   * @param weights the decoder's weights for tasks 0..k−1, each {@code [P]}
   * @param latentDim the latent code's size; the rest of the decoder's input is the task's one-hot
   * @param tanh a GAN generator's tanh output, mapped from [−1, 1] to [0, 1]; false: a VAE decoder's sigmoid
   */
  GeneratorGraph(MlpSpec decoder, List<float[]> weights, int latentDim, boolean tanh) {
    int p = Math.toIntExact(decoder.parameterCount());
    int conditionDim = decoder.inputSize() - latentDim;
    if (weights.isEmpty() || conditionDim < weights.size()) {
      throw new IllegalArgumentException("a generator needs the weights of 1.." + Math.max(1, conditionDim) + " tasks, got "
          + weights.size());
    }
    float[] table = new float[weights.size() * p];
    for (int t = 0; t < weights.size(); t++) {
      if (weights.get(t).length != p) {
        throw new IllegalArgumentException("the decoder has " + p + " weights; task " + t + " has " + weights.get(t).length);
      }
      System.arraycopy(weights.get(t), 0, table, t * p, p);
    }
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      MlpTargetNetwork net = new MlpTargetNetwork(decoder);
      Operand<TFloat32> w = tf.withName("decoder_weights").constant(Shape.of(weights.size(), p), DataBuffers.of(table, true, false));
      int in = decoder.outputSize();

      Placeholder<TInt32> tasks = tf.withName(Signatures.TASK_ID).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TFloat32> z = tf.withName(Signatures.Z).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, latentDim)));
      Operand<TFloat32> samples = decode(tf, net, w, tasks, z, conditionDim, in, tanh);
      Signature generate = Signature.builder().key(Signatures.GENERATE).methodName(Signatures.METHOD_PREDICT)
          .input(Signatures.TASK_ID, tasks).input(Signatures.Z, z).output(Signatures.SAMPLES, samples).build();
      Signature byDefault = Signature.builder().key(Signatures.SERVING_DEFAULT).methodName(Signatures.METHOD_PREDICT)
          .input(Signatures.TASK_ID, tasks).input(Signatures.Z, z).output(Signatures.SAMPLES, samples).build();

      Ops r = tf.withSubScope("random");
      Placeholder<TInt32> task = r.withName(Signatures.TASK_ID).placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      Placeholder<TInt32> count = r.withName(Signatures.COUNT).placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
      Placeholder<TInt64> seed = r.withName(Signatures.SEED).placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      Operand<TInt32> n = r.reshape(count, r.constant(new int[] {1}));
      Operand<TFloat32> codes = r.random.statelessRandomNormal(r.concat(List.of(n, r.constant(new int[] {latentDim})), r.constant(0)),
          seed, TFloat32.class);
      Operand<TInt32> ids = r.broadcastTo(r.reshape(task, r.constant(new int[] {1})), n);
      Operand<TFloat32> random = decode(r, net, w, ids, codes, conditionDim, in, tanh);
      Signature generateRandom = Signature.builder().key(Signatures.GENERATE_RANDOM).methodName(Signatures.METHOD_PREDICT)
          .input(Signatures.TASK_ID, task).input(Signatures.COUNT, count).input(Signatures.SEED, seed)
          .output(Signatures.SAMPLES, random).build();
      signatures = List.of(byDefault, generate, generateRandom);
      session = new Session(graph);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** Each row's task's weights, its code with the task's one-hot, through the decoder and a sigmoid: {@code [n, in]}. */
  private static Operand<TFloat32> decode(Ops tf, MlpTargetNetwork net, Operand<TFloat32> table, Operand<TInt32> tasks,
      Operand<TFloat32> z, int conditionDim, int in, boolean tanh) {
    Operand<TFloat32> cond = tf.oneHot(tasks, tf.constant(conditionDim), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> x = tf.concat(List.of(z, cond), tf.constant(1));
    // Row i on its own weights: k = n candidates of one example each.
    Operand<TFloat32> w = tf.gather(table, tasks, tf.constant(0));
    Operand<TFloat32> out = net.forwardCandidates(tf, tf.expandDims(x, tf.constant(1)), w, ForwardContext.none());
    Operand<TFloat32> flat = tf.reshape(out, tf.constant(new int[] {-1, in}));
    if (tanh) {
      return tf.withName(Signatures.SAMPLES).math.mul(tf.math.add(tf.math.tanh(flat), tf.constant(1f)), tf.constant(0.5f));
    }
    return tf.withName(Signatures.SAMPLES).math.sigmoid(flat);
  }

  Session session() {
    return session;
  }

  List<Signature> signatures() {
    return signatures;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
