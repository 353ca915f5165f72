package org.hypercl.tools;

import java.io.PrintWriter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.Tensors;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.Experiments;
import org.hypercl.training.Learner;
import org.hypercl.training.StepTrace;
import org.hypercl.training.TaskData;
import org.hypercl.training.TaskKind;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypercl bench}: training-step timings and throughput, measured in this process. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    header = "Measures training speed (ms per step, GFLOP/s, memory) on generated data.",
    description = {
      "Measures training speed of an experiment's configuration on generated data of the right shape (no "
          + "dataset needed): milliseconds per training step (wall time, and the CPU time of every thread) at the first task (nothing to "
          + "regularize) and at the last task (every earlier task regularized), the step's arithmetic rate "
          + "(GFLOP/s, counting 2·m·n·k per matrix product, forward and backward) and, for comparison, the rate "
          + "of one large TensorFlow matrix product measured in the same process with the same threads.",
      "Timings exclude --warmup steps. The machine should be otherwise idle; compare figures from one run.",
    })
public final class BenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", defaultValue = "toy", paramLabel = "CONFIG",
      description = "toy, split-mnist, permuted-mnist-10, permuted-mnist-100, permuted-mnist-250, split-cifar-resnet32 or "
          + "split-cifar-zenkenet "
          + "(default: ${DEFAULT-VALUE}). The conv targets' rates are not counted (GFLOP/s shows n/a).")
  String config;

  @Option(names = "--steps", description = "Timed steps per measured task (default: 2000 for toy, 100 otherwise).")
  Integer steps;

  @Option(names = "--warmup", description = "Untimed steps before timing (default: ${DEFAULT-VALUE}).")
  int warmup = 20;

  @Option(names = "--threads", description = "TensorFlow intra-op threads (default: 0 = TensorFlow's choice).")
  int threads = 0;

  @Option(names = "--method", paramLabel = "hnet|hnet-r|hnet-tir|dgr|rpl-ub",
      description = "Which learner to time (default: ${DEFAULT-VALUE}). A replay method's task has phases (the classifier's "
          + "steps, then the VAE's; for hnet-tir the task-inference network's, the VAE's, then the classifier's), each "
          + "timed on its own; the last task has no VAE phase.")
  String method = "hnet";

  @Option(names = "--scenario", paramLabel = "cl1|cl2|cl3", description = "The scenario's output layout (default: ${DEFAULT-VALUE}).")
  String scenario = "cl1";

  @Option(names = "--train-size", description = "Generated training examples held in the graph per task "
      + "(default: 1024; 60000 matches MNIST's memory footprint).")
  int trainSize = 1024;

  @Option(names = "--all-tasks", description = "Time every task, not only the first and the last.")
  boolean allTasks;

  @Option(names = "--time-at", split = ",", paramLabel = "TASK",
      description = "Time these tasks (1-based) instead of the first and the last; the sequence runs up to the largest, "
          + "e.g. --time-at 1,40,80 for permuted-mnist-250 shows the stochastic regularizer's flat cost past K tasks.")
  int[] timeAt;

  @Option(names = "--profile", paramLabel = "STEPS",
      description = "After timing a task, trace this many more steps with TensorFlow's step statistics and print where "
          + "the time goes: by op type, by scope (--profile-depth name components) and the slowest nodes (default: 0, "
          + "no profile; --method hnet only).")
  int profile;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Change a setting of the configuration by its path in "
      + "config.json, as train --set does (e.g. --set settings.maskOtherHeads=false, --set settings.regularizerForm=EXPANDED); "
      + "applied before the bench's own steps and threads. Repeatable.")
  java.util.List<String> overrides;

  @Option(names = "--eval-rows", paramLabel = "N",
      description = "After each timed task, also time evaluation of N generated rows as a run evaluates a test set: with "
          + "the task id (the task's head, CL1) and, for classifiers, task inference over every task learned so far (CL2/CL3, "
          + "one row of the task-inference matrix), in ms per 1,000 rows (default: 0, not timed; --method hnet only).")
  int evalRows;

  @Option(names = "--profile-depth", description = "Name components a scope keeps in the profile (default: ${DEFAULT-VALUE}).")
  int profileDepth = 3;

  @Override
  public Integer call() {
    ExperimentConfig base;
    try {
      base = Experiments.byName(config.equals("toy") ? "toy-regression" : config);
    } catch (IllegalArgumentException e) {
      throw new UserException("unknown benchmark configuration '" + config + "'; available: toy, split-mnist, permuted-mnist-10, "
          + "permuted-mnist-100, permuted-mnist-250, split-cifar-resnet32, split-cifar-zenkenet");
    }
    int timed = steps != null ? steps : config.equals("toy") ? 2000 : 100;
    if (timed <= 1 || warmup < 0) {
      throw new UserException("--steps must be at least 2 and --warmup not negative");
    }
    PrintWriter w = spec.commandLine().getOut();
    if (overrides != null && !overrides.isEmpty()) {
      try {
        base = org.hypercl.training.ConfigOverrides.apply(base, org.hypercl.training.ConfigOverrides.parse(overrides));
      } catch (IllegalArgumentException e) {
        throw new UserException("--set: " + e.getMessage(), e);
      }
    }
    ExperimentConfig c = base.withSettings(base.settings().toBuilder().iterations(warmup + timed).epochs(0).intraOpThreads(threads).build());
    try {
      c = c.withScenario(org.hypercl.training.Scenario.parse(scenario));
    } catch (IllegalArgumentException e) {
      throw new UserException("--scenario: " + e.getMessage(), e);
    }
    if (profile < 0 || profileDepth < 1) {
      throw new UserException("--profile must not be negative and --profile-depth at least 1");
    }
    if (evalRows < 0) {
      throw new UserException("--eval-rows must not be negative, got " + evalRows);
    }
    if (!method.equals("hnet")) {
      if (profile > 0) {
        throw new UserException("--profile traces --method hnet only, not " + method);
      }
      if (evalRows > 0) {
        throw new UserException("--eval-rows times --method hnet only, not " + method);
      }
      return benchReplay(c, timed);
    }
    int n = c.numTasks();
    java.util.Set<Integer> timed0 = new java.util.TreeSet<>();
    if (timeAt != null) {
      for (int t : timeAt) {
        if (t < 1 || t > n) {
          throw new UserException("--time-at " + t + " is not a task of " + config + " (1.." + n + ")");
        }
        timed0.add(t - 1);
      }
      n = java.util.Collections.max(timed0) + 1;
    } else {
      timed0.add(0);
      timed0.add(n - 1);
    }
    double matmul = matmulGflops(threads);
    w.printf("bench %s: target %s (%,d weights), %s, batch %d; %d timed steps after %d warm-up steps%n", config,
        c.target(), c.target().parameterCount(), c.hypernetwork(), c.settings().batchSize(), timed, warmup);
    w.printf("TensorFlow matmul 1024x1024x1024 in this process: %.1f GFLOP/s%n", matmul);
    w.printf("%-6s %-11s %10s %10s %12s %14s %10s%n", "task", "past tasks", "ms/step", "CPU ms", "GFLOP/s", "of matmul rate", "RSS");
    w.flush();
    SplittableRandom rng = new SplittableRandom(1);
    double first = Double.NaN;
    double last = Double.NaN;
    if (trainSize < c.settings().batchSize()) {
      throw new UserException("--train-size must be at least the batch size " + c.settings().batchSize());
    }
    try (Learner learner = new Learner(c, trainSize)) {
      // One data set for every task, as permuted tasks share their base images: the learner keeps
      // it in the graph once, and memory reflects the model, not per-task copies of generated data.
      TaskData data = randomTask(c, trainSize, rng);
      for (int t = 0; t < n; t++) {
        learner.beginTask(t, data);
        boolean measure = allTasks || timed0.contains(t);
        if (!measure) {
          learner.trainStep(t, 0);
          learner.finishTask(t);
          continue;
        }
        for (int s = 0; s < warmup; s++) {
          learner.trainStep(t, s);
        }
        long start = System.nanoTime();
        double cpu0 = processCpuSeconds();
        for (int s = warmup; s < warmup + timed; s++) {
          learner.trainStep(t, s);
        }
        double ms = (System.nanoTime() - start) / 1e6 / timed;
        double cpuMs = (processCpuSeconds() - cpu0) * 1e3 / timed;
        List<StepTrace> traces = new java.util.ArrayList<>();
        for (int s = 0; s < profile; s++) {
          traces.add(learner.traceStep(t, warmup + timed + s));
        }
        learner.finishTask(t);
        if (c.target() instanceof MlpSpec) {
          double gflops = stepFlops(c, t) / (ms * 1e6);
          w.printf("%-6d %-11d %10.2f %10.2f %12.2f %13.1f%% %10s%n", t + 1, t, ms, cpuMs, gflops, 100 * gflops / matmul,
              procStatus("VmRSS:"));
        } else {
          w.printf("%-6d %-11d %10.2f %10.2f %12s %14s %10s%n", t + 1, t, ms, cpuMs, "n/a", "n/a", procStatus("VmRSS:"));
        }
        if (!traces.isEmpty()) {
          printProfile(w, traces, ms);
        }
        if (evalRows > 0) {
          timeEvaluation(w, learner, data, t + 1, c.kind() == TaskKind.CLASSIFICATION);
        }
        w.flush();
        if (Double.isNaN(first)) {
          first = ms;
        }
        last = ms;
      }
    }
    int lastTimed = java.util.Collections.max(timed0);
    int firstTimed = java.util.Collections.min(timed0);
    if (lastTimed > firstTimed) {
      w.printf("step time grows by %.2f ms per past task (task %d -> task %d)%n",
          (last - first) / (lastTimed - firstTimed), firstTimed + 1, lastTimed + 1);
    }
    Runtime rt = Runtime.getRuntime();
    w.printf("peak resident memory of this process: %s (JVM heap now %.2f GiB used of %.2f GiB reserved)%n", peakRss(),
        (rt.totalMemory() - rt.freeMemory()) / 1073741824.0, rt.totalMemory() / 1073741824.0);
    return 0;
  }

  /**
   * Times evaluation of {@link #evalRows} rows (the generated training rows, repeated as needed) on
   * the last learned task's head and, for classifiers, task inference over tasks 1..{@code tasks},
   * each after one untimed call on the first evaluation batch.
   */
  private void timeEvaluation(PrintWriter w, Learner learner, TaskData data, int tasks, boolean classifier) {
    int in = data.inputDim();
    float[] x = new float[evalRows * in];
    for (int r = 0; r < evalRows; r++) {
      System.arraycopy(data.trainX(), (r % data.trainSize()) * in, x, r * in, in);
    }
    int first = Math.min(evalRows, learner.config().settings().evalBatchSize());
    float[] head = java.util.Arrays.copyOf(x, first * in);
    learner.predict(tasks - 1, head, first);
    long start = System.nanoTime();
    learner.predict(tasks - 1, x, evalRows);
    double ms = (System.nanoTime() - start) / 1e6;
    w.printf("       evaluation of %,d rows with the task id: %.1f ms per 1,000 rows%n", evalRows, ms * 1000 / evalRows);
    if (!classifier) {
      return;
    }
    int[] candidates = java.util.stream.IntStream.range(0, tasks).toArray();
    learner.inferTasks(head, first, candidates, null);
    start = System.nanoTime();
    learner.inferTasks(x, evalRows, candidates, null);
    ms = (System.nanoTime() - start) / 1e6;
    w.printf("       task inference of %,d rows over %s: %.1f ms per 1,000 rows, %.2f ms per candidate%n", evalRows,
        tasks == 1 ? "1 candidate" : tasks + " candidates", ms * 1000 / evalRows, ms * 1000 / evalRows / tasks);
  }

  /** The profile of one task's traced steps: totals per step by op type and by scope, and the slowest nodes. */
  private void printProfile(PrintWriter w, List<StepTrace> traces, double untracedMs) {
    double wall = traces.stream().mapToDouble(StepTrace::wallMicros).average().orElse(0) / 1e3;
    double span = traces.stream().mapToDouble(StepTrace::spanMicros).average().orElse(0) / 1e3;
    double nodes = traces.stream().mapToDouble(StepTrace::nodeMicros).average().orElse(0) / 1e3;
    w.printf("  profile of %d traced steps (tracing slows a step: %.2f ms traced, %.2f ms untraced):%n", traces.size(), wall,
        untracedMs);
    w.printf("  executor span %.2f ms, node time %.2f ms (%.2f nodes at a time), outside the executor %.2f ms%n", span, nodes,
        span > 0 ? nodes / span : 0, wall - span);
    printTotals(w, "op type", StepTrace.mean(traces.stream().map(StepTrace::byOpType).toList()), nodes, 15);
    printTotals(w, "scope", StepTrace.mean(traces.stream().map(tr -> tr.byScope(profileDepth)).toList()), nodes, 15);
    w.printf("  %-58s %9s%n", "slowest nodes (last traced step)", "ms");
    for (StepTrace.Node n : traces.get(traces.size() - 1).slowest(25)) {
      w.printf("  %-58s %9.3f%n", abbreviate(n.name() + " " + n.opType() + n.shape(), 58), n.micros() / 1e3);
    }
  }

  private static void printTotals(PrintWriter w, String what, List<StepTrace.Total> totals, double nodeMs, int limit) {
    w.printf("  %-50s %7s %9s %7s%n", "by " + what, "nodes", "ms/step", "share");
    for (StepTrace.Total t : totals.subList(0, Math.min(limit, totals.size()))) {
      w.printf("  %-50s %7d %9.3f %6.1f%%%n", abbreviate(t.key(), 50), t.count(), t.micros() / 1e3,
          nodeMs > 0 ? 100 * t.micros() / 1e3 / nodeMs : 0);
    }
  }

  private static String abbreviate(String s, int width) {
    return s.length() <= width ? s : "..." + s.substring(s.length() - width + 3);
  }

  /** Times each phase of a replay method's tasks: the first and last task, or those of --time-at. */
  private int benchReplay(ExperimentConfig base, int timed) {
    org.hypercl.training.Method m = switch (method) {
      case "hnet-r" -> org.hypercl.training.Method.HNET_R;
      case "hnet-tir" -> org.hypercl.training.Method.HNET_TIR;
      case "rpl-ub" -> org.hypercl.training.Method.RPL_UB;
      case "dgr" -> org.hypercl.training.Method.DGR;
      default -> throw new UserException("--method '" + method + "': choose hnet, hnet-r, hnet-tir, dgr or rpl-ub");
    };
    int phase = warmup + timed;
    ExperimentConfig c0 = base.withMethod(m);
    if (m == org.hypercl.training.Method.HNET_TIR) {
      c0 = Experiments.withTirDecoder(c0);
    }
    ExperimentConfig c = c0.withSettings(c0.settings().toBuilder().replay(c0.settings().replay().withIterations(phase)).build());
    int n = c.numTasks();
    java.util.Set<Integer> tasks = new java.util.TreeSet<>();
    if (timeAt != null) {
      for (int t : timeAt) {
        if (t < 1 || t > n) {
          throw new UserException("--time-at " + t + " is not a task of " + config + " (1.." + n + ")");
        }
        tasks.add(t - 1);
      }
      n = java.util.Collections.max(tasks) + 1;
    } else {
      tasks.add(0);
      tasks.add(n - 1);
    }
    PrintWriter w = spec.commandLine().getOut();
    w.printf("bench %s --method %s --scenario %s: classifier %s, batch %d; per phase %d timed steps after %d warm-up steps%n",
        config, method, c.scenario().id(), c.target(), c.settings().batchSize(), timed, warmup);
    w.printf("%-6s %-22s %10s %10s %10s%n", "task", "phase", "ms/step", "steps/s", "RSS");
    w.flush();
    if (trainSize < c.settings().batchSize()) {
      throw new UserException("--train-size must be at least the batch size " + c.settings().batchSize());
    }
    try (org.hypercl.training.ContinualLearner learner = m.create(c, trainSize)) {
      TaskData data = randomTask(c, trainSize, new SplittableRandom(1));
      for (int t = 0; t < n; t++) {
        learner.addPastTask(t, data);
        learner.beginTask(t, data);
        int total = m.stepsPerTask(c, t, trainSize);
        if (!tasks.contains(t)) {
          for (int s = 0; s < total; s += phase) {
            learner.trainStep(t, s); // one step of each phase, so every part has trained once
          }
          learner.finishTask(t);
          continue;
        }
        List<String> names = phaseNames(m, c, t);
        for (int p = 0; p * phase < total; p++) {
          int from = p * phase;
          for (int s = from; s < from + warmup; s++) {
            learner.trainStep(t, s);
          }
          long start = System.nanoTime();
          for (int s = from + warmup; s < from + phase; s++) {
            learner.trainStep(t, s);
          }
          double ms = (System.nanoTime() - start) / 1e6 / timed;
          w.printf("%-6d %-22s %10.2f %10.1f %10s%n", t + 1, names.get(p), ms, 1000 / ms, procStatus("VmRSS:"));
          w.flush();
        }
        learner.finishTask(t);
      }
    }
    w.printf("peak resident memory of this process: %s%n", peakRss());
    return 0;
  }

  /** The names of task t's phases, in order. */
  private static List<String> phaseNames(org.hypercl.training.Method m, ExperimentConfig c, int t) {
    List<String> names = new java.util.ArrayList<>();
    boolean vae = t < c.numTasks() - 1 && m != org.hypercl.training.Method.RPL_UB;
    if (m == org.hypercl.training.Method.HNET_TIR) {
      if (t > 0) names.add("task-inference net");
      if (vae) names.add("VAE");
      names.add("hnet classifier");
    } else {
      names.add(t == 0 ? "classifier" : "classifier + replay");
      if (vae) names.add("VAE");
    }
    return names;
  }

  /**
   * User plus system CPU time of this process so far, every thread (TensorFlow's pools included),
   * from /proc/self/stat (Linux, in clock ticks of 10 ms); NaN elsewhere. Less sensitive than wall
   * time to other jobs on the machine.
   */
  static double processCpuSeconds() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    } catch (java.io.IOException | NumberFormatException | IndexOutOfBoundsException e) {
      // Not Linux (no /proc/self/stat), or a format it does not know: the column shows NaN.
      return Double.NaN;
    }
  }

  /** VmHWM from /proc/self/status (Linux), or "unknown". */
  static String peakRss() {
    return procStatus("VmHWM:");
  }

  /** A memory line of /proc/self/status in GiB (Linux), or "unknown". */
  static String procStatus(String key) {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format("%.2f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return "unknown";
  }

  private static TaskData randomTask(ExperimentConfig c, int n, SplittableRandom rng) {
    int in = c.target().inputSize();
    int out = c.target().outputSize();
    float[] x = new float[n * in];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rng.nextDouble();
    }
    float[] y = new float[n * out];
    for (int r = 0; r < n; r++) {
      if (c.kind() == TaskKind.CLASSIFICATION) {
        y[r * out + rng.nextInt(out)] = 1;
      } else {
        y[r] = (float) rng.nextDouble();
      }
    }
    int testN = Math.min(n, 256);
    return new TaskData("random", in, out, x, y, java.util.Arrays.copyOf(x, testN * in), java.util.Arrays.copyOf(y, testN * out));
  }

  /**
   * Matrix-product FLOPs of one training step with {@code past} earlier tasks regularized, counting
   * 2·m·n·k per product and, except where noted, backward as twice forward.
   */
  static double stepFlops(ExperimentConfig c, int past) {
    if (!(c.target() instanceof MlpSpec t)) {
      throw new UserException("bench counts the FLOPs of MLP target networks only, not " + c.target().network());
    }
    int b = c.settings().batchSize();
    double target = 0;
    int in = t.inputSize();
    for (int l = 0; l < t.numLayers(); l++) {
      int out = l < t.hidden().length ? t.hidden()[l] : t.totalOutputs();
      target += 2.0 * b * in * out;
      in = out;
    }
    HypernetworkSpec h = c.hypernetwork();
    double hnetOne = hnetFlops(h, 1);
    double total = 3 * target + 3 * hnetOne;
    if (past > 0 && c.settings().beta() > 0) {
      int k = c.settings().regularizerTasks() > 0 ? Math.min(past, c.settings().regularizerTasks()) : past;
      double rows = (double) k * h.numChunks();
      double hp = h.lastHiddenSize() + 1;
      double hidden = hnetFlops(h, k) - 2 * rows * (hp - 1) * h.rowSize();
      double cross = 2 * rows * h.rowSize() * hp;
      double gram = 2 * hp * hp * h.rowSize() + 2 * rows * hp * hp;
      // Backward needs one more product for the cross term (the gradient of W' against the stored
      // targets; the targets themselves need none) and two for the rest.
      total += 3 * hidden + 2 * cross + 3 * gram;
    }
    return total;
  }

  /** Forward FLOPs of the hypernetwork for k tasks (matrix products only). */
  private static double hnetFlops(HypernetworkSpec h, int k) {
    double rows = (double) k * h.numChunks();
    int[] hidden = h.hidden();
    double f = 0;
    int in = h.inputSize();
    for (int l = 0; l <= hidden.length; l++) {
      int out = l < hidden.length ? hidden[l] : h.rowSize();
      if (l == 0 && h.isChunked() && hidden.length > 0) {
        f += 2.0 * k * h.embeddingDim() * out + 2.0 * h.numChunks() * h.chunkEmbeddingDim() * out;
      } else {
        f += 2.0 * rows * in * out;
      }
      in = out;
    }
    return f;
  }

  /** GFLOP/s of a 1024³ matrix product in TensorFlow, best of several timed runs. */
  static double matmulGflops(int threads) {
    int n = 1024;
    float[] values = new float[n * n];
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) rng.nextDouble();
    }
    ConfigProto.Builder proto = ConfigProto.newBuilder();
    if (threads > 0) {
      proto.setIntraOpParallelismThreads(threads);
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> a = tf.placeholder(TFloat32.class);
      Operand<TFloat32> sum = tf.sum(tf.linalg.matMul(a, a), tf.constant(new int[] {0, 1}));
      try (Session s = new Session(g, proto.build());
          TFloat32 ta = Tensors.floats(values, n, n)) {
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 8; rep++) {
          long t0 = System.nanoTime();
          try (Result r = s.runner().feed(a, ta).fetch(sum).run()) {
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
          }
        }
        return 2.0 * n * n * n / best / 1e9;
      }
    }
  }
}
