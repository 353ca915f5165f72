package org.hypercl.savedmodels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.TargetSpec;

/**
 * What an export needs from a run folder (docs/design.md, run folder), read without the training
 * module: {@code config.json} (experiment, kind, numTasks, target, hypernetwork, provenance) and the
 * checkpoint that {@code checkpoints/latest} names (TF checkpoint prefix {@code model}, and
 * {@code state.json} with {@code tasksLearned} and the task names), and {@code tasks.json} when the
 * run wrote one (each task's input permutation; runs from before it have none, which means no
 * permutation). When {@code latest} is an in-task checkpoint, the checkpoint of the last finished
 * task is read instead.
 *
 * @param runDir the run folder
 * @param experiment the experiment's name
 * @param kind regression or classification
 * @param target the target network
 * @param hypernetwork the hypernetwork
 * @param numTasks tasks in the experiment (rows of the embedding table)
 * @param tasksLearned tasks learned at the checkpoint (the exported tasks are 0..tasksLearned-1)
 * @param taskNames names of the learned tasks, by task id
 * @param permutations input permutation of each learned task, by task id, or null where the task
 *     has none: input j of the task is base input {@code permutation[j]}; an identity permutation
 *     is read as none
 * @param checkpointPrefix the TF checkpoint prefix ({@code .../checkpoints/task-NNN/model})
 * @param config config.json as read (its provenance is copied into the manifest)
 */
public record RunCheckpoint(
    Path runDir,
    String experiment,
    OutputKind kind,
    TargetSpec target,
    HypernetworkSpec hypernetwork,
    int numTasks,
    int tasksLearned,
    List<String> taskNames,
    List<int[]> permutations,
    Path checkpointPrefix,
    JsonNode config) {

  public static final String CONFIG = "config.json";
  public static final String CHECKPOINTS = "checkpoints";
  public static final String LATEST = "latest";
  public static final String CHECKPOINT_PREFIX = "model";
  /** An HNET+TIR run's classifier checkpoint: {@code model-classifier} beside {@code model}. */
  public static final String TIR_CLASSIFIER_SUFFIX = "-classifier";
  public static final String STATE = "state.json";
  public static final String TASKS = "tasks.json";

  public RunCheckpoint {
    taskNames = List.copyOf(taskNames);
    if (permutations.size() != taskNames.size()) {
      throw new IllegalArgumentException(
          permutations.size() + " permutation entries for " + taskNames.size() + " learned tasks");
    }
    // Unmodifiable, null entries allowed.
    permutations = Collections.unmodifiableList(new ArrayList<>(permutations));
  }

  /** Reads the run in {@code runDir} and its latest checkpoint, failing with the file and field at fault. */
  @SuppressWarnings("unchecked")
  public static RunCheckpoint read(Path runDir) {
    return read(runDir, true);
  }

  /**
   * Reads a run of any method; {@code requireHypernetwork} refuses runs whose classifier has its
   * own weights (what {@link ModelExporter#export} needs).
   */
  public static RunCheckpoint read(Path runDir, boolean requireHypernetwork) {
    if (!Files.isDirectory(runDir)) {
      throw new IllegalArgumentException("run folder " + runDir + " does not exist");
    }
    Path configFile = runDir.resolve(CONFIG);
    if (!Files.isRegularFile(configFile)) {
      throw new IllegalArgumentException("no run in " + runDir + ": config.json is missing");
    }
    JsonNode config = Json.read(configFile);
    String experiment = Json.textField(config, "experiment", configFile);
    OutputKind kind;
    TargetSpec target;
    HypernetworkSpec hnet;
    try {
      kind = OutputKind.parse(Json.textField(config, "kind", configFile));
      target = TargetSpec.fromMap(Json.MAPPER.treeToValue(Json.field(config, "target", configFile), Map.class));
      hnet = HypernetworkSpec.fromMap(Json.MAPPER.treeToValue(Json.field(config, "hypernetwork", configFile), Map.class));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(configFile + " is not a valid run config: " + e.getMessage(), e);
    }
    int numTasks = Json.intField(config, "numTasks", configFile);
    if (numTasks <= 0) {
      throw new IllegalArgumentException(configFile + ": numTasks must be positive, got " + numTasks);
    }
    if (hnet.targetSize() != target.parameterCount()) {
      throw new IllegalArgumentException(configFile + ": the hypernetwork makes " + hnet.targetSize()
          + " weights but the target network has " + target.parameterCount());
    }

    JsonNode method = config.get("method");
    // HNET+TIR keeps its hypernetwork classifier in a checkpoint of its own beside the
    // task-inference network's (HnetTirLearner: "<prefix>-classifier").
    boolean tir = method != null && method.asText().equals("HNET_TIR");
    if (requireHypernetwork && method != null && !method.asText().equals("HYPERNETWORK") && !tir) {
      throw new IllegalArgumentException(configFile + ": method is " + method.asText()
          + "; only hypernetwork runs (method HYPERNETWORK or HNET_TIR) have a hypernetwork to export");
    }
    String prefixName = requireHypernetwork && tir ? CHECKPOINT_PREFIX + TIR_CLASSIFIER_SUFFIX : CHECKPOINT_PREFIX;
    Path latest = runDir.resolve(CHECKPOINTS).resolve(LATEST);
    if (!Files.isRegularFile(latest)) {
      throw new IllegalArgumentException("run " + runDir + " has no checkpoint yet: " + latest + " is missing");
    }
    String name;
    try {
      name = Files.readString(latest, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + latest + ": " + e.getMessage(), e);
    }
    if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
      throw new IllegalArgumentException(latest + " names '" + name + "', which is not a checkpoint folder name");
    }
    Path ckptDir = runDir.resolve(CHECKPOINTS).resolve(name);
    Path stateFile = ckptDir.resolve(STATE);
    JsonNode state = Json.read(stateFile);
    int learned = Json.intField(state, "tasksLearned", stateFile);
    if (state.path("inTask").asInt(-1) >= 0) {
      // Mid-task, the hypernetwork has moved on from what the finished tasks were evaluated with:
      // export the checkpoint written when the last whole task finished.
      ckptDir = runDir.resolve(CHECKPOINTS).resolve(String.format("task-%03d", learned));
      if (learned == 0 || !Files.isDirectory(ckptDir)) {
        throw new IllegalArgumentException("run " + runDir + " is inside task " + (learned + 1)
            + " and has no checkpoint of a finished task to export (" + ckptDir.getFileName() + ")");
      }
      stateFile = ckptDir.resolve(STATE);
      state = Json.read(stateFile);
      learned = Json.intField(state, "tasksLearned", stateFile);
    }
    if (learned < 1 || learned > numTasks) {
      throw new IllegalArgumentException(
          stateFile + ": tasksLearned is " + learned + "; an export needs between 1 and " + numTasks + " learned tasks");
    }
    Path prefix = ckptDir.resolve(prefixName);
    if (!Files.isRegularFile(ckptDir.resolve(prefixName + ".index"))) {
      throw new IllegalArgumentException("checkpoint " + ckptDir + " has no " + prefixName + ".index");
    }
    List<String> names = new ArrayList<>();
    JsonNode tasks = state.path("results").path("tasks");
    for (int t = 0; t < learned; t++) {
      JsonNode n = tasks.get(t);
      names.add(n != null && n.isTextual() ? n.asText() : "task " + t);
    }
    List<int[]> permutations = readPermutations(runDir.resolve(TASKS), learned, target.inputSize());
    return new RunCheckpoint(runDir, experiment, kind, target, hnet, numTasks, learned, names, permutations, prefix, config);
  }

  /**
   * The input permutations of the first {@code learned} tasks from {@code tasks.json}
   * ({@code {"tasks": [{"index": 0, "name": ..., "permutation": [...]?}, ...]}}); all null when the
   * file is absent (runs written before it existed).
   */
  static List<int[]> readPermutations(Path file, int learned, int inputSize) {
    List<int[]> out = new ArrayList<>(Collections.nCopies(learned, (int[]) null));
    if (!Files.exists(file)) {
      return out;
    }
    JsonNode tasks = Json.field(Json.read(file), "tasks", file);
    if (!tasks.isArray() || tasks.size() < learned) {
      throw new IllegalArgumentException(file + ": field 'tasks' must list at least the " + learned
          + " learned tasks, got " + (tasks.isArray() ? tasks.size() + " entries" : tasks.getNodeType()));
    }
    for (int t = 0; t < learned; t++) {
      JsonNode task = tasks.get(t);
      int index = Json.intField(task, "index", file);
      if (index != t) {
        throw new IllegalArgumentException(file + ": tasks[" + t + "] has index " + index + ", expected " + t);
      }
      JsonNode p = task.get("permutation");
      if (p == null || p.isNull()) {
        continue;
      }
      String where = file + ": tasks[" + t + "].permutation";
      if (!p.isArray() || p.size() != inputSize) {
        throw new IllegalArgumentException(where + " must list " + inputSize + " input indices (the target network's "
            + "input size), got " + (p.isArray() ? p.size() + " values" : p.getNodeType()));
      }
      int[] perm = new int[inputSize];
      boolean[] seen = new boolean[inputSize];
      boolean identity = true;
      for (int j = 0; j < inputSize; j++) {
        JsonNode v = p.get(j);
        if (!v.canConvertToExactIntegral() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() >= inputSize
            || seen[v.asInt()]) {
          throw new IllegalArgumentException(where + "[" + j + "] is " + v + "; the values must be the indices 0.."
              + (inputSize - 1) + ", each once");
        }
        perm[j] = v.asInt();
        seen[perm[j]] = true;
        identity &= perm[j] == j;
      }
      out.set(t, identity ? null : perm);
    }
    return out;
  }

  /** The run's method as config.json names it ({@code HYPERNETWORK} for files from before methods). */
  public String method() {
    return config.path("method").asText("HYPERNETWORK");
  }

  /**
   * The score the run infers tasks by without the id ({@code taskInference} in config.json, e.g.
   * {@code entropy}); entropy, the paper's, for runs written before the field existed.
   *
   * @throws IllegalArgumentException naming config.json and the value when it is not a score
   */
  public org.hypercl.graphs.TaskInference.Score taskInference() {
    JsonNode v = config.get("taskInference");
    if (v == null || v.isNull()) {
      return org.hypercl.graphs.TaskInference.Score.ENTROPY;
    }
    try {
      return org.hypercl.graphs.TaskInference.Score.parse(v.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(runDir.resolve(CONFIG) + ": field 'taskInference': " + e.getMessage(), e);
    }
  }

  /** Whether any learned task has an input permutation. */
  public boolean hasPermutations() {
    return permutations.stream().anyMatch(java.util.Objects::nonNull);
  }

  /** The run's provenance object from config.json (empty if it has none). */
  public JsonNode provenance() {
    JsonNode p = config.get("provenance");
    return p != null && p.isObject() ? p : JsonNodeFactory.instance.objectNode();
  }

  /** Task ids 0..tasksLearned-1. */
  public List<Integer> learnedTasks() {
    List<Integer> ids = new ArrayList<>();
    for (int t = 0; t < tasksLearned; t++) {
      ids.add(t);
    }
    return Collections.unmodifiableList(ids);
  }
}
