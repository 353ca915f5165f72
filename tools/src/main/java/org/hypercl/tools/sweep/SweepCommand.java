package org.hypercl.tools.sweep;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hypercl.tools.UserException;
import org.hypercl.tools.report.SweepReport;
import org.hypercl.training.JsonFiles;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.SweepSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hypercl sweep}: many {@code train} runs from one spec (docs/sweeps.md), run locally or
 * submitted to Slurm as an array job; {@code run}, {@code status} and {@code report}.
 */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    header = "Runs hyperparameter sweeps from a JSON spec, here or on Slurm.",
    description = {
      "Hyperparameter sweeps: a JSON spec (a base experiment, fixed overrides, a grid, random samples, conditional "
          + "overrides, seeds, extra train flags) expanded into runs, each a 'hypercl train' process; see docs/sweeps.md.",
      "Runs here, N at a time, or on Slurm (sweep run --slurm): one sbatch array task per run.",
    },
    subcommands = {SweepCommand.Run.class, SweepCommand.Status.class, SweepCommand.Report.class})
public final class SweepCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: run, status or report");
  }

  /** {@code hypercl sweep run SPEC.json --out DIR [--workers N | --slurm ...]}. */
  @Command(
      name = "run",
      header = "Trains a sweep's runs here, 1 or --workers N at a time, or submits them to Slurm (--slurm); run again to "
          + "continue where it stopped.",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Expands SPEC.json, writes the plan to DIR/sweep.json, then trains every run not yet finished, each as a "
            + "'hypercl train' process into DIR/runs/<name> (output in DIR/logs/<name>.log). A run's name is a hash of "
            + "its overrides plus -seed<S>, so the same configuration has the same name whenever the spec is expanded.",
        "Run it again to continue: finished runs are skipped, stopped ones resumed (train --resume), failed ones tried "
            + "again. Exit code 0 when every run has finished, 1 when some failed, 2 for a bad spec.",
        "With --slurm nothing trains here: the runs not yet done (nor queued or running) become one sbatch array job, "
            + "a task per run running 'hypercl train' with that run's arguments; the script is DIR/slurm/sweep.sbatch, "
            + "each task's output DIR/slurm/<job>_<index>.out, the job ids DIR/slurm/jobs.json. 'sweep status DIR' asks "
            + "squeue and sacct. Run it again after failures to submit just the failed and missing runs. Exit code 0 "
            + "once submitted (or nothing is left to submit), 2 when sbatch is missing or refuses.",
      })
  static final class Run implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SPEC.json", description = "The sweep spec.")
    Path specFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The sweep folder (created if needed).")
    Path out;

    @Option(names = "--workers", paramLabel = "N", description = "Runs at a time; each gets --threads max(1, cores / N) "
        + "unless the spec's train flags give --threads (default: ${DEFAULT-VALUE}).")
    int workers = 1;

    @Option(names = "--dry-run", description = "Write the plan and print it; train nothing. With --slurm: also write the "
        + "sbatch script and print it; submit nothing.")
    boolean dryRun;

    @Option(names = "--slurm", description = "Submit the runs to Slurm as one array job instead of training them here.")
    boolean slurm;

    @Option(names = "--partition", paramLabel = "P", description = "With --slurm: the partition (sbatch --partition); "
        + "default: the cluster's default partition.")
    String partition;

    @Option(names = "--time", paramLabel = "T", description = "With --slurm: each task's time limit (sbatch --time), e.g. "
        + "30:00, 4:00:00 or 1-0; default: the partition's. A task stopped by it keeps its checkpoints; the next submission "
        + "resumes the run.")
    String time;

    @Option(names = "--mem", paramLabel = "M", description = "With --slurm: memory per task (sbatch --mem), e.g. 4G; "
        + "default: the partition's.")
    String mem;

    @Option(names = "--gres", paramLabel = "G", description = "With --slurm: generic resources per task (sbatch --gres), "
        + "e.g. gpu:1 (a GPU run also needs a build with -Pgpu).")
    String gres;

    @Option(names = "--cpus", paramLabel = "C", description = "With --slurm: CPUs per task (sbatch --cpus-per-task), also "
        + "each run's train --threads unless the spec's train flags give --threads (default: " + SlurmSettings.CPUS_DEFAULT + ").")
    Integer cpus;

    @Option(names = "--max-parallel", paramLabel = "K", description = "With --slurm: at most K tasks of the array at a time "
        + "(--array=...%%K); default: as many as the scheduler gives.")
    Integer maxParallel;

    @Option(names = "--slurm-bin", paramLabel = "DIR", description = "The folder of sbatch, squeue and sacct, for an unusual "
        + "install or a test (default: $" + SlurmScheduler.BIN_ENV + " if set, else PATH). Without --slurm, squeue is asked "
        + "only whether runs of an earlier --slurm submission are still queued or running, which are not trained here.")
    Path slurmBin;

    /** The runner of the last call, for tests. */
    SweepRunner runner;

    @Override
    public Integer call() throws IOException {
      if (workers < 1) {
        throw new UserException("--workers must be at least 1, got " + workers);
      }
      SlurmSettings settings = slurmSettings();
      SlurmScheduler scheduler = SlurmScheduler.locate(slurmBin);
      if (slurm && !dryRun) {
        scheduler.require("sbatch", SlurmScheduler.INSTALL_OR_LOCAL); // before anything is written
      }
      SweepSpec s;
      try {
        s = SweepSpec.read(specFile);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage(), e);
      }
      if (Files.exists(out) && !Files.isDirectory(out)) {
        throw new UserException("--out " + out + " is not a folder");
      }
      Path dir = out.toAbsolutePath().normalize();
      if (slurm) {
        SlurmScript.requirePlainPath(dir);
      }
      SweepPlan plan = SweepPlan.build(s, specFile, out, slurm ? settings.cpus() : SweepPlan.localThreads(workers));
      Files.createDirectories(dir);
      PrintWriter w = spec.commandLine().getOut();
      try (SweepLock lock = SweepLock.take(dir)) {
        if (Files.exists(dir.resolve(SweepFolder.PLAN))) {
          plan.requireCompatibleWith(SweepPlan.read(dir), out);
        }
        plan.write(dir);
        if (slurm) {
          if (dryRun) {
            printPlan(w, plan, dir);
            w.println();
          }
          return new SlurmBackend(dir, plan, scheduler).submit(settings, dryRun, w);
        }
        if (dryRun) {
          printPlan(w, plan, dir);
          return 0;
        }
        List<String> onSlurm = new SlurmBackend(dir, plan, scheduler).activeTasks();
        if (!onSlurm.isEmpty()) {
          throw new UserException(dir + ": " + onSlurm.size() + " runs are queued or running on Slurm (" + String.join(", ", onSlurm)
              + "); wait for them (hypercl sweep status " + dir + ") or scancel them before training here");
        }
        runner = new SweepRunner(dir, plan, workers, w);
        return runner.run();
      }
    }

    /** The Slurm flags as settings; refused without --slurm, where they would do nothing. */
    private SlurmSettings slurmSettings() {
      CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
      if (!slurm) {
        for (String f : List.of("--partition", "--time", "--mem", "--gres", "--cpus", "--max-parallel")) {
          if (parsed.hasMatchedOption(f)) {
            throw new UserException(f + " is for Slurm; add --slurm, or leave it out to train here");
          }
        }
        return null;
      }
      if (parsed.hasMatchedOption("--workers")) {
        throw new UserException("--workers is for training here; with --slurm the scheduler decides (--max-parallel K limits it)");
      }
      return new SlurmSettings(partition, time, mem, gres, cpus == null ? SlurmSettings.CPUS_DEFAULT : cpus, maxParallel);
    }

    private static void printPlan(PrintWriter w, SweepPlan plan, Path dir) {
      List<String> paths = plan.sweptPaths();
      w.printf(Locale.ROOT, "sweep %s: %d runs (%d configurations x %d seeds); plan written to %s%n%n", plan.name(),
          plan.runs().size(), plan.configurations(), plan.configurations() == 0 ? 0 : plan.runs().size() / plan.configurations(),
          dir.resolve(SweepFolder.PLAN));
      List<String> header = new ArrayList<>(List.of("run", "seed"));
      header.addAll(paths);
      header.add("would");
      List<List<String>> rows = new ArrayList<>();
      for (SweepPlan.Planned p : plan.runs()) {
        List<String> row = new ArrayList<>(List.of(p.name(), Long.toString(p.seed())));
        row.addAll(SweepPlan.values(p, paths).values());
        Path runDir = SweepFolder.runDir(dir, p.name());
        row.add(SweepFolder.completeResults(runDir) != null ? "skip (done)"
            : Files.isRegularFile(runDir.resolve(RunDirectory.CONFIG)) ? "resume" : "start");
        rows.add(row);
      }
      w.print(SweepReport.table(header, rows));
      w.println();
      w.println("commands (a stopped run is resumed with its resumeArgs in sweep.json instead):");
      for (SweepPlan.Planned p : plan.runs()) {
        w.println("  hypercl " + String.join(" ", p.args().stream().map(Run::shellWord).toList()));
      }
      w.flush();
    }

    /** An argument as a shell would need it typed. */
    static String shellWord(String a) {
      return a.matches("[A-Za-z0-9_./=:,+@%-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
    }
  }

  /** {@code hypercl sweep status DIR}. */
  @Command(
      name = "status",
      header = "Where each run of a sweep stands.",
      mixinStandardHelpOptions = true,
      description = {
        "Where each run of a sweep stands: done, running, failed (the last attempt's exit code), partial "
            + "(tasks done of all; resumed by the next 'sweep run') or pending.",
        "For a sweep submitted with --slurm: done (its run folder has every task's results), running or queued (squeue: "
            + "state, node, reason), failed (how its task ended: squeue's or sacct's state, the exit code the task "
            + "recorded), partial, or not submitted; and the failed tasks' output files.",
      })
  static final class Status implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The sweep folder (--out of sweep run).")
    Path dir;

    @Option(names = "--slurm-bin", paramLabel = "DIR", description = "The folder of squeue and sacct, for a sweep submitted "
        + "to Slurm (default: $" + SlurmScheduler.BIN_ENV + " if set, else PATH).")
    Path slurmBin;

    @Override
    public Integer call() throws IOException {
      SweepPlan plan = SweepPlan.read(dir);
      if (!SlurmJobs.read(dir).isEmpty()) {
        new SlurmBackend(dir.toAbsolutePath().normalize(), plan, SlurmScheduler.locate(slurmBin)).printStatus(spec.commandLine().getOut());
        return 0;
      }
      List<String> paths = plan.sweptPaths();
      Map<SweepFolder.Kind, Integer> counts = new EnumMap<>(SweepFolder.Kind.class);
      List<String> header = new ArrayList<>(List.of("run", "seed"));
      header.addAll(paths);
      header.add("status");
      List<List<String>> rows = new ArrayList<>();
      List<String> logs = new ArrayList<>();
      for (SweepPlan.Planned p : plan.runs()) {
        SweepFolder.Status s = SweepFolder.status(dir, p.name());
        counts.merge(s.kind(), 1, Integer::sum);
        List<String> row = new ArrayList<>(List.of(p.name(), Long.toString(p.seed())));
        row.addAll(SweepPlan.values(p, paths).values());
        row.add(s.describe());
        rows.add(row);
        if (s.kind() == SweepFolder.Kind.FAILED) {
          Path log = SweepFolder.log(dir, p.name());
          String last = SweepFolder.lastLine(log);
          logs.add("  " + p.name() + ": " + log + (last.isEmpty() ? "" : "\n      " + last));
        }
      }
      PrintWriter w = spec.commandLine().getOut();
      List<String> summary = new ArrayList<>();
      for (SweepFolder.Kind k : SweepFolder.Kind.values()) {
        summary.add(counts.getOrDefault(k, 0) + " " + k.name().toLowerCase(Locale.ROOT));
      }
      w.printf(Locale.ROOT, "sweep %s: %d runs: %s%n%n", plan.name(), plan.runs().size(), String.join(", ", summary));
      w.print(SweepReport.table(header, rows));
      if (!logs.isEmpty()) {
        w.println();
        w.println("logs of the failed runs:");
        logs.forEach(w::println);
      }
      w.flush();
      return 0;
    }
  }

  /** {@code hypercl sweep report DIR}. */
  @Command(
      name = "report",
      header = "A sweep's results: each run, each configuration's mean ± sd over its seeds, the best one.",
      mixinStandardHelpOptions = true,
      description = {
        "A row per run of a sweep with its swept values and the mean metric during and after (ACC) of its primary "
            + "matrix (results.json), also as CSV; then per configuration the mean ± sample standard deviation over "
            + "its seeds, and the best configuration.",
      })
  static final class Report implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The sweep folder (--out of sweep run).")
    Path dir;

    @Option(names = "--metric", paramLabel = "after|during", description = "What picks the best configuration: the mean "
        + "metric after the last task (ACC) or right after learning each task (default: ${DEFAULT-VALUE}).")
    String metric = "after";

    @Option(names = "--csv", paramLabel = "FILE", description = "Where to write the CSV, a row per run (default: DIR/report.csv).")
    Path csv;

    @Option(names = "--plot", paramLabel = "PATH", description = "Also draw the metric (mean ± sd over seeds) against this swept "
        + "path, or against compression_ratio, a line per combination of the other swept values: DIR/plot-<PATH>.png "
        + "(e.g. --plot settings.beta for a β study, --plot compression_ratio for a chunking study).")
    List<String> plot;

    @Override
    public Integer call() throws IOException {
      String m = metric.trim().toLowerCase(Locale.ROOT);
      if (!m.equals("after") && !m.equals("during")) {
        throw new UserException("unknown --metric '" + metric + "'; choose after or during");
      }
      SweepPlan plan = SweepPlan.read(dir);
      List<String> paths = plan.sweptPaths();
      List<SweepReport.Row> rows = new ArrayList<>();
      for (SweepPlan.Planned p : plan.runs()) {
        SweepFolder.Status s = SweepFolder.status(dir, p.name());
        double ratio = Double.NaN;
        Path config = SweepFolder.runDir(dir, p.name()).resolve(RunDirectory.CONFIG);
        if (Files.isRegularFile(config)) {
          try {
            ratio = JsonFiles.read(config).path("parameterCounts").path("compressionRatio").asDouble(Double.NaN);
          } catch (RuntimeException e) {
            // Left out of the CSV.
          }
        }
        rows.add(new SweepReport.Row(p.name(), p.config(), p.seed(), SweepPlan.values(p, paths),
            s.kind().name().toLowerCase(Locale.ROOT), s.results(), ratio));
      }
      PrintWriter w = spec.commandLine().getOut();
      w.print(SweepReport.format(plan.name(), paths, rows, m.equals("during")));
      Path file = csv != null ? csv : dir.resolve(SweepFolder.REPORT);
      org.hypercl.tools.Writes.atomically(file, SweepReport.csv(paths, rows).getBytes(StandardCharsets.UTF_8));
      w.println();
      w.println("CSV: " + file);
      for (String x : plot == null ? List.<String>of() : plot) {
        Path png = dir.resolve("plot-" + x.replaceAll("[^A-Za-z0-9._-]+", "-") + ".png");
        try {
          SweepReport.plot(png, plan.name(), x, paths, rows, m.equals("during"));
        } catch (IllegalArgumentException e) {
          throw new UserException(e.getMessage(), e);
        }
        w.println("plot: " + png);
      }
      w.flush();
      return 0;
    }
  }

  /** The exclusive lock on {@code DIR/.sweep.lock} a {@code sweep run} holds, so two never run one sweep. */
  static final class SweepLock implements AutoCloseable {
    /**
     * Sweep folders this process has locked: checked before the lock file is opened, because closing
     * any channel of a file drops every lock the process holds on it (as in RunDirectory).
     */
    private static final java.util.Set<Path> LOCKED_HERE = new java.util.HashSet<>();

    private final Path key;
    private final FileChannel channel;

    private SweepLock(Path key, FileChannel channel) {
      this.key = key;
      this.channel = channel;
    }

    static SweepLock take(Path dir) throws IOException {
      Path key = dir.toRealPath();
      synchronized (LOCKED_HERE) {
        if (LOCKED_HERE.contains(key)) {
          throw inUse(dir);
        }
        FileChannel ch = FileChannel.open(dir.resolve(SweepFolder.LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        } catch (IOException e) {
          ch.close();
          throw e;
        }
        if (lock == null) {
          ch.close();
          throw inUse(dir);
        }
        LOCKED_HERE.add(key);
        return new SweepLock(key, ch);
      }
    }

    private static UserException inUse(Path dir) {
      return new UserException(dir + " is in use by another 'hypercl sweep run' (" + dir.resolve(SweepFolder.LOCK)
          + " is locked); wait for it or stop it");
    }

    @Override
    public void close() throws IOException {
      synchronized (LOCKED_HERE) {
        try {
          channel.close();
        } finally {
          LOCKED_HERE.remove(key);
        }
      }
    }
  }
}
