package org.hypercl.savedmodels;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json}, written beside the models of an export: what each model is, the learned
 * tasks with their embeddings, the input and output contract, and the run's provenance.
 *
 * <p>Task numbering: task ids are the learner's, 0-based, everywhere: model
 * {@code <name>-task<k>} serves task id {@code k}, which is also the {@code task_id} input of the
 * hypernetwork model and the index of its embedding.
 *
 * @param format {@value #FORMAT}
 * @param experiment the experiment's name (from config.json)
 * @param kind regression or classification
 * @param version the version folder of every model in this export
 * @param input the input {@code x}: dtype and shape ({@code -1} is the batch)
 * @param outputSize outputs per head
 * @param numHeads heads of the target network (head t serves task t when there are several)
 * @param labelMeaning what the outputs mean
 * @param taskNumbering how tasks are numbered in names and inputs
 * @param tasks the learned tasks
 * @param hypernetworkModel name of the hypernetwork model
 * @param hypernetworkSignatures its signatures and their output names
 * @param target the target network spec (TargetSpec.toMap)
 * @param hypernetwork the hypernetwork spec (HypernetworkSpec.toMap)
 * @param source the run and checkpoint exported
 * @param provenance copied from the run's config.json
 * @param export when, with what, and how it was verified
 * @param generatorModel the replay generator's model, or null for a run without one
 * @param generator what the generator takes and makes (latent size, tasks, image shape), or null
 * @param taskInferenceModel an HNET+TIR run's task-inference network's model, or null for other runs
 * @param taskInference what it takes and gives (signatures, inputs, outputs, tasks scored, the
 *     network), or null
 * @param inferTaskScore the score the hypernetwork model's {@code infer_task} picks tasks by
 *     ({@code entropy}, {@code max-softmax}, {@code energy}, {@code max-logit}), or null where it has
 *     no {@code infer_task} (and in exports from before the field, which used entropy)
 */
public record ExportManifest(
    String format,
    String experiment,
    OutputKind kind,
    int version,
    Input input,
    int outputSize,
    int numHeads,
    String labelMeaning,
    String taskNumbering,
    List<Task> tasks,
    String hypernetworkModel,
    Map<String, List<String>> hypernetworkSignatures,
    Map<String, Object> target,
    Map<String, Object> hypernetwork,
    Source source,
    JsonNode provenance,
    ExportInfo export,
    String generatorModel,
    Map<String, Object> generator,
    String taskInferenceModel,
    Map<String, Object> taskInference,
    String inferTaskScore) {

  public static final String FILE = "manifest.json";
  public static final String FORMAT = "hypercl-export/1";

  public ExportManifest {
    tasks = List.copyOf(tasks);
  }

  /**
   * The model input: name {@code x}, dtype, shape, and what it holds: input rows as the data
   * encodes them, unpermuted. Models apply a permuted task's permutation themselves, except
   * {@code predict_with_embedding}, which takes the target network's own (permuted) input.
   *
   * @param preprocessing how training made a row of {@code x} from a raw image, or null where the
   *     run did not record it (runs and exports from before it was recorded, non-image data)
   */
  public record Input(String name, String dtype, long[] shape, String meaning, Preprocessing preprocessing) {

    /** The shape of one example, {@code shape} without its batch dimension. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public long[] exampleShape() {
      return Arrays.copyOfRange(shape, 1, shape.length);
    }

    /** Values in one example: {@code [-1, 784]} gives 784, {@code [-1, 32, 32, 3]} 3,072. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public int exampleSize() {
      long n = 1;
      for (int i = 1; i < shape.length; i++) {
        n *= shape[i];
      }
      return Math.toIntExact(n);
    }

    /** The shape of {@code n} examples, {@code [n, ...exampleShape]}. */
    public long[] batchShape(int n) {
      long[] s = shape.clone();
      s[0] = n;
      return s;
    }
  }

  /**
   * How training turned a raw image (unsigned bytes, height × width × channels, as in the
   * dataset's IDX or binary files) into a row of {@code x}: zero bytes added around it ({@code
   * pad}), then each byte b of channel c mapped to {@code b * scale[c] + offset[c]}, the result
   * flattened row-major (height, width, channels). A task with {@code permutedInputs} permutes that
   * row inside its models. E.g. PermutedMNIST: rawShape [28, 28, 1], pad [2, 2, 2, 2] (32×32,
   * 1024 inputs), scale [1/255], offset [0].
   *
   * @param rawShape the raw image: [height, width, channels]
   * @param pad rows and columns of zero bytes added: [top, bottom, left, right]
   * @param scale per channel
   * @param offset per channel
   * @param meaning the above in words
   */
  public record Preprocessing(int[] rawShape, int[] pad, float[] scale, float[] offset, String meaning) {

    /** Values in a raw image. */
    public int rawSize() {
      return rawShape[0] * rawShape[1] * rawShape[2];
    }

    /** Values in a padded image: a row of x. */
    public int paddedSize() {
      return (rawShape[0] + pad[0] + pad[1]) * (rawShape[1] + pad[2] + pad[3]) * rawShape[2];
    }

    /** Null if well formed, else what is wrong. */
    String problem() {
      if (rawShape == null || rawShape.length != 3 || Arrays.stream(rawShape).anyMatch(d -> d <= 0)) {
        return "rawShape must be [height, width, channels], all positive";
      }
      if (pad == null || pad.length != 4 || Arrays.stream(pad).anyMatch(p -> p < 0)) {
        return "pad must be [top, bottom, left, right], none negative";
      }
      if (scale == null || offset == null || scale.length != rawShape[2] || offset.length != rawShape[2]) {
        return "scale and offset must have one value per channel (" + rawShape[2] + ")";
      }
      return null;
    }
  }

  /**
   * A learned task.
   *
   * @param id the learner's task id (0-based)
   * @param name the task's name in the run
   * @param model the per-task model serving it
   * @param head the output head it reads
   * @param permutedInputs whether the task sees its inputs through a permutation of its own (e.g.
   *     PermutedMNIST), baked into its models; false for runs that recorded none
   * @param embedding its learned embedding e^(t); null where the classifier has its own weights
   */
  public record Task(int id, String name, String model, int head, boolean permutedInputs, float[] embedding) {}

  /** The run exported: folder, checkpoint and tasks learned at it. */
  public record Source(String runDir, String checkpoint, int tasksLearned, int numTasks) {}

  /** When and how the export was made and verified. */
  public record ExportInfo(String created, String tensorflow, int verificationSamples, double maxDifference, double tolerance) {}

  /**
   * Model names: the per-task models first, then the hypernetwork model (absent when the run's
   * classifier has its own weights), then the replay generator's (when the run has one), then the
   * task-inference network's (HNET+TIR runs).
   */
  public List<String> models() {
    List<String> names = new java.util.ArrayList<>();
    tasks.forEach(t -> names.add(t.model()));
    if (hypernetworkModel != null) {
      names.add(hypernetworkModel);
    }
    if (generatorModel != null) {
      names.add(generatorModel);
    }
    if (taskInferenceModel != null) {
      names.add(taskInferenceModel);
    }
    return names;
  }

  /** The task with this id. */
  public Task task(int id) {
    for (Task t : tasks) {
      if (t.id() == id) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown task id " + id + "; this export has tasks " + taskRange());
  }

  /** E.g. {@code "0..2"}. */
  public String taskRange() {
    return tasks.isEmpty() ? "(none)" : "0.." + (tasks.size() - 1);
  }

  /** Reads and checks {@code dir/manifest.json}. */
  public static ExportManifest read(Path dir) {
    Path file = dir.resolve(FILE);
    JsonNode node = Json.read(file);
    String format = node.path("format").asText("");
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException(file + ": format is '" + format + "', expected '" + FORMAT + "'");
    }
    ExportManifest m;
    try {
      m = Json.MAPPER.treeToValue(node, ExportManifest.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not a valid export manifest: " + e.getOriginalMessage(), e);
    }
    for (String name : m.models()) {
      if (!ModelNames.isValid(name)) {
        throw new IllegalArgumentException(file + ": model name '" + name + "' is not a plain folder name");
      }
    }
    for (int i = 0; i < m.tasks().size(); i++) {
      if (m.tasks().get(i).id() != i) {
        throw new IllegalArgumentException(file + ": tasks must be listed by id 0, 1, ...; entry " + i
            + " has id " + m.tasks().get(i).id());
      }
    }
    if (m.input() != null && m.input().preprocessing() != null) {
      String problem = m.input().preprocessing().problem();
      if (problem != null) {
        throw new IllegalArgumentException(file + ": input.preprocessing: " + problem);
      }
    }
    if (m.taskInferenceModel() != null) {
      Object k = m.taskInference() == null ? null : m.taskInference().get("tasks");
      if (!(k instanceof Integer tasks) || tasks < 1 || tasks > m.tasks().size()) {
        throw new IllegalArgumentException(file + ": taskInference.tasks must be the number of tasks the task-inference "
            + "model scores, 1.." + m.tasks().size() + "; got " + k);
      }
    }
    if (m.version() <= 0) {
      throw new IllegalArgumentException(file + ": version must be positive, got " + m.version());
    }
    return m;
  }

  void write(Path dir) {
    Json.write(dir.resolve(FILE), this);
  }
}
