package org.hypercl.tools.sweep;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hypercl.tools.UserException;

/**
 * Slurm's own commands, run as processes: {@code sbatch --parsable} to submit, {@code squeue} for
 * the tasks the controller knows (queued, running, and for {@code MinJobAge} after they end),
 * {@code sacct} for the ones accounting has. The tools are found in {@code --slurm-bin DIR}, else
 * {@code $HYPERCL_SLURM_BIN} (for tests and unusual installs), else on {@code PATH}.
 */
final class SlurmScheduler {

  /** The environment variable naming the folder of sbatch, squeue and sacct. */
  static final String BIN_ENV = "HYPERCL_SLURM_BIN";

  /** How long one of Slurm's commands may take before it is given up (a controller that does not answer). */
  static final long COMMAND_TIMEOUT_SECONDS = 120;

  /** squeue's states of a task that is still to run or running; any other is an end state. */
  private static final Set<String> QUEUED_STATES =
      Set.of("PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SUSPENDED", "STOPPED");
  private static final Set<String> RUNNING_STATES =
      Set.of("CONFIGURING", "RUNNING", "COMPLETING", "RESIZING", "SIGNALING", "STAGE_OUT");

  /** {@code 123_4}, {@code 123_[0-3,7%2]} or a plain {@code 123}, maybe with a {@code +0} of a heterogeneous job. */
  private static final Pattern JOB_ID = Pattern.compile("(\\d+)(?:_(\\d+|\\[([0-9,\\-]+)(?:%\\d+)?\\]))?");

  private final Path binDir;
  private final String where;

  private SlurmScheduler(Path binDir, String where) {
    this.binDir = binDir;
    this.where = where;
  }

  /** The tools in {@code option} if given, else in {@code $HYPERCL_SLURM_BIN} if set, else on PATH. */
  static SlurmScheduler locate(Path option) {
    if (option != null) {
      return new SlurmScheduler(option.toAbsolutePath(), option + " (--slurm-bin)");
    }
    String env = System.getenv(BIN_ENV);
    if (env != null && !env.isBlank()) {
      return new SlurmScheduler(Path.of(env).toAbsolutePath(), env + " ($" + BIN_ENV + ")");
    }
    return new SlurmScheduler(null, "PATH");
  }

  /** Where the tools are looked for, for messages: "PATH", or the folder and what named it. */
  String where() {
    return where;
  }

  /** The executable {@code tool}, if it is there. */
  Optional<Path> find(String tool) {
    if (binDir != null) {
      Path p = binDir.resolve(tool);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(Pattern.quote(File.pathSeparator))) {
      if (!d.isEmpty()) {
        Path p = Path.of(d, tool);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p.toAbsolutePath());
        }
      }
    }
    return Optional.empty();
  }

  /** {@code tool}, or the error to show when it is missing. */
  Path require(String tool, String whatFor) {
    return find(tool).orElseThrow(() -> new UserException(
        tool + " not found " + (binDir == null ? "on PATH" : "in " + where) + "; " + whatFor));
  }

  /** The missing-sbatch message's advice. */
  static final String INSTALL_OR_LOCAL = "install Slurm or run without --slurm (the folder of Slurm's commands may also be given "
      + "with --slurm-bin DIR or $" + BIN_ENV + ")";

  /** One finished process: exit code and both outputs. */
  record Output(int exitCode, String stdout, String stderr) {
    /** stderr's text, else stdout's, on one line, for a message. */
    String complaint() {
      String s = stderr.isBlank() ? stdout : stderr;
      return s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
  }

  static Output execute(List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command);
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    try {
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not end within " + COMMAND_TIMEOUT_SECONDS + " s");
      }
      return new Output(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command.get(0), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("cannot read the output of " + command.get(0) + ": " + e.getMessage(), e);
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Submits {@code script} with {@code sbatch --parsable}; its job id. A refusal ends with
   * sbatch's own message and exit code.
   */
  String submit(Path script) throws IOException {
    Path sbatch = require("sbatch", INSTALL_OR_LOCAL);
    Output o = execute(List.of(sbatch.toString(), "--parsable", script.toString()));
    if (o.exitCode() != 0) {
      throw new UserException("sbatch refused the job (exit " + o.exitCode() + "): " + o.complaint());
    }
    return parseJobId(o.stdout());
  }

  /** The job id that {@code sbatch --parsable} prints: {@code 123} or {@code 123;cluster}. */
  static String parseJobId(String stdout) {
    String line = stdout.strip().lines().reduce((a, b) -> b).orElse("");
    int semi = line.indexOf(';');
    String id = semi >= 0 ? line.substring(0, semi) : line;
    if (!id.matches("\\d+")) {
      throw new UserException("sbatch --parsable printed '" + stdout.strip() + "', not a job id");
    }
    return id;
  }

  /**
   * Where one array task stands as the scheduler says.
   *
   * @param state Slurm's state name (PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED, ...)
   * @param reason squeue's reason (why pending, or how it ended), or ""
   * @param node where it runs or ran, or ""
   * @param exitCode sacct's {@code code:signal}, or "" when squeue said it
   * @param source "squeue" or "sacct"
   */
  record TaskState(String state, String reason, String node, String exitCode, String source) {
    boolean queued() {
      return QUEUED_STATES.contains(state);
    }

    boolean running() {
      return RUNNING_STATES.contains(state);
    }

    /** Still to run or running: not to be submitted again. */
    boolean active() {
      return queued() || running();
    }
  }

  /** What the scheduler knows of some jobs, by task ({@code 123_4}); notes say what could not be asked. */
  record View(Map<String, TaskState> tasks, List<String> notes, boolean queueKnown) {
    static View empty(String note) {
      return new View(Map.of(), note == null ? List.of() : List.of(note), false);
    }
  }

  /**
   * The tasks of {@code jobIds} (named {@code jobNames}) from squeue ({@code --states=all}, so a
   * task that ended in the last {@code MinJobAge} is there too) and, for the rest, from sacct if
   * accounting is on. squeue is asked by job name, since asking by the id of a job the controller
   * has forgotten is an error; the ids filter its answer.
   */
  View view(Collection<String> jobIds, Collection<String> jobNames) throws IOException {
    if (jobIds.isEmpty()) {
      return new View(Map.of(), List.of(), true);
    }
    List<String> notes = new ArrayList<>();
    Map<String, TaskState> tasks = new LinkedHashMap<>();
    boolean queueKnown = false;
    Optional<Path> squeue = find("squeue");
    if (squeue.isEmpty()) {
      notes.add("squeue not found " + (binDir == null ? "on PATH" : "in " + where) + ": which tasks are queued or running is unknown");
    } else {
      Output o = execute(List.of(squeue.get().toString(), "--noheader", "--array", "--states=all",
          "--name=" + String.join(",", jobNames), "--format=%i|%T|%r|%N"));
      if (o.exitCode() != 0) {
        notes.add("squeue failed (exit " + o.exitCode() + "): " + o.complaint());
      } else {
        queueKnown = true;
        parseQueue(o.stdout()).forEach((k, v) -> {
          if (jobIds.contains(k.substring(0, k.indexOf('_') < 0 ? k.length() : k.indexOf('_')))) {
            tasks.put(k, v);
          }
        });
      }
    }
    Optional<Path> sacct = find("sacct");
    if (sacct.isEmpty()) {
      notes.add("sacct not found: tasks that have left the queue are known from their records in slurm/tasks only");
    } else {
      Output o = execute(List.of(sacct.get().toString(), "--noheader", "--parsable2", "--allocations",
          "--jobs=" + String.join(",", jobIds), "--format=JobID,State,ExitCode,NodeList"));
      if (o.exitCode() != 0) {
        notes.add("sacct has no data (" + o.complaint() + "): tasks that have left the queue are known from their records in "
            + "slurm/tasks only");
      } else {
        parseAccounting(o.stdout()).forEach(tasks::putIfAbsent);
      }
    }
    return new View(tasks, notes, queueKnown);
  }

  /** squeue's {@code %i|%T|%r|%N} lines (with {@code --array}: a line per task) by task. */
  static Map<String, TaskState> parseQueue(String stdout) {
    Map<String, TaskState> out = new LinkedHashMap<>();
    for (String line : stdout.split("\\R")) {
      String[] f = line.strip().split("\\|", -1);
      if (f.length < 2 || f[0].isEmpty()) {
        continue;
      }
      for (String task : expand(f[0])) {
        out.put(task, new TaskState(f[1].strip(), f.length > 2 ? f[2].strip() : "", f.length > 3 ? f[3].strip() : "", "", "squeue"));
      }
    }
    return out;
  }

  /**
   * sacct's {@code --parsable2 --allocations} lines of {@code JobID|State|ExitCode|NodeList} by
   * task. A state such as "CANCELLED by 0" keeps its first word; a pending array's
   * {@code 123_[2-5%2]} is expanded.
   */
  static Map<String, TaskState> parseAccounting(String stdout) {
    Map<String, TaskState> out = new LinkedHashMap<>();
    for (String line : stdout.split("\\R")) {
      String[] f = line.strip().split("\\|", -1);
      if (f.length < 2 || f[0].isEmpty() || f[0].contains(".")) {
        continue; // a job step (123_4.batch) when --allocations was not honoured
      }
      String state = f[1].strip();
      int space = state.indexOf(' ');
      String reason = space > 0 ? state.substring(space + 1) : "";
      state = space > 0 ? state.substring(0, space) : state;
      for (String task : expand(f[0])) {
        out.put(task, new TaskState(state, reason, f.length > 3 ? f[3].strip() : "", f.length > 2 ? f[2].strip() : "", "sacct"));
      }
    }
    return out;
  }

  /** {@code 123_[0-2,5%2]} as {@code 123_0, 123_1, 123_2, 123_5}; {@code 123_4} and {@code 123} as they are. */
  static List<String> expand(String id) {
    Matcher m = JOB_ID.matcher(id.strip().replaceAll("\\+\\d+$", ""));
    if (!m.matches()) {
      return List.of();
    }
    if (m.group(3) == null) {
      return List.of(m.group(0));
    }
    List<String> out = new ArrayList<>();
    for (String part : m.group(3).split(",")) {
      if (part.isEmpty()) {
        continue;
      }
      int dash = part.indexOf('-');
      int from = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
      int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1));
      for (int i = from; i <= to; i++) {
        out.add(m.group(1) + "_" + i);
      }
    }
    return out;
  }
}
