package org.hypercl.graphs;

import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Task embeddings e^(t): every task's embedding in one {@code [T_max, d_e]} variable, N(0, 1)
 * initialised, plus a separate trainable copy for the task being learned. Keeping the trainable
 * copy apart is what keeps earlier embeddings fixed: the optimizer never sees the table.
 *
 * <p>{@link #beginTask} copies row t into the trainable copy; {@link #commitTask} writes it back.
 */
public final class TaskEmbeddings {

  /** Name of the {@code [T_max, d_e]} table variable, as checkpoints store it. */
  public static final String TABLE_NAME = "task_embeddings";

  private final int maxTasks;
  private final int dim;
  private final Variable<TFloat32> table;
  private final Variable<TFloat32> current;
  private final Placeholder<TInt32> task;
  private final Op begin;
  private final Op commit;

  public TaskEmbeddings(Ops tf, int maxTasks, int dim, long seed) {
    this(tf, "", maxTasks, dim, seed);
  }

  /**
   * @param scope prefix of the variable and op names, e.g. {@code "replay/"}; {@code ""} gives the
   *     names runs have always used ({@link #TABLE_NAME})
   */
  public TaskEmbeddings(Ops tf, String scope, int maxTasks, int dim, long seed) {
    if (maxTasks <= 0 || dim <= 0) {
      throw new IllegalArgumentException("need at least one task and a positive embedding size");
    }
    this.maxTasks = maxTasks;
    this.dim = dim;
    SplittableRandom rng = new SplittableRandom(seed);
    this.table = Variables.of(tf, scope + TABLE_NAME, Initializers.standardNormal(maxTasks * dim, rng), maxTasks, dim);
    this.current = Variables.zeros(tf, scope + "current_task_embedding", dim);
    this.task = Variables.named(tf, scope + "embedding_task").placeholder(TInt32.class);
    this.begin = Variables.named(tf, scope + "begin_task_embedding").assign(current, tf.gather(table, task, tf.constant(0)));
    Operand<TInt32> t = tf.reshape(task, tf.constant(new int[] {1}));
    Operand<TFloat32> row = tf.reshape(tf.identity(current), tf.constant(new int[] {1, dim}));
    this.commit = Variables.named(tf, scope + "commit_task_embedding").scatterUpdate(table, t, row);
  }

  public int maxTasks() {
    return maxTasks;
  }

  public int dim() {
    return dim;
  }

  /** All embeddings {@code [T_max, d_e]}; rows of tasks not yet learned hold their initial values. */
  public Variable<TFloat32> table() {
    return table;
  }

  /** The trainable embedding of the task being learned, {@code [d_e]}. */
  public Variable<TFloat32> current() {
    return current;
  }

  /** The int32 scalar placeholder that {@link #beginTask} and {@link #commitTask} read. */
  public Placeholder<TInt32> taskInput() {
    return task;
  }

  /** Copies row {@code task} of the table into the trainable copy (feed {@link #taskInput()}). */
  public Op beginTask() {
    return begin;
  }

  /** Writes the trainable copy back to row {@code task} (feed {@link #taskInput()}). */
  public Op commitTask() {
    return commit;
  }
}
