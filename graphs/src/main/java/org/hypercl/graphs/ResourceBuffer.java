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
