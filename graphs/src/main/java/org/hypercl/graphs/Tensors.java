package org.hypercl.graphs;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Conversions between Java arrays and tensors. Callers own (and close) every tensor returned. */
public final class Tensors {

  private Tensors() {}

  /** A float tensor of the given shape holding {@code values} (row-major). */
  public static TFloat32 floats(float[] values, long... shape) {
    if (Shape.of(shape).size() != values.length) {
      throw new IllegalArgumentException(values.length + " values do not fill shape " + Shape.of(shape));
    }
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  /** An int32 tensor of the given shape holding {@code values} (row-major). */
  public static TInt32 ints(int[] values, long... shape) {
    if (Shape.of(shape).size() != values.length) {
      throw new IllegalArgumentException(values.length + " values do not fill shape " + Shape.of(shape));
    }
    return TInt32.tensorOf(Shape.of(shape), DataBuffers.of(values, true, false));
  }

  /** All values of a float tensor, row-major. */
  public static float[] toFloats(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] out = new float[Math.toIntExact(f.shape().size())];
    f.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** All values of an int32 tensor, row-major. */
  public static int[] toInts(Tensor t) {
    TInt32 f = (TInt32) t;
    int[] out = new int[Math.toIntExact(f.shape().size())];
    f.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  /** The value of a float scalar tensor. */
  public static float toScalar(Tensor t) {
    return ((TFloat32) t).getFloat();
  }

  /** The float operands of a gradient list (TF Java types gradients as {@code Operand<?>}). */
  @SuppressWarnings("unchecked")
  public static java.util.List<org.tensorflow.Operand<TFloat32>> floatOperands(Iterable<org.tensorflow.Operand<?>> ops) {
    java.util.List<org.tensorflow.Operand<TFloat32>> out = new java.util.ArrayList<>();
    for (org.tensorflow.Operand<?> o : ops) {
      out.add((org.tensorflow.Operand<TFloat32>) o);
    }
    return out;
  }
}
