package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
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
 * <p>{@link #factored} (the default form) needs no stored targets: each is the hypernetwork's
 * output at Θ_h*, {@code t_r = h*'_r·W*'}, so {@link #store} keeps the last hidden rows H*' of every
 * slot, the output layer W*' (transposed) and each slot's ‖W*_t‖², and a step meets the current
 * output layer W' with W*' and with itself in two {@code [h+1, h+1]} products, whatever k is.
 *
 * <p>For the expanded and naive forms the targets {@code W*_t = h(e^(t), Θ_h*)} are stored as chunk rows, one block of n_c rows per
 * past task ("slot"), in groups of {@link #slotsPerGroup()} slots: each group is a resource
 * variable written whole by one dense assign when a task starts ({@link #storeGroup(int)}), and
 * never by a sparse write, because TensorFlow then switches the variable to copy-on-read and every
 * step would copy every stored target. Regularizing all past tasks, a step reads each group whole
 * and meets it in a GEMM of its own, so the GEMM's scratch stays bounded by a group. Windowed, a
 * step regularizes {@code count} slots from {@code start}, then {@code wrap} slots from slot 0,
 * taken from the groups as dim-0 slices. With all past tasks in the window this is Eq. 2; with a
 * random window of K over targets stored in random order it is the stochastic regularizer, every
 * past task drawn with probability K/(T−1). The hypernetwork runs once for all k window tasks.
 *
 * <p>{@link #expanded} evaluates the squared error without materialising the {@code [k, P]}
 * outputs. With the last layer linear, {@code o_r = h'_r·W'}, {@code W' = [W; b]}:
 *
 * <pre>
 *   Σ_r ‖t_r − o_r‖² = Σ_r ‖t_r‖² − 2·Σ_r h'_r·(t_r W'ᵀ) + Σ_r h'_r (W'W'ᵀ) h'_rᵀ
 * </pre>
 *
 * The first term is stored per slot when the targets are written, the second is a GEMM per group
 * that only reads the targets, the third needs only the small Gram matrix. The cut tail of each
 * task's last chunk is subtracted exactly. {@link #naive} is the direct form, for tests.
 *
 * <p>With a {@link HeadMask}, each past task's sum leaves out the output-layer weights of the other
 * tasks' heads (the reference's Split CIFAR code). Every form subtracts them from its full sum:
 * their targets are stored per slot when the factors are, and a step generates only the few chunk
 * columns that hold the output layer, {@code [k, length]} values.
 */
public final class OutputRegularizer {

  /** How a step evaluates the sum; every form gives Eq. 2. */
  public enum Form {
    /**
     * From the factors of the targets, {@code t_r = h*'_r·W*'}: only the last hidden rows H*' and the
     * output layer W*' at Θ_h* are stored, and a step needs two {@code [h+1, h+1]} products with W'
     * whatever the number of past tasks (the default: fastest, and no stored targets).
     */
    FACTORED,
    /** A GEMM over the stored targets plus a small Gram matrix; never builds {@code [k, P]}. */
    EXPANDED,
    /** Generates all k·P weights and subtracts the stored targets (simple, memory-bound). */
    NAIVE
  }

  /** Budget of one group of stored targets when all past tasks are regularized. */
  public static final long DEFAULT_GROUP_BYTES = 256L << 20;

  /**
   * Budget of one group when windowed: larger, because a step multiplies every group (most of
   * them outside the window, with empty products).
   */
  public static final long WINDOWED_GROUP_BYTES = 1L << 30;

  private final Hypernetwork hnet;
  private final int maxTasks;
  private final int numChunks;
  private final int rowSize;
  private final int tail;
  private final int slotsPerGroup;
  private final List<ResourceBuffer> groups;
  private final List<Op> storeOps;
  private final Op clear;
  private final ResourceBuffer normBuffer;
  /** The cut tail of each slot's last chunk, {@code [T_max, tail]}, kept apart from the targets. */
  private final ResourceBuffer tailBuffer;
  private final Placeholder<TInt32> storeTasks;
  private final Placeholder<TInt32> windowTasks;
  private final Placeholder<TInt32> windowStart;
  private final Placeholder<TInt32> windowCount;
  private final Placeholder<TInt32> windowWrap;
  private final boolean windowed;
  /** Whether the targets themselves are stored (the expanded and naive forms); the factors always are. */
  private final boolean storeTargets;
  /** H*' = [h(e^(t), Θ_h*)'s last hidden rows, 1], {@code [slots·n_c, h+1]}, in slot order. */
  private final ResourceBuffer hiddenBuffer;
  /**
   * W*'ᵀ, the output layer [W; b] at Θ_h* transposed, {@code [S, h+1]}: W'·W*'ᵀ is then a plain
   * product, which TensorFlow's CPU kernels do about twice as fast as one with a transposed operand.
   */
  private final ResourceBuffer outputSnapshot;
  /** ‖W*_t‖² over the P real weights per slot (tail left out), {@code [T_max]}, from the factors. */
  private final ResourceBuffer factorNorms;
  private final Op storeFactors;
  /** Other tasks' heads left out, or null to regularize every weight. */
  private final HeadMask mask;
  /** Each slot's targets in the mask's region, {@code [T_max, length]}; null without a mask. */
  private final ResourceBuffer regionTargets;

  /**
   * @param currentParams Θ_h as read now; {@link #store} evaluates the hypernetwork there
   * @param embeddingTable all task embeddings {@code [T_max, d_e]}
   * @param windowed whether steps regularize windows of the stored slots (the stochastic
   *     regularizer) rather than all of them
   * @param form the form the steps will use: {@link Form#FACTORED} stores no targets, only factors
   * @param mask the other tasks' heads to leave out of each past task's sum, or null to regularize
   *     every weight
   */
  public OutputRegularizer(
      Ops tf,
      Hypernetwork hnet,
      List<Operand<TFloat32>> currentParams,
      Operand<TFloat32> embeddingTable,
      int maxTasks,
      boolean windowed,
      Form form,
      HeadMask mask) {
    this(
        tf,
        hnet,
        currentParams,
        embeddingTable,
        maxTasks,
        windowed,
        slotsPerGroup(hnet.spec(), maxTasks, windowed ? WINDOWED_GROUP_BYTES : DEFAULT_GROUP_BYTES),
        form != Form.FACTORED,
        mask);
  }

  /**
   * As above with an explicit group size, storing the targets too (every form can be evaluated).
   *
   * @param slotsPerGroup past tasks whose targets share one buffer, at least 1
   */
  public OutputRegularizer(
      Ops tf,
      Hypernetwork hnet,
      List<Operand<TFloat32>> currentParams,
      Operand<TFloat32> embeddingTable,
      int maxTasks,
      boolean windowed,
      int slotsPerGroup,
      HeadMask mask) {
    this(tf, hnet, currentParams, embeddingTable, maxTasks, windowed, slotsPerGroup, true, mask);
  }

  private OutputRegularizer(
      Ops tf,
      Hypernetwork hnet,
      List<Operand<TFloat32>> currentParams,
      Operand<TFloat32> embeddingTable,
      int maxTasks,
      boolean windowed,
      int slotsPerGroup,
      boolean storeTargets,
      HeadMask mask) {
    if (maxTasks < 1 || slotsPerGroup < 1) {
      throw new IllegalArgumentException("maxTasks and slotsPerGroup must be at least 1, got " + maxTasks + " and " + slotsPerGroup);
    }
    if (mask != null && (mask.numHeads() < maxTasks || mask.start() + (long) mask.length() > hnet.spec().targetSize())) {
      throw new IllegalArgumentException(mask + " does not fit " + maxTasks + " tasks and " + hnet.spec().targetSize() + " weights");
    }
    this.mask = mask;
    this.windowed = windowed;
    this.storeTargets = storeTargets;
    this.hnet = hnet;
    this.maxTasks = maxTasks;
    HypernetworkSpec spec = hnet.spec();
    this.numChunks = spec.numChunks();
    this.rowSize = spec.rowSize();
    this.tail = Math.toIntExact((long) numChunks * rowSize - spec.targetSize());
    this.slotsPerGroup = Math.min(slotsPerGroup, maxTasks);
    int groupCount = storeTargets ? (maxTasks + this.slotsPerGroup - 1) / this.slotsPerGroup : 0;
    Ops r = tf.withSubScope("regularizer");
    this.normBuffer = new ResourceBuffer(r, "target_norms", maxTasks);
    this.tailBuffer = tail > 0 ? new ResourceBuffer(r, "target_tails", maxTasks, tail) : null;

    List<ResourceBuffer> buffers = new ArrayList<>();
    List<Op> clears = new ArrayList<>();
    for (int g = 0; g < groupCount; g++) {
      ResourceBuffer b = ResourceBuffer.resizable(r, groupCount == 1 ? "targets" : "targets_" + g, rowSize);
      buffers.add(b);
      clears.add(b.resize(r, r.constant(0)));
    }
    this.groups = List.copyOf(buffers);
    this.clear = r.withName("clear_targets").withControlDependencies(clears).noOp();

    // One batched hypernetwork pass per group: rows [k·n_c, S] for the k tasks fed, in slot order.
    this.storeTasks = r.withName("store_tasks").placeholder(TInt32.class);
    Operand<TFloat32> e = r.gather(embeddingTable, storeTasks, r.constant(0));
    Operand<TFloat32> rows = hnet.outputRows(r, currentParams, e);
    Operand<TFloat32> perTask = r.reshape(rows, r.constant(new int[] {-1, numChunks * rowSize}));
    Operand<TFloat32> norms = r.sum(r.math.square(perTask), r.constant(1));
    Operand<TFloat32> tails =
        tailBuffer == null
            ? null
            : r.slice(perTask, r.constant(new int[] {0, numChunks * rowSize - tail}), r.constant(new int[] {-1, tail}));
    Operand<TInt32> count = r.reshape(r.slice(r.shape(storeTasks), r.constant(new int[] {0}), r.constant(new int[] {1})), r.constant(new int[0]));
    List<Op> stores = new ArrayList<>();
    for (int g = 0; g < groupCount; g++) {
      Operand<TInt32> slots = r.range(r.constant(g * this.slotsPerGroup), r.math.add(r.constant(g * this.slotsPerGroup), count), r.constant(1));
      List<Op> writes = new ArrayList<>();
      writes.add(r.assignVariableOp(groups.get(g).handle(), rows));
      // Small buffers: a sparse write (and the copy-on-read it brings) costs nothing here.
      writes.add(r.resourceScatterUpdate(normBuffer.handle(), slots, norms));
      if (tails != null) {
        writes.add(r.resourceScatterUpdate(tailBuffer.handle(), slots, tails));
      }
      stores.add(r.withControlDependencies(writes).withName(groupCount == 1 ? "store_targets" : "store_targets_" + g).noOp());
    }
    this.storeOps = List.copyOf(stores);

    // The factors: H*' for every slot fed, W*' once, and each slot's ‖W*_t‖² from them.
    int width = spec.lastHiddenSize() + 1;
    this.hiddenBuffer = ResourceBuffer.resizable(r, "target_hidden", width);
    this.outputSnapshot = new ResourceBuffer(r, "target_output_layer", rowSize, width);
    this.factorNorms = new ResourceBuffer(r, "target_factor_norms", maxTasks);
    Operand<TFloat32> hs = withOnes(r, hnet.lastHidden(r, currentParams, e));
    Operand<TFloat32> ws = hnet.outputMatrix(r, currentParams);
    Operand<TFloat32> gs = gram(r, ws, ws);
    Operand<TFloat32> rowNorms = rowQuadratic(r, hs, gs, hs);
    Operand<TFloat32> slotNorms = r.sum(r.reshape(rowNorms, r.constant(new int[] {-1, numChunks})), r.constant(1));
    if (tail > 0) {
      // The last chunk of a slot holds only S − tail real weights.
      Operand<TFloat32> head = headColumns(r, ws);
      Operand<TFloat32> last = lastChunkRows(r, hs);
      slotNorms = r.math.add(
          r.math.sub(slotNorms, rowQuadratic(r, last, gs, last)),
          rowQuadratic(r, last, gram(r, head, head), last));
    }
    Operand<TInt32> allSlots = r.range(r.constant(0), count, r.constant(1));
    List<Op> factorWrites = new ArrayList<>(List.of(
        r.assignVariableOp(hiddenBuffer.handle(), hs),
        r.assignVariableOp(outputSnapshot.handle(), r.linalg.transpose(ws, r.constant(new int[] {1, 0}))),
        r.resourceScatterUpdate(factorNorms.handle(), allSlots, slotNorms)));
    if (mask != null) {
      this.regionTargets = new ResourceBuffer(r, "target_output_heads", maxTasks, mask.length());
      factorWrites.add(r.resourceScatterUpdate(regionTargets.handle(), allSlots, regionOutputs(r, hs, ws)));
    } else {
      this.regionTargets = null;
    }
    this.storeFactors = r.withControlDependencies(factorWrites).withName("store_factors").noOp();

    this.windowTasks = r.withName("window_tasks").placeholder(TInt32.class);
    this.windowStart = r.withName("window_start").placeholder(TInt32.class);
    this.windowCount = r.withName("window_count").placeholder(TInt32.class);
    this.windowWrap = r.withName("window_wrap").placeholder(TInt32.class);
  }

  /** Slots per group so that one group's targets take about {@code bytes}. */
  static int slotsPerGroup(HypernetworkSpec spec, int maxTasks, long bytes) {
    long slotBytes = (long) spec.numChunks() * spec.rowSize() * Float.BYTES;
    return (int) Math.max(1, Math.min(maxTasks, bytes / slotBytes));
  }

  public int maxTasks() {
    return maxTasks;
  }

  /**
   * The buffers of stored targets, {@code [rows, S]} each: resource variables left out of
   * checkpoints because {@link #storeGroup(int)} rebuilds them from the parameters.
   */
  public List<ResourceBuffer> targetGroups() {
    return groups;
  }

  /** Past tasks per group of stored targets. */
  public int slotsPerGroup() {
    return slotsPerGroup;
  }

  /** ‖W*‖² per slot, {@code [T_max]}. */
  public ResourceBuffer targetNorms() {
    return normBuffer;
  }

  /** Empties every group, releasing the stored targets; run at the start of a task, before storing. */
  public Op clearTargets() {
    return clear;
  }

  /**
   * The op that writes {@code h(e^(t), Θ_h)} for the tasks fed to {@link #storeTasksInput()} into
   * the slots {@code g·slotsPerGroup, g·slotsPerGroup + 1, ...} of group {@code g}, replacing the
   * group's contents. Feed at most {@link #slotsPerGroup()} tasks, and a full group before the next.
   */
  public Op storeGroup(int group) {
    if (group < 0 || group >= groups.size()) {
      throw new IllegalArgumentException("group " + group + " outside [0, " + groups.size() + ")");
    }
    return storeOps.get(group);
  }

  /**
   * Recomputes and stores the targets of {@code slotTasks} (task ids in slot order) at the current
   * parameters: empties every group, then fills the groups one batched pass each.
   */
  public void store(Session session, int[] slotTasks) {
    if (slotTasks.length > maxTasks) {
      throw new IllegalArgumentException(slotTasks.length + " slots for a table of " + maxTasks + " tasks");
    }
    session.run(clear);
    try (TInt32 t = Tensors.ints(slotTasks, slotTasks.length)) {
      session.runner().feed(storeTasks, t).addTarget(storeFactors).run().close();
    }
    for (int g = 0; storeTargets && g * slotsPerGroup < slotTasks.length; g++) {
      int from = g * slotsPerGroup;
      int[] tasks = java.util.Arrays.copyOfRange(slotTasks, from, Math.min(slotTasks.length, from + slotsPerGroup));
      try (TInt32 t = Tensors.ints(tasks, tasks.length)) {
        session.runner().feed(storeTasks, t).addTarget(storeOps.get(g)).run().close();
      }
    }
  }

  /** Task ids whose targets {@link #storeGroup(int)} writes, in slot order ({@code [k]} int32). */
  public Placeholder<TInt32> storeTasksInput() {
    return storeTasks;
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

  /** Rows of slots {@code [firstSlot, firstSlot + slots)} of the concatenated groups (naive form). */
  private Operand<TFloat32> slotRows(Ops tf, Operand<TFloat32> all, Operand<TInt32> firstSlot, Operand<TInt32> slots) {
    Operand<TInt32> begin = tf.stack(List.of(tf.math.mul(firstSlot, tf.constant(numChunks)), tf.constant(0)));
    Operand<TInt32> size = tf.stack(List.of(tf.math.mul(slots, tf.constant(numChunks)), tf.constant(rowSize)));
    return tf.slice(all, begin, size);
  }

  private static Operand<TInt32> rowCount(Ops tf, Operand<TFloat32> x) {
    return tf.reshape(tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1})), tf.constant(new int[0]));
  }

  private static Operand<TInt32> clamp(Ops tf, Operand<TInt32> x, Operand<TInt32> max) {
    return tf.math.minimum(tf.math.maximum(x, tf.constant(0)), max);
  }

  private Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32> x) {
    return tf.sum(tf.reshape(x, tf.constant(new int[] {-1})), tf.constant(0));
  }

  /**
   * Σ over the window of ‖W*_t − h(e^(t), params)‖² from the stored factors of the targets: with
   * {@code t_r = h*'_r·W*'} and {@code o_r = h'_r·W'},
   *
   * <pre>
   *   Σ_r ‖t_r − o_r‖² = Σ_r ‖t_r‖² − 2·Σ_r h'_r (W'W*'ᵀ) h*'_rᵀ + Σ_r h'_r (W'W'ᵀ) h'_rᵀ
   * </pre>
   *
   * The two {@code [h+1, h+1]} products with W' are the step's only work of size S; the rest is
   * of size k·n_c·(h+1). A slot's last chunk uses the products over its S − tail real columns.
   * Not scaled by β/k.
   */
  public Operand<TFloat32> factored(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddingTable) {
    Ops r = tf.withSubScope("regularizer_factored");
    Operand<TFloat32> e = r.gather(embeddingTable, windowTasks, r.constant(0));
    Operand<TFloat32> hp = withOnes(r, hnet.lastHidden(r, params, e));
    Operand<TFloat32> stored = hiddenBuffer.read(r);
    Operand<TFloat32> hs =
        r.concat(List.of(chunkRows(r, stored, windowStart, windowCount), chunkRows(r, stored, r.constant(0), windowWrap)), r.constant(0));
    Operand<TFloat32> w = hnet.outputMatrix(r, params);
    Operand<TFloat32> wsT = outputSnapshot.read(r);
    Operand<TFloat32> cross;
    Operand<TFloat32> quad;
    if (tail == 0) {
      cross = r.sum(rowQuadratic(r, hp, r.linalg.matMul(w, wsT), hs), r.constant(0));
      quad = r.sum(rowQuadratic(r, hp, gram(r, w, w), hp), r.constant(0));
    } else {
      Operand<TFloat32> c = r.linalg.matMul(w, wsT);
      Operand<TFloat32> g = gram(r, w, w);
      Operand<TFloat32> head = headColumns(r, w);
      Operand<TFloat32> headRowsT = r.slice(wsT, r.constant(new int[] {0, 0}), r.constant(new int[] {rowSize - tail, -1}));
      Operand<TFloat32> ch = r.linalg.matMul(head, headRowsT);
      Operand<TFloat32> gh = gram(r, head, head);
      Operand<TFloat32> hpOther = otherChunkRows(r, hp);
      Operand<TFloat32> hpLast = lastChunkRows(r, hp);
      Operand<TFloat32> hsOther = otherChunkRows(r, hs);
      Operand<TFloat32> hsLast = lastChunkRows(r, hs);
      cross = r.math.add(r.sum(rowQuadratic(r, hpOther, c, hsOther), r.constant(0)), r.sum(rowQuadratic(r, hpLast, ch, hsLast), r.constant(0)));
      quad = r.math.add(r.sum(rowQuadratic(r, hpOther, g, hpOther), r.constant(0)), r.sum(rowQuadratic(r, hpLast, gh, hpLast), r.constant(0)));
    }
    Operand<TFloat32> normsAll = factorNorms.read(r);
    Operand<TFloat32> norms =
        r.math.add(
            sumAll(r, r.slice(normsAll, r.reshape(windowStart, r.constant(new int[] {1})), r.reshape(windowCount, r.constant(new int[] {1})))),
            sumAll(r, r.slice(normsAll, r.constant(new int[] {0}), r.reshape(windowWrap, r.constant(new int[] {1})))));
    return withoutOtherHeads(r, r.math.add(r.math.sub(norms, r.math.mul(r.constant(2f), cross)), quad), () -> regionOutputs(r, hp, w));
  }

  /** The mask's region of the outputs whose factors are {@code hp [k·n_c, h+1]} and {@code w [h+1, S]}: {@code [k, length]}. */
  private Operand<TFloat32> regionOutputs(Ops tf, Operand<TFloat32> hp, Operand<TFloat32> w) {
    int from = mask.start();
    int to = from + mask.length();
    List<Operand<TFloat32>> pieces = new ArrayList<>();
    for (int c = from / rowSize; c * rowSize < to; c++) {
      int lo = Math.max(from - c * rowSize, 0);
      int hi = Math.min(to - c * rowSize, rowSize);
      Operand<TFloat32> cols = tf.slice(w, tf.constant(new int[] {0, lo}), tf.constant(new int[] {-1, hi - lo}));
      pieces.add(tf.linalg.matMul(chunkSlice(tf, hp, c, 1), cols));
    }
    return pieces.size() == 1 ? pieces.get(0) : tf.concat(pieces, tf.constant(1));
  }

  /**
   * {@code sum} less the squared errors of the window's other heads; {@code outputs} gives the
   * window's {@code [k, length]} outputs in the mask's region. {@code sum} itself without a mask.
   */
  private Operand<TFloat32> withoutOtherHeads(Ops tf, Operand<TFloat32> sum, java.util.function.Supplier<Operand<TFloat32>> outputs) {
    if (mask == null) {
      return sum;
    }
    Operand<TFloat32> all = regionTargets.read(tf);
    Operand<TFloat32> targets = tf.concat(List.of(
        tf.slice(all, tf.stack(List.of(windowStart, tf.constant(0))), tf.stack(List.of(windowCount, tf.constant(-1)))),
        tf.slice(all, tf.constant(new int[] {0, 0}), tf.stack(List.of(windowWrap, tf.constant(-1))))), tf.constant(0));
    Operand<TFloat32> err = tf.math.square(tf.math.sub(targets, outputs.get()));
    return tf.math.sub(sum, sumAll(tf, tf.math.mul(mask.excluded(tf, windowTasks), err)));
  }

  /** {@code [x, 1]}: a column of ones appended to the rows of {@code x}. */
  private static Operand<TFloat32> withOnes(Ops tf, Operand<TFloat32> x) {
    Operand<TInt32> rows = tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TFloat32> ones = tf.fill(tf.concat(List.of(rows, tf.constant(new int[] {1})), tf.constant(0)), tf.constant(1f));
    return tf.concat(List.of(x, ones), tf.constant(1));
  }

  /** {@code a·bᵀ} for two {@code [h+1, cols]} matrices. */
  private static Operand<TFloat32> gram(Ops tf, Operand<TFloat32> a, Operand<TFloat32> b) {
    return tf.linalg.matMul(a, b, MatMul.transposeB(true));
  }

  /** Per row r, {@code a_r·m·b_rᵀ}: {@code [rows]}. */
  private static Operand<TFloat32> rowQuadratic(Ops tf, Operand<TFloat32> a, Operand<TFloat32> m, Operand<TFloat32> b) {
    return tf.sum(tf.math.mul(tf.linalg.matMul(a, m), b), tf.constant(1));
  }

  /** The first S − tail columns of a {@code [h+1, S]} matrix (the real part of a last chunk). */
  private Operand<TFloat32> headColumns(Ops tf, Operand<TFloat32> m) {
    return tf.slice(m, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, rowSize - tail}));
  }

  /** Rows of slots {@code [firstSlot, firstSlot + slots)} of a {@code [slots·n_c, cols]} buffer. */
  private Operand<TFloat32> chunkRows(Ops tf, Operand<TFloat32> all, Operand<TInt32> firstSlot, Operand<TInt32> slots) {
    Operand<TInt32> begin = tf.stack(List.of(tf.math.mul(firstSlot, tf.constant(numChunks)), tf.constant(0)));
    Operand<TInt32> size = tf.stack(List.of(tf.math.mul(slots, tf.constant(numChunks)), tf.constant(-1)));
    return tf.slice(all, begin, size);
  }

  /** Each task's last chunk row of task-major {@code [k·n_c, w]} rows: {@code [k, w]}. */
  private Operand<TFloat32> lastChunkRows(Ops tf, Operand<TFloat32> rows) {
    return chunkSlice(tf, rows, numChunks - 1, 1);
  }

  /** Each task's other chunk rows of task-major {@code [k·n_c, w]} rows: {@code [k·(n_c−1), w]}. */
  private Operand<TFloat32> otherChunkRows(Ops tf, Operand<TFloat32> rows) {
    return chunkSlice(tf, rows, 0, numChunks - 1);
  }

  private Operand<TFloat32> chunkSlice(Ops tf, Operand<TFloat32> rows, int first, int chunks) {
    Operand<TInt32> w = tf.slice(tf.shape(rows), tf.constant(new int[] {1}), tf.constant(new int[] {1}));
    Operand<TFloat32> byTask = tf.reshape(rows, tf.concat(List.of(tf.constant(new int[] {-1, numChunks}), w), tf.constant(0)));
    Operand<TFloat32> part = tf.slice(byTask, tf.constant(new int[] {0, first, 0}), tf.constant(new int[] {-1, chunks, -1}));
    return tf.reshape(part, tf.concat(List.of(tf.constant(new int[] {-1}), w), tf.constant(0)));
  }

  /**
   * Σ over the window of ‖W*_t − h(e^(t), params)‖², in the expanded form (no {@code [k, P]}
   * tensor). Not scaled by β/k.
   */
  public Operand<TFloat32> expanded(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddingTable) {
    requireTargets("expanded");
    Ops r = tf.withSubScope("regularizer_expanded");
    Operand<TFloat32> e = r.gather(embeddingTable, windowTasks, r.constant(0));
    Operand<TFloat32> h = hnet.lastHidden(r, params, e);
    Operand<TInt32> rows = r.slice(r.shape(h), r.constant(new int[] {0}), r.constant(new int[] {1}));
    Operand<TFloat32> ones = r.fill(r.concat(List.of(rows, r.constant(new int[] {1})), r.constant(0)), r.constant(1f));
    Operand<TFloat32> hp = r.concat(List.of(h, ones), r.constant(1)); // [R, h+1]
    Operand<TFloat32> w = hnet.outputMatrix(r, params); // [h+1, S]

    // Pieces of the window, one per group and part (slots from start, then the wrapped ones from 0);
    // each meets its rows of H' in a GEMM of its own. All past tasks: one whole group each.
    List<Operand<TFloat32>> targetPieces = new ArrayList<>();
    List<Operand<TInt32>> pieceRows = new ArrayList<>();
    if (windowed) {
      addWindowPieces(r, windowStart, r.math.add(windowStart, windowCount), targetPieces, pieceRows);
      addWindowPieces(r, r.constant(0), windowWrap, targetPieces, pieceRows);
    } else {
      for (ResourceBuffer g : groups) {
        Operand<TFloat32> t = g.read(r);
        targetPieces.add(t);
        pieceRows.add(rowCount(r, t));
      }
    }
    List<Operand<TFloat32>> hpPieces = new ArrayList<>();
    if (targetPieces.size() == 1) {
      hpPieces.add(hp);
    } else {
      hpPieces.addAll(r.splitV(hp, r.stack(pieceRows), r.constant(0), (long) targetPieces.size()).output());
    }
    // Σ_r h'_r·(t_r W'ᵀ) = Σ (H'ᵀ T) ∘ W': the large operand is the plain right-hand side.
    List<Operand<TFloat32>> products = new ArrayList<>();
    for (int i = 0; i < targetPieces.size(); i++) {
      products.add(r.linalg.matMul(hpPieces.get(i), targetPieces.get(i), MatMul.transposeA(true)));
    }
    Operand<TFloat32> m = products.size() == 1 ? products.get(0) : r.math.addN(products);
    Operand<TFloat32> cross = sumAll(r, r.math.mul(m, w));

    Operand<TFloat32> gram = r.linalg.matMul(w, w, MatMul.transposeB(true));
    Operand<TFloat32> quad = sumAll(r, r.math.mul(r.linalg.matMul(hp, gram), hp));

    Operand<TFloat32> slotNormSq = normBuffer.read(r);
    Operand<TFloat32> norms =
        r.math.add(
            sumAll(r, r.slice(slotNormSq, r.reshape(windowStart, r.constant(new int[] {1})), r.reshape(windowCount, r.constant(new int[] {1})))),
            sumAll(r, r.slice(slotNormSq, r.constant(new int[] {0}), r.reshape(windowWrap, r.constant(new int[] {1})))));

    Operand<TFloat32> total = withoutOtherHeads(r, r.math.add(r.math.sub(norms, r.math.mul(r.constant(2f), cross)), quad),
        () -> regionOutputs(r, hp, w));
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

  private void requireTargets(String form) {
    if (!storeTargets) {
      throw new IllegalStateException("the " + form + " form reads stored targets; this regularizer stores factors only");
    }
  }

  /** Adds, per group, the dim-0 slice of slots {@code [from, to)} that the group holds (maybe empty). */
  private void addWindowPieces(
      Ops tf, Operand<TInt32> from, Operand<TInt32> to, List<Operand<TFloat32>> pieces, List<Operand<TInt32>> rows) {
    for (int g = 0; g < groups.size(); g++) {
      Operand<TFloat32> t = groups.get(g).read(tf);
      Operand<TInt32> first = tf.constant(g * slotsPerGroup);
      Operand<TInt32> held = tf.math.div(rowCount(tf, t), tf.constant(numChunks));
      Operand<TInt32> lo = clamp(tf, tf.math.sub(from, first), held);
      Operand<TInt32> hi = clamp(tf, tf.math.sub(to, first), held);
      Operand<TInt32> n = tf.math.mul(tf.math.maximum(tf.math.sub(hi, lo), tf.constant(0)), tf.constant(numChunks));
      Operand<TInt32> begin = tf.stack(List.of(tf.math.mul(lo, tf.constant(numChunks)), tf.constant(0)));
      pieces.add(tf.slice(t, begin, tf.stack(List.of(n, tf.constant(rowSize)))));
      rows.add(n);
    }
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
    requireTargets("naive");
    Ops r = tf.withSubScope("regularizer_naive");
    Operand<TFloat32> e = r.gather(embeddingTable, windowTasks, r.constant(0));
    Operand<TFloat32> generated = hnet.generate(r, params, e);
    Operand<TFloat32> all = allTargets(r);
    Operand<TFloat32> stored =
        windowed
            ? r.concat(List.of(slotRows(r, all, windowStart, windowCount), slotRows(r, all, r.constant(0), windowWrap)), r.constant(0))
            : all;
    int width = Math.multiplyExact(numChunks, rowSize);
    Operand<TFloat32> perTask = r.reshape(stored, r.constant(new int[] {-1, width}));
    if (tail > 0) {
      int p = Math.toIntExact(hnet.spec().targetSize());
      perTask = r.slice(perTask, r.constant(new int[] {0, 0}), r.constant(new int[] {-1, p}));
    }
    Operand<TFloat32> full = sumAll(r, r.math.square(r.math.sub(perTask, generated)));
    return withoutOtherHeads(r, full,
        () -> r.slice(generated, r.constant(new int[] {0, mask.start()}), r.constant(new int[] {-1, mask.length()})));
  }
}
