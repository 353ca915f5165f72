package org.hypercl.tools.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.hypercl.training.JsonFiles;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;

/**
 * The sweep folder ({@code --out}): {@code sweep.json} (the plan), {@code runs/<name>/} (each a
 * run folder of {@code hypercl train}), {@code logs/<name>.log} (the run's output, every attempt
 * appended), {@code state/<name>.json} (the last attempt: running, finished, failed or interrupted,
 * with its exit code) and {@code report.csv}. A sweep submitted to Slurm also has {@code slurm/}:
 * {@code sweep.sbatch} (the array script last written), {@code args/<name>.new} and
 * {@code args/<name>.resume} (the run's {@code train} arguments, NUL-separated, which the array
 * task reads), {@code jobs.json} (the submissions), {@code tasks/<name>.json} (what the run's last
 * array task recorded as it ended) and {@code <job>_<index>.out} (each task's output).
 */
final class SweepFolder {

  static final String PLAN = "sweep.json";
  static final String RUNS = "runs";
  static final String LOGS = "logs";
  static final String STATE = "state";
  static final String REPORT = "report.csv";
  static final String LOCK = ".sweep.lock";
  static final String SLURM = "slurm";
  static final String SLURM_SCRIPT = "sweep.sbatch";
  static final String SLURM_JOBS = "jobs.json";
  static final String SLURM_ARGS = "args";
  static final String SLURM_TASKS = "tasks";
  /** The arguments file of a new run ({@link #slurmArgs}); the array task takes this one when the run has no config.json. */
  static final String NEW = "new";
  /** The arguments file of a run to continue ({@code train --resume}). */
  static final String RESUME = "resume";

  private SweepFolder() {}

  static Path slurmDir(Path out) {
    return out.resolve(SLURM);
  }

  /** {@code slurm/args/<name>.<mode>}, mode {@link #NEW} or {@link #RESUME}. */
  static Path slurmArgs(Path out, String name, String mode) {
    return slurmDir(out).resolve(SLURM_ARGS).resolve(name + "." + mode);
  }

  static Path slurmTask(Path out, String name) {
    return slurmDir(out).resolve(SLURM_TASKS).resolve(name + ".json");
  }

  /** The output of array task {@code index} of job {@code jobId} ({@code --output=slurm/%A_%a.out}). */
  static Path slurmLog(Path out, String jobId, int index) {
    return slurmDir(out).resolve(jobId + "_" + index + ".out");
  }

  static Path runDir(Path out, String name) {
    return out.resolve(RUNS).resolve(name);
  }

  static Path log(Path out, String name) {
    return out.resolve(LOGS).resolve(name + ".log");
  }

  static Path stateFile(Path out, String name) {
    return out.resolve(STATE).resolve(name + ".json");
  }

  /** The last attempt at a run, as {@code state/<name>.json} records it. */
  record Attempt(String status, String mode, long pid, String started, double seconds, Integer exitCode, int attempts) {

    static final String RUNNING = "running";
    static final String FINISHED = "finished";
    static final String FAILED = "failed";
    static final String INTERRUPTED = "interrupted";

    ObjectNode toJson() {
      ObjectNode n = JsonFiles.MAPPER.createObjectNode();
      n.put("status", status);
      n.put("mode", mode);
      n.put("pid", pid);
      n.put("started", started);
      n.put("seconds", seconds);
      if (exitCode != null) {
        n.put("exitCode", exitCode);
      }
      n.put("attempts", attempts);
      return n;
    }

    static Attempt fromJson(JsonNode n) {
      return new Attempt(n.path("status").asText(), n.path("mode").asText(), n.path("pid").asLong(-1), n.path("started").asText(),
          n.path("seconds").asDouble(Double.NaN), n.hasNonNull("exitCode") ? n.get("exitCode").asInt() : null, n.path("attempts").asInt(0));
    }
  }

  static Optional<Attempt> readAttempt(Path out, String name) {
    Path f = stateFile(out, name);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Attempt.fromJson(JsonFiles.read(f)));
    } catch (RuntimeException e) {
      return Optional.empty(); // a state file is a record of the past; an unreadable one says nothing
    }
  }

  static void writeAttempt(Path out, String name, Attempt a) {
    JsonFiles.write(stateFile(out, name), a.toJson());
  }

  /** Where a run stands. */
  enum Kind { DONE, RUNNING, FAILED, PARTIAL, PENDING }

  /**
   * @param results the results of a done run, else null
   * @param tasksDone tasks learned by a started run (its latest checkpoint), or -1
   * @param tasksTotal tasks of a started run (its config.json), or -1
   * @param attempt the last attempt, if any
   */
  record Status(Kind kind, RunResults results, int tasksDone, int tasksTotal, Optional<Attempt> attempt) {

    /** "done", "partial (2 of 5 tasks)", "failed (exit 2)", "running (pid 123, 1 of 5 tasks)", "pending". */
    String describe() {
      String tasks = tasksTotal > 0 ? (tasksDone >= 0 ? tasksDone : "?") + " of " + tasksTotal + " tasks" : "";
      return switch (kind) {
        case DONE -> "done";
        case PENDING -> "pending";
        case PARTIAL -> "partial (" + (tasks.isEmpty() ? "no checkpoint yet" : tasks) + ")";
        case RUNNING -> "running (pid " + attempt.get().pid() + (tasks.isEmpty() ? "" : ", " + tasks) + ")";
        case FAILED -> {
          Attempt a = attempt.get();
          String how = a.status().equals(Attempt.INTERRUPTED) ? "interrupted" : "failed";
          yield how + " (" + (a.exitCode() == null ? "no exit code" : "exit " + a.exitCode()) + (tasks.isEmpty() ? "" : ", " + tasks) + ")";
        }
      };
    }
  }

  /** The results of a finished run: results.json for every task of its config.json, or null. */
  static RunResults completeResults(Path runDir) {
    if (!Files.isRegularFile(runDir.resolve(RunDirectory.RESULTS)) || !Files.isRegularFile(runDir.resolve(RunDirectory.CONFIG))) {
      return null;
    }
    try {
      RunResults r = RunDirectory.open(runDir).readResults();
      int tasks = JsonFiles.read(runDir.resolve(RunDirectory.CONFIG)).path("numTasks").asInt(-1);
      return r.numTasks() == tasks && r.matrix().length == tasks ? r : null;
    } catch (RuntimeException e) {
      return null; // unreadable or cut short: not finished
    }
  }

  /**
   * Where {@code name} stands: done (complete results), running (its last attempt's process is
   * alive), failed (the last attempt ended badly), partial (a run folder with config.json, e.g.
   * killed with its sweep) or pending.
   */
  static Status status(Path out, String name) {
    Path dir = runDir(out, name);
    Optional<Attempt> attempt = readAttempt(out, name);
    RunResults done = completeResults(dir);
    if (done != null) {
      return new Status(Kind.DONE, done, done.numTasks(), done.numTasks(), attempt);
    }
    int total = -1;
    int learned = -1;
    if (Files.isRegularFile(dir.resolve(RunDirectory.CONFIG))) {
      try {
        total = JsonFiles.read(dir.resolve(RunDirectory.CONFIG)).path("numTasks").asInt(-1);
        learned = RunDirectory.open(dir).latestCheckpoint().map(cp -> RunDirectory.progressOf(cp).tasksLearned()).orElse(0);
      } catch (RuntimeException e) {
        // Say what is known.
      }
    }
    if (attempt.isPresent()) {
      Attempt a = attempt.get();
      if (a.status().equals(Attempt.RUNNING) && a.pid() > 0
          && ProcessHandle.of(a.pid()).map(ProcessHandle::isAlive).orElse(false)) {
        return new Status(Kind.RUNNING, null, learned, total, attempt);
      }
      if (a.status().equals(Attempt.FAILED) || a.status().equals(Attempt.INTERRUPTED)) {
        return new Status(Kind.FAILED, null, learned, total, attempt);
      }
      // Otherwise a "running" one whose sweep was killed, or a "finished" one whose folder was changed since.
    }
    if (total >= 0 || Files.isRegularFile(dir.resolve(RunDirectory.CONFIG))) {
      return new Status(Kind.PARTIAL, null, learned, total, attempt);
    }
    return new Status(Kind.PENDING, null, -1, -1, attempt);
  }

  /** The last non-empty line of a log (its last 8 KiB), or "" if there is none. */
  static String lastLine(Path log) {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long len = f.length();
      int n = (int) Math.min(len, 8192);
      byte[] b = new byte[n];
      f.seek(len - n);
      f.readFully(b);
      String[] lines = new String(b, StandardCharsets.UTF_8).split("\\R");
      for (int i = lines.length - 1; i >= 0; i--) {
        String l = lines[i].strip();
        if (!l.isEmpty()) {
          return l;
        }
      }
      return "";
    } catch (IOException e) {
      return "";
    }
  }
}
