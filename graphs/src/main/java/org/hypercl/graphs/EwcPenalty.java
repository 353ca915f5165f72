package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Elastic weight consolidation (Kirkpatrick et al., 2017) on a part's own weights θ {@code [P]},
 * as the baselines' source does it (van de Ven and Tolias): after each task the diagonal Fisher
 * information F is estimated on the task's training set, one example at a time, with the
 * network's predicted label (or the true one, the "empirical" Fisher): the mean over examples of
 * the squared gradient of {@code −log p(label | x)} over the task's head (class-incremental: over
 * the heads of tasks 0..t read as one softmax, as the source does with its active classes). The penalty is
 * {@code λ/2 · Σ_t Σ_p F_t,p (θ_p − θ*_t,p)²} with θ*_t the weights after task t; online EWC
 * (Schwarz et al., 2018) keeps one running {@code F ← F_new + γ·F} and the latest θ*, and
 * penalises {@code λ/2 · Σ_p γ·F_p (θ_p − θ*_p)²}.
 *
 * <p>Both are kept as the precision {@code A = Σ F_t} (online: γ·F), {@code B = Σ F_t θ*_t} and
 * the precision-weighted anchor {@code μ = B / A}: since {@code Σ_t F_t (θ − θ*_t)² = A (θ − μ)²
 * + const}, the penalty is {@code λ/2 · Σ A (θ − μ)²} plus a constant that does not depend on θ
 * (zero for one task and for online EWC; left out of the value shown) and its gradient
 * {@code λ A (θ − μ)}, in a few vectors of P whatever the number of tasks (variables, so checkpoints
 * hold them); written as a sum of squares, the value stays exact where {@code Aθ² − 2Bθ + C}
 * would cancel in float32. The sum of squared per-example gradients comes batched and exact: for
 * an MLP in one pass from each layer's inputs and output gradients
 * ({@link MlpTargetNetwork#squaredExampleGradientSum}); for another network the weights are tiled
 * to {@code [b, P]}, row i runs on example i alone ({@link TargetNetwork#forwardCandidates}), and
 * the gradient with respect to the tiled weights is the b per-example gradients.
 */
public final class EwcPenalty implements Penalty {

  /** Examples per graph run of an MLP's batched Fisher pass (the tiled pass uses {@link Settings#fisherBatch}). */
  static final int BATCHED_FISHER_BATCH = 512;

  /**
   * @param lambda λ
   * @param online one running term with decay γ (online EWC) instead of one per task
   * @param gamma γ, the decay of the running Fisher (online only)
   * @param empirical the true labels instead of the predicted ones
   * @param fisherBatch examples per graph run of the Fisher estimate (an MLP's batched pass takes at least {@code BATCHED_FISHER_BATCH})
   * @param fisherSamples examples of the training set the Fisher is estimated on (0: all)
   * @param classIncremental the likelihood is the softmax over the heads of tasks 0..t as one
   *     ({@link ClassIncremental}, the baselines' class-incremental setting) instead of task t's head
   */
  public record Settings(float lambda, boolean online, float gamma, boolean empirical, int fisherBatch, int fisherSamples,
      boolean classIncremental) {
    public Settings {
      if (!(lambda >= 0) || !(gamma >= 0) || fisherBatch <= 0 || fisherSamples < 0) {
        throw new IllegalArgumentException("invalid EWC settings: lambda=" + lambda + " gamma=" + gamma + " fisherBatch="
            + fisherBatch + " fisherSamples=" + fisherSamples);
      }
    }

    /** Settings whose likelihood is task t's own head. */
    public Settings(float lambda, boolean online, float gamma, boolean empirical, int fisherBatch, int fisherSamples) {
      this(lambda, online, gamma, empirical, fisherBatch, fisherSamples, false);
    }
  }

  private final Settings settings;
  private final Operand<TFloat32> loss;
  private final List<Operand<TFloat32>> gradients;
  private final Placeholder<TInt32> indices;
  private final Placeholder<TInt32> head;
  private final Op accumulate;
  private final Op clear;
  private final Placeholder<TFloat32> count;
  private final Op consolidate;
  private final java.util.function.IntSupplier trainSize;
  private final List<Operand<TFloat32>> state;
  /** Whether the Fisher comes from one batched pass ({@link MlpTargetNetwork#squaredExampleGradientSum}). */
  private final boolean batched;

  /**
   * @param weights the part's own weights {@code [P]}
   * @param read the training step's read of {@code weights} (what the task loss is differentiated against)
   * @param batchX inputs of the examples {@code batchIndices} names, {@code [b, in]}
   * @param batchY their one-hot targets {@code [b, classes]}
   * @param trainSize the current task's training-set size
   */
  public EwcPenalty(Ops tf, Ops train, String scope, TargetNetwork net, Variable<TFloat32> weights, Operand<TFloat32> read,
      Operand<TFloat32> batchX, Operand<TFloat32> batchY, Placeholder<TInt32> batchIndices,
      java.util.function.IntSupplier trainSize, Settings settings) {
    this.settings = settings;
    this.indices = batchIndices;
    this.trainSize = trainSize;
    long p = weights.shape().size();
    String name = scope + (settings.online() ? "online_ewc/" : "ewc/");
    Variable<TFloat32> a = Variables.zeros(tf, name + "precision", p);
    Variable<TFloat32> b = Variables.zeros(tf, name + "precision_mean", p);
    Variable<TFloat32> mu = Variables.zeros(tf, name + "anchor", p);
    Variable<TFloat32> running = settings.online() ? Variables.zeros(tf, name + "fisher", p) : null;
    Variable<TFloat32> acc = Variables.zeros(tf, name + "fisher_sum", p);

    Operand<TFloat32> lam = train.constant(settings.lambda());
    Operand<TFloat32> av = train.identity(a);
    Operand<TFloat32> diff = train.math.sub(read, train.identity(mu));
    this.loss = train.math.mul(train.math.mul(lam, train.constant(0.5f)),
        train.sum(train.math.mul(av, train.math.square(diff)), train.constant(0)));
    this.gradients = List.of(train.math.mul(lam, train.math.mul(av, diff)));

    // The Fisher estimate: per-example gradients of −log p(label | x) over the task's head.
    Ops f = tf.withSubScope(name.substring(0, name.length() - 1)).withSubScope("fisher");
    this.head = f.withName("head").placeholder(TInt32.class);
    java.util.function.Function<Operand<TFloat32>, Operand<TFloat32>> nll = all -> summedNll(f, net, all, batchY, settings);
    Operand<TFloat32> squaredSum;
    if (net instanceof MlpTargetNetwork mlp) {
      // Exact and in one pass: Σ_n g_n² from the layers' inputs and output gradients.
      this.batched = true;
      squaredSum = mlp.squaredExampleGradientSum(f, batchX, f.identity(weights), nll);
    } else {
      // The weights tiled to [b, P], row i on example i alone: the gradient with respect to the
      // tiled weights is the b per-example gradients.
      this.batched = false;
      Operand<TInt32> k = f.slice(f.shape(batchX), f.constant(new int[] {0}), f.constant(new int[] {1}));
      Operand<TFloat32> tiled = f.tile(f.expandDims(f.identity(weights), f.constant(0)), f.concat(List.of(k, f.constant(new int[] {1})), f.constant(0)));
      Operand<TFloat32> out = net.forwardCandidates(f, f.expandDims(batchX, f.constant(1)), tiled, ForwardContext.none());
      Operand<TFloat32> all = f.squeeze(out, org.tensorflow.op.core.Squeeze.axis(new Long[] {1L}));
      Operand<TFloat32> perExample = Tensors.floatOperands(f.gradients(nll.apply(all), List.of(tiled))).get(0);
      squaredSum = f.sum(f.math.square(perExample), f.constant(0));
    }
    this.accumulate = f.assignAdd(acc, squaredSum);
    this.clear = f.assign(acc, f.zeros(f.constant(new long[] {p}), TFloat32.class));
    this.count = f.withName("count").placeholder(TFloat32.class);

    // Consolidation at task end, from the mean squared gradient and the weights now.
    Operand<TFloat32> fisher = f.math.div(f.identity(acc), count);
    Operand<TFloat32> w = f.identity(weights);
    List<Op> updates = new ArrayList<>();
    if (settings.online()) {
      Operand<TFloat32> run = f.math.add(fisher, f.math.mul(f.constant(settings.gamma()), f.identity(running)));
      Operand<TFloat32> precision = f.math.mul(f.constant(settings.gamma()), run);
      updates.add(f.assign(running, run));
      updates.add(f.assign(a, precision));
      updates.add(f.assign(b, f.math.mul(precision, w)));
      updates.add(f.assign(mu, w));
    } else {
      Operand<TFloat32> newA = f.math.add(f.identity(a), fisher);
      Operand<TFloat32> newB = f.math.add(f.identity(b), f.math.mul(fisher, w));
      // μ = B / A where A > 0; where no task's Fisher is positive the weight is free (A = 0), any μ does.
      Operand<org.tensorflow.types.TBool> positive = f.math.greater(newA, f.constant(0f));
      Operand<TFloat32> safeA = f.select(positive, newA, f.onesLike(newA));
      updates.add(f.assign(a, newA));
      updates.add(f.assign(b, newB));
      updates.add(f.assign(mu, f.select(positive, f.math.div(newB, safeA), w)));
    }
    this.consolidate = f.withControlDependencies(updates).noOp();
    this.state = List.of(f.identity(a), f.identity(b), f.identity(mu));
  }

  /**
   * {@code Σ_n −log p(label_n | x_n)} from every head's outputs {@code [b, heads, size]}: the task's
   * head (or the heads so far as one softmax, class-incremental), the label predicted (its argmax,
   * no gradient) or the true one.
   */
  private Operand<TFloat32> summedNll(Ops f, TargetNetwork net, Operand<TFloat32> all, Operand<TFloat32> batchY, Settings settings) {
    Operand<TFloat32> logits;
    Operand<TFloat32> trueLabels;
    Operand<TInt32> classes;
    if (settings.classIncremental()) {
      Operand<TInt32> active = f.math.add(head, f.constant(1));
      logits = ClassIncremental.logits(f, all, net.numHeads(), net.headSize(), active);
      trueLabels = ClassIncremental.targets(f, batchY, head, net.headSize(), active);
      classes = f.math.mul(active, f.constant(net.headSize()));
    } else {
      logits = f.gather(all, net.numHeads() == 1 ? f.constant(0) : head, f.constant(1));
      trueLabels = batchY;
      classes = f.constant(net.headSize());
    }
    Operand<TFloat32> logP = f.nn.logSoftmax(logits);
    Operand<TFloat32> labels = settings.empirical()
        ? trueLabels
        : f.stopGradient(f.oneHot(f.math.argMax(logits, f.constant(1), TInt32.class), classes, f.constant(1f), f.constant(0f)));
    return f.math.neg(f.sum(f.math.mul(labels, logP), f.constant(new int[] {0, 1})));
  }

  @Override
  public String name() {
    return settings.online() ? "online_ewc" : "ewc";
  }

  /** No Fisher has been folded in during the first task: every importance is 0. */
  @Override
  public boolean vanishesAt(int task) {
    return task == 0;
  }

  @Override
  public Operand<TFloat32> loss() {
    return loss;
  }

  @Override
  public List<Operand<TFloat32>> gradients() {
    return gradients;
  }

  /** Estimates the task's Fisher on its training set and folds it into the penalty. */
  @Override
  public void endTask(Session session, int task) {
    int n = trainSize.getAsInt();
    if (settings.fisherSamples() > 0) {
      n = Math.min(n, settings.fisherSamples());
    }
    session.run(clear);
    // The batched pass costs a forward and backward of the batch; the tiled one b copies of P.
    int batch = batched ? Math.max(settings.fisherBatch(), BATCHED_FISHER_BATCH) : settings.fisherBatch();
    for (int start = 0; start < n; start += batch) {
      int m = Math.min(batch, n - start);
      int[] rows = new int[m];
      for (int i = 0; i < m; i++) {
        rows[i] = start + i;
      }
      try (TInt32 idx = Tensors.ints(rows, m); TInt32 h = TInt32.scalarOf(task)) {
        session.runner().feed(indices, idx).feed(head, h).addTarget(accumulate).run();
      }
    }
    try (TFloat32 c = TFloat32.scalarOf(n)) {
      session.runner().feed(count, c).addTarget(consolidate).run();
    }
  }

  /** Reads of A ({@code Σ F_t}, online {@code γ·F}), B ({@code Σ F_t θ*_t}) and μ ({@code B / A}), for inspection and tests. */
  public List<Operand<TFloat32>> state() {
    return state;
  }
}
