package org.hypercl.savedmodels;

/**
 * Names of the exported signatures, their inputs and outputs: the contract between the exporter,
 * the Java API, the server and any other SavedModel runtime.
 *
 * <p>Per-task model ({@code <model>-task<k>}): {@value #SERVING_DEFAULT}: {@code x} → {@code y}
 * (regression) or {@code logits}, {@code probabilities}, {@code classes} (classification).
 *
 * <p>Hypernetwork model ({@code <model>-hnet}):
 * <ul>
 *   <li>{@value #PREDICT}: {@code x}, {@code task_id} → the prediction outputs;
 *   <li>{@value #PREDICT_WITH_EMBEDDING}: {@code x}, {@code task_embedding} (and {@code head} for a
 *       multi-head target) → the prediction outputs;
 *   <li>{@value #GENERATE_WEIGHTS}: {@code task_id} → {@code weights} and one output per layer
 *       tensor ({@code w0}, {@code b0}, ...; kernels {@code [out, in]}, or {@code [in, out]} for runs
 *       whose target spec says {@code kernelOrder: in_out});
 *   <li>{@value #GENERATE_WEIGHTS_WITH_EMBEDDING}: {@code task_embedding} → the same;
 *   <li>{@value #INFER_TASK} (classifiers): {@code x} → {@code task_id} (the task with the lowest
 *       score; the manifest's {@code inferTaskScore} names the score, entropy by default) and
 *       {@code scores} {@code [batch, tasks]}; with entropy also {@code entropies}, the same values
 *       under the name exports had before the score was selectable.
 * </ul>
 * Replay generator model ({@code <model>-generator}, runs with a replay VAE), the decoder's
 * weights of every task it replays baked in:
 * <ul>
 *   <li>{@value #GENERATE} (also {@value #SERVING_DEFAULT}): {@code task_id} int32 {@code [n]},
 *       {@code z} float {@code [n, latent]} → {@code samples} float {@code [n, inputSize]} in [0, 1];
 *   <li>{@value #GENERATE_RANDOM}: {@code task_id} int32 scalar, {@code count} int32 scalar,
 *       {@code seed} int64 {@code [2]} → {@code samples} {@code [count, inputSize]}, z ~ N(0, I)
 *       drawn statelessly from the seed.
 * </ul>
 * Task-inference model ({@code <model>-task-inference}, HNET+TIR runs), the task-inference
 * network's own weights baked in:
 * <ul>
 *   <li>{@value #SERVING_DEFAULT} (also {@value #INFER_TASK}): {@code x} → {@code task_scores} float
 *       {@code [batch, learned tasks]}, the network's softmax over the tasks learned so far, and
 *       {@code task_id} int32 {@code [batch]}, the task whose output is largest (the learner's pick).
 * </ul>
 * Task ids are the learner's, 0-based; {@code x} is float {@code [batch, inputSize]} for an MLP
 * target and {@code [batch, 32, 32, 3]} (height, width, channels) for a convolutional one: raw rows,
 * which the per-task model and {@value #PREDICT} pass through a permuted task's input permutation,
 * while {@value #PREDICT_WITH_EMBEDDING}, {@value #INFER_TASK} and the task-inference model take the target network's own
 * input (an example as observed, permutation already applied).
 */
public final class Signatures {

  private Signatures() {}

  public static final String METHOD_PREDICT = "tensorflow/serving/predict";

  public static final String SERVING_DEFAULT = "serving_default";
  public static final String PREDICT = "predict";
  public static final String PREDICT_WITH_EMBEDDING = "predict_with_embedding";
  public static final String GENERATE_WEIGHTS = "generate_weights";
  public static final String GENERATE_WEIGHTS_WITH_EMBEDDING = "generate_weights_with_embedding";
  public static final String INFER_TASK = "infer_task";
  /** Replay generator: samples of given tasks from given latent codes. */
  public static final String GENERATE = "generate";
  /** Replay generator: {@code count} samples of one task from latent codes drawn from a seed. */
  public static final String GENERATE_RANDOM = "generate_random";

  public static final String X = "x";

  /**
   * The shape of {@value #X} for a target: {@code [-1, inputSize]} for an MLP, {@code [-1, 32, 32, 3]}
   * (NHWC) for the convolutional targets.
   */
  public static long[] inputShape(org.hypercl.graphs.TargetSpec target) {
    long[] example = target.inputShape();
    long[] shape = new long[example.length + 1];
    shape[0] = -1;
    System.arraycopy(example, 0, shape, 1, example.length);
    return shape;
  }

  /** {@link #inputShape} for {@code n} examples. */
  static long[] inputShape(org.hypercl.graphs.TargetSpec target, int n) {
    long[] shape = inputShape(target);
    shape[0] = n;
    return shape;
  }
  public static final String TASK_ID = "task_id";
  public static final String TASK_EMBEDDING = "task_embedding";
  public static final String HEAD = "head";
  public static final String Z = "z";
  public static final String COUNT = "count";
  public static final String SEED = "seed";
  public static final String SAMPLES = "samples";

  public static final String Y = "y";
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";
  public static final String CLASSES = "classes";
  public static final String WEIGHTS = "weights";
  public static final String ENTROPIES = "entropies";
  /** infer_task: every learned task's score per row, {@code [batch, tasks]}; lower wins. */
  public static final String SCORES = "scores";
  /** Task-inference model: the probabilities over the learned tasks, {@code [batch, learned]}. */
  public static final String TASK_SCORES = "task_scores";
}
