package org.hypercl.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.hypercl.graphs.TaskInference;

/**
 * Runs an experiment's task sequence: for each task, learn it, evaluate every task learned so far
 * (a row of the matrix R), checkpoint; at the end write results.json. With a run directory it
 * also checkpoints every {@code checkpointEvery} steps inside a task and writes TensorBoard
 * scalars; a run killed at any moment resumes from its newest checkpoint and ends with the
 * results of an uninterrupted run (batches and regularizer windows are functions of the step).
 */
public final class ContinualRunner {

  /** Steps between TensorBoard points (each point is the mean over those steps). */
  public static final int LOG_EVERY_DEFAULT = 50;

  private final ExperimentConfig config;
  private final TaskSource source;
  private final RunDirectory runDir;
  private final StepListener listener;
  private int logEvery = LOG_EVERY_DEFAULT;

  /**
   * @param runDir where to write config, checkpoints, events and results, or null for nothing on disk
   */
  public ContinualRunner(ExperimentConfig config, TaskSource source, RunDirectory runDir, StepListener listener) {
    if (source.numTasks() < config.numTasks()) {
      throw new IllegalArgumentException(
          "experiment " + config.name() + " needs " + config.numTasks() + " tasks but " + source.name()
              + " has " + source.numTasks());
    }
    this.config = config;
    this.source = source;
    this.runDir = runDir;
    this.listener = listener;
  }

  /** Steps between TensorBoard points. */
  public ContinualRunner logEvery(int steps) {
    if (steps <= 0) {
      throw new IllegalArgumentException("log interval must be positive, got " + steps);
    }
    this.logEvery = steps;
    return this;
  }

  /** The results with the trained learner, which the caller closes. */
  public record Outcome(RunResults results, ContinualLearner learner) implements AutoCloseable {
    @Override
    public void close() {
      learner.close();
    }
  }

  /** Mutable tables of a run in progress. */
  private static final class Tables {
    final int n;
    final Map<String, double[][]> matrices = new LinkedHashMap<>();
    final double[] seconds;
    final double[] msPerStep;
    final double[] taskLoss;
    final double[] regLoss;

    Tables(int n, List<String> names) {
      this.n = n;
      for (String name : names) {
        matrices.put(name, emptyMatrix(n));
      }
      seconds = nan(n);
      msPerStep = nan(n);
      taskLoss = nan(n);
      regLoss = nan(n);
    }

    static double[][] emptyMatrix(int n) {
      double[][] m = new double[n][n];
      for (double[] row : m) {
        Arrays.fill(row, Double.NaN);
      }
      return m;
    }

    double[][] matrix(String name) {
      return matrices.get(name);
    }

    void restore(RunResults r, int rows) {
      for (Map.Entry<String, double[][]> e : matrices.entrySet()) {
        double[][] saved = r.matrices().get(e.getKey());
        if (saved == null) {
          // Results written before this matrix existed: its earlier rows stay unknown (NaN);
          // 'hypercl evaluate' recomputes them from the task checkpoints.
          continue;
        }
        for (int i = 0; i < rows; i++) {
          e.getValue()[i] = saved[i].clone();
        }
      }
      for (int i = 0; i < rows; i++) {
        seconds[i] = r.trainSeconds()[i];
        msPerStep[i] = r.msPerStep()[i];
        taskLoss[i] = r.finalTaskLoss()[i];
        regLoss[i] = r.finalRegularizerLoss()[i];
      }
    }

    RunResults results(ExperimentConfig c, List<String> names) {
      String primary = primaryMatrix(c);
      return new RunResults(
          c.name(), c.kind().metricName(), names, matrices.get(primary), seconds, msPerStep, taskLoss, regLoss, primary, matrices);
    }
  }

  /** The matrix a run reports as its result: the scenario's accuracy. */
  static String primaryMatrix(ExperimentConfig c) {
    return c.scenario().infersTask() ? inferredName(c, c.taskInference()) : RunResults.TASK_GIVEN;
  }

  /** {@code cl2/SCORE} for a shared head, {@code cl3/SCORE} for a head per task. */
  static String inferredName(ExperimentConfig c, TaskInference.Score score) {
    return (c.target().numHeads() == 1 ? Scenario.CL2.id() : Scenario.CL3.id()) + "/" + score.id();
  }

  /** Whether runs of {@code c} infer the task too: classifiers whose target network can run every candidate. */
  static boolean infersTasks(ExperimentConfig c) {
    return c.kind() == TaskKind.CLASSIFICATION && c.target().network().supportsCandidates();
  }

  /** Every matrix a run of {@code c} fills: the metric with the task given, and, where it infers tasks, each score's. */
  static List<String> matrixNames(ExperimentConfig c) {
    List<String> names = new ArrayList<>();
    names.add(RunResults.TASK_GIVEN);
    if (infersTasks(c)) {
      for (TaskInference.Score s : TaskInference.Score.values()) {
        names.add(inferredName(c, s));
      }
      for (TaskInference.Score s : TaskInference.Score.values()) {
        names.add(RunResults.TASK_INFERENCE + "/" + s.id());
      }
    }
    return names;
  }

  /** Runs (or resumes) the whole sequence. */
  public Outcome run() {
    int n = config.numTasks();
    Tables tables = new Tables(n, matrixNames(config));
    List<String> names = new ArrayList<>();
    List<int[]> permutations = new ArrayList<>();
    // Steps of each task, and the global step each starts at (TensorBoard's x axis).
    int[] steps = new int[n];
    long[] offsets = new long[n + 1];
    for (int t = 0; t < n; t++) {
      TaskData d = source.task(t);
      names.add(d.name());
      permutations.add(d.permutation());
      steps[t] = config.method().stepsPerTask(config, t, d.trainSize());
      offsets[t + 1] = offsets[t] + steps[t];
    }
    if (runDir != null && !runDir.hasConfig()) {
      // Before the graph is built, so that a run killed in its first seconds can be resumed (from
      // task 0, having no checkpoint); tasks.json first, so that a config always has its tasks.
      runDir.writeTasks(names, permutations);
      runDir.writeConfig(config, source);
    }
    ContinualLearner learner = config.method().create(config, source.maxTrainSize());
    TensorBoardLog events = null;
    boolean ok = false;
    try {
      RunDirectory.Progress progress = RunDirectory.Progress.afterTask(0);
      Path resumeFrom = null;
      if (runDir != null) {
        Optional<Path> ckpt = runDir.latestCheckpoint();
        if (ckpt.isPresent()) {
          resumeFrom = ckpt.get();
          progress = RunDirectory.progressOf(resumeFrom);
          int rows = progress.tasksLearned();
          tables.restore(RunDirectory.resultsOf(resumeFrom), rows);
          if (progress.isInsideTask()) {
            // Θ* of the interrupted task: the regularizer's targets are rebuilt from it.
            if (rows > 0) {
              learner.restore(runDir.taskCheckpoint(rows).resolve(RunDirectory.CHECKPOINT_PREFIX), rows);
            }
            tables.seconds[progress.inTask()] = RunDirectory.resultsOf(resumeFrom).trainSeconds()[progress.inTask()];
          } else {
            learner.restore(resumeFrom.resolve(RunDirectory.CHECKPOINT_PREFIX), rows);
          }
        }
        events = new TensorBoardLog(runDir.events());
        // TensorBoard drops earlier-written events at or after a START's step: what a killed
        // process logged after this checkpoint (a fresh run has nothing to drop). Points at the
        // checkpoint's own step were logged before it was saved, so the START is one step later.
        long resumedAt = progress.isInsideTask()
            ? offsets[progress.inTask()] + progress.nextStep()
            : offsets[progress.tasksLearned()];
        events.sessionStart(resumedAt + 1);
      }
      for (int t = progress.tasksLearned(); t < n; t++) {
        TaskData data = source.task(t);
        int iterations = steps[t];
        long firstStep = 0;
        double priorSeconds = 0;
        if (learner.replaysRealData()) {
          for (int j = 0; j < t; j++) {
            learner.addPastTask(j, source.task(j));
          }
        }
        learner.beginTask(t, data);
        if (progress.isInsideTask() && progress.inTask() == t) {
          learner.restore(resumeFrom.resolve(RunDirectory.CHECKPOINT_PREFIX), t);
          firstStep = progress.nextStep();
          priorSeconds = Double.isNaN(tables.seconds[t]) ? 0 : tables.seconds[t];
        }
        listener.taskStarted(t, data.name(), iterations);
        long started = System.nanoTime();
        StepLog log = new StepLog(events, offsets[t], learner.stepOutputNames());
        float[] last = {Float.NaN, Float.NaN};
        long sessionNanos = 0;
        long checkpointNanos = 0;
        long loopStart = System.nanoTime();
        for (long step = firstStep; step < iterations; step++) {
          long s0 = System.nanoTime();
          float[] out = learner.trainStep(t, step);
          long s1 = System.nanoTime();
          sessionNanos += s1 - s0;
          log.add(step, out, (s1 - s0) / 1e6, logEvery);
          last = out;
          listener.stepFinished(t, (int) step, out[0], out[1]);
          int every = config.settings().checkpointEvery();
          if (runDir != null && every > 0 && (step + 1) % every == 0 && step + 1 < iterations) {
            tables.seconds[t] = priorSeconds + (System.nanoTime() - started) / 1e9;
            events.flush(); // no step before a checkpoint is lost to a kill
            long c0 = System.nanoTime();
            runDir.saveCheckpoint(learner, new RunDirectory.Progress(t, t, step + 1), tables.results(config, names));
            checkpointNanos += System.nanoTime() - c0;
          }
        }
        long loopNanos = System.nanoTime() - loopStart;
        learner.finishTask(t);
        long finishNanos = System.nanoTime() - loopStart - loopNanos;
        tables.seconds[t] = priorSeconds + (System.nanoTime() - started) / 1e9;
        listener.taskFinished(t, tables.seconds[t]);
        tables.msPerStep[t] = tables.seconds[t] * 1000.0 / iterations;
        tables.taskLoss[t] = last[0];
        tables.regLoss[t] = last[1];
        evaluateRow(learner, t, data, tables);
        List<Picture> pictures = runDir != null || events != null ? learner.pictures(t) : List.of();
        if (events != null) {
          long global = offsets[t + 1];
          for (int j = 0; j <= t; j++) {
            double v = tables.matrix(primaryMatrix(config))[t][j];
            if (!Double.isNaN(v)) { // a row scored for the current task only (InferenceRows.CURRENT)
              events.scalar("test/" + config.kind().metricName() + "/task" + (j + 1), global, (float) v);
            }
          }
          for (Picture p : pictures) {
            events.image(p.tag(), global, p);
          }
          events.flush();
        }
        if (runDir != null) {
          for (Picture p : pictures) {
            Path file = runDir.plots().resolve(p.name() + ".png");
            try {
              java.nio.file.Files.createDirectories(runDir.plots());
              AtomicFiles.write(file, p.png());
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException("cannot write picture " + file + ": " + e.getMessage(), e);
            }
          }
          runDir.saveCheckpoint(learner, RunDirectory.Progress.afterTask(t + 1), tables.results(config, names));
        }
        listener.taskTimed(t, new StepListener.TaskTiming(iterations - firstStep, sessionNanos / 1e9,
            (loopNanos - sessionNanos - checkpointNanos) / 1e9, checkpointNanos / 1e9, finishNanos / 1e9,
            (System.nanoTime() - loopStart - loopNanos - finishNanos) / 1e9));
      }
      RunResults results = tables.results(config, names);
      if (runDir != null) {
        runDir.writeResults(results);
      }
      ok = true;
      return new Outcome(results, learner);
    } finally {
      if (events != null) {
        events.close();
      }
      if (!ok) {
        learner.close();
      }
    }
  }

  /**
   * Evaluates a finished (or stopped) run again from its after-task checkpoints, without training:
   * row i of every matrix from the checkpoint written after task i, as training would have
   * filled it. Train times and losses are copied from the run's results. {@code config} may differ
   * from the run's in its scenario and task-inference score (e.g. a CL1 run evaluated in CL3).
   *
   * @param progress told when each row starts (its task as "task") and ends
   * @param lastRowOnly evaluate only the row of the last finished task (the "after" results);
   *     earlier rows stay NaN
   */
  public RunResults reevaluate(StepListener progress, boolean lastRowOnly) {
    if (runDir == null) {
      throw new IllegalStateException("re-evaluation needs a run folder");
    }
    int n = config.numTasks();
    RunResults trained = runDir.readResultsOrPartial();
    List<String> names = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      names.add(source.task(t).name());
    }
    Tables tables = new Tables(n, matrixNames(config));
    int learned = 0;
    while (learned < n && java.nio.file.Files.isDirectory(runDir.taskCheckpoint(learned + 1))) {
      learned++;
    }
    if (learned == 0) {
      throw new IllegalArgumentException("run " + runDir.root() + " has no checkpoint of a finished task to evaluate");
    }
    try (ContinualLearner learner = config.method().create(config, source.maxTrainSize())) {
      for (int t = lastRowOnly ? learned - 1 : 0; t < learned; t++) {
        progress.taskStarted(t, names.get(t), 1);
        long started = System.nanoTime();
        learner.restore(runDir.taskCheckpoint(t + 1).resolve(RunDirectory.CHECKPOINT_PREFIX), t + 1);
        evaluateRow(learner, t, source.task(t), tables);
        tables.seconds[t] = t < trained.trainSeconds().length ? trained.trainSeconds()[t] : Double.NaN;
        tables.msPerStep[t] = t < trained.msPerStep().length ? trained.msPerStep()[t] : Double.NaN;
        tables.taskLoss[t] = t < trained.finalTaskLoss().length ? trained.finalTaskLoss()[t] : Double.NaN;
        tables.regLoss[t] = t < trained.finalRegularizerLoss().length ? trained.finalRegularizerLoss()[t] : Double.NaN;
        progress.taskFinished(t, (System.nanoTime() - started) / 1e9);
      }
    }
    RunResults r = tables.results(config, names);
    if (learned < n) {
      return r.firstTasks(learned);
    }
    return r;
  }

  /**
   * Row t of every matrix: each learned task's test set with its id given and, for a classifier,
   * with the task inferred among the tasks learned so far (0..t). Task j's test examples are
   * inferred as they are observed, already permuted for a permuted task: every candidate sees the
   * same input.
   */
  private void evaluateRow(ContinualLearner learner, int t, TaskData current, Tables tables) {
    int[] candidates = java.util.stream.IntStream.rangeClosed(0, t).toArray();
    boolean everyTask = config.settings().inferenceRows().everyTaskAfter(t, config.numTasks());
    for (int j = 0; j <= t; j++) {
      TaskData d = j == t ? current : source.task(j);
      tables.matrix(RunResults.TASK_GIVEN)[t][j] = learner.evaluate(j, d);
      if (!infersTasks(config) || (j < t && !everyTask)) {
        continue;
      }
      Map<TaskInference.Score, ContinualLearner.InferredPredictions> inferred =
          learner.inferTasks(d.testX(), d.testSize(), candidates, d.permutation());
      int[] labels = Metrics.labels(d.testY(), d.outputDim());
      boolean shared = config.target().numHeads() == 1;
      for (Map.Entry<TaskInference.Score, ContinualLearner.InferredPredictions> e : inferred.entrySet()) {
        ContinualLearner.InferredPredictions p = e.getValue();
        tables.matrix(inferredName(config, e.getKey()))[t][j] = Metrics.inferredAccuracy(p.tasks(), p.classes(), labels, j, shared);
        tables.matrix(RunResults.TASK_INFERENCE + "/" + e.getKey().id())[t][j] = Metrics.taskAccuracy(p.tasks(), j);
      }
    }
  }

  /** Averages the learner's named step outputs over a window and writes them as TensorBoard scalars. */
  private static final class StepLog {
    private final TensorBoardLog events;
    private final long offset;
    private final List<String> tags = new ArrayList<>();
    private final double[] sums;
    private double ms;
    private int count;

    StepLog(TensorBoardLog events, long offset, List<String> names) {
      this.events = events;
      this.offset = offset;
      names.forEach(n -> tags.add("train/" + n));
      this.sums = new double[names.size()];
    }

    void add(long step, float[] out, double stepMs, int every) {
      if (events == null) {
        return;
      }
      for (int i = 0; i < sums.length; i++) {
        sums[i] += out[i];
      }
      ms += stepMs;
      count++;
      if ((step + 1) % every == 0) {
        long global = offset + step + 1;
        for (int i = 0; i < sums.length; i++) {
          events.scalar(tags.get(i), global, (float) (sums[i] / count));
        }
        events.scalar("train/step_ms", global, (float) (ms / count));
        Arrays.fill(sums, 0);
        ms = 0;
        count = 0;
      }
    }
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }
}
