package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * How a flat weight vector is cut into named tensors: an ordered list of shapes with offsets.
 *
 * <p>A target network built from a layout takes one flat {@code [P]} operand, so the same graph
 * runs on generated weights, frozen weights or plain variables.
 */
public final class WeightLayout {

  /** One named tensor inside the flat vector. */
  public record Entry(String name, long[] shape, long offset, long size) {
    public Shape tfShape() {
      return Shape.of(shape);
    }
  }

  private final List<Entry> entries;
  private final Map<String, Entry> byName;
  private final long total;

  private WeightLayout(List<Entry> entries) {
    this.entries = Collections.unmodifiableList(entries);
    Map<String, Entry> map = new LinkedHashMap<>();
    long sum = 0;
    for (Entry e : entries) {
      if (map.put(e.name(), e) != null) {
        throw new IllegalArgumentException("duplicate weight name " + e.name());
      }
      sum += e.size();
    }
    this.byName = Collections.unmodifiableMap(map);
    this.total = sum;
  }

  /** Starts a layout. */
  public static Builder builder() {
    return new Builder();
  }

  public List<Entry> entries() {
    return entries;
  }

  public Entry entry(String name) {
    Entry e = byName.get(name);
    if (e == null) {
      throw new IllegalArgumentException("no weight named " + name + " in layout " + byName.keySet());
    }
    return e;
  }

  /** The total number of weights, P. */
  public long totalSize() {
    return total;
  }

  /** Cuts the named tensor out of a flat {@code [P]} weight operand. */
  public Operand<TFloat32> slice(Ops tf, Operand<TFloat32> flat, String name) {
    Entry e = entry(name);
    Operand<TFloat32> part =
        tf.slice(
            flat,
            tf.constant(new int[] {Math.toIntExact(e.offset())}),
            tf.constant(new int[] {Math.toIntExact(e.size())}));
    return tf.reshape(part, tf.constant(intShape(e)));
  }

  /**
   * Cuts a flat {@code [P]} weight operand into all named tensors at once, in layout order. One
   * {@code SplitV}: its gradient is a single concatenation, where one {@link #slice} per tensor
   * would pad every tensor's gradient back to {@code [P]} and add the pads up.
   *
   * <p>{@code flat} may also be longer than P, by a statically known number of values that no
   * tensor uses (a chunked hypernetwork's output before its last chunk's tail is cut off): the
   * tail is split off with the rest and dropped, so a training step need not slice the generated
   * vector to {@code [P]} and pad the slice's gradient back (two copies of every weight per step).
   */
  public Map<String, Operand<TFloat32>> split(Ops tf, Operand<TFloat32> flat) {
    int[] sizes = sizes();
    long extra = unusedTail(flat);
    if (extra > 0) {
      sizes = java.util.Arrays.copyOf(sizes, sizes.length + 1);
      sizes[sizes.length - 1] = Math.toIntExact(extra);
    }
    List<Operand<TFloat32>> parts = new ArrayList<>();
    if (sizes.length == 1) {
      parts.add(flat);
    } else {
      parts.addAll(tf.splitV(flat, tf.constant(sizes), tf.constant(0), (long) sizes.length).output());
    }
    Map<String, Operand<TFloat32>> out = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      out.put(e.name(), tf.reshape(parts.get(i), tf.constant(intShape(e))));
    }
    return out;
  }

  /** Values of a flat operand past P (0 unless its static length says more), refusing one shorter than P. */
  private long unusedTail(Operand<TFloat32> flat) {
    Shape shape = flat.shape();
    if (shape.isUnknown() || shape.numDimensions() != 1 || shape.size(0) < 0) {
      return 0;
    }
    long n = shape.size(0);
    if (n < total) {
      throw new IllegalArgumentException("a flat weight vector of " + n + " values is shorter than the layout's " + total);
    }
    return n - total;
  }

  /** The entries' sizes, in layout order (the sizes a {@code SplitV} of the flat vector takes). */
  public int[] sizes() {
    int[] sizes = new int[entries.size()];
    for (int i = 0; i < sizes.length; i++) {
      sizes[i] = Math.toIntExact(entries.get(i).size());
    }
    return sizes;
  }

  private static int[] intShape(Entry e) {
    int[] shape = new int[e.shape().length];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = Math.toIntExact(e.shape()[i]);
    }
    return shape;
  }

  /** Builds a {@link WeightLayout}. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();
    private long offset;

    public Builder add(String name, long... shape) {
      long size = 1;
      for (long d : shape) {
        if (d <= 0) {
          throw new IllegalArgumentException("weight " + name + " has a non-positive dimension");
        }
        size = Math.multiplyExact(size, d);
      }
      entries.add(new Entry(name, shape.clone(), offset, size));
      offset += size;
      return this;
    }

    public WeightLayout build() {
      return new WeightLayout(new ArrayList<>(entries));
    }
  }
}
