package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class WeightLayoutTest {

  private static final WeightLayout LAYOUT = WeightLayout.builder().add("w", 2, 3).add("b", 2).add("v", 4).build();

  @Test
  void splitCutsEveryTensorAsSliceDoes() {
    float[] flat = ramp((int) LAYOUT.totalSize(), 0.5f, -3);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(flat);
      Map<String, Operand<TFloat32>> parts = LAYOUT.split(tf, x);
      assertThat(parts.keySet()).containsExactly("w", "b", "v");
      for (WeightLayout.Entry e : LAYOUT.entries()) {
        Operand<TFloat32> viaSplit = parts.get(e.name());
        Operand<TFloat32> viaSlice = LAYOUT.slice(tf, x, e.name());
        assertThat(viaSplit.shape()).isEqualTo(e.tfShape());
        float[][] got = GraphTestSupport.fetch(s, Map.of(), List.of(viaSplit, viaSlice));
        assertThat(got[0]).containsExactly(got[1]);
        assertThat(got[0][0]).isEqualTo(flat[(int) e.offset()]);
      }
    }
  }

  /** The point of split: the gradient is one concatenation, not a padded copy per tensor. */
  @Test
  void theGradientOfSplitIsExactAndNeedsNoPadding() {
    float[] flat = new float[(int) LAYOUT.totalSize()];
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(flat);
      Map<String, Operand<TFloat32>> parts = LAYOUT.split(tf, x);
      // d/dx of Σ_k c_k·sum(part_k) is c_k on part k's range.
      List<Operand<TFloat32>> terms = new ArrayList<>();
      float c = 1;
      for (Operand<TFloat32> p : parts.values()) {
        terms.add(tf.math.mul(tf.constant(c), tf.sum(tf.reshape(p, tf.constant(new int[] {-1})), tf.constant(0))));
        c += 1;
      }
      Operand<TFloat32> loss = tf.math.addN(terms);
      Operand<?> grad = tf.gradients(loss, List.of(x)).dy(0);
      float[] got = GraphTestSupport.fetch(s, Map.of(), grad);
      float[] want = new float[flat.length];
      java.util.Arrays.fill(want, 0, 6, 1f);
      java.util.Arrays.fill(want, 6, 8, 2f);
      java.util.Arrays.fill(want, 8, 12, 3f);
      assertThat(got).containsExactly(want);
      List<String> types = new ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
      assertThat(types).contains("SplitV").doesNotContain("Pad", "Slice");
    }
  }

  /**
   * A vector longer than P (a hypernetwork's last chunk uncut) gives the same tensors; its tail
   * gets a zero gradient, and no slice or pad is built for it. One shorter than P is refused.
   */
  @Test
  void aTailPastTheLayoutIsDroppedWithAZeroGradient() {
    int p = (int) LAYOUT.totalSize();
    float[] flat = ramp(p + 5, 0.25f, -1);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(flat);
      Map<String, Operand<TFloat32>> parts = LAYOUT.split(tf, x);
      assertThat(parts.keySet()).containsExactly("w", "b", "v");
      List<Operand<TFloat32>> terms = new ArrayList<>();
      for (WeightLayout.Entry e : LAYOUT.entries()) {
        float[] got = GraphTestSupport.fetch(s, Map.of(), parts.get(e.name()));
        int from = (int) e.offset();
        assertThat(got).containsExactly(java.util.Arrays.copyOfRange(flat, from, from + (int) e.size()));
        terms.add(tf.sum(tf.reshape(tf.math.square(parts.get(e.name())), tf.constant(new int[] {-1})), tf.constant(0)));
      }
      float[] grad = GraphTestSupport.fetch(s, Map.of(), tf.gradients(tf.math.addN(terms), List.of(x)).dy(0));
      assertThat(grad).hasSize(p + 5);
      for (int i = 0; i < flat.length; i++) {
        assertThat(grad[i]).as("d/dx[%d]", i).isEqualTo(i < p ? 2 * flat[i] : 0f);
      }
      List<String> types = new ArrayList<>();
      g.operations().forEachRemaining(op -> types.add(((GraphOperation) op).type()));
      assertThat(types).contains("SplitV").doesNotContain("Pad", "Slice");
      Operand<TFloat32> shorter = tf.constant(new float[p - 1]);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> LAYOUT.split(tf, shorter))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("11 values").hasMessageContaining("12");
    }
  }

  /** {@code n} values {@code i·step + offset}. */
  private static float[] ramp(int n, float step, float offset) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * step + offset;
    }
    return v;
  }
}
