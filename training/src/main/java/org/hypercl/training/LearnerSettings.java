package org.hypercl.training;

import java.util.List;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.AdamOptimizer;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.OutputRegularizer;

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
 * @param replay the generative replay model of the replay methods ({@link Replay})
 * @param maskOtherHeads leave out of each past task's Eq. 2 term the output-layer weights of the
 *     other tasks' heads (multi-head targets only; the reference does this on Split CIFAR, and
 *     regularizes every weight on MNIST)
 * @param inferenceRows which test sets are scored with the task inferred after each task
 *     ({@link InferenceRows}; null reads as {@code AUTO}, so older config.json files keep working)
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
    Baselines baselines,
    Replay replay,
    boolean maskOtherHeads,
    InferenceRows inferenceRows) {

  /**
   * Which learned tasks' test sets a classifier's run scores with the task inferred (its CL2/CL3
   * and task-inference matrices) after each task. Scoring test set j among the candidates 0..t
   * costs t + 1 forward passes of a hypernetwork's target, so full rows cost a task (t + 1)² passes
   * and a run of T tasks about T³/3: nothing beside training for ten tasks, hours for a hundred.
   * The task-given matrix is always full.
   */
  public enum InferenceRows {
    /** {@code ALL} for runs of up to {@value #AUTO_MAX_TASKS} tasks, {@code CURRENT} for longer ones. */
    AUTO,
    /** After every task, every learned task's test set: full matrices, forgetting included. */
    ALL,
    /**
     * After each task its own test set only (the diagonal: "during"), and after the last task
     * every one (the "after" row), as the authors' code measures; the rest of the rows stay NaN,
     * and forgetting is taken over the entries measured (so it equals −BWT).
     */
    CURRENT;

    /** The most tasks {@code AUTO} scores in full. */
    public static final int AUTO_MAX_TASKS = 10;

    /** Whether after task {@code t} (0-based) of {@code numTasks} every learned task's test set is scored. */
    public boolean everyTaskAfter(int t, int numTasks) {
      if (t >= numTasks - 1) {
        return true;
      }
      return switch (this) {
        case ALL -> true;
        case CURRENT -> false;
        case AUTO -> numTasks <= AUTO_MAX_TASKS;
      };
    }
  }

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
   * The replay model of HNET+R (von Oswald et al., 2020, §3; the reference's {@code
   * mnist/replay}): a VAE whose encoder has its own weights and is trained on the current task
   * only, and whose decoder's weights are generated by a chunked hypernetwork from a task
   * embedding, protected by Eq. 2 with strength {@link #beta}. The decoder's input is a latent code
   * of {@link #latentDim} values concatenated with a {@link #conditionDim}-wide one-hot of the
   * task. Used only by the replay methods; the classifier's own settings (learning rate, batch,
   * iterations) are the enclosing settings'. Defaults are the reference's SplitMNIST HNET+R.
   *
   * @param encoderHidden hidden widths of the encoder (ReLU)
   * @param decoderHidden hidden widths of the decoder (ReLU; linear output, a sigmoid makes pixels)
   * @param latentDim size of the latent code z
   * @param conditionDim width of the task's one-hot appended to z (at least the number of tasks)
   * @param embeddingDim the decoder hypernetwork's task-embedding size
   * @param chunkEmbeddingDim its chunk-embedding size (0 for a full hypernetwork)
   * @param hnetHidden its hidden widths
   * @param hnetActivation its activation (relu, elu, ...)
   * @param chunkSize its chunk size (0 for a full hypernetwork)
   * @param beta β of Eq. 2 on the decoder's hypernetwork
   * @param iterations VAE training steps per task (after the classifier's steps; none on the last task)
   * @param encoderLearningRate Adam's learning rate for the encoder
   * @param decoderLearningRate Adam's learning rate for the decoder's hypernetwork and embedding
   * @param replayWeight weight of the replay loss in the classifier's loss, {@code (1−w)·CE_real + w·KD_replay}
   * @param temperature the distillation temperature T
   * @param model {@code vae} (the default) or {@code gan}: a GAN whose generator is the decoder
   *     (tanh output, data rescaled to [−1, 1]) and whose discriminator is an MLP of the encoder's
   *     hidden widths with one output and its own weights
   * @param ganLoss the GAN's loss: {@code vanilla} (the reference code's default: non-saturating,
   *     one-sided label smoothing 0.9) or {@code pearson} (the paper's Pearson χ² least squares)
   * @param discriminatorDropout dropout after each hidden layer of the discriminator
   */
  public record Replay(List<Integer> encoderHidden, List<Integer> decoderHidden, int latentDim, int conditionDim,
      int embeddingDim, int chunkEmbeddingDim, List<Integer> hnetHidden, String hnetActivation, int chunkSize,
      float beta, int iterations, float encoderLearningRate, float decoderLearningRate, float replayWeight, float temperature,
      String model, String ganLoss, float discriminatorDropout) {

    /** A VAE replay model. */
    public Replay(List<Integer> encoderHidden, List<Integer> decoderHidden, int latentDim, int conditionDim,
        int embeddingDim, int chunkEmbeddingDim, List<Integer> hnetHidden, String hnetActivation, int chunkSize,
        float beta, int iterations, float encoderLearningRate, float decoderLearningRate, float replayWeight, float temperature) {
      this(encoderHidden, decoderHidden, latentDim, conditionDim, embeddingDim, chunkEmbeddingDim, hnetHidden, hnetActivation,
          chunkSize, beta, iterations, encoderLearningRate, decoderLearningRate, replayWeight, temperature, "vae", "vanilla", 0f);
    }

    public Replay {
      // Files written before the GAN existed have neither field: a VAE.
      model = model == null ? "vae" : model.trim().toLowerCase(java.util.Locale.ROOT);
      ganLoss = ganLoss == null ? "vanilla" : ganLoss.trim().toLowerCase(java.util.Locale.ROOT);
      if (!model.equals("vae") && !model.equals("gan")) {
        throw new IllegalArgumentException("unknown replay model '" + model + "'; expected vae or gan");
      }
      if (!ganLoss.equals("vanilla") && !ganLoss.equals("pearson")) {
        throw new IllegalArgumentException("unknown GAN loss '" + ganLoss + "'; expected vanilla or pearson");
      }
      require(discriminatorDropout >= 0 && discriminatorDropout < 1, "discriminator dropout (in [0, 1))", discriminatorDropout);
      encoderHidden = List.copyOf(encoderHidden);
      decoderHidden = List.copyOf(decoderHidden);
      hnetHidden = List.copyOf(hnetHidden);
      Activation.parse(hnetActivation);
      require(latentDim > 0, "replay latent size", latentDim);
      require(conditionDim >= 0, "replay condition width", conditionDim);
      require(iterations >= 0, "replay iterations", iterations);
      require(beta >= 0 && Float.isFinite(beta), "replay beta", beta);
      require(replayWeight >= 0 && replayWeight <= 1, "replay weight (in [0, 1])", replayWeight);
      require(temperature > 0 && Float.isFinite(temperature), "distillation temperature", temperature);
      new AdamOptimizer.Settings(encoderLearningRate, AdamOptimizer.BETA1_DEFAULT, AdamOptimizer.BETA2_DEFAULT, AdamOptimizer.EPSILON_DEFAULT);
      new AdamOptimizer.Settings(decoderLearningRate, AdamOptimizer.BETA1_DEFAULT, AdamOptimizer.BETA2_DEFAULT, AdamOptimizer.EPSILON_DEFAULT);
      // Checks the sizes with the networks' own messages (the accessors cannot run before the fields are set).
      new MlpSpec(1, ints(encoderHidden), 1, 1, Activation.RELU);
      new MlpSpec(1, ints(decoderHidden), 1, 1, Activation.RELU);
      new HypernetworkSpec(embeddingDim, ints(hnetHidden), Activation.parse(hnetActivation), chunkSize, chunkEmbeddingDim, 1);
    }

    /** SplitMNIST HNET+R: encoder 400,400, decoder 250,350, hypernetwork 10,10 ELU, chunks of 50,000, β = 0.01. */
    public static Replay splitMnist() {
      return new Replay(List.of(400, 400), List.of(250, 350), 100, 100, 96, 96, List.of(10, 10), "elu", 50_000,
          0.01f, 2000, 0.001f, 0.001f, 0.5f, 2f);
    }

    /** PermutedMNIST HNET+R: encoder 1000,1000, decoder 400,400, hypernetwork 25,25 ELU, chunks of 85,000, β = 0.1. */
    public static Replay permutedMnist() {
      return new Replay(List.of(1000, 1000), List.of(400, 400), 100, 100, 24, 8, List.of(25, 25), "elu", 85_000,
          0.1f, 5000, 0.0001f, 0.0001f, 0.5f, 2f);
    }

    /** The same replay model with another decoder. */
    public Replay withDecoderHidden(List<Integer> hidden) {
      return new Replay(encoderHidden, hidden, latentDim, conditionDim, embeddingDim, chunkEmbeddingDim, hnetHidden, hnetActivation,
          chunkSize, beta, iterations, encoderLearningRate, decoderLearningRate, replayWeight, temperature, model, ganLoss,
          discriminatorDropout);
    }

    /** The same model with another number of steps per task. */
    public Replay withIterations(int it) {
      return new Replay(encoderHidden, decoderHidden, latentDim, conditionDim, embeddingDim, chunkEmbeddingDim, hnetHidden,
          hnetActivation, chunkSize, beta, it, encoderLearningRate, decoderLearningRate, replayWeight, temperature, model, ganLoss,
          discriminatorDropout);
    }

    /**
     * A GAN in place of the VAE with the paper's GAN settings (Appendix, "Hypernetwork-protected
     * GANs"; the reference code sets none of its own): the generator's hypernetwork 25,25 with
     * chunks of 75,000, learning rates 1e-4, dropout 0.4 in the discriminator, 10,000 steps per
     * task; the latent code, condition, embeddings, β and the networks' widths stay.
     */
    public Replay asGan(String loss) {
      return new Replay(encoderHidden, decoderHidden, latentDim, conditionDim, embeddingDim, chunkEmbeddingDim, List.of(25, 25),
          hnetActivation, 75_000, beta, 10_000, 1e-4f, 1e-4f, replayWeight, temperature, "gan", loss, 0.4f);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isGan() {
      return model.equals("gan");
    }

    /** The GAN's discriminator for inputs of {@code inputSize}: one output. */
    public MlpSpec discriminator(int inputSize) {
      return new MlpSpec(inputSize, ints(encoderHidden), 1, 1, Activation.RELU);
    }

    /** The encoder for inputs of {@code inputSize}: outputs μ and log σ², {@code 2 · latentDim}. */
    public MlpSpec encoder(int inputSize) {
      return new MlpSpec(inputSize, ints(encoderHidden), 2 * latentDim, 1, Activation.RELU);
    }

    /** The decoder: {@code latentDim + conditionDim} inputs, {@code inputSize} pixel logits. */
    public MlpSpec decoder(int inputSize) {
      return new MlpSpec(latentDim + conditionDim, ints(decoderHidden), inputSize, 1, Activation.RELU);
    }

    /** The decoder's hypernetwork for inputs of {@code inputSize}. */
    public HypernetworkSpec hypernetwork(int inputSize) {
      return new HypernetworkSpec(embeddingDim, ints(hnetHidden), Activation.parse(hnetActivation), chunkSize, chunkEmbeddingDim,
          decoder(inputSize).parameterCount());
    }

    private static int[] ints(List<Integer> l) {
      return l.stream().mapToInt(Integer::intValue).toArray();
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

  /** How the output regularizer is evaluated; every form gives Eq. 2 ({@link OutputRegularizer.Form}). */
  public enum RegularizerForm {
    /** From stored factors of the targets: two small products with the output layer, whatever k (fastest). */
    FACTORED,
    /** GEMM over stored targets plus a small Gram matrix; never builds [k, P]. */
    EXPANDED,
    /** Generates all k·P weights and subtracts the targets (simple, memory-bound). */
    NAIVE;

    /** The graph's form of the same name. */
    public OutputRegularizer.Form graphForm() {
      return OutputRegularizer.Form.valueOf(name());
    }
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
    if (replay == null) {
      replay = Replay.splitMnist();
    }
    if (regularizerForm == null) {
      throw new IllegalArgumentException("regularizer form must be set");
    }
    if (inferenceRows == null) {
      inferenceRows = InferenceRows.AUTO;
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
        regularizerForm, intraOpThreads, interOpThreads, evalBatchSize, checkpointEvery, 0, false, LrSchedule.CONSTANT, null, null, false, null);
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

  /** TensorFlow session options with these thread counts (0: TensorFlow's choice). */
  public org.tensorflow.proto.ConfigProto sessionConfig() {
    org.tensorflow.proto.ConfigProto.Builder proto = org.tensorflow.proto.ConfigProto.newBuilder();
    if (intraOpThreads > 0) {
      proto.setIntraOpParallelismThreads(intraOpThreads);
    }
    if (interOpThreads > 0) {
      proto.setInterOpParallelismThreads(interOpThreads);
    }
    return proto.build();
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
    b.replay = replay;
    b.maskOtherHeads = maskOtherHeads;
    b.inferenceRows = inferenceRows;
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
    private RegularizerForm regularizerForm = RegularizerForm.FACTORED;
    private int intraOpThreads = 0;
    private int interOpThreads = 0;
    private int evalBatchSize = EVAL_BATCH_SIZE_DEFAULT;
    private int checkpointEvery = 0;
    private int epochs = 0;
    private boolean augment = false;
    private LrSchedule lrSchedule = LrSchedule.CONSTANT;
    private Baselines baselines = Baselines.defaults();
    private Replay replay = Replay.splitMnist();
    private boolean maskOtherHeads = false;
    private InferenceRows inferenceRows = InferenceRows.AUTO;

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
    public Builder replay(Replay v) { replay = v; return this; }
    public Builder maskOtherHeads(boolean v) { maskOtherHeads = v; return this; }
    public Builder inferenceRows(InferenceRows v) { inferenceRows = v; return this; }

    public LearnerSettings build() {
      return new LearnerSettings(
          seed, iterations, batchSize, learningRate, adamBeta1, adamBeta2, adamEpsilon, beta, lookahead,
          regularizerTasks, regularizerForm, intraOpThreads, interOpThreads, evalBatchSize, checkpointEvery, epochs, augment, lrSchedule, baselines,
          replay, maskOtherHeads, inferenceRows);
    }
  }
}
