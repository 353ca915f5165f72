package org.hypercl.tools.sweep;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.hypercl.tools.HyperclCommand;
import org.hypercl.tools.report.SweepReport;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;

/**
 * Runs a plan's runs as separate {@code hypercl train} processes, {@code workers} at a time: a
 * finished run is skipped, a started one resumed ({@code train --resume}), the others started
 * anew. Each process is this JVM ({@code java.home}) with this class path and the environment
 * passed through ({@code TF_CPP_MIN_LOG_LEVEL=2} unless set; JVM options from
 * {@code $HYPERCL_JAVA_OPTS}), its output appended to {@code logs/<name>.log}. A shutdown hook
 * stops the processes still running when the sweep is interrupted (Ctrl-C, {@code kill}), so none
 * is left behind; {@code kill -9} of the sweep cannot be caught and leaves them running.
 */
final class SweepRunner {

  private final Path out;
  private final SweepPlan plan;
  private final int workers;
  private final PrintWriter w;
  private final List<String> java;

  private final Set<Process> live = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;
  /** Processes started by this runner, for tests. */
  private final AtomicInteger started = new AtomicInteger();

  // Guarded by this.
  private int done;
  private int running;
  private final List<String> failed = new ArrayList<>();
  private double secondsFinished;
  private int finishedHere;

  SweepRunner(Path out, SweepPlan plan, int workers, PrintWriter w) {
    this.out = out;
    this.plan = plan;
    this.workers = workers;
    this.w = w;
    this.java = javaCommand();
  }

  /**
   * The command that starts {@code hypercl} in a new JVM like this one. The class path's entries
   * are made absolute, so the command works from any folder (a Slurm task starts in its own).
   */
  static List<String> javaCommand() {
    Path bin = Path.of(System.getProperty("java.home"), "bin", "java");
    String exe = Files.isExecutable(bin) ? bin.toString() : ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(exe));
    String opts = System.getenv("HYPERCL_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(List.of(opts.trim().split("\\s+")));
    }
    cmd.add("-cp");
    cmd.add(absoluteClassPath(System.getProperty("java.class.path")));
    cmd.add(HyperclCommand.class.getName());
    return cmd;
  }

  static String absoluteClassPath(String classPath) {
    List<String> entries = new ArrayList<>();
    for (String e : classPath.split(Pattern.quote(File.pathSeparator))) {
      if (!e.isEmpty()) {
        entries.add(Path.of(e).toAbsolutePath().normalize().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /**
   * Loads TensorFlow's native library in this JVM, which extracts it into JavaCPP's cache
   * ({@code ~/.javacpp/cache}, about 650 MB) if it is not there for this jar yet. Trainings started
   * together would otherwise find the cache empty and fill it at once: on the local Slurm cluster,
   * with a freshly built jar, one of two array tasks that did so died with SIGBUS in the library
   * loader.
   */
  static void fillNativeLibraryCache() {
    org.tensorflow.TensorFlow.version();
  }

  int processesStarted() {
    return started.get();
  }

  /** Runs what is left of the plan; 0 if every run is done, 1 if some failed. */
  int run() throws IOException {
    List<SweepPlan.Planned> todo = new ArrayList<>();
    for (SweepPlan.Planned p : plan.runs()) {
      if (SweepFolder.completeResults(SweepFolder.runDir(out, p.name())) != null) {
        done++;
      } else {
        todo.add(p);
      }
    }
    int seeds = plan.configurations() == 0 ? 0 : plan.runs().size() / plan.configurations();
    w.printf(Locale.ROOT, "sweep %s: %d runs (%d configurations x %d seeds) in %s: %d done, %d to run, %d at a time%n",
        plan.name(), plan.runs().size(), plan.configurations(), seeds, out, done, todo.size(), Math.min(workers, Math.max(1, todo.size())));
    w.flush();
    if (todo.isEmpty()) {
      w.println("nothing to do: every run has finished (hypercl sweep report " + out + ")");
      w.flush();
      return 0;
    }
    Files.createDirectories(out.resolve(SweepFolder.LOGS));
    Files.createDirectories(out.resolve(SweepFolder.RUNS));
    if (Math.min(workers, todo.size()) > 1) {
      fillNativeLibraryCache();
    }
    Thread hook = new Thread(this::stopAll, "hypercl-sweep-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, todo.size()), r -> {
      Thread t = new Thread(r, "hypercl-sweep-worker");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (SweepPlan.Planned p : todo) {
        futures.add(pool.submit(() -> {
          runOne(p);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopAll();
      throw new IOException("interrupted; the runs still going were stopped", e);
    } catch (ExecutionException e) {
      stopAll();
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(c);
    } finally {
      pool.shutdownNow();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or has run.
      }
    }
    w.println();
    if (failed.isEmpty()) {
      w.printf(Locale.ROOT, "all %d runs done; hypercl sweep report %s%n", plan.runs().size(), out);
      w.flush();
      return 0;
    }
    w.printf(Locale.ROOT, "%d of %d runs failed (the next 'hypercl sweep run' tries them again):%n", failed.size(), plan.runs().size());
    for (String name : failed) {
      Path log = SweepFolder.log(out, name);
      String last = SweepFolder.lastLine(log);
      w.printf("  %s: log %s%s%n", name, log, last.isEmpty() ? "" : "\n      " + last);
    }
    w.flush();
    return 1;
  }

  private void runOne(SweepPlan.Planned p) throws IOException {
    if (stopping) {
      return;
    }
    Path runDir = SweepFolder.runDir(out, p.name());
    boolean resume = Files.isRegularFile(runDir.resolve(RunDirectory.CONFIG));
    List<String> args = resume ? p.resumeArgs() : p.args();
    Path log = SweepFolder.log(out, p.name());
    int attempts = SweepFolder.readAttempt(out, p.name()).map(SweepFolder.Attempt::attempts).orElse(0) + 1;
    Instant start = Instant.now();
    Files.writeString(log, String.format(Locale.ROOT, "== %s attempt %d: hypercl %s%n", start, attempts, String.join(" ", args)),
        StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    List<String> cmd = new ArrayList<>(java);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
    String mode = resume ? "resume" : "new";
    Process process;
    synchronized (this) {
      if (stopping) {
        return;
      }
      try {
        process = pb.start();
      } catch (IOException e) {
        failed.add(p.name());
        SweepFolder.writeAttempt(out, p.name(), new SweepFolder.Attempt(SweepFolder.Attempt.FAILED, mode, -1, start.toString(), 0, null, attempts));
        Files.writeString(log, "cannot start the process: " + e.getMessage() + System.lineSeparator(), StandardCharsets.UTF_8,
            StandardOpenOption.APPEND);
        progress(p.name() + " could not start: " + e.getMessage());
        return;
      }
      started.incrementAndGet();
      live.add(process);
      try {
        process.getOutputStream().close(); // train reads no input; give it end-of-file
      } catch (IOException ignored) {
        // The process may already have ended.
      }
      running++;
      SweepFolder.writeAttempt(out, p.name(),
          new SweepFolder.Attempt(SweepFolder.Attempt.RUNNING, mode, process.pid(), start.toString(), 0, null, attempts));
      progress(p.name() + (resume ? " resumed" : " started") + " (seed " + p.seed() + ")");
    }
    int code;
    try {
      code = process.waitFor();
    } catch (InterruptedException e) {
      destroy(process);
      Thread.currentThread().interrupt();
      code = -1;
    } finally {
      live.remove(process);
    }
    double seconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
    RunResults results = code == 0 ? SweepFolder.completeResults(runDir) : null;
    boolean ok = results != null;
    String status = ok ? SweepFolder.Attempt.FINISHED : stopping ? SweepFolder.Attempt.INTERRUPTED : SweepFolder.Attempt.FAILED;
    synchronized (this) {
      SweepFolder.writeAttempt(out, p.name(), new SweepFolder.Attempt(status, mode, process.pid(), start.toString(), seconds, code, attempts));
      running--;
      if (ok) {
        done++;
        secondsFinished += seconds;
        finishedHere++;
        progress(String.format(Locale.ROOT, "%s finished in %s: after %s", p.name(), duration(seconds),
            SweepReport.metricValue(results.metric(), results.meanAfter())));
      } else {
        failed.add(p.name());
        String why = code == 0 ? "exit 0 but no complete results.json" : "exit " + code;
        progress(String.format(Locale.ROOT, "%s %s (%s) after %s; log %s", p.name(), stopping ? "stopped" : "failed", why,
            duration(seconds), log));
      }
    }
  }

  /** A progress line: {@code [3/8 done, 2 running, 1 failed, ETA 4 min] what}. Call holding this. */
  private void progress(String what) {
    int total = plan.runs().size();
    int left = total - done - failed.size();
    String eta = "";
    if (left > 0 && finishedHere > 0) {
      double mean = secondsFinished / finishedHere;
      eta = ", ETA " + duration(mean * left / Math.min(workers, left));
    }
    w.printf(Locale.ROOT, "[%d/%d done, %d running, %d failed%s] %s%n", done, total, running, failed.size(), eta, what);
    w.flush();
  }

  static String duration(double seconds) {
    if (seconds < 90) {
      return String.format(Locale.ROOT, "%.0f s", seconds);
    }
    if (seconds < 90 * 60) {
      return String.format(Locale.ROOT, "%.0f min", seconds / 60);
    }
    return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
  }

  /** Stops every process still running (the shutdown hook): SIGTERM, then after 10 s SIGKILL. */
  void stopAll() {
    stopping = true;
    List<Process> now;
    synchronized (this) {
      now = new ArrayList<>(live);
    }
    if (!now.isEmpty()) {
      System.err.println("hypercl sweep: stopping " + now.size() + " training process" + (now.size() == 1 ? "" : "es")
          + "; the next 'hypercl sweep run' resumes " + (now.size() == 1 ? "it" : "them"));
    }
    for (Process p : now) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
    for (Process p : now) {
      destroy(p);
    }
  }

  private static void destroy(Process p) {
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
