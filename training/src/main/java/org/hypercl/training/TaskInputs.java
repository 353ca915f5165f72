package org.hypercl.training;

import java.util.List;
import org.hypercl.graphs.ResourceBuffer;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The current task's training data, held in the graph: inputs {@code [maxN, in]} and targets
 * {@code [maxN, out]} in resource variables (left out of checkpoints). A step feeds batch indices
 * only; the batch's rows are gathered in the graph. Permuted tasks share one base array, which is
 * loaded once; a new task's permutation is applied to the buffer's columns in place, once, when the
 * task is loaded, so no step gathers columns.
 *
 * <p>{@link #union} holds instead the training sets of several tasks at once (the multitask
 * bound): each distinct base array once, one after another, and a permutation per task; a step
 * feeds each example's row and task ({@link #unionBatch}), and the rows are permuted by their own
 * task's permutation.
 */
final class TaskInputs {

  private final int maxTrainSize;
  private final boolean union;
  private final int inputDim;
  private final int outputDim;
  private final ResourceBuffer x;
  private final ResourceBuffer y;
  private final Variable<TInt32> permutation;
  private final Placeholder<TFloat32> loadX;
  private final Placeholder<TFloat32> loadY;
  private final Placeholder<TInt32> loadPermutation;
  private final Op loadData;
  private final Op setPermutation;
  /**
   * One task's inputs: re-permutes the buffer's columns in place by the fed permutation (the
   * composition that takes the permutation it holds to the task's), so steps gather no columns.
   */
  private final Placeholder<TInt32> repermuteBy;
  private final Op repermute;
  /** The permutation the buffer's columns hold now, relative to the base arrays loaded (one task's inputs). */
  private int[] heldPermutation;
  final Placeholder<TInt32> batchIndices;
  final Operand<TFloat32> batchX;
  final Operand<TFloat32> batchY;
  final Placeholder<TFloat32> evalX;
  final Placeholder<TInt32> evalPermutation;
  final Operand<TFloat32> evalInput;

  /** Each example's task {@code [b]}, fed with the batch in {@link #union} mode; null otherwise. */
  final Placeholder<TInt32> batchTasks;

  private float[] loadedX;
  private float[] loadedY;
  /** In union mode: the distinct (inputs, targets) arrays loaded, in pairs, and each loaded task's first row and size. */
  private List<float[]> loadedBases = List.of();
  private int[] taskOffsets = new int[0];
  private int[] taskSizes = new int[0];

  TaskInputs(Ops tf, int maxTrainSize, int inputDim, int outputDim) {
    this(tf, maxTrainSize, inputDim, outputDim, 0);
  }

  /**
   * @param unionTasks 0 for one task's data in buffers of {@code maxTrainSize} rows; otherwise
   *     the number of tasks a union of training sets may hold (buffers sized at each load)
   */
  private TaskInputs(Ops tf, int maxTrainSize, int inputDim, int outputDim, int unionTasks) {
    this.maxTrainSize = maxTrainSize;
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.union = unionTasks > 0;
    Ops d = tf.withSubScope("data");
    x = union ? ResourceBuffer.resizable(d, "x", inputDim) : new ResourceBuffer(d, "x", maxTrainSize, inputDim);
    y = union ? ResourceBuffer.resizable(d, "y", outputDim) : new ResourceBuffer(d, "y", maxTrainSize, outputDim);
    int[] identity = new int[inputDim];
    for (int i = 0; i < inputDim; i++) {
      identity[i] = i;
    }
    int[][] identities = new int[Math.max(unionTasks, 1)][];
    java.util.Arrays.fill(identities, identity);
    permutation = union
        ? d.withName("permutation").variable(d.constant(identities))
        : d.withName("permutation").variable(d.constant(identity));
    loadX = d.withName("load_x").placeholder(TFloat32.class);
    loadY = d.withName("load_y").placeholder(TFloat32.class);
    loadPermutation = d.withName("load_permutation").placeholder(TInt32.class);
    loadData = d.withControlDependencies(List.of(d.assignVariableOp(x.handle(), loadX), d.assignVariableOp(y.handle(), loadY))).noOp();
    setPermutation = d.assign(permutation, loadPermutation);

    batchIndices = d.withName("batch_indices").placeholder(TInt32.class);
    Operand<TFloat32> rows = d.resourceGather(x.handle(), batchIndices, TFloat32.class);
    if (union) {
      batchTasks = d.withName("batch_tasks").placeholder(TInt32.class);
      // Row i permuted by its own task's permutation: out[i, j] = rows[i, perm[task_i, j]].
      Operand<TInt32> perms = d.gather(d.identity(permutation), batchTasks, d.constant(0));
      batchX = d.gather(rows, perms, d.constant(1), org.tensorflow.op.core.Gather.batchDims(1L));
    } else {
      batchTasks = null;
      batchX = rows; // the buffer holds the task's permuted inputs (load)
    }
    repermuteBy = d.withName("repermute_by").placeholder(TInt32.class);
    repermute = d.withName("repermute").assignVariableOp(x.handle(), d.gather(x.read(d), repermuteBy, d.constant(1)));
    batchY = d.resourceGather(y.handle(), batchIndices, TFloat32.class);

    evalX = d.withName("eval_x").placeholder(TFloat32.class);
    evalPermutation = d.withName("eval_permutation").placeholder(TInt32.class);
    evalInput = d.gather(evalX, evalPermutation, d.constant(1));
  }

  /** Inputs that hold the training sets of up to {@code maxTasks} tasks at once ({@link #loadUnion}). */
  static TaskInputs union(Ops tf, int inputDim, int outputDim, int maxTasks) {
    if (maxTasks <= 0) {
      throw new IllegalArgumentException("a union of training sets needs at least one task, got " + maxTasks);
    }
    return new TaskInputs(tf, 0, inputDim, outputDim, maxTasks);
  }

  /**
   * Puts the training sets of {@code tasks} (task k is {@code tasks.get(k)}) in the graph: each
   * distinct base array once (permuted tasks share theirs), and every task's permutation; the
   * arrays only if they changed.
   */
  void loadUnion(Session session, List<TaskData> tasks) {
    if (!union) {
      throw new IllegalStateException("these inputs hold one task's data; use load");
    }
    long rows = permutation.shape().size(0);
    if (tasks.isEmpty() || tasks.size() > rows) {
      throw new IllegalArgumentException("a union of " + tasks.size() + " training sets; these inputs hold 1 to " + rows);
    }
    List<float[]> bases = new java.util.ArrayList<>();
    List<float[]> targets = new java.util.ArrayList<>();
    List<Integer> starts = new java.util.ArrayList<>();
    int total = 0;
    taskOffsets = new int[tasks.size()];
    taskSizes = new int[tasks.size()];
    for (int k = 0; k < tasks.size(); k++) {
      TaskData d = tasks.get(k);
      int found = -1;
      for (int i = 0; i < bases.size() && found < 0; i++) {
        if (bases.get(i) == d.trainX() && targets.get(i) == d.trainY()) {
          found = i;
        }
      }
      if (found < 0) {
        found = bases.size();
        bases.add(d.trainX());
        targets.add(d.trainY());
        starts.add(total);
        total = Math.addExact(total, d.trainSize());
      }
      taskOffsets[k] = starts.get(found);
      taskSizes[k] = d.trainSize();
    }
    List<float[]> arrays = new java.util.ArrayList<>();
    for (int i = 0; i < bases.size(); i++) {
      arrays.add(bases.get(i));
      arrays.add(targets.get(i));
    }
    if (!sameArrays(arrays, loadedBases)) {
      float[] xs = new float[Math.multiplyExact(total, inputDim)];
      float[] ys = new float[Math.multiplyExact(total, outputDim)];
      int row = 0;
      for (int i = 0; i < bases.size(); i++) {
        System.arraycopy(bases.get(i), 0, xs, row * inputDim, bases.get(i).length);
        System.arraycopy(targets.get(i), 0, ys, row * outputDim, targets.get(i).length);
        row += bases.get(i).length / inputDim;
      }
      try (TFloat32 tx = Tensors.floats(xs, total, inputDim); TFloat32 ty = Tensors.floats(ys, total, outputDim)) {
        session.runner().feed(loadX, tx).feed(loadY, ty).addTarget(loadData).run().close();
      }
      loadedBases = List.copyOf(arrays);
    }
    int[] perms = new int[(int) rows * inputDim];
    for (int k = 0; k < rows; k++) {
      int[] p = k < tasks.size() ? tasks.get(k).inputPermutation() : null;
      for (int j = 0; j < inputDim; j++) {
        perms[k * inputDim + j] = p == null ? j : p[j];
      }
    }
    try (TInt32 p = Tensors.ints(perms, rows, inputDim)) {
      session.runner().feed(loadPermutation, p).addTarget(setPermutation).run().close();
    }
  }

  private static boolean sameArrays(List<float[]> a, List<float[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) { // the same arrays, not equal contents: a task's data never changes
        return false;
      }
    }
    return true;
  }

  /** Examples of the loaded union: the sum of its tasks' training-set sizes. */
  int unionSize() {
    int n = 0;
    for (int s : taskSizes) {
      n += s;
    }
    return n;
  }

  /** A union batch's rows in the buffer and tasks, for examples numbered in task order (task 0's first). */
  record UnionBatch(int[] rows, int[] tasks) {}

  /** Where examples {@code examples} (each in [0, {@link #unionSize})) of the loaded union lie. */
  UnionBatch unionBatch(int[] examples) {
    int[] rows = new int[examples.length];
    int[] tasks = new int[examples.length];
    for (int i = 0; i < examples.length; i++) {
      int e = examples[i];
      int k = 0;
      while (k < taskSizes.length && e >= taskSizes[k]) {
        e -= taskSizes[k];
        k++;
      }
      if (k == taskSizes.length) {
        throw new IllegalArgumentException("example " + examples[i] + " is not in the union of " + unionSize());
      }
      rows[i] = taskOffsets[k] + e;
      tasks[i] = k;
    }
    return new UnionBatch(rows, tasks);
  }

  /** Puts a task's training data and permutation in the graph (the arrays only if they changed). */
  void load(Session session, TaskData data) {
    if (union) {
      throw new IllegalStateException("these inputs hold a union of training sets; use loadUnion");
    }
    if (data.trainSize() > maxTrainSize) {
      throw new IllegalArgumentException(
          "task " + data.name() + " has " + data.trainSize() + " training examples; the learner holds at most " + maxTrainSize);
    }
    if (data.trainX() != loadedX || data.trainY() != loadedY) {
      float[] xs = new float[maxTrainSize * inputDim];
      float[] ys = new float[maxTrainSize * outputDim];
      System.arraycopy(data.trainX(), 0, xs, 0, data.trainX().length);
      System.arraycopy(data.trainY(), 0, ys, 0, data.trainY().length);
      try (TFloat32 tx = Tensors.floats(xs, maxTrainSize, inputDim);
          TFloat32 ty = Tensors.floats(ys, maxTrainSize, outputDim)) {
        session.runner().feed(loadX, tx).feed(loadY, ty).addTarget(loadData).run().close();
      }
      loadedX = data.trainX();
      loadedY = data.trainY();
      heldPermutation = identity(inputDim);
    }
    int[] wanted = data.inputPermutation();
    if (!java.util.Arrays.equals(wanted, heldPermutation)) {
      // Column j must become base column wanted[j], which the buffer holds at inverse(held)[wanted[j]].
      int[] inverse = new int[inputDim];
      for (int j = 0; j < inputDim; j++) {
        inverse[heldPermutation[j]] = j;
      }
      int[] by = new int[inputDim];
      for (int j = 0; j < inputDim; j++) {
        by[j] = inverse[wanted[j]];
      }
      try (TInt32 p = Tensors.ints(by, inputDim)) {
        session.runner().feed(repermuteBy, p).addTarget(repermute).run().close();
      }
      heldPermutation = wanted.clone();
    }
  }

  private static int[] identity(int n) {
    int[] id = new int[n];
    for (int i = 0; i < n; i++) {
      id[i] = i;
    }
    return id;
  }
}
