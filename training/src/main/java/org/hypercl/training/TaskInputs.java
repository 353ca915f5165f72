package org.hypercl.training;

import java.util.List;
import org.hypercl.graphs.ResourceBuffer;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The current task's training data, held in the graph: inputs {@code [maxN, in]} and targets
 * {@code [maxN, out]} in resource variables (left out of checkpoints) and the task's input
 * permutation. A step feeds batch indices only; the batch is gathered, then permuted, in the graph.
 * Permuted tasks share one base array, which is loaded once.
 */
final class TaskInputs {

  private final int maxTrainSize;
  private final int inputDim;
  private final int outputDim;
  private final ResourceBuffer x;
  private final ResourceBuffer y;
  private final Variable<TInt32> permutation;
  private final Placeholder<TFloat32> loadX;
  private final Placeholder<TFloat32> loadY;
  private final Placeholder<TInt32> loadPermutation;
  private final Op loadData;
  private final Op setPermutation;
  final Placeholder<TInt32> batchIndices;
  final Operand<TFloat32> batchX;
  final Operand<TFloat32> batchY;
  final Placeholder<TFloat32> evalX;
  final Placeholder<TInt32> evalPermutation;
  final Operand<TFloat32> evalInput;

  private float[] loadedX;
  private float[] loadedY;

  TaskInputs(Ops tf, int maxTrainSize, int inputDim, int outputDim) {
    this.maxTrainSize = maxTrainSize;
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    Ops d = tf.withSubScope("data");
    x = new ResourceBuffer(d, "x", maxTrainSize, inputDim);
    y = new ResourceBuffer(d, "y", maxTrainSize, outputDim);
    int[] identity = new int[inputDim];
    for (int i = 0; i < inputDim; i++) {
      identity[i] = i;
    }
    permutation = d.withName("permutation").variable(d.constant(identity));
    loadX = d.withName("load_x").placeholder(TFloat32.class);
    loadY = d.withName("load_y").placeholder(TFloat32.class);
    loadPermutation = d.withName("load_permutation").placeholder(TInt32.class);
    loadData = d.withControlDependencies(List.of(d.assignVariableOp(x.handle(), loadX), d.assignVariableOp(y.handle(), loadY))).noOp();
    setPermutation = d.assign(permutation, loadPermutation);

    batchIndices = d.withName("batch_indices").placeholder(TInt32.class);
    Operand<TFloat32> rows = d.resourceGather(x.handle(), batchIndices, TFloat32.class);
    batchX = d.gather(rows, d.identity(permutation), d.constant(1));
    batchY = d.resourceGather(y.handle(), batchIndices, TFloat32.class);

    evalX = d.withName("eval_x").placeholder(TFloat32.class);
    evalPermutation = d.withName("eval_permutation").placeholder(TInt32.class);
    evalInput = d.gather(evalX, evalPermutation, d.constant(1));
  }

  /** Puts a task's training data and permutation in the graph (the arrays only if they changed). */
  void load(Session session, TaskData data) {
    if (data.trainSize() > maxTrainSize) {
      throw new IllegalArgumentException(
          "task " + data.name() + " has " + data.trainSize() + " training examples; the learner holds at most " + maxTrainSize);
    }
    if (data.trainX() != loadedX || data.trainY() != loadedY) {
      float[] xs = new float[maxTrainSize * inputDim];
      float[] ys = new float[maxTrainSize * outputDim];
      System.arraycopy(data.trainX(), 0, xs, 0, data.trainX().length);
      System.arraycopy(data.trainY(), 0, ys, 0, data.trainY().length);
      try (TFloat32 tx = Tensors.floats(xs, maxTrainSize, inputDim);
          TFloat32 ty = Tensors.floats(ys, maxTrainSize, outputDim)) {
        session.runner().feed(loadX, tx).feed(loadY, ty).addTarget(loadData).run().close();
      }
      loadedX = data.trainX();
      loadedY = data.trainY();
    }
    try (TInt32 p = Tensors.ints(data.inputPermutation(), inputDim)) {
      session.runner().feed(loadPermutation, p).addTarget(setPermutation).run().close();
    }
  }
}
