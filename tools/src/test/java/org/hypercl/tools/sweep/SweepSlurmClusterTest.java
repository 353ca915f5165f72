package org.hypercl.tools.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.hypercl.tools.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small sweep on a real Slurm cluster, the one of {@code tools/slurm/local-cluster.sh start}
 * (any cluster whose default partition this machine can submit to and whose nodes see this
 * folder): two toy-regression runs as one array job, one of them made to fail; status names the
 * failure, resubmission takes just that run, and the report sees both. Runs only with
 * {@code -Pslurm} or {@code -Dhypercl.slurm=true}.
 */
class SweepSlurmClusterTest {

  private static final Duration WAIT = Duration.ofMinutes(5);

  private static CliRun hypercl(String... args) {
    return CliRun.of(args);
  }

  @Test
  void aSweepOnTheClusterFinishesAfterResubmittingItsFailedRun(@TempDir Path tmp) throws Exception {
    assumeTrue(Boolean.getBoolean("hypercl.slurm"), "needs a Slurm cluster: start one with 'tools/slurm/local-cluster.sh start', "
        + "then run with -Pslurm (or -Dhypercl.slurm=true)");
    requireCluster();
    Path spec = tmp.resolve("toy.json");
    Files.writeString(spec, ("{'name': 'slurm-it', 'experiment': 'toy-regression', 'set': {'settings.beta': 0.05}, 'seeds': [1, 2],"
        + " 'train': ['--iterations', '20', '--checkpoint-every', '0']}").replace('\'', '"'));
    Path out = tmp.resolve("sweep");
    assertThat(hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--dry-run").exit()).isZero();
    String broken = SweepPlan.read(out).runs().get(1).name();
    Files.createDirectories(out.resolve("runs"));
    Files.writeString(out.resolve("runs").resolve(broken), "in the way");

    long submitted = System.currentTimeMillis();
    CliRun first = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--cpus", "1", "--time", "10:00");
    assertThat(first.exit()).as(first.out() + first.err()).isZero();
    assertThat(first.out()).containsPattern("submitted Slurm job \\d+: array 0-1 \\(2 runs\\), 1 CPU each");
    SlurmBackend.Standing st = waitUntilSettled(out);
    waitForTaskRecords(out, SweepPlan.read(out).runs().stream().map(SweepPlan.Planned::name).toList(), submitted);
    assertThat(st.count(SlurmBackend.Kind.DONE)).as(describe(st)).isEqualTo(1);
    assertThat(st.count(SlurmBackend.Kind.FAILED)).as(describe(st)).isEqualTo(1);
    String job1 = st.jobs().jobs().get(0).jobId();
    CliRun status = hypercl("sweep", "status", out.toString());
    assertThat(status.out()).contains("1 done, 0 running, 0 queued, 1 failed").contains("failed (Slurm " + job1 + "_1")
        .contains("exit 2").contains(out.toAbsolutePath().resolve("slurm").resolve(job1 + "_1.out").toString());
    assertThat(out.resolve("slurm").resolve(job1 + "_0.out")).content().contains("== ").contains("new run");

    Files.delete(out.resolve("runs").resolve(broken));
    long resubmitted = System.currentTimeMillis();
    CliRun again = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--cpus", "1", "--time", "10:00");
    assertThat(again.exit()).as(again.out() + again.err()).isZero();
    assertThat(again.out()).contains("1 done, 0 queued or running, 1 to submit").containsPattern("array 1 \\(1 run\\)");
    st = waitUntilSettled(out);
    waitForTaskRecords(out, List.of(broken), resubmitted);
    assertThat(st.count(SlurmBackend.Kind.DONE)).as(describe(st)).isEqualTo(2);
    assertThat(st.jobs().jobs()).hasSize(2);

    CliRun report = hypercl("sweep", "report", out.toString());
    assertThat(report.exit()).as(report.err()).isZero();
    assertThat(report.out()).contains("sweep slurm-it: 2 of 2 runs finished");
    CliRun nothing = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm");
    assertThat(nothing.out()).contains("nothing to submit: every run has finished");
  }

  /** Fails, rather than skips, when asked to run without a cluster to run on. */
  private static void requireCluster() throws IOException {
    SlurmScheduler s = SlurmScheduler.locate(null);
    Path sinfo = s.find("sinfo").orElse(null);
    if (s.find("sbatch").isEmpty() || sinfo == null) {
      fail("-Dhypercl.slurm=true but sbatch or sinfo is not on PATH; start the local cluster: tools/slurm/local-cluster.sh start");
    }
    SlurmScheduler.Output o = SlurmScheduler.execute(List.of(sinfo.toString(), "--noheader", "--format=%t"));
    if (o.exitCode() != 0 || !o.stdout().matches("(?s).*\\b(idle|mix|alloc)\\b.*")) {
      fail("-Dhypercl.slurm=true but no node is up (sinfo: " + o.complaint() + "); tools/slurm/local-cluster.sh start");
    }
  }

  /** Polls until none of the sweep's runs is queued or running. */
  private static SlurmBackend.Standing waitUntilSettled(Path out) throws Exception {
    Instant end = Instant.now().plus(WAIT);
    SlurmBackend backend = new SlurmBackend(out.toAbsolutePath(), SweepPlan.read(out), SlurmScheduler.locate(null));
    while (true) {
      SlurmBackend.Standing st = backend.standing();
      boolean busy = st.runs().stream().anyMatch(r -> r.kind() == SlurmBackend.Kind.QUEUED || r.kind() == SlurmBackend.Kind.RUNNING
          || r.kind() == SlurmBackend.Kind.UNKNOWN);
      if (!busy) {
        return st;
      }
      if (Instant.now().isAfter(end)) {
        fail("the sweep's tasks did not end within " + WAIT + ": " + describe(st));
      }
      Thread.sleep(1000);
    }
  }

  /**
   * Polls until each named run's array task has written its record after {@code since}: the task
   * has ended, and with it its train process. A run counts as done once its results.json exists,
   * while the process still writes the run's plots; the temporary folder must not be removed
   * under it.
   */
  private static void waitForTaskRecords(Path out, List<String> names, long since) throws Exception {
    Instant end = Instant.now().plus(WAIT);
    for (String name : names) {
      Path record = out.resolve("slurm").resolve("tasks").resolve(name + ".json");
      while (!Files.isRegularFile(record) || Files.getLastModifiedTime(record).toMillis() < since) {
        if (Instant.now().isAfter(end)) {
          fail("run " + name + "'s array task wrote no record " + record + " within " + WAIT);
        }
        Thread.sleep(500);
      }
    }
  }

  private static String describe(SlurmBackend.Standing st) {
    return String.join("; ", st.runs().stream().map(r -> r.run().name() + " " + r.describe()).toList());
  }
}
