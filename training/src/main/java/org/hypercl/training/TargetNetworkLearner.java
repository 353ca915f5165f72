package org.hypercl.training;

import java.util.List;
import java.util.SplittableRandom;
import org.hypercl.graphs.AdamOptimizer;
import org.hypercl.graphs.Initializers;
import org.hypercl.graphs.MlpTargetNetwork;
import org.hypercl.graphs.Variables;
import org.hypercl.graphs.WeightLayout;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Baseline: the target network alone, its weights plain variables, trained task after task with
 * nothing to protect earlier tasks (one head per task in the multi-head setting). The same
 * functional network as the hypernetwork learner's, so the two differ only in where the weights
 * come from. Weights are Xavier-uniform, biases zero; Adam is reset at every task.
 */
public final class TargetNetworkLearner extends AbstractLearner {

  private final AdamOptimizer adam;

  public TargetNetworkLearner(ExperimentConfig config, int maxTrainSize) {
    super(config, maxTrainSize);
    boolean ok = false;
    try {
      WeightLayout layout = config.target().layout();
      float[] init = new float[Math.toIntExact(layout.totalSize())];
      SplittableRandom rng = new SplittableRandom(settings.seed());
      for (WeightLayout.Entry e : layout.entries()) {
        if (e.shape().length == 2) {
          float[] w = Initializers.xavierUniform((int) e.shape()[0], (int) e.shape()[1], rng);
          System.arraycopy(w, 0, init, (int) e.offset(), w.length);
        }
      }
      Variable<TFloat32> weights = Variables.of(tf, "target/weights", init, init.length);
      adam = new AdamOptimizer(tf, "adam", List.of(weights), settings.adam());
      Ops train = tf.withSubScope("train");
      Operand<TFloat32> w = train.identity(weights);
      trainPrediction = MlpTargetNetwork.forward(train, config.target(), inputs.batchX, w, trainTask);
      taskLoss = Losses.taskLoss(train, config.kind(), trainPrediction, inputs.batchY);
      regularizerLoss = train.constant(0f);
      List<Operand<TFloat32>> grads = Losses.floats(train.gradients(taskLoss, List.of(w)));
      trainOp = adam.update(train, grads, List.of((Op) taskLoss));
      Ops ev = tf.withSubScope("eval");
      evalOutput = MlpTargetNetwork.forward(ev, config.target(), inputs.evalInput, ev.identity(weights), evalTask);
      startSession();
      ok = true;
    } finally {
      if (!ok) {
        close();
      }
    }
  }

  @Override
  protected void prepareTask(int task) {
    session.run(adam.reset());
  }

  @Override
  protected void feedStep(Session.Runner runner, List<Tensor> owned, int task, long step) {}

  @Override
  protected void completeTask(int task) {}
}
