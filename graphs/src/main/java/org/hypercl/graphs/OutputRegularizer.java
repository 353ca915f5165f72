package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The output regularizer of Eq. 2 (von Oswald et al., 2020):
 *
 * <pre>
 *   L_reg = β/k · Σ_{t in window} ‖ h(e^(t), Θ_h*) − h(e^(t), Θ_h + ΔΘ_h) ‖²
 * </pre>
 *
 * <p>The targets {@code W*_t = h(e^(t), Θ_h*)} are written once per task into non-trainable
 * buffers of chunk rows, one block of n_c rows per past task ("slot"). Regularizing all past tasks,
 * the slots live in groups of {@link #slotsPerGroup()} slots, each group its own buffer sized to
 * the slots it holds and read whole, with one GEMM per group: the GEMM's scratch stays bounded by
 * a group, and a group's buffer keeps its size once full, so the allocator reuses the same blocks
 * task after task instead of growing with the number of tasks. Windowed, a step regularizes
 * {@code count} slots from {@code start}, then {@code wrap} slots from slot 0, sliced from one
 * buffer allocated once for all {@code T_max} slots. With all past tasks in the window this is Eq. 2; with a random window of K over
 * targets stored in random order it is the stochastic regularizer, every past task drawn with
 * probability K/(T−1). The window's targets are read by dim-0 slices of the variable, never
 * gathered, and the hypernetwork runs once for all k window tasks.
 *
 * <p>{@link #expanded} evaluates the squared error without materialising the {@code [k, P]}
 * outputs. With the last layer linear, {@code o_r = h'_r·W'}, {@code W' = [W; b]}:
 *
 * <pre>
 *   Σ_r ‖t_r − o_r‖² = Σ_r ‖t_r‖² − 2·Σ_r h'_r·(t_r W'ᵀ) + Σ_r h'_r (W'W'ᵀ) h'_rᵀ
 * </pre>
 *
 * The first term is stored per slot when the targets are written, the second is one GEMM that
 * only reads the targets, the third needs only the small Gram matrix. The cut tail of each task's
 * last chunk is subtracted exactly. {@link #naive} is the direct form, for tests.
 */
public final class OutputRegularizer {

  private final Hypernetwork hnet;
  private final int maxTasks;
  private final int numChunks;
  private final int rowSize;
  private final int tail;
  /** Budget of one group of stored targets when all past tasks are regularized. */
  public static final long DEFAULT_GROUP_BYTES = 256L << 20;

  private final int slotsPerGroup;
  /** Non-windowed: one buffer per group of slots; windowed: one buffer of T_max slots. */
  private final List<ResourceBuffer> groups;
  private final List<Op> storeOps;
  private final ResourceBuffer normBuffer;
  /** The cut tail of each slot's last chunk, {@code [T_max, tail]}, kept apart from the targets. */
  private final ResourceBuffer tailBuffer;
  private final Placeholder<TInt32> storeTask;
  private final Placeholder<TInt32> storeSlot;
  private final Placeholder<TInt32> windowTasks;
  private final Placeholder<TInt32> windowStart;
  private final Placeholder<TInt32> windowCount;
  private final Placeholder<TInt32> windowWrap;
  private final boolean windowed;
  private final Placeholder<TInt32> slotCount;
  private final Op resize;

  /**
   * @param currentParams Θ_h as read now; {@link #storeTargets(int)} evaluates the hypernetwork there
   * @param embeddingTable all task embeddings {@code [T_max, d_e]}
   * @param windowed whether steps regularize windows of the stored slots (the stochastic
   *     regularizer) rather than all of them; with all of them the stored targets are read whole
   */
  public OutputRegularizer(
      Ops tf,
      Hypernetwork hnet,
      List<Operand<TFloat32>> currentParams,
      Operand<TFloat32> embeddingTable,
      int maxTasks,
      boolean windowed) {
    this(tf, hnet, currentParams, embeddingTable, maxTasks, windowed, defaultSlotsPerGroup(hnet.spec(), maxTasks));
  }

  /**
   * As above with an explicit group size (used only when all past tasks are regularized).
   *
   * @param slotsPerGroup past tasks whose targets share one buffer and one GEMM, at least 1
   */
  public OutputRegularizer(
      Ops tf,
      Hypernetwork hnet,
      List<Operand<TFloat32>> currentParams,
      Operand<TFloat32> embeddingTable,
      int maxTasks,
      boolean windowed,
      int slotsPerGroup) {
    if (maxTasks < 1 || slotsPerGroup < 1) {
      throw new IllegalArgumentException("maxTasks and slotsPerGroup must be at least 1, got " + maxTasks + " and " + slotsPerGroup);
    }
    this.windowed = windowed;
    this.hnet = hnet;
    this.maxTasks = maxTasks;
    HypernetworkSpec spec = hnet.spec();
    this.numChunks = spec.numChunks();
    this.rowSize = spec.rowSize();
    this.tail = Math.toIntExact((long) numChunks * rowSize - spec.targetSize());
    this.slotsPerGroup = windowed ? maxTasks : Math.min(slotsPerGroup, maxTasks);
    Ops r = tf.withSubScope("regularizer");
    this.normBuffer = new ResourceBuffer(r, "target_norms", maxTasks);
    this.tailBuffer = tail > 0 ? new ResourceBuffer(r, "target_tails", maxTasks, tail) : null;
    this.slotCount = r.withName("slot_count").placeholder(TInt32.class);
    int groupCount = (maxTasks + this.slotsPerGroup - 1) / this.slotsPerGroup;
    List<ResourceBuffer> buffers = new ArrayList<>();
    List<Op> resizes = new ArrayList<>();
    if (windowed) {
      // Allocated once at full size: resizing it at every task would leave the allocator a trail
      // of ever larger freed blocks.
      buffers.add(new ResourceBuffer(r, "targets", (long) maxTasks * numChunks, rowSize));
    } else {
      for (int g = 0; g < groupCount; g++) {
        ResourceBuffer b = ResourceBuffer.resizable(r, groupCount == 1 ? "targets" : "targets_" + g, rowSize);
        buffers.add(b);
        resizes.add(b.resize(r, r.math.mul(clamp(r, r.math.sub(slotCount, r.constant(g * this.slotsPerGroup)), this.slotsPerGroup), r.constant(numChunks))));
      }
    }
    this.groups = List.copyOf(buffers);
    this.resize = r.withName("resize_targets").withControlDependencies(resizes).noOp();

    this.storeTask = r.withName("store_task").placeholder(TInt32.class);
    this.storeSlot = r.withName("store_slot").placeholder(TInt32.class);
    Operand<TFloat32> e = r.gather(embeddingTable, r.reshape(storeTask, r.constant(new int[] {1})), r.constant(0));
    Operand<TFloat32> rows = hnet.outputRows(r, currentParams, e);
    Operand<TFloat32> norm = r.reshape(r.sum(r.math.square(rows), r.constant(new int[] {0, 1})), r.constant(new int[] {1}));
    List<Op> common = new ArrayList<>();
    common.add(r.resourceScatterUpdate(normBuffer.handle(), r.reshape(storeSlot, r.constant(new int[] {1})), norm));
    if (tailBuffer != null) {
      // The tail of the last chunk row: read later from this small buffer, because slicing it out
      // of the large targets buffer makes oneDNN copy the whole buffer every step.
      Operand<TFloat32> tailRow =
          r.reshape(
              r.slice(rows, r.constant(new int[] {numChunks - 1, rowSize - tail}), r.constant(new int[] {1, tail})),
              r.constant(new int[] {1, tail}));
      common.add(r.resourceScatterUpdate(tailBuffer.handle(), r.reshape(storeSlot, r.constant(new int[] {1})), tailRow));
    }
    List<Op> stores = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      Operand<TInt32> local = r.math.sub(storeSlot, r.constant(g * this.slotsPerGroup));
      Operand<TInt32> firstRow = r.math.mul(local, r.constant(numChunks));
      Operand<TInt32> begin = r.stack(List.of(firstRow, r.constant(0)));
      Operand<TInt32> end = r.stack(List.of(r.math.add(firstRow, r.constant(numChunks)), r.constant(rowSize)));
      List<Op> writes = new ArrayList<>(common);
      writes.add(r.resourceStridedSliceAssign(groups.get(g).handle(), begin, end, r.constant(new int[] {1, 1}), rows));
      stores.add(r.withControlDependencies(writes).withName(groups.size() == 1 ? "store_targets" : "store_targets_" + g).noOp());
    }
    this.storeOps = List.copyOf(stores);

    this.windowTasks = r.withName("window_tasks").placeholder(TInt32.class);
    this.windowStart = r.withName("window_start").placeholder(TInt32.class);
    this.windowCount = r.withName("window_count").placeholder(TInt32.class);
    this.windowWrap = r.withName("window_wrap").placeholder(TInt32.class);
  }

  /** Slots per group so that one group's targets take about {@link #DEFAULT_GROUP_BYTES}. */
  static int defaultSlotsPerGroup(HypernetworkSpec spec, int maxTasks) {
    long slotBytes = (long) spec.numChunks() * spec.rowSize() * Float.BYTES;
    return (int) Math.max(1, Math.min(maxTasks, DEFAULT_GROUP_BYTES / slotBytes));
  }

  private static Operand<TInt32> clamp(Ops tf, Operand<TInt32> x, int max) {
    return tf.math.minimum(tf.math.maximum(x, tf.constant(0)), tf.constant(max));
  }

  public int maxTasks() {
    return maxTasks;
  }

  /**
   * The buffers of stored targets, {@code [rows, S]} each: resource variables left out of
   * checkpoints because {@link #storeTargets(int)} rebuilds them from the parameters.
   */
  public List<ResourceBuffer> targetGroups() {
    return groups;
  }

  /** Past tasks per group of stored targets ({@code T_max} when windowed: one buffer). */
  public int slotsPerGroup() {
    return slotsPerGroup;
  }

  /** ‖W*‖² per slot, {@code [T_max]}. */
  public ResourceBuffer targetNorms() {
    return normBuffer;
  }

  /**
   * Makes room for {@code slotCount} slots (zeros); run at the start of a task, before storing.
   * Windowed, the buffer already holds {@code T_max} slots and this does nothing.
   */
  public Op resizeTargets() {
    return resize;
  }

  public Placeholder<TInt32> slotCountInput() {
    return slotCount;
  }

  /**
   * The op that writes {@code h(e^(storeTask), Θ_h)} into slot {@code storeSlot}; {@code slot} must
   * be the value fed to {@link #storeSlotInput()} (it picks the group's buffer).
   */
  public Op storeTargets(int slot) {
    if (slot < 0 || slot >= maxTasks) {
      throw new IllegalArgumentException("slot " + slot + " outside [0, " + maxTasks + ")");
    }
    return storeOps.get(slot / slotsPerGroup);
  }

  public Placeholder<TInt32> storeTaskInput() {
    return storeTask;
  }

  public Placeholder<TInt32> storeSlotInput() {
    return storeSlot;
  }

  /** Task ids of the window's slots, in slot order ({@code [k]} int32). */
  public Placeholder<TInt32> windowTasksInput() {
    return windowTasks;
  }

  public Placeholder<TInt32> windowStartInput() {
    return windowStart;
  }

  public Placeholder<TInt32> windowCountInput() {
    return windowCount;
  }

  public Placeholder<TInt32> windowWrapInput() {
    return windowWrap;
  }

  private Operand<TFloat32> slotRows(Ops tf, Operand<TInt32> firstSlot, Operand<TInt32> slots) {
    Operand<TInt32> begin = tf.stack(List.of(tf.math.mul(firstSlot, tf.constant(numChunks)), tf.constant(0)));
    Operand<TInt32> size = tf.stack(List.of(tf.math.mul(slots, tf.constant(numChunks)), tf.constant(rowSize)));
    return tf.slice(groups.get(0).read(tf), begin, size);
  }

  private Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32> x) {
    return tf.sum(tf.reshape(x, tf.constant(new int[] {-1})), tf.constant(0));
  }

  /**
   * Σ over the window of ‖W*_t − h(e^(t), params)‖², in the expanded form (no {@code [k, P]}
   * tensor). Not scaled by β/k.
   */
  public Operand<TFloat32> expanded(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddingTable) {
    Ops r = tf.withSubScope("regularizer_expanded");
    Operand<TFloat32> e = r.gather(embeddingTable, windowTasks, r.constant(0));
    Operand<TFloat32> h = hnet.lastHidden(r, params, e);
    Operand<TInt32> rows = r.slice(r.shape(h), r.constant(new int[] {0}), r.constant(new int[] {1}));
    Operand<TFloat32> ones = r.fill(r.concat(List.of(rows, r.constant(new int[] {1})), r.constant(0)), r.constant(1f));
    Operand<TFloat32> hp = r.concat(List.of(h, ones), r.constant(1)); // [R, h+1]
    Operand<TFloat32> w = hnet.outputMatrix(r, params); // [h+1, S]

    Operand<TInt32> split = r.math.mul(windowCount, r.constant(numChunks));
    Operand<TFloat32> h1 = r.slice(hp, r.stack(List.of(r.constant(0), r.constant(0))), r.stack(List.of(split, r.constant(-1))));
    Operand<TFloat32> h2 = r.slice(hp, r.stack(List.of(split, r.constant(0))), r.constant(new int[] {-1, -1}));
    Operand<TFloat32> cross;
    if (windowed) {
      Operand<TFloat32> a1 = r.linalg.matMul(slotRows(r, windowStart, windowCount), w, MatMul.transposeB(true));
      Operand<TFloat32> a2 = r.linalg.matMul(slotRows(r, r.constant(0), windowWrap), w, MatMul.transposeB(true));
      cross = r.math.add(sumAll(r, r.math.mul(h1, a1)), sumAll(r, r.math.mul(h2, a2)));
    } else {
      // Every stored slot, in slot order: each group's buffer is read whole, never sliced or copied,
      // and meets its rows of H' in a GEMM of its own.
      // Σ_r h'_r·(t_r W'ᵀ) = Σ (H'ᵀ T) ∘ W': the large operand is the plain right-hand side.
      List<Operand<TFloat32>> reads = new ArrayList<>();
      List<Operand<TInt32>> rowCounts = new ArrayList<>();
      for (ResourceBuffer g : groups) {
        Operand<TFloat32> t = g.read(r);
        reads.add(t);
        rowCounts.add(r.reshape(r.slice(r.shape(t), r.constant(new int[] {0}), r.constant(new int[] {1})), r.constant(new int[0])));
      }
      List<Operand<TFloat32>> pieces = new ArrayList<>();
      if (groups.size() == 1) {
        pieces.add(hp);
      } else {
        pieces.addAll(r.splitV(hp, r.stack(rowCounts), r.constant(0), (long) groups.size()).output());
      }
      List<Operand<TFloat32>> products = new ArrayList<>();
      for (int g = 0; g < groups.size(); g++) {
        products.add(r.linalg.matMul(pieces.get(g), reads.get(g), MatMul.transposeA(true)));
      }
      Operand<TFloat32> m = products.size() == 1 ? products.get(0) : r.math.addN(products);
      cross = sumAll(r, r.math.mul(m, w));
    }

    Operand<TFloat32> gram = r.linalg.matMul(w, w, MatMul.transposeB(true));
    Operand<TFloat32> quad = sumAll(r, r.math.mul(r.linalg.matMul(hp, gram), hp));

    Operand<TFloat32> slotNormSq = normBuffer.read(r);
    Operand<TFloat32> norms =
        r.math.add(
            sumAll(r, r.slice(slotNormSq, r.reshape(windowStart, r.constant(new int[] {1})), r.reshape(windowCount, r.constant(new int[] {1})))),
            sumAll(r, r.slice(slotNormSq, r.constant(new int[] {0}), r.reshape(windowWrap, r.constant(new int[] {1})))));

    Operand<TFloat32> total = r.math.add(r.math.sub(norms, r.math.mul(r.constant(2f), cross)), quad);
    if (tail == 0) {
      return total;
    }
    int hw = hnet.spec().lastHiddenSize() + 1;
    Operand<TFloat32> lastRows =
        r.reshape(
            r.slice(
                r.reshape(hp, r.constant(new int[] {-1, numChunks, hw})),
                r.constant(new int[] {0, numChunks - 1, 0}),
                r.constant(new int[] {-1, 1, -1})),
            r.constant(new int[] {-1, hw}));
    Operand<TFloat32> tailWeights = r.slice(w, r.constant(new int[] {0, rowSize - tail}), r.constant(new int[] {-1, tail}));
    Operand<TFloat32> tailOut = r.linalg.matMul(lastRows, tailWeights);
    Operand<TFloat32> tailTargets =
        r.concat(List.of(tailTargetRows(r, windowStart, windowCount), tailTargetRows(r, r.constant(0), windowWrap)), r.constant(0));
    Operand<TFloat32> tailErr = sumAll(r, r.math.square(r.math.sub(tailTargets, tailOut)));
    return r.math.sub(total, tailErr);
  }

  private Operand<TFloat32> tailTargetRows(Ops tf, Operand<TInt32> firstSlot, Operand<TInt32> slots) {
    return tf.slice(
        tailBuffer.read(tf),
        tf.stack(List.of(firstSlot, tf.constant(0))),
        tf.stack(List.of(slots, tf.constant(tail))));
  }

  private Operand<TFloat32> allTargets(Ops tf) {
    if (groups.size() == 1) {
      return groups.get(0).read(tf);
    }
    List<Operand<TFloat32>> reads = new ArrayList<>();
    for (ResourceBuffer g : groups) {
      reads.add(g.read(tf));
    }
    return tf.concat(reads, tf.constant(0));
  }

  /** The same sum written directly: generated {@code [k, P]} weights minus stored targets. */
  public Operand<TFloat32> naive(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddingTable) {
    Ops r = tf.withSubScope("regularizer_naive");
    Operand<TFloat32> e = r.gather(embeddingTable, windowTasks, r.constant(0));
    Operand<TFloat32> generated = hnet.generate(r, params, e);
    Operand<TFloat32> stored =
        windowed
            ? r.concat(List.of(slotRows(r, windowStart, windowCount), slotRows(r, r.constant(0), windowWrap)), r.constant(0))
            : allTargets(r);
    int width = Math.multiplyExact(numChunks, rowSize);
    Operand<TFloat32> perTask = r.reshape(stored, r.constant(new int[] {-1, width}));
    if (tail > 0) {
      int p = Math.toIntExact(hnet.spec().targetSize());
      perTask = r.slice(perTask, r.constant(new int[] {0, 0}), r.constant(new int[] {-1, p}));
    }
    return sumAll(r, r.math.square(r.math.sub(perTask, generated)));
  }
}
