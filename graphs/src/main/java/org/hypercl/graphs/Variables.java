package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Small helpers for graph variables (VariableV2, which {@code Session.save/restore} handle). */
public final class Variables {

  private Variables() {}

  /** A float variable initialised to the given values. */
  public static Variable<TFloat32> of(Ops tf, String name, float[] values, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException(
          name + ": " + values.length + " initial values for shape " + Shape.of(shape));
    }
    return named(tf, name).variable(tf.constant(Shape.of(shape), DataBuffers.of(values, true, false)));
  }

  /** {@code tf} naming its next op {@code name}, where "a/b/c" means op c in sub-scopes a and b. */
  public static Ops named(Ops tf, String name) {
    String[] parts = name.split("/");
    Ops scoped = tf;
    for (int i = 0; i < parts.length - 1; i++) {
      scoped = scoped.withSubScope(parts[i]);
    }
    return scoped.withName(parts[parts.length - 1]);
  }

  /** A float variable initialised to zeros. */
  public static Variable<TFloat32> zeros(Ops tf, String name, long... shape) {
    return named(tf, name).variable(tf.zeros(tf.constant(shape), TFloat32.class));
  }

  /**
   * Reads variables through {@code Identity}: gradients are then taken with respect to these
   * reads, and ops never consume a ref output twice (docs/tensorflow-java.md, "Read variables
   * through Identity").
   */
  public static List<Operand<TFloat32>> read(Ops tf, List<Variable<TFloat32>> vars) {
    List<Operand<TFloat32>> out = new ArrayList<>(vars.size());
    for (Variable<TFloat32> v : vars) {
      out.add(tf.identity(v));
    }
    return out;
  }

  /** Number of elements in a statically shaped variable. */
  public static long size(Variable<TFloat32> v) {
    return v.shape().size();
  }
}
