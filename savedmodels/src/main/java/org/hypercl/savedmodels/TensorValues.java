package org.hypercl.savedmodels;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** Reads the values of the tensor types the exported signatures use. */
final class TensorValues {

  private TensorValues() {}

  static float[] floats(Tensor t) {
    if (!(t instanceof TFloat32 f)) {
      throw new IllegalStateException("expected a float32 tensor, got " + t.dataType());
    }
    float[] out = new float[Math.toIntExact(f.shape().size())];
    f.copyTo(DataBuffers.of(out, false, false));
    return out;
  }

  static int[] ints(Tensor t) {
    if (t instanceof TInt32 i) {
      int[] out = new int[Math.toIntExact(i.shape().size())];
      i.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
    if (t instanceof TInt64 l) {
      long[] v = new long[Math.toIntExact(l.shape().size())];
      l.copyTo(DataBuffers.of(v, false, false));
      int[] out = new int[v.length];
      for (int k = 0; k < v.length; k++) {
        out[k] = Math.toIntExact(v[k]);
      }
      return out;
    }
    throw new IllegalStateException("expected an integer tensor, got " + t.dataType());
  }

  /** Values of a float32, int32 or int64 tensor as doubles (for comparisons). */
  static double[] doubles(Tensor t) {
    if (t instanceof TFloat32) {
      float[] f = floats(t);
      double[] d = new double[f.length];
      for (int k = 0; k < f.length; k++) {
        d[k] = f[k];
      }
      return d;
    }
    int[] i = ints(t);
    double[] d = new double[i.length];
    for (int k = 0; k < i.length; k++) {
      d[k] = i[k];
    }
    return d;
  }
}
