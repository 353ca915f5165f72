package org.hypercl.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.hypercl.graphs.TempFiles;
import org.tensorflow.TensorFlow;

/**
 * A run on disk (docs/design.md, run folder): {@code config.json}, {@code results.json},
 * {@code checkpoints/} (one folder per finished task and a {@code latest} pointer), {@code plots/}
 * and {@code export/}.
 * Every file is written atomically.
 *
 * <p>A training holds an exclusive lock on {@code .lock} in the folder from {@link #createNew} or
 * {@link #openForTraining} until {@link #close}, so that a second training into the same folder,
 * in this process or another, fails at once instead of both overwriting each other's files. The
 * lock file stays (deleting it would let two processes lock two different files); the operating
 * system drops the lock when its process ends, even by {@code kill -9}. {@link #open} reads a run
 * without locking it, so a run can be reported on while it trains.
 */
public final class RunDirectory implements AutoCloseable {

  public static final String CONFIG = "config.json";
  public static final String RESULTS = "results.json";
  public static final String CHECKPOINTS = "checkpoints";
  public static final String LATEST = "latest";
  public static final String CHECKPOINT_PREFIX = "model";
  public static final String STATE = "state.json";
  public static final String TASKS = "tasks.json";
  public static final String LOCK = ".lock";

  /**
   * Run folders this process has locked, by real path. Consulted before a lock file is opened,
   * because closing any channel of a file drops every lock the process holds on it (POSIX
   * {@code fcntl} semantics, see {@link FileLock}): a second, failed attempt in this process would
   * otherwise release the first training's lock for other processes.
   */
  private static final Set<Path> LOCKED_HERE = new HashSet<>();

  private final Path root;
  /** The training's lock, or null when opened for reading. */
  private RunLock lock;

  private RunDirectory(Path root, RunLock lock) {
    this.root = root;
    this.lock = lock;
  }

  /**
   * Opens {@code root} for a new run and locks it until {@link #close}; refuses a folder that
   * already holds a run or that another training has locked, without changing anything in it.
   */
  public static RunDirectory createNew(Path root) {
    if (Files.exists(root.resolve(CONFIG))) {
      if (Files.exists(root.resolve(LOCK))) {
        lock(root).close(); // says so if a training holds it
      }
      throw alreadyHoldsARun(root);
    }
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create run directory " + root + ": " + e.getMessage(), e);
    }
    RunLock held = lock(root);
    if (Files.exists(root.resolve(CONFIG))) { // another training began here since the check above
      held.close();
      throw alreadyHoldsARun(root);
    }
    return new RunDirectory(root, held);
  }

  private static IllegalArgumentException alreadyHoldsARun(Path root) {
    return new IllegalArgumentException(
        "run directory " + root + " already holds a run (config.json exists); choose another --run-dir or resume it");
  }

  /**
   * Opens an existing run to continue training it, locked until {@link #close}; refuses a run
   * that another training has locked.
   */
  public static RunDirectory openForTraining(Path root) {
    requireRun(root);
    return new RunDirectory(root, lock(root));
  }

  /** Opens an existing run to read it; takes no lock. */
  public static RunDirectory open(Path root) {
    requireRun(root);
    return new RunDirectory(root, null);
  }

  private static void requireRun(Path root) {
    if (!Files.isRegularFile(root.resolve(CONFIG))) {
      throw new IllegalArgumentException("no run in " + root + ": config.json is missing");
    }
  }

  /** An acquired lock on {@code root/.lock}; closing it releases the lock. */
  private record RunLock(Path key, Path file, FileLock lock) implements AutoCloseable {
    @Override
    public void close() {
      synchronized (LOCKED_HERE) {
        try {
          lock.channel().close(); // releases the lock
        } catch (IOException e) {
          throw new UncheckedIOException("cannot release the lock on " + file + ": " + e.getMessage(), e);
        } finally {
          LOCKED_HERE.remove(key);
        }
      }
    }
  }

  /**
   * Takes the exclusive lock on {@code root/.lock}, creating the file if needed. A lock held by
   * this process, or by another one ({@code tryLock} gives null), is an {@link
   * IllegalArgumentException} naming the folder.
   */
  private static RunLock lock(Path root) {
    Path file = root.resolve(LOCK);
    Path key;
    try {
      key = root.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open run directory " + root + ": " + e.getMessage(), e);
    }
    synchronized (LOCKED_HERE) {
      if (LOCKED_HERE.contains(key)) {
        throw inUse(root, file);
      }
      FileChannel channel;
      try {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the lock file " + file + ": " + e.getMessage(), e);
      }
      FileLock lock = null;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // Locked through a channel this class did not open; the same answer, as we cannot do better.
      } catch (IOException e) {
        closeQuietly(channel);
        throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
      }
      if (lock == null) {
        closeQuietly(channel);
        throw inUse(root, file);
      }
      LOCKED_HERE.add(key);
      return new RunLock(key, file, lock);
    }
  }

  private static IllegalArgumentException inUse(Path root, Path file) {
    return new IllegalArgumentException(
        "run directory " + root + " is in use by another training (" + file + " is locked); "
            + "wait for it to finish or stop it");
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Nothing was locked through it.
    }
  }

  /** Whether this run is locked for a training (see {@link #createNew}, {@link #openForTraining}). */
  public boolean isLocked() {
    return lock != null;
  }

  /** Releases the training's lock, if this run holds one; further calls do nothing. */
  @Override
  public void close() {
    if (lock != null) {
      RunLock l = lock;
      lock = null;
      l.close();
    }
  }

  public Path root() {
    return root;
  }

  public Path plots() {
    return root.resolve("plots");
  }

  public Path export() {
    return root.resolve("export");
  }

  /** TensorBoard event files. */
  public Path events() {
    return root.resolve("events");
  }

  /** Whether config.json has been written: a run that has begun (perhaps without a checkpoint yet). */
  public boolean hasConfig() {
    return Files.isRegularFile(root.resolve(CONFIG));
  }

  /** The config as written: every setting, the specs, parameter counts and provenance. */
  public void writeConfig(ExperimentConfig config, TaskSource source) {
    ObjectNode n = JsonFiles.MAPPER.valueToTree(config);
    n.put("data", source.name());
    n.set("dataOptions", JsonFiles.MAPPER.valueToTree(source.provenance()));
    n.set("parts", JsonFiles.MAPPER.valueToTree(config.method().parts(config)));
    ObjectNode counts = n.putObject("parameterCounts");
    counts.put("target", config.target().parameterCount());
    counts.put("hypernetwork", config.hypernetwork().parameterCount());
    counts.put("taskEmbeddings", (long) config.numTasks() * config.hypernetwork().embeddingDim());
    counts.put("compressionRatio", config.compressionRatio());
    if (config.method() == Method.HNET_TIR) {
      counts.put("taskInference", HnetTirLearner.taskInferenceWeights(config));
    }
    if (config.method() == Method.HNET_R || config.method() == Method.HNET_TIR) {
      LearnerSettings.Replay r = config.settings().replay();
      int in = config.target().inputSize();
      ObjectNode rc = counts.putObject("replay");
      rc.put("encoder", r.encoder(in).parameterCount());
      rc.put("decoder", r.decoder(in).parameterCount());
      rc.put("hypernetwork", r.hypernetwork(in).parameterCount());
      rc.put("taskEmbeddings", (long) ReplayLearner.replayedTasks(config) * r.embeddingDim());
    }
    ObjectNode prov = n.putObject("provenance");
    prov.put("hypercl", Versions.hypercl());
    prov.put("tensorflow", TensorFlow.version());
    prov.put("java", System.getProperty("java.version"));
    prov.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    prov.put("created", Instant.now().toString());
    JsonFiles.write(root.resolve(CONFIG), n);
  }

  /**
   * Writes tasks.json: each task's index, name and, for permuted tasks, the input permutation
   * (input j of the task is base input {@code permutation[j]}), so exports can apply it.
   */
  public void writeTasks(List<String> names, List<int[]> permutations) {
    ObjectNode n = JsonFiles.MAPPER.createObjectNode();
    ArrayNode tasks = n.putArray("tasks");
    for (int t = 0; t < names.size(); t++) {
      ObjectNode task = tasks.addObject();
      task.put("index", t);
      task.put("name", names.get(t));
      int[] p = permutations.get(t);
      if (p != null) {
        ArrayNode a = task.putArray("permutation");
        for (int v : p) {
          a.add(v);
        }
      }
    }
    JsonFiles.write(root.resolve(TASKS), n);
  }

  /** Reads the experiment back from config.json. */
  public ExperimentConfig readConfig() {
    JsonNode n = JsonFiles.read(root.resolve(CONFIG));
    try {
      ExperimentConfig config = JsonFiles.MAPPER.treeToValue(n, ExperimentConfig.class);
      if (n.has("parts")) {
        // The parts are derived from the method and settings; a file whose parts say otherwise was
        // edited by hand or written by another version, and training it would not be what it says.
        List<PartSpec> written = JsonFiles.MAPPER.convertValue(
            n.get("parts"), JsonFiles.MAPPER.getTypeFactory().constructCollectionType(List.class, PartSpec.class));
        List<PartSpec> derived = config.method().parts(config);
        if (!written.equals(derived)) {
          throw new IllegalArgumentException("field 'parts' is " + written + " but method " + config.method()
              + " with these settings has the parts " + derived);
        }
      }
      return config;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(root.resolve(CONFIG) + " is not a valid run config: " + e.getMessage(), e);
    }
  }

  /** Writes {@code evaluation-NAME.json}, the results of re-evaluating the run, in results.json's format. */
  public Path writeEvaluation(String name, RunResults r) {
    Path file = root.resolve("evaluation-" + name + ".json");
    JsonFiles.write(file, resultsJson(r));
    return file;
  }

  /** Reads what {@link #writeEvaluation} wrote. */
  public RunResults readEvaluation(String name) {
    Path file = root.resolve("evaluation-" + name + ".json");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no evaluation '" + name + "' in " + root + ": " + file.getFileName() + " is missing");
    }
    return resultsFromJson(JsonFiles.read(file));
  }

  /** Writes results.json: the matrix (null for tasks not yet learned), during/after and summaries. */
  public void writeResults(RunResults r) {
    JsonFiles.write(root.resolve(RESULTS), resultsJson(r));
  }

  static ObjectNode resultsJson(RunResults r) {
    ObjectNode n = JsonFiles.MAPPER.createObjectNode();
    n.put("experiment", r.experiment());
    n.put("metric", r.metric());
    n.set("tasks", JsonFiles.MAPPER.valueToTree(r.taskNames()));
    ArrayNode m = n.putArray("matrix");
    for (double[] row : r.matrix()) {
      putNumbers(m.addArray(), row);
    }
    putNumbers(n.putArray("during"), r.during());
    putNumbers(n.putArray("after"), r.after());
    n.put("meanDuring", r.meanDuring());
    n.put("meanAfter", r.meanAfter());
    n.put("backwardTransfer", r.backwardTransfer());
    n.put("forgetting", r.forgetting());
    putNumbers(n.putArray("trainSeconds"), r.trainSeconds());
    putNumbers(n.putArray("msPerStep"), r.msPerStep());
    putNumbers(n.putArray("finalTaskLoss"), r.finalTaskLoss());
    putNumbers(n.putArray("finalRegularizerLoss"), r.finalRegularizerLoss());
    n.put("totalTrainSeconds", r.totalTrainSeconds());
    n.put("primary", r.primary());
    ObjectNode named = n.putObject("matrices");
    r.matrices().forEach((name, matrix) -> {
      RunResults v = r.view(name);
      ObjectNode entry = named.putObject(name);
      entry.put("metric", v.metric());
      ArrayNode rows = entry.putArray("matrix");
      for (double[] row : matrix) {
        putNumbers(rows.addArray(), row);
      }
      putNumbers(entry.putArray("during"), v.during());
      putNumbers(entry.putArray("after"), v.after());
      entry.put("meanDuring", v.meanDuring());
      entry.put("meanAfter", v.meanAfter());
      entry.put("backwardTransfer", v.backwardTransfer());
      entry.put("forgetting", v.forgetting());
    });
    return n;
  }

  private static void putNumbers(ArrayNode a, double[] values) {
    for (double v : values) {
      if (Double.isFinite(v)) {
        a.add(v);
      } else {
        a.addNull();
      }
    }
  }

  /** Reads results.json back (null entries become NaN). */
  public RunResults readResults() {
    Path file = root.resolve(RESULTS);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no results in " + root + ": results.json is missing (has the run finished?)");
    }
    return resultsFromJson(JsonFiles.read(file));
  }

  /**
   * The results of a finished run, or of a stopped one the partial results its latest checkpoint
   * holds (rows of unfinished tasks NaN).
   */
  public RunResults readResultsOrPartial() {
    if (Files.isRegularFile(root.resolve(RESULTS))) {
      return readResults();
    }
    return resultsOf(latestCheckpoint().orElseThrow(
        () -> new IllegalArgumentException("run " + root + " has neither results.json nor a checkpoint")));
  }

  /** Reads the JSON that {@link #resultsJson} writes. */
  static RunResults resultsFromJson(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.get("tasks").forEach(t -> names.add(t.asText()));
    double[][] matrix = matrix(n.get("matrix"));
    String primary = n.path("primary").asText(RunResults.TASK_GIVEN);
    java.util.Map<String, double[][]> matrices = new java.util.LinkedHashMap<>();
    JsonNode named = n.get("matrices");
    if (named != null && named.isObject()) {
      named.fields().forEachRemaining(e -> matrices.put(e.getKey(), matrix(e.getValue().get("matrix"))));
    }
    // The primary matrix is the top-level one (results from before named matrices have only it).
    matrices.put(primary, matrix);
    return new RunResults(
        n.get("experiment").asText(), n.get("metric").asText(), names, matrix,
        numbers(n.get("trainSeconds")), numbers(n.get("msPerStep")),
        numbers(n.get("finalTaskLoss")), numbers(n.get("finalRegularizerLoss")), primary, matrices);
  }

  private static double[][] matrix(JsonNode rows) {
    double[][] m = new double[rows.size()][];
    for (int i = 0; i < m.length; i++) {
      m[i] = numbers(rows.get(i));
    }
    return m;
  }

  private static double[] numbers(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
    }
    return out;
  }

  /** Where a run stands at a checkpoint: tasks finished and, inside a task, the next step. */
  public record Progress(int tasksLearned, int inTask, long nextStep) {
    /** Between tasks: {@code tasksLearned} tasks done, none begun. */
    public static Progress afterTask(int tasksLearned) {
      return new Progress(tasksLearned, -1, 0);
    }

    public boolean isInsideTask() {
      return inTask >= 0;
    }
  }

  /**
   * Saves a checkpoint with the partial results into {@code checkpoints/task-NNN} (after NNN
   * tasks) or {@code checkpoints/in-task-NNN-step-SSSSSSS} (task NNN, 1-based, before step S),
   * built in a temporary folder and renamed, then points {@code checkpoints/latest} at it. Only
   * the newest in-task checkpoint is kept.
   */
  public Path saveCheckpoint(ContinualLearner learner, Progress progress, RunResults partial) {
    Path dir = root.resolve(CHECKPOINTS);
    String name =
        progress.isInsideTask()
            ? String.format("in-task-%03d-step-%07d", progress.inTask() + 1, progress.nextStep())
            : String.format("task-%03d", progress.tasksLearned());
    Path target = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      Path tmp = TempFiles.createDirectory(dir, "." + name + "-");
      try {
        learner.save(tmp.resolve(CHECKPOINT_PREFIX));
        ObjectNode state = JsonFiles.MAPPER.createObjectNode();
        state.put("tasksLearned", progress.tasksLearned());
        state.put("inTask", progress.inTask());
        state.put("nextStep", progress.nextStep());
        state.set("results", resultsJson(partial));
        JsonFiles.write(tmp.resolve(STATE), state);
        deleteRecursively(target);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target);
        }
      } finally {
        deleteRecursively(tmp);
      }
      AtomicFiles.write(dir.resolve(LATEST), (name + "\n").getBytes(StandardCharsets.UTF_8));
      try (Stream<Path> old = Files.list(dir)) {
        for (Path p : old.filter(p -> p.getFileName().toString().startsWith("in-task-") && !p.equals(target)).toList()) {
          deleteRecursively(p);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
    }
  }

  /** The progress recorded in a checkpoint folder. */
  public static Progress progressOf(Path checkpoint) {
    JsonNode state = JsonFiles.read(checkpoint.resolve(STATE));
    return new Progress(
        state.get("tasksLearned").asInt(),
        state.has("inTask") ? state.get("inTask").asInt() : -1,
        state.has("nextStep") ? state.get("nextStep").asLong() : 0);
  }

  /** The partial results recorded in a checkpoint folder. */
  public static RunResults resultsOf(Path checkpoint) {
    return resultsFromJson(JsonFiles.read(checkpoint.resolve(STATE)).get("results"));
  }

  /** The after-task checkpoint for {@code tasksLearned} tasks. */
  public Path taskCheckpoint(int tasksLearned) {
    return root.resolve(CHECKPOINTS).resolve(String.format("task-%03d", tasksLearned));
  }

  /** The checkpoint {@code checkpoints/latest} points at, if any. */
  public Optional<Path> latestCheckpoint() {
    Path latest = root.resolve(CHECKPOINTS).resolve(LATEST);
    if (!Files.isRegularFile(latest)) {
      return Optional.empty();
    }
    try {
      String name = Files.readString(latest, StandardCharsets.UTF_8).trim();
      Path dir = root.resolve(CHECKPOINTS).resolve(name);
      if (name.isEmpty() || name.contains("/") || !Files.isRegularFile(dir.resolve(STATE))) {
        throw new IllegalArgumentException(latest + " points at a missing checkpoint '" + name + "'");
      }
      return Optional.of(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + latest + ": " + e.getMessage(), e);
    }
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
