package org.hypercl.tools.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.hypercl.tools.UserException;
import org.hypercl.tools.report.SweepReport;
import org.hypercl.training.AtomicFiles;
import org.hypercl.training.JsonFiles;

/**
 * A sweep run by Slurm: which runs to submit (those neither done nor queued or running), the
 * submission as one array job ({@link SlurmScript}, {@code sbatch --parsable}, recorded in
 * {@link SlurmJobs}), and where each run stands, from its run folder (done, partial: as the local
 * backend decides), the scheduler ({@code squeue}, {@code sacct}) and the record its array task
 * left in {@code slurm/tasks/}. The scheduler runs the runs; this only asks it.
 */
final class SlurmBackend {

  /** Where a run of a Slurm sweep stands. */
  enum Kind {
    DONE("done"), RUNNING("running"), QUEUED("queued"), FAILED("failed"), PARTIAL("partial"), UNSUBMITTED("not submitted"),
    UNKNOWN("unknown");

    final String label;

    Kind(String label) {
      this.label = label;
    }

    /** Neither finished nor in the scheduler's hands: what a new submission takes. */
    boolean toSubmit() {
      return this == FAILED || this == PARTIAL || this == UNSUBMITTED;
    }
  }

  /**
   * One run's standing.
   *
   * @param index the run's position in sweep.json, its array index
   * @param task its task in the latest job that has it, if it was submitted
   * @param log that task's output, or the local log of a run never submitted
   */
  record RunState(SweepPlan.Planned run, int index, Kind kind, String describe, Optional<SlurmJobs.Task> task, Path log) {}

  /** What one array task wrote in {@code slurm/tasks/<name>.json} as it ended. */
  record TaskRecord(String arrayJobId, int arrayTaskId, String node, String mode, long seconds, int exitCode) {
    static Optional<TaskRecord> read(Path out, String name) {
      Path f = SweepFolder.slurmTask(out, name);
      if (!Files.isRegularFile(f)) {
        return Optional.empty();
      }
      try {
        JsonNode n = JsonFiles.read(f);
        return Optional.of(new TaskRecord(n.path("arrayJobId").asText(), n.path("arrayTaskId").asInt(-1), n.path("node").asText(),
            n.path("mode").asText(), n.path("seconds").asLong(-1), n.path("exitCode").asInt(-1)));
      } catch (RuntimeException e) {
        return Optional.empty(); // a record of the past; an unreadable one says nothing
      }
    }
  }

  private final Path out;
  private final SweepPlan plan;
  private final SlurmScheduler scheduler;

  SlurmBackend(Path out, SweepPlan plan, SlurmScheduler scheduler) {
    this.out = out;
    this.plan = plan;
    this.scheduler = scheduler;
  }

  /** Every run's standing, with what the scheduler was asked. */
  record Standing(List<RunState> runs, SlurmJobs jobs, SlurmScheduler.View view) {
    Map<Kind, Integer> counts() {
      Map<Kind, Integer> c = new EnumMap<>(Kind.class);
      runs.forEach(r -> c.merge(r.kind(), 1, Integer::sum));
      return c;
    }

    int count(Kind k) {
      return counts().getOrDefault(k, 0);
    }
  }

  /** Asks the scheduler about the sweep's jobs (if any), then reads the run folders and task records. */
  Standing standing() throws IOException {
    SlurmJobs jobs = SlurmJobs.read(out);
    SlurmScheduler.View view = jobs.isEmpty() ? new SlurmScheduler.View(Map.of(), List.of(), true)
        : scheduler.view(jobs.jobIds(), jobs.jobNames());
    List<RunState> runs = new ArrayList<>();
    for (int i = 0; i < plan.runs().size(); i++) {
      SweepPlan.Planned p = plan.runs().get(i);
      runs.add(state(out, p, i, jobs.latest(p.name()), view));
    }
    return new Standing(runs, jobs, view);
  }

  /**
   * Where run {@code p} stands. A run with complete results is done whatever the scheduler says;
   * otherwise its latest task's scheduler state decides (queued, running, or how it ended), then
   * the record the task left; a run never submitted stands as the local backend sees it.
   */
  static RunState state(Path out, SweepPlan.Planned p, int index, Optional<SlurmJobs.Task> task, SlurmScheduler.View view) {
    SweepFolder.Status local = SweepFolder.status(out, p.name());
    if (task.isEmpty()) {
      Kind k = switch (local.kind()) {
        case DONE -> Kind.DONE;
        case RUNNING -> Kind.RUNNING;
        case FAILED -> Kind.FAILED;
        case PARTIAL -> Kind.PARTIAL;
        case PENDING -> Kind.UNSUBMITTED;
      };
      String d = local.kind() == SweepFolder.Kind.PENDING ? Kind.UNSUBMITTED.label : local.describe() + (k == Kind.DONE ? "" : ", here");
      return new RunState(p, index, k, d, task, SweepFolder.log(out, p.name()));
    }
    SlurmJobs.Task t = task.get();
    Path log = SweepFolder.slurmLog(out, t.job().jobId(), t.index());
    if (local.kind() == SweepFolder.Kind.DONE) {
      return new RunState(p, index, Kind.DONE, "done", task, log);
    }
    String tasks = local.tasksTotal() > 0 ? (local.tasksDone() >= 0 ? local.tasksDone() : "?") + " of " + local.tasksTotal() + " tasks" : "";
    String progress = tasks.isEmpty() ? "" : ", " + tasks;
    SlurmScheduler.TaskState s = view.tasks().get(t.id());
    Optional<TaskRecord> rec = TaskRecord.read(out, p.name())
        .filter(r -> r.arrayJobId().equals(t.job().jobId()) && r.arrayTaskId() == t.index());
    if (s != null && s.running()) {
      return new RunState(p, index, Kind.RUNNING, "running (Slurm " + t.id() + (s.node().isEmpty() ? "" : " on " + s.node()) + progress + ")",
          task, log);
    }
    if (s != null && s.queued()) {
      String why = s.reason().isEmpty() || s.reason().equals("None") ? "" : ": " + s.reason();
      return new RunState(p, index, Kind.QUEUED, "queued (Slurm " + t.id() + " " + s.state() + why + ")", task, log);
    }
    String exit = rec.map(r -> "exit " + r.exitCode())
        .orElse(s != null && !s.exitCode().isEmpty() ? "exit " + s.exitCode() : "");
    if (s != null) {
      String how = s.state().equals("COMPLETED") ? "COMPLETED but no complete results.json" : s.state();
      return new RunState(p, index, Kind.FAILED, "failed (Slurm " + t.id() + " " + how + (exit.isEmpty() ? "" : ", " + exit) + progress + ")",
          task, log);
    }
    if (rec.isPresent()) {
      String how = rec.get().exitCode() == 0 ? "exit 0 but no complete results.json" : exit;
      return new RunState(p, index, Kind.FAILED, "failed (Slurm " + t.id() + " " + how + progress + ")", task, log);
    }
    if (!view.queueKnown()) {
      return new RunState(p, index, Kind.UNKNOWN, "submitted as Slurm " + t.id() + "; its state is unknown" + progress, task, log);
    }
    // Not queued, not running, and no record: cancelled before it started, or its node went away.
    return new RunState(p, index, Kind.FAILED, "failed (Slurm " + t.id() + " left the queue without a record: cancelled before it "
        + "started, or its node failed" + progress + ")", task, log);
  }

  /**
   * Submits the runs that are neither done nor queued or running as one array job, or with
   * {@code dryRun} writes and prints the script only. 0 when submitted or nothing was left to
   * submit.
   */
  int submit(SlurmSettings settings, boolean dryRun, PrintWriter w) throws IOException {
    SlurmScript.requirePlainPath(out);
    Standing st = standing();
    if (!st.jobs().isEmpty() && !st.view().queueKnown() && !dryRun) {
      throw new UserException("cannot tell which runs of " + out + " are still queued or running (" + String.join("; ", st.view().notes())
          + "); nothing submitted");
    }
    List<Integer> indices = new ArrayList<>();
    List<SweepPlan.Planned> todo = new ArrayList<>();
    for (RunState r : st.runs()) {
      if (r.kind().toSubmit()) {
        indices.add(r.index());
        todo.add(r.run());
      }
    }
    int seeds = plan.configurations() == 0 ? 0 : plan.runs().size() / plan.configurations();
    int active = st.count(Kind.QUEUED) + st.count(Kind.RUNNING) + st.count(Kind.UNKNOWN);
    w.printf(Locale.ROOT, "sweep %s: %d runs (%d configurations x %d seeds) in %s: %d done, %d queued or running, %d to submit%n",
        plan.name(), plan.runs().size(), plan.configurations(), seeds, out, st.count(Kind.DONE), active, todo.size());
    if (!st.view().queueKnown()) {
      st.view().notes().forEach(n -> w.println("  (" + n + ")"));
    }
    if (todo.isEmpty()) {
      w.println(active == 0 ? "nothing to submit: every run has finished (hypercl sweep report " + out + ")"
          : "nothing to submit: the runs not done are queued or running (hypercl sweep status " + out + ")");
      w.flush();
      return 0;
    }
    SlurmScript.writeArgs(out, todo);
    String array = SlurmScript.arraySpec(indices, settings.maxParallel());
    String script = SlurmScript.render(plan, out, indices, settings, SweepRunner.javaCommand());
    Path file = SweepFolder.slurmDir(out).resolve(SweepFolder.SLURM_SCRIPT);
    if (dryRun) {
      AtomicFiles.write(file, script.getBytes(StandardCharsets.UTF_8));
      w.println();
      w.print(script);
      w.println();
      w.printf(Locale.ROOT, "not submitted (--dry-run): %s, array %s (%s). Without --dry-run, sweep run submits it with "
          + "sbatch --parsable and records the job in %s.%n", file, array, SlurmScript.plural(todo.size(), "run"),
          SlurmJobs.file(out));
      w.flush();
      return 0;
    }
    SweepRunner.fillNativeLibraryCache(); // before tasks start side by side, as for local workers
    // Staged under another name and renamed only once sbatch took it, so a refusal leaves the folder as it was.
    Path staged = SweepFolder.slurmDir(out).resolve("." + SweepFolder.SLURM_SCRIPT + ".submitting");
    String jobId;
    try {
      AtomicFiles.write(staged, script.getBytes(StandardCharsets.UTF_8));
      jobId = scheduler.submit(staged);
      try {
        Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(staged);
    }
    SortedMap<Integer, String> runs = new TreeMap<>();
    for (int k = 0; k < indices.size(); k++) {
      runs.put(indices.get(k), todo.get(k).name());
    }
    st.jobs().with(new SlurmJobs.Job(jobId, SlurmScript.jobName(plan.name()), Instant.now().toString(), array, runs, settings)).write(out);
    w.printf(Locale.ROOT, "submitted Slurm job %s: array %s (%s%s), %s each%n", jobId, array, SlurmScript.plural(todo.size(), "run"),
        settings.maxParallel() == null ? "" : ", " + settings.maxParallel() + " at a time", SlurmScript.plural(settings.cpus(), "CPU"));
    w.printf(Locale.ROOT, "  script %s, output %s%n", file, SweepFolder.slurmDir(out).resolve(jobId + "_<index>.out"));
    w.printf(Locale.ROOT, "follow it with: hypercl sweep status %s%n", out);
    w.flush();
    return 0;
  }

  /** The runs of the sweep that Slurm has queued or running, as "12_0, 12_3"; empty if none or the sweep was never submitted. */
  List<String> activeTasks() throws IOException {
    if (SlurmJobs.read(out).isEmpty()) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    for (RunState r : standing().runs()) {
      if ((r.kind() == Kind.QUEUED || r.kind() == Kind.RUNNING) && r.task().isPresent()) {
        ids.add(r.task().get().id());
      }
    }
    return ids;
  }

  /** {@code sweep status} of a sweep submitted to Slurm: the counts, a row per run, the notes, the failed runs' output. */
  void printStatus(PrintWriter w) throws IOException {
    Standing st = standing();
    List<String> paths = plan.sweptPaths();
    List<String> header = new ArrayList<>(List.of("run", "seed"));
    header.addAll(paths);
    header.add("status");
    List<List<String>> rows = new ArrayList<>();
    List<String> logs = new ArrayList<>();
    for (RunState r : st.runs()) {
      List<String> row = new ArrayList<>(List.of(r.run().name(), Long.toString(r.run().seed())));
      row.addAll(SweepPlan.values(r.run(), paths).values());
      row.add(r.describe());
      rows.add(row);
      if (r.kind() == Kind.FAILED) {
        String last = SweepFolder.lastLine(r.log());
        logs.add("  " + r.run().name() + ": " + r.log() + (Files.exists(r.log()) ? "" : " (not there)")
            + (last.isEmpty() ? "" : "\n      " + last));
      }
    }
    Map<Kind, Integer> counts = st.counts();
    List<String> summary = new ArrayList<>();
    for (Kind k : Kind.values()) {
      if (k != Kind.UNKNOWN || counts.containsKey(k)) {
        summary.add(counts.getOrDefault(k, 0) + " " + k.label);
      }
    }
    w.printf(Locale.ROOT, "sweep %s: %d runs on Slurm (job%s %s): %s%n", plan.name(), plan.runs().size(),
        st.jobs().jobs().size() == 1 ? "" : "s", String.join(", ", st.jobs().jobIds()), String.join(", ", summary));
    st.view().notes().forEach(n -> w.println("  (" + n + ")"));
    w.println();
    w.print(SweepReport.table(header, rows));
    if (!logs.isEmpty()) {
      w.println();
      w.println("output of the failed runs' tasks:");
      logs.forEach(w::println);
    }
    int again = (int) st.runs().stream().filter(r -> r.kind().toSubmit()).count();
    if (again > 0) {
      w.println();
      w.printf(Locale.ROOT, "%s neither done nor queued; 'hypercl sweep run SPEC --out %s --slurm ...' submits %s again "
          + "(an array of just those)%n", SlurmScript.plural(again, "run"), out, again == 1 ? "it" : "them");
    }
    w.flush();
  }
}
