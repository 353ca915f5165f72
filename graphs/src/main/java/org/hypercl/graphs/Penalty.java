package org.hypercl.graphs;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * A term added to a part's task loss to protect what earlier tasks learned: the output regularizer
 * of Eq. 2 ({@link OutputRegularizerPenalty}), EWC and online EWC ({@link EwcPenalty}), SI
 * ({@link SiPenalty}). A penalty is
 * built into the training graph once; its hooks run at task start, every step (feeds) and at task
 * end, so per-task state (stored targets, a Fisher matrix) lives with it.
 */
public interface Penalty {

  /** Its name, e.g. {@code "regularizer"} (a part's step output sums its penalties under that name). */
  String name();

  /** The penalty's value at this step, scaled as it enters the total loss. */
  Operand<TFloat32> loss();

  /**
   * Its gradient with respect to each of the part's parameter operands, in the part's order; null
   * where the penalty does not depend on that parameter.
   */
  List<Operand<TFloat32>> gradients();

  /** Called when a task begins, after the optimizer reset (e.g. store targets). */
  default void beginTask(Session session, int task) {}

  /**
   * Whether the penalty's loss and gradients are exactly zero throughout {@code task} and it needs no
   * {@link #afterUpdate} ops then (e.g. the first task: nothing to protect yet). A learner may then
   * leave it out of that task's steps, which changes no result. False by default.
   */
  default boolean vanishesAt(int task) {
    return false;
  }

  /** Adds this step's feeds; tensors to close after the step go in {@code owned}. */
  default void feed(Session.Runner runner, List<Tensor> owned, int task, long step) {}

  /** Called when a task ends, before it counts as learned. */
  default void endTask(Session session, int task) {}

  /**
   * Ops to run with every step after the optimizer's {@code update} (which they must wait for),
   * given the step's total gradient of each parameter (task loss plus every penalty); SI's path
   * integral uses it. None by default.
   */
  default List<org.tensorflow.op.Op> afterUpdate(org.tensorflow.op.Ops tf, List<Operand<TFloat32>> totalGradients, org.tensorflow.op.Op update) {
    return List.of();
  }
}
