package org.hypercl.graphs;

import java.util.concurrent.atomic.AtomicLong;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.VarHandleOp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * A float buffer kept in the graph between runs but left out of checkpoints: a resource variable,
 * which {@code Session.save} does not write (it saves VariableV2 only). Used for data that can be
 * rebuilt, such as the current task's training set and the regularizer's stored targets, so a
 * checkpoint holds only what training learned.
 */
public final class ResourceBuffer {

  private static final AtomicLong COUNTER = new AtomicLong();

  private final VarHandleOp handle;
  private final Shape shape;

  /** A zero-initialised buffer of a fixed shape. */
  public ResourceBuffer(Ops tf, String name, long... shape) {
    this.shape = Shape.of(shape);
    // An empty shared name would make every handle in the session point at one resource.
    String shared = name.replace('/', '_') + "_" + COUNTER.incrementAndGet();
    this.handle = Variables.named(tf, name).varHandleOp(TFloat32.class, this.shape, VarHandleOp.sharedName(shared));
    // The shape goes through PlaceholderWithDefault so that grappler cannot fold the zeros into a
    // constant: a folded constant stays alive beside the variable and doubles its memory (the
    // first write then copies the whole buffer).
    Ops init = tf.withInitScope();
    Operand<TInt64> dims = init.placeholderWithDefault(init.constant(shape), Shape.of(shape.length));
    init.assignVariableOp(handle, init.fill(dims, init.constant(0f)));
  }

  private ResourceBuffer(VarHandleOp handle, Shape shape) {
    this.handle = handle;
    this.shape = shape;
  }

  /**
   * A buffer of {@code [rows, cols]} whose row count is set at run time by {@link #resize}; it
   * starts with no rows. Sized to what a task needs, it is read whole, without a slice (under
   * oneDNN a slice of it would be copied on every read).
   */
  public static ResourceBuffer resizable(Ops tf, String name, long cols) {
    Shape shape = Shape.of(Shape.UNKNOWN_SIZE, cols);
    String shared = name.replace('/', '_') + "_" + COUNTER.incrementAndGet();
    VarHandleOp handle = Variables.named(tf, name).varHandleOp(TFloat32.class, shape, VarHandleOp.sharedName(shared));
    Ops init = tf.withInitScope();
    init.assignVariableOp(handle, init.fill(init.constant(new long[] {0, cols}), init.constant(0f)));
    return new ResourceBuffer(handle, shape);
  }

  /** An op that replaces the buffer's contents with {@code rows} rows of zeros. */
  public org.tensorflow.op.Op resize(Ops tf, Operand<org.tensorflow.types.TInt32> rows) {
    Operand<TInt64> dims =
        tf.concat(
            java.util.List.of(
                tf.reshape(tf.dtypes.cast(rows, TInt64.class), tf.constant(new int[] {1})),
                tf.constant(new long[] {shape.get(1)})),
            tf.constant(0));
    return tf.assignVariableOp(handle, tf.fill(dims, tf.constant(0f)));
  }

  public Operand<? extends TType> handle() {
    return handle;
  }

  public Shape shape() {
    return shape;
  }

  /** The current value (no copy unless written while read). */
  public Operand<TFloat32> read(Ops tf) {
    return tf.readVariableOp(handle, TFloat32.class);
  }
}
