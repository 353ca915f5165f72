package org.hypercl.tools.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hypercl.tools.CliRun;
import org.hypercl.training.JsonFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sweep run --slurm} and {@code sweep status} against stand-ins for sbatch, squeue and sacct
 * in a folder given with {@code --slurm-bin}: sbatch keeps what it was given and answers with a
 * job id (or refuses), squeue prints what the test put in {@code squeue.out}, sacct says
 * accounting is off, as on the local cluster. The real cluster is SweepSlurmClusterTest's.
 */
class SweepSlurmCommandTest {

  private static CliRun hypercl(String... args) {
    return CliRun.of(args);
  }

  /** Three values of beta times two seeds on the toy regression: six runs. */
  private static Path spec(Path dir) throws IOException {
    Path spec = dir.resolve("toy.json");
    Files.writeString(spec, ("{'name': 'toy-beta', 'experiment': 'toy-regression', 'grid': {'settings.beta': [0.005, 0.05, 0.5]},"
        + " 'seeds': [1, 2], 'train': ['--iterations', '20', '--checkpoint-every', '0']}").replace('\'', '"'));
    return spec;
  }

  private static Path fakeSlurm(Path dir) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    script(bin.resolve("sbatch"), """
        #!/bin/bash
        d=$(dirname "$0")
        n=$(ls "$d" | grep -c '^submitted-')
        printf '%s\\n' "$@" > "$d/sbatch.args.$n"
        cp "${@: -1}" "$d/submitted-$n.sbatch"
        if [[ -f $d/sbatch.fail ]]; then cat "$d/sbatch.fail" >&2; exit 1; fi
        echo "$((4242 + n));hypercl-local"
        """);
    script(bin.resolve("squeue"), """
        #!/bin/bash
        d=$(dirname "$0")
        printf '%s\\n' "$@" > "$d/squeue.args"
        cat "$d/squeue.out" 2>/dev/null
        exit 0
        """);
    script(bin.resolve("sacct"), """
        #!/bin/bash
        echo "sacct: error: Slurm accounting storage is disabled" >&2
        exit 1
        """);
    return bin;
  }

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static List<JsonNode> runs(Path out) {
    List<JsonNode> runs = new ArrayList<>();
    JsonFiles.read(out.resolve("sweep.json")).get("runs").forEach(runs::add);
    return runs;
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.asText()));
    return out;
  }

  /** A task's record as the array script writes it. */
  private static void record(Path out, String name, String job, int index, int exit) throws IOException {
    Files.createDirectories(out.resolve("slurm/tasks"));
    Files.writeString(out.resolve("slurm/tasks").resolve(name + ".json"), ("{'arrayJobId': '" + job + "', 'arrayTaskId': " + index
        + ", 'jobId': '9', 'node': 'vm', 'mode': 'new', 'started': 1, 'seconds': 2, 'exitCode': " + exit + "}").replace('\'', '"'));
  }

  /**
   * Submission, status and resubmission: six runs submitted as one array; then one running, one
   * queued, one failed in the queue, one done, one gone from the queue without a trace and one
   * known failed only from its record; the next submission takes just the three failed ones;
   * sbatch refusing leaves the folder as it was.
   */
  @Test
  void submitsAnArrayReportsEachRunAndResubmitsOnlyTheFailedOnes(@TempDir Path tmp) throws Exception {
    Path spec = spec(tmp);
    Path bin = fakeSlurm(tmp);
    Path out = tmp.resolve("sweep");
    CliRun r = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--slurm-bin", bin.toString(),
        "--cpus", "2", "--max-parallel", "2", "--partition", "short", "--time", "10:00", "--mem", "1G");
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("sweep toy-beta: 6 runs (3 configurations x 2 seeds)").contains("0 done, 0 queued or running, 6 to submit")
        .contains("submitted Slurm job 4242: array 0-5%2 (6 runs, 2 at a time), 2 CPUs each")
        .contains("hypercl sweep status " + out.toAbsolutePath());
    Path slurm = out.resolve("slurm");
    List<String> sbatchArgs = Files.readAllLines(bin.resolve("sbatch.args.0"));
    assertThat(sbatchArgs).hasSize(2);
    assertThat(sbatchArgs.get(0)).isEqualTo("--parsable");
    String submitted = Files.readString(bin.resolve("submitted-0.sbatch"));
    assertThat(Files.readString(slurm.resolve("sweep.sbatch"))).isEqualTo(submitted);
    assertThat(submitted).contains("#SBATCH --array=0-5%2\n").contains("#SBATCH --cpus-per-task=2\n").contains("#SBATCH --partition=short\n")
        .contains("#SBATCH --time=10:00\n").contains("#SBATCH --mem=1G\n").contains("#SBATCH --job-name=hypercl-toy-beta\n")
        .contains("#SBATCH --output=" + slurm.toAbsolutePath() + "/%A_%a.out\n").doesNotContain("--gres");
    // The launcher is absolute: a compute node starts the task in the sweep folder, not here.
    String launcher = submitted.lines().filter(l -> l.startsWith("launcher=(")).findFirst().orElseThrow();
    assertThat(launcher).startsWith("launcher=('/").contains("'-cp' '/").endsWith("'org.hypercl.tools.HyperclCommand')");
    List<JsonNode> runs = runs(out);
    List<String> names = runs.stream().map(n -> n.get("name").asText()).toList();
    assertThat(submitted).contains("runs=(" + String.join(" ", names) + ")\n");
    for (JsonNode run : runs) {
      List<String> args = strings(run.get("args"));
      assertThat(args.get(args.indexOf("--threads") + 1)).as("--cpus is the run's threads").isEqualTo("2");
      assertThat(SlurmScript.readArgs(SweepFolder.slurmArgs(out, run.get("name").asText(), "new"))).isEqualTo(args);
      assertThat(SlurmScript.readArgs(SweepFolder.slurmArgs(out, run.get("name").asText(), "resume"))).isEqualTo(strings(run.get("resumeArgs")));
    }
    JsonNode jobs = JsonFiles.read(slurm.resolve("jobs.json"));
    assertThat(jobs.get("jobs")).hasSize(1);
    JsonNode job = jobs.get("jobs").get(0);
    assertThat(job.get("jobId").asText()).isEqualTo("4242");
    assertThat(job.get("array").asText()).isEqualTo("0-5%2");
    assertThat(job.get("settings").get("cpus").asInt()).isEqualTo(2);
    assertThat(job.get("runs")).hasSize(6);
    assertThat(job.get("runs").get(4).get("name").asText()).isEqualTo(names.get(4));
    assertThat(job.get("runs").get(4).get("index").asInt()).isEqualTo(4);

    // Where the six stand now.
    Files.writeString(bin.resolve("squeue.out"), "4242_0|RUNNING|None|vm\n4242_1|PENDING|Resources|\n4242_2|FAILED|NonZeroExitCode|vm\n"
        + "999_0|RUNNING|None|vm\n");
    record(out, names.get(2), "4242", 2, 1);
    Files.writeString(slurm.resolve("4242_2.out"), "== start\nError: the toy broke\n");
    record(out, names.get(5), "4242", 5, 137);
    CliRun trained = hypercl(strings(runs.get(3).get("args")).toArray(String[]::new));
    assertThat(trained.exit()).as(trained.err()).isZero();
    CliRun status = hypercl("sweep", "status", out.toString(), "--slurm-bin", bin.toString());
    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out()).contains("sweep toy-beta: 6 runs on Slurm (job 4242): 1 done, 1 running, 1 queued, 3 failed, 0 partial, "
            + "0 not submitted")
        .contains("(sacct has no data (sacct: error: Slurm accounting storage is disabled)")
        .contains("running (Slurm 4242_0 on vm)").contains("queued (Slurm 4242_1 PENDING: Resources)")
        .contains("failed (Slurm 4242_2 FAILED, exit 1)").contains("failed (Slurm 4242_4 left the queue without a record")
        .contains("failed (Slurm 4242_5 exit 137)").contains("output of the failed runs' tasks")
        .contains(slurm.toAbsolutePath().resolve("4242_2.out").toString()).contains("Error: the toy broke")
        .contains("3 runs neither done nor queued").doesNotContain("999_0");
    assertThat(Files.readAllLines(bin.resolve("squeue.args"))).contains("--name=hypercl-toy-beta", "--states=all", "--array");

    // Training here while Slurm has runs of the sweep is refused.
    CliRun local = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm-bin", bin.toString());
    assertThat(local.exit()).isEqualTo(2);
    assertThat(local.err()).contains("2 runs are queued or running on Slurm (4242_0, 4242_1)");

    // Resubmission: the failed and lost runs only, as an index list.
    CliRun again = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--slurm-bin", bin.toString());
    assertThat(again.exit()).as(again.out() + again.err()).isZero();
    assertThat(again.out()).contains("1 done, 2 queued or running, 3 to submit").contains("submitted Slurm job 4243: array 2,4-5 (3 runs), 1 CPU each");
    String second = Files.readString(bin.resolve("submitted-1.sbatch"));
    assertThat(second).contains("#SBATCH --array=2,4-5\n").contains("#SBATCH --cpus-per-task=1\n")
        .contains("runs=(" + String.join(" ", names) + ")\n");
    JsonNode jobs2 = JsonFiles.read(slurm.resolve("jobs.json")).get("jobs");
    assertThat(jobs2).hasSize(2);
    List<Integer> indices = new ArrayList<>();
    jobs2.get(1).get("runs").forEach(x -> indices.add(x.get("index").asInt()));
    assertThat(indices).containsExactly(2, 4, 5);
    // The old record of run 2 (job 4242) is not taken for its new task.
    Files.writeString(bin.resolve("squeue.out"), "4242_0|RUNNING|None|vm\n4242_1|RUNNING|None|vm\n4243_2|PENDING|Priority|\n"
        + "4243_4|PENDING|Priority|\n4243_5|PENDING|Priority|\n");
    CliRun status2 = hypercl("sweep", "status", out.toString(), "--slurm-bin", bin.toString());
    assertThat(status2.out()).contains("(jobs 4242, 4243): 1 done, 2 running, 3 queued, 0 failed").contains("queued (Slurm 4243_2 PENDING: Priority)");
    CliRun nothing = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--slurm-bin", bin.toString());
    assertThat(nothing.exit()).isZero();
    assertThat(nothing.out()).contains("nothing to submit: the runs not done are queued or running");
    assertThat(bin.resolve("submitted-2.sbatch")).doesNotExist();

    // sbatch refuses: its message and a non-zero exit; jobs.json and the script as they were.
    Files.writeString(bin.resolve("squeue.out"), "");
    Files.writeString(bin.resolve("sbatch.fail"), "sbatch: error: invalid partition specified: nope\n"
        + "sbatch: error: Batch job submission failed: Invalid partition name specified\n");
    CliRun refused = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--slurm-bin", bin.toString(),
        "--partition", "nope");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("hypercl sweep run: sbatch refused the job (exit 1): sbatch: error: invalid partition specified: nope; "
        + "sbatch: error: Batch job submission failed");
    assertThat(JsonFiles.read(slurm.resolve("jobs.json")).get("jobs")).hasSize(2);
    assertThat(Files.readString(slurm.resolve("sweep.sbatch"))).isEqualTo(second);
    try (Stream<Path> files = Files.list(slurm)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.startsWith("."));
    }
  }

  @Test
  void aDryRunWritesAndPrintsTheScriptAndSubmitsNothing(@TempDir Path tmp) throws Exception {
    Path spec = spec(tmp);
    Path empty = Files.createDirectories(tmp.resolve("no-slurm-here"));
    Path out = tmp.resolve("sweep");
    CliRun r = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--slurm-bin", empty.toString(),
        "--gres", "gpu:1", "--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    String script = Files.readString(out.resolve("slurm/sweep.sbatch"));
    assertThat(r.out()).contains("6 runs (3 configurations x 2 seeds)").contains(script)
        .contains("not submitted (--dry-run)").contains("array 0-5 (6 runs)");
    assertThat(script).contains("#SBATCH --array=0-5\n").contains("#SBATCH --gres=gpu:1\n");
    assertThat(out.resolve("slurm/jobs.json")).doesNotExist();
    assertThat(out.resolve("runs")).doesNotExist();
    // Without a submission, status is the local one.
    assertThat(hypercl("sweep", "status", out.toString()).out()).contains("0 done, 0 running, 0 failed, 0 partial, 6 pending");
  }

  @Test
  void noSbatchMeansOneLineAndNothingWritten(@TempDir Path tmp) throws Exception {
    Path spec = spec(tmp);
    Path empty = Files.createDirectories(tmp.resolve("no-slurm-here"));
    Path out = tmp.resolve("sweep");
    CliRun r = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--slurm-bin", empty.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err().strip()).startsWith("hypercl sweep run: sbatch not found in " + empty + " (--slurm-bin); install Slurm or run "
        + "without --slurm").hasLineCount(1);
    assertThat(out).doesNotExist();
  }

  @Test
  void slurmFlagsNeedSlurmAndWorkersDoNotGoWithIt(@TempDir Path tmp) throws Exception {
    Path spec = spec(tmp);
    Path out = tmp.resolve("sweep");
    CliRun partition = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--partition", "short", "--dry-run");
    assertThat(partition.exit()).isEqualTo(2);
    assertThat(partition.err()).contains("--partition is for Slurm; add --slurm");
    CliRun workers = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--workers", "2", "--dry-run");
    assertThat(workers.exit()).isEqualTo(2);
    assertThat(workers.err()).contains("--workers is for training here");
    CliRun cpus = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--slurm", "--cpus", "0", "--dry-run");
    assertThat(cpus.exit()).isEqualTo(2);
    assertThat(cpus.err()).contains("--cpus must be at least 1");
    Path spaced = tmp.resolve("a sweep");
    CliRun blank = hypercl("sweep", "run", spec.toString(), "--out", spaced.toString(), "--slurm", "--dry-run");
    assertThat(blank.exit()).isEqualTo(2);
    assertThat(blank.err()).contains("must be a plain path");
    assertThat(out).doesNotExist();
    assertThat(spaced).doesNotExist();
  }

  @Test
  void helpExplainsEveryFlag() {
    CliRun help = hypercl("sweep", "run", "--help");
    assertThat(help.exit()).isZero();
    for (String flag : List.of("--out", "--workers", "--dry-run", "--slurm", "--partition", "--time", "--mem", "--gres", "--cpus",
        "--max-parallel", "--slurm-bin")) {
      assertThat(help.out()).as(flag).containsPattern("\\Q" + flag + "\\E[ =].*\\S{3,}");
    }
    assertThat(help.out()).contains("--array=...%K").contains("DIR/slurm/sweep.sbatch");
    assertThat(hypercl("sweep", "status", "--help").out()).contains("--slurm-bin").contains("squeue");
  }
}
