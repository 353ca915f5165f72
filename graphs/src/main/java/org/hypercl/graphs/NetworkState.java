package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Per-condition state of a target network, such as the running batch-norm statistics of every
 * task: for each {@link Table} a {@code [conditions, channels]} matrix, one row per task. A forward
 * pass reads the row of its {@link ForwardContext#condition()}; a training pass asks to overwrite
 * that row ({@link TargetNetwork.Forward#stateUpdates()}), so the rows of other tasks never move.
 *
 * <p>In a training graph the tables are variables ({@link #variables}), saved with the checkpoint;
 * in an export they are constants holding what training left ({@link #constants}).
 */
public final class NetworkState {

  /**
   * One kind of state: its name (unique in the network), the channels per condition and the
   * value a fresh row starts with (0 for running means, 1 for running variances).
   */
  public record Table(String name, int channels, float initial) {
    public Table {
      if (channels <= 0) {
        throw new IllegalArgumentException("state table " + name + " needs a positive channel count, got " + channels);
      }
    }
  }

  private final Map<String, Operand<TFloat32>> reads;
  private final Map<String, Variable<TFloat32>> variables;
  private final int conditions;

  private NetworkState(Map<String, Operand<TFloat32>> reads, Map<String, Variable<TFloat32>> variables, int conditions) {
    this.reads = Collections.unmodifiableMap(reads);
    this.variables = Collections.unmodifiableMap(variables);
    this.conditions = conditions;
  }

  /** Variables {@code scope + table name}, {@code [conditions, channels]}, every row at the table's initial value. */
  public static NetworkState variables(Ops tf, String scope, List<Table> tables, int conditions) {
    if (conditions <= 0) {
      throw new IllegalArgumentException("network state needs at least one condition, got " + conditions);
    }
    Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
    Map<String, Variable<TFloat32>> vars = new LinkedHashMap<>();
    for (Table t : tables) {
      float[] init = new float[conditions * t.channels()];
      java.util.Arrays.fill(init, t.initial());
      Variable<TFloat32> v = Variables.of(tf, scope + t.name(), init, conditions, t.channels());
      if (vars.put(t.name(), v) != null) {
        throw new IllegalArgumentException("duplicate state table " + t.name());
      }
      reads.put(t.name(), tf.identity(v));
    }
    return new NetworkState(reads, vars, conditions);
  }

  /** Constant tables, e.g. the statistics a trained run left, for an export; nothing can update them. */
  public static NetworkState constants(Ops tf, Map<String, float[][]> values) {
    Map<String, Operand<TFloat32>> reads = new LinkedHashMap<>();
    int conditions = -1;
    for (Map.Entry<String, float[][]> e : values.entrySet()) {
      float[][] rows = e.getValue();
      if (conditions >= 0 && rows.length != conditions) {
        throw new IllegalArgumentException("state table " + e.getKey() + " has " + rows.length + " rows, others " + conditions);
      }
      conditions = rows.length;
      int c = rows.length == 0 ? 0 : rows[0].length;
      float[] flat = new float[rows.length * c];
      for (int i = 0; i < rows.length; i++) {
        if (rows[i].length != c) {
          throw new IllegalArgumentException("state table " + e.getKey() + ": row " + i + " has " + rows[i].length + " values, row 0 " + c);
        }
        System.arraycopy(rows[i], 0, flat, i * c, c);
      }
      reads.put(e.getKey(), tf.constant(Shape.of(rows.length, c), DataBuffers.of(flat, true, false)));
    }
    return new NetworkState(reads, Map.of(), Math.max(conditions, 0));
  }

  /** The tables' names, in creation order. */
  public List<String> names() {
    return new ArrayList<>(reads.keySet());
  }

  /** Rows per table. */
  public int conditions() {
    return conditions;
  }

  /** The variables, for checkpoints and for reading trained values back; empty for constants. */
  public List<Variable<TFloat32>> variableList() {
    return new ArrayList<>(variables.values());
  }

  /** The variable of one table (training graphs only). */
  public Variable<TFloat32> variable(String name) {
    Variable<TFloat32> v = variables.get(name);
    if (v == null) {
      throw new IllegalStateException(reads.containsKey(name)
          ? "state table " + name + " is constant here (an export); it cannot be updated"
          : "no state table " + name + "; tables: " + reads.keySet());
    }
    return v;
  }

  /** The whole table, {@code [conditions, channels]}. */
  public Operand<TFloat32> table(String name) {
    Operand<TFloat32> t = reads.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no state table " + name + "; tables: " + reads.keySet());
    }
    return t;
  }

  /** The row of {@code condition}, {@code [channels]}. */
  public Operand<TFloat32> row(Ops tf, String name, Operand<TInt32> condition) {
    return tf.gather(table(name), condition, tf.constant(0));
  }

  /** An op that overwrites the row of {@code condition} with {@code value [channels]}. */
  public Op updateRow(Ops tf, String name, Operand<TInt32> condition, Operand<TFloat32> value) {
    Operand<TInt32> index = tf.reshape(condition, tf.constant(new int[] {1}));
    Operand<TFloat32> rows = tf.expandDims(value, tf.constant(0));
    return tf.scatterUpdate(variable(name), index, rows);
  }
}
