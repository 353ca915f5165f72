package org.hypercl.savedmodels;

import java.util.List;
import java.util.stream.IntStream;
import org.hypercl.graphs.ClassIncremental;
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

/**
 * An HNET+TIR run's task-inference network as a plain model: the network's own weights baked in
 * as a constant, one output per task (a head of size 1 each, the CL3 layout it trains in), read
 * over the tasks learned so far only. Signatures {@link Signatures#SERVING_DEFAULT} and {@link
 * Signatures#INFER_TASK}: {@code x [batch, inputs]} as observed → {@code task_scores [batch,
 * learned]}, the softmax over the learned tasks' outputs (the network's growing softmax), and
 * {@code task_id [batch]} int32, the learner's test-time pick: the candidate whose output is largest
 * ({@code max-logit}, the same ops as the learner's {@code inferTasks} over candidates 0..learned−1,
 * ties to the lowest task id).
 */
final class TaskInferenceGraph implements AutoCloseable {

  private final Graph graph;
  private final Session session;
  private final List<Signature> signatures;

  /**
   * @param network the task-inference MLP: one output per head, a head per task of the experiment
   * @param weights its weights {@code [P]}
   * @param learned the tasks learned (candidates 0..learned−1)
   */
  TaskInferenceGraph(MlpSpec network, float[] weights, int learned) {
    if (network.outputSize() != 1) {
      throw new IllegalArgumentException("a task-inference network has one output per task head, got heads of "
          + network.outputSize());
    }
    if (learned < 1 || learned > network.numHeads()) {
      throw new IllegalArgumentException("the task-inference network scores 1.." + network.numHeads() + " tasks, got "
          + learned + " learned tasks");
    }
    if (weights.length != network.parameterCount()) {
      throw new IllegalArgumentException("the task-inference network has " + network.parameterCount() + " weights, got "
          + weights.length);
    }
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      MlpTargetNetwork net = new MlpTargetNetwork(network);
      Placeholder<TFloat32> x = tf.withName(Signatures.X)
          .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, network.inputSize())));
      Operand<TFloat32> w = tf.withName("task_inference_weights")
          .constant(Shape.of(weights.length), DataBuffers.of(weights, true, false));
      // [n, tasks, 1]: every task's output.
      Operand<TFloat32> all = net.forwardAllHeads(tf, x, w, ForwardContext.none()).output();
      Operand<TInt32> candidates = tf.withName("learned_tasks").constant(IntStream.range(0, learned).toArray());
      // The learner's pick (ReplayLearner's inference ops): the candidates' heads, the lowest score.
      Operand<TFloat32> heads = tf.gather(all, candidates, tf.constant(1));
      Operand<TFloat32> score = org.hypercl.graphs.TaskInference.Score.MAX_LOGIT.of(tf, heads);
      Operand<TInt32> best = tf.math.argMin(score, tf.constant(1), TInt32.class);
      Operand<TInt32> taskId = tf.withName(Signatures.TASK_ID).gather(candidates, best, tf.constant(0));
      // The growing softmax over the outputs of tasks 0..learned−1, as in training.
      Operand<TFloat32> logits = ClassIncremental.logits(tf, all, network.numHeads(), 1, tf.constant(learned));
      Operand<TFloat32> scores = tf.withName(Signatures.TASK_SCORES).nn.softmax(logits);
      Signature byDefault = signature(Signatures.SERVING_DEFAULT, x, scores, taskId);
      Signature inferTask = signature(Signatures.INFER_TASK, x, scores, taskId);
      signatures = List.of(byDefault, inferTask);
      session = new Session(graph);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  private static Signature signature(String key, Placeholder<TFloat32> x, Operand<TFloat32> scores, Operand<TInt32> taskId) {
    return Signature.builder().key(key).methodName(Signatures.METHOD_PREDICT).input(Signatures.X, x)
        .output(Signatures.TASK_SCORES, scores).output(Signatures.TASK_ID, taskId).build();
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
