package org.hypercl.training;

import org.hypercl.graphs.AdamOptimizer;

/**
 * Everything that steers training, immutable and validated when built. Defaults are the paper's
 * toy-regression settings; experiments override what they need with {@link #toBuilder()}.
 *
 * @param seed seeds initialisation, batch order and the stochastic regularizer's windows
 * @param iterations training steps per task
 * @param batchSize examples per step
 * @param learningRate Adam's learning rate
 * @param adamBeta1 Adam's β1
 * @param adamBeta2 Adam's β2
 * @param adamEpsilon Adam's ε
 * @param beta regularization strength β of Eq. 2 (0 = fine-tuning through the hypernetwork)
 * @param lookahead evaluate the regularizer at Θ_h + ΔΘ_h (Eq. 2) rather than at Θ_h
 * @param regularizerTasks K, past tasks regularized per step (0 = all of them)
 * @param regularizerForm how the regularizer is computed
 * @param intraOpThreads TensorFlow intra-op threads (0 = TensorFlow's choice)
 * @param interOpThreads TensorFlow inter-op threads (0 = TensorFlow's choice)
 * @param evalBatchSize examples per evaluation batch
 * @param checkpointEvery also checkpoint every this many steps within a task (0 = only after tasks)
 * @param epochs when positive, each task trains this many passes over its training set, {@code
 *     epochs · ⌈n / batchSize⌉} steps for n training examples, instead of {@code iterations} (the
 *     CIFAR experiments, whose tasks differ tenfold in size)
 * @param augment whether training batches of image inputs get a random crop of the image padded
 *     by {@link #AUGMENT_PADDING} pixels and a random horizontal flip, in the graph (ResNet-32 on
 *     Split CIFAR, as the reference)
 * @param lrSchedule how the learning rate changes over a task's epochs ({@link LrSchedule})
 * @param baselines the strengths of the EWC, online EWC and SI baselines ({@link Baselines})
 */
public record LearnerSettings(
    long seed,
    int iterations,
    int batchSize,
    float learningRate,
    float adamBeta1,
    float adamBeta2,
    float adamEpsilon,
    float beta,
    boolean lookahead,
    int regularizerTasks,
    RegularizerForm regularizerForm,
    int intraOpThreads,
    int interOpThreads,
    int evalBatchSize,
    int checkpointEvery,
    int epochs,
    boolean augment,
    LrSchedule lrSchedule,
    Baselines baselines) {

  /**
   * Settings of the regularization baselines, used only by their methods. Defaults are the
   * baselines' source's values for SplitMNIST in its task-incremental scenario; the experiments set
   * their own ({@link Experiments}).
   *
   * @param ewcLambda λ of EWC (one term per task)
   * @param onlineEwcLambda λ of online EWC
   * @param onlineEwcGamma γ, online EWC's decay of the running Fisher
   * @param siC c, SI's strength
   * @param siXi ξ, SI's damping
   * @param empiricalFisher the Fisher from the true labels rather than the predicted ones
   * @param fisherSamples training examples the Fisher is estimated on (0: all)
   */
  public record Baselines(float ewcLambda, float onlineEwcLambda, float onlineEwcGamma, float siC, float siXi,
      boolean empiricalFisher, int fisherSamples) {
    public Baselines {
      if (!(ewcLambda >= 0) || !(onlineEwcLambda >= 0) || !(onlineEwcGamma >= 0) || !(siC >= 0) || !(siXi > 0) || fisherSamples < 0) {
        throw new IllegalArgumentException("invalid baseline settings: " + ewcLambda + ", " + onlineEwcLambda + ", "
            + onlineEwcGamma + ", " + siC + ", " + siXi + ", " + fisherSamples);
      }
    }

    /** SplitMNIST task-incremental: EWC λ = 1e7, online EWC λ = 1e8 with γ = 0.8, SI c = 50, ξ = 0.1. */
    public static Baselines defaults() {
      return new Baselines(1e7f, 1e8f, 0.8f, 50f, 0.1f, false, 0);
    }
  }

  /**
   * A learning-rate schedule: the factor the learning rate is multiplied by at each step of a task,
   * from the epoch the step falls in.
   */
  public enum LrSchedule {
    /** The learning rate stays as set. */
    CONSTANT,
    /**
     * The reference's ResNet-32 schedule (its {@code --lambda_lr_scheduler}): ×1 to epoch 80,
     * ×0.1 after epoch 80, ×0.01 after 120, ×0.001 after 160, ×0.0005 after 180. As there, the
     * factor changes after the first step of an epoch: the reference steps its scheduler at
     * iteration i when i is a positive multiple of the epoch length, after that iteration's update,
     * so step i trains with the factor of epoch ⌊(i−1)/E⌋. (The reference also runs a
     * reduce-on-plateau scheduler for ResNet-32, but its LambdaLR sets the rate to base × factor
     * right after it at every epoch end, so the plateau's reductions never reach a step.)
     */
    RESNET_STEPS;

    /** The factor for step {@code step} (0-based) of a task whose epochs last {@code epochLength} steps. */
    public float factor(long step, int epochLength) {
      if (this == CONSTANT) {
        return 1f;
      }
      long epoch = step == 0 ? 0 : (step - 1) / epochLength;
      return epoch > 180 ? 0.5e-3f : epoch > 160 ? 1e-3f : epoch > 120 ? 1e-2f : epoch > 80 ? 1e-1f : 1f;
    }
  }

  /** Pixels of zero padding around an image before the random crop. */
  public static final int AUGMENT_PADDING = 4;

  public static final long SEED_DEFAULT = 42;
  public static final int ITERATIONS_DEFAULT = 4001;
  public static final int BATCH_SIZE_DEFAULT = 32;
  public static final float LEARNING_RATE_DEFAULT = 0.01f;
  public static final float BETA_DEFAULT = 0.005f;
  public static final int EVAL_BATCH_SIZE_DEFAULT = 1000;

  /** How the output regularizer is evaluated; both give Eq. 2. */
  public enum RegularizerForm {
    /** GEMM over stored targets plus a small Gram matrix; never builds [k, P] (fast). */
    EXPANDED,
    /** Generates all k·P weights and subtracts the targets (simple, memory-bound). */
    NAIVE
  }

  public LearnerSettings {
    require(iterations > 0, "iterations", iterations);
    require(batchSize > 0, "batch size", batchSize);
    require(beta >= 0 && Float.isFinite(beta), "beta", beta);
    require(regularizerTasks >= 0, "regularizer tasks (K)", regularizerTasks);
    require(intraOpThreads >= 0, "intra-op threads", intraOpThreads);
    require(interOpThreads >= 0, "inter-op threads", interOpThreads);
    require(evalBatchSize > 0, "evaluation batch size", evalBatchSize);
    require(checkpointEvery >= 0, "checkpoint interval", checkpointEvery);
    require(epochs >= 0, "epochs", epochs);
    if (lrSchedule == null) {
      lrSchedule = LrSchedule.CONSTANT;
    }
    if (baselines == null) {
      baselines = Baselines.defaults();
    }
    if (regularizerForm == null) {
      throw new IllegalArgumentException("regularizer form must be set");
    }
    // Validates the Adam values with their own message.
    new AdamOptimizer.Settings(learningRate, adamBeta1, adamBeta2, adamEpsilon);
  }

  private static void require(boolean ok, String what, Object value) {
    if (!ok) {
      throw new IllegalArgumentException("invalid " + what + ": " + value);
    }
  }

  /** A settings record written before {@code epochs} existed: a fixed number of steps per task. */
  public LearnerSettings(long seed, int iterations, int batchSize, float learningRate, float adamBeta1, float adamBeta2,
      float adamEpsilon, float beta, boolean lookahead, int regularizerTasks, RegularizerForm regularizerForm,
      int intraOpThreads, int interOpThreads, int evalBatchSize, int checkpointEvery) {
    this(seed, iterations, batchSize, learningRate, adamBeta1, adamBeta2, adamEpsilon, beta, lookahead, regularizerTasks,
        regularizerForm, intraOpThreads, interOpThreads, evalBatchSize, checkpointEvery, 0, false, LrSchedule.CONSTANT, null);
  }

  /** Steps per epoch over {@code trainSize} examples, {@code ⌈trainSize / batchSize⌉}. */
  public int epochLength(int trainSize) {
    return Math.max(1, (trainSize + batchSize - 1) / batchSize);
  }

  /** Training steps for a task of {@code trainSize} examples: {@link #epochs} passes, else {@link #iterations}. */
  public int iterationsFor(int trainSize) {
    if (epochs == 0) {
      return iterations;
    }
    long steps = (long) epochs * epochLength(trainSize);
    return Math.toIntExact(Math.max(1, steps));
  }

  public AdamOptimizer.Settings adam() {
    return new AdamOptimizer.Settings(learningRate, adamBeta1, adamBeta2, adamEpsilon);
  }

  /** The paper's toy-regression settings. */
  public static LearnerSettings defaults() {
    return new Builder().build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.seed = seed;
    b.iterations = iterations;
    b.batchSize = batchSize;
    b.learningRate = learningRate;
    b.adamBeta1 = adamBeta1;
    b.adamBeta2 = adamBeta2;
    b.adamEpsilon = adamEpsilon;
    b.beta = beta;
    b.lookahead = lookahead;
    b.regularizerTasks = regularizerTasks;
    b.regularizerForm = regularizerForm;
    b.intraOpThreads = intraOpThreads;
    b.interOpThreads = interOpThreads;
    b.evalBatchSize = evalBatchSize;
    b.checkpointEvery = checkpointEvery;
    b.epochs = epochs;
    b.augment = augment;
    b.lrSchedule = lrSchedule;
    b.baselines = baselines;
    return b;
  }

  /** Builds {@link LearnerSettings}; unset fields keep their defaults. */
  public static final class Builder {
    private long seed = SEED_DEFAULT;
    private int iterations = ITERATIONS_DEFAULT;
    private int batchSize = BATCH_SIZE_DEFAULT;
    private float learningRate = LEARNING_RATE_DEFAULT;
    private float adamBeta1 = AdamOptimizer.BETA1_DEFAULT;
    private float adamBeta2 = AdamOptimizer.BETA2_DEFAULT;
    private float adamEpsilon = AdamOptimizer.EPSILON_DEFAULT;
    private float beta = BETA_DEFAULT;
    private boolean lookahead = true;
    private int regularizerTasks = 0;
    private RegularizerForm regularizerForm = RegularizerForm.EXPANDED;
    private int intraOpThreads = 0;
    private int interOpThreads = 0;
    private int evalBatchSize = EVAL_BATCH_SIZE_DEFAULT;
    private int checkpointEvery = 0;
    private int epochs = 0;
    private boolean augment = false;
    private LrSchedule lrSchedule = LrSchedule.CONSTANT;
    private Baselines baselines = Baselines.defaults();

    public Builder seed(long v) { seed = v; return this; }
    public Builder iterations(int v) { iterations = v; return this; }
    public Builder batchSize(int v) { batchSize = v; return this; }
    public Builder learningRate(float v) { learningRate = v; return this; }
    public Builder adamBeta1(float v) { adamBeta1 = v; return this; }
    public Builder adamBeta2(float v) { adamBeta2 = v; return this; }
    public Builder adamEpsilon(float v) { adamEpsilon = v; return this; }
    public Builder beta(float v) { beta = v; return this; }
    public Builder lookahead(boolean v) { lookahead = v; return this; }
    public Builder regularizerTasks(int v) { regularizerTasks = v; return this; }
    public Builder regularizerForm(RegularizerForm v) { regularizerForm = v; return this; }
    public Builder intraOpThreads(int v) { intraOpThreads = v; return this; }
    public Builder interOpThreads(int v) { interOpThreads = v; return this; }
    public Builder evalBatchSize(int v) { evalBatchSize = v; return this; }
    public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
    public Builder epochs(int v) { epochs = v; return this; }
    public Builder augment(boolean v) { augment = v; return this; }
    public Builder lrSchedule(LrSchedule v) { lrSchedule = v; return this; }
    public Builder baselines(Baselines v) { baselines = v; return this; }

    public LearnerSettings build() {
      return new LearnerSettings(
          seed, iterations, batchSize, learningRate, adamBeta1, adamBeta2, adamEpsilon, beta, lookahead,
          regularizerTasks, regularizerForm, intraOpThreads, interOpThreads, evalBatchSize, checkpointEvery, epochs, augment, lrSchedule, baselines);
    }
  }
}
