package org.hypercl.tools.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hypercl.tools.CliRun;
import org.hypercl.tools.HyperclCommand;
import org.hypercl.training.JsonFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SweepCommandTest {

  private record Result(int exit, String out, String err, SweepRunner runner) {}

  private static Result hypercl(String... args) {
    CommandLine cl = HyperclCommand.commandLine();
    CliRun r = CliRun.execute(cl, args);
    SweepCommand.Run run = cl.getSubcommands().get("sweep").getSubcommands().get("run").getCommand();
    return new Result(r.exit(), r.out(), r.err(), run.runner);
  }

  /** A toy-regression sweep: two values of beta times two seeds, a few seconds a run. */
  private static Path toySpec(Path dir, String extra) throws IOException {
    Path spec = dir.resolve("toy.json");
    Files.writeString(spec, ("{'name': 'toy-beta', 'experiment': 'toy-regression', 'set': {'settings.batchSize': 16},"
        + " 'grid': {'settings.beta': [0.005, 0.05]}, 'seeds': [1, 2],"
        + " 'train': ['--iterations', '20', '--checkpoint-every', '0']" + extra + "}").replace('\'', '"'));
    return spec;
  }

  private static List<String> names(Path out) {
    List<String> names = new ArrayList<>();
    JsonFiles.read(out.resolve("sweep.json")).get("runs").forEach(r -> names.add(r.get("name").asText()));
    return names;
  }

  @Test
  void dryRunWritesThePlanAndTrainsNothing(@TempDir Path tmp) throws Exception {
    Path spec = toySpec(tmp, "");
    Path out = tmp.resolve("sweep");
    Result r = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--workers", "2", "--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.runner()).isNull();
    JsonNode plan = JsonFiles.read(out.resolve("sweep.json"));
    assertThat(plan.get("runs")).hasSize(4);
    assertThat(plan.get("configurations").asInt()).isEqualTo(2);
    assertThat(plan.get("spec").get("name").asText()).isEqualTo("toy-beta");
    JsonNode first = plan.get("runs").get(0);
    String name = first.get("name").asText();
    assertThat(name).matches("[0-9a-f]{10}-seed1");
    List<String> args = new ArrayList<>();
    first.get("args").forEach(a -> args.add(a.asText()));
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    assertThat(args).containsExactly("train", "--experiment", "toy-regression", "--iterations", "20", "--checkpoint-every", "0",
        "--seed", "1", "--run-dir", out.toAbsolutePath().resolve("runs").resolve(name).toString(), "--threads", Integer.toString(threads),
        "--set", "settings.batchSize=16", "--set", "settings.beta=0.005");
    List<String> resume = new ArrayList<>();
    first.get("resumeArgs").forEach(a -> resume.add(a.asText()));
    assertThat(resume).containsExactly("train", "--resume", out.toAbsolutePath().resolve("runs").resolve(name).toString(),
        "--threads", Integer.toString(threads));
    assertThat(r.out()).contains("4 runs (2 configurations x 2 seeds)").contains(name).contains("settings.beta")
        .contains("start").contains("hypercl train --experiment toy-regression");
    assertThat(out.resolve("runs")).doesNotExist();
    // Same names on a second expansion; a changed train flag would reuse them for other settings and is refused.
    assertThat(hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--dry-run").exit()).isZero();
    assertThat(names(out).get(0)).isEqualTo(name);
    Path changed = toySpec(Files.createDirectories(tmp.resolve("changed")), "");
    Files.writeString(changed, Files.readString(changed).replace("\"20\"", "\"30\""));
    Result refused = hypercl("sweep", "run", changed.toString(), "--out", out.toString(), "--dry-run");
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err()).contains("hypercl sweep run: ").contains("was planned as").contains("--iterations 20")
        .contains("--iterations 30");
  }

  /** The spec's --threads wins over the computed one, and the flags --resume takes go with it too. */
  @Test
  void trainFlagsGoToNewAndResumedRuns(@TempDir Path tmp) throws Exception {
    Path spec = tmp.resolve("t.json");
    Files.writeString(spec, ("{'name': 't', 'experiment': 'toy-regression', 'seeds': [5],"
        + " 'train': ['--iterations', '20', '--threads', '3', '--export', '--data-dir=/data', '--inter-threads', '2']}").replace('\'', '"'));
    Path out = tmp.resolve("sweep");
    Result r = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--workers", "4", "--dry-run");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode run = JsonFiles.read(out.resolve("sweep.json")).get("runs").get(0);
    List<String> args = new ArrayList<>();
    run.get("args").forEach(a -> args.add(a.asText()));
    assertThat(args.stream().filter(a -> a.startsWith("--threads"))).containsExactly("--threads");
    assertThat(args.get(args.indexOf("--threads") + 1)).isEqualTo("3");
    assertThat(run.get("overrides").isEmpty()).isTrue();
    List<String> resume = new ArrayList<>();
    run.get("resumeArgs").forEach(a -> resume.add(a.asText()));
    assertThat(resume).containsExactly("train", "--resume", out.toAbsolutePath().resolve("runs").resolve(run.get("name").asText()).toString(),
        "--threads", "3", "--export", "--data-dir=/data", "--inter-threads", "2");
    // A second sweep run on a folder in use fails at once.
    try (SweepCommand.SweepLock held = SweepCommand.SweepLock.take(out.toAbsolutePath())) {
      Result busy = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--dry-run");
      assertThat(busy.exit()).isEqualTo(2);
      assertThat(busy.err()).contains("in use by another 'hypercl sweep run'");
    }
  }

  /** The example specs of docs/sweeps expand and pass train's checks (no data is read). */
  @Test
  void theExampleSpecsArePlansOfTheirSize(@TempDir Path tmp) {
    Path docs = Path.of("..", "docs", "sweeps");
    Result beta = hypercl("sweep", "run", docs.resolve("beta-split-mnist.json").toString(), "--out", tmp.resolve("beta").toString(), "--dry-run");
    assertThat(beta.exit()).as(beta.err()).isZero();
    assertThat(beta.out()).contains("27 runs (9 configurations x 3 seeds)");
    Result chunks = hypercl("sweep", "run", docs.resolve("chunks-split-mnist.json").toString(), "--out", tmp.resolve("chunks").toString(), "--dry-run");
    assertThat(chunks.exit()).as(chunks.err()).isZero();
    assertThat(chunks.out()).contains("24 runs (12 configurations x 2 seeds)");
    JsonFiles.read(tmp.resolve("chunks").resolve("sweep.json")).get("runs").forEach(r -> {
      JsonNode o = r.get("overrides");
      assertThat(o.has("hypernetwork.chunkEmbeddingDim")).isEqualTo(o.get("hypernetwork.chunkSize").asInt() == 0);
    });
  }

  @Test
  void badSpecsEndWithOneLineAndExitCode2(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("sweep");
    String[][] cases = {
      {"'grd': {}", "unknown field 'grd'"},
      {"'train': ['--run-dir', 'x']", "train: '--run-dir' may not be given"},
      {"'train': ['--iterations', 'many']", "'many' is not an int"},
      {"'train': ['--itrations', '5']", "--itrations"},
      {"'train': ['--dataset', 'fashion-mnist']", "--dataset cannot be combined with --experiment toy-regression"},
      {"'train': ['--methods', 'hnet,fine-tuning']", "trains 2 methods"},
      {"'conditions': [{'when': {'settings.beta': 0.05}, 'set': {'settings.lookahed': false}}]", "conditions[0].set: override path 'settings.lookahed'"},
    };
    for (String[] c : cases) {
      Path spec = tmp.resolve("bad.json");
      Files.writeString(spec, ("{'name': 'bad', 'experiment': 'toy-regression', 'grid': {'settings.beta': [0.005, 0.05]}, "
          + c[0] + "}").replace('\'', '"'));
      Result r = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--dry-run");
      assertThat(r.exit()).as(c[0] + ": " + r.out() + r.err()).isEqualTo(2);
      assertThat(r.err()).as(c[0]).contains("hypercl sweep run: ").contains(c[1]);
      assertThat(r.err().strip().lines()).as(c[0]).hasSize(1);
      assertThat(out).as("nothing written for " + c[0]).doesNotExist();
    }
    Result missing = hypercl("sweep", "status", tmp.toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).contains("sweep.json is missing");
  }

  /**
   * The whole life of a sweep: four runs on two workers with one failing; the failed one tried again
   * and a stopped one resumed on the next call; a third call starts nothing; status and report.
   */
  @Test
  void runsInParallelRetriesFailuresResumesStoppedRunsAndReports(@TempDir Path tmp) throws Exception {
    Path spec = toySpec(tmp, "");
    Path out = tmp.resolve("sweep");
    assertThat(hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--dry-run").exit()).isZero();
    List<String> names = names(out);
    assertThat(names).hasSize(4);
    // A run that cannot start: its run folder is a file.
    String broken = names.get(3);
    Files.createDirectories(out.resolve("runs"));
    Files.writeString(out.resolve("runs").resolve(broken), "in the way");

    Result first = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--workers", "2");
    assertThat(first.exit()).as(first.out() + first.err()).isEqualTo(1);
    assertThat(first.runner().processesStarted()).isEqualTo(4);
    assertThat(first.out()).contains("[0/4 done, 1 running, 0 failed] ").contains(" finished in ").contains(": after ")
        .contains("1 of 4 runs failed").contains(broken + ": log " + out.toAbsolutePath().resolve("logs").resolve(broken + ".log"))
        .containsPattern("\\[\\d/4 done, \\d running, \\d failed, ETA \\d+ s\\] ");
    for (String n : names.subList(0, 3)) {
      assertThat(out.resolve("runs").resolve(n).resolve("results.json")).exists();
      assertThat(out.resolve("logs").resolve(n + ".log")).content().contains("== ").contains("toy-regression");
    }
    assertThat(JsonFiles.read(out.resolve("state").resolve(broken + ".json")).get("exitCode").asInt()).isEqualTo(2);
    Result status = hypercl("sweep", "status", out.toString());
    assertThat(status.exit()).isZero();
    assertThat(status.out()).contains("3 done, 0 running, 1 failed, 0 partial, 0 pending").contains(broken)
        .contains("failed (exit 2)").contains("logs of the failed runs");

    // Fix the broken run; take another back to where it stood after its first task, as if it had been stopped there.
    Files.delete(out.resolve("runs").resolve(broken));
    Path stopped = out.resolve("runs").resolve(names.get(0));
    Files.delete(stopped.resolve("results.json"));
    for (String late : List.of("task-002", "task-003")) {
      deleteTree(stopped.resolve("checkpoints").resolve(late));
    }
    Files.writeString(stopped.resolve("checkpoints/latest"), "task-001\n");
    assertThat(hypercl("sweep", "status", out.toString()).out()).contains("partial (1 of 3 tasks)");

    Result second = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--workers", "2");
    assertThat(second.exit()).as(second.out() + second.err()).isZero();
    assertThat(second.runner().processesStarted()).isEqualTo(2);
    assertThat(second.out()).contains("2 done, 2 to run").contains(names.get(0) + " resumed").contains(broken + " started")
        .contains("all 4 runs done");
    assertThat(out.resolve("logs").resolve(names.get(0) + ".log")).content().contains("attempt 2").contains("Resuming");
    for (String n : names) {
      assertThat(out.resolve("runs").resolve(n).resolve("results.json")).exists();
    }
    assertThat(JsonFiles.read(out.resolve("sweep.json")).get("runs")).hasSize(4);

    long t0 = System.nanoTime();
    Result third = hypercl("sweep", "run", spec.toString(), "--out", out.toString(), "--workers", "2");
    assertThat(third.exit()).isZero();
    assertThat(third.runner().processesStarted()).isZero();
    assertThat(third.out()).contains("4 done, 0 to run").contains("nothing to do");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);

    assertThat(hypercl("sweep", "status", out.toString()).out()).contains("4 done, 0 running, 0 failed, 0 partial, 0 pending");
    Result report = hypercl("sweep", "report", out.toString());
    assertThat(report.exit()).as(report.err()).isZero();
    String config0 = names.get(0).replace("-seed1", "");
    String config1 = names.get(2).replace("-seed1", "");
    assertThat(report.out()).contains("sweep toy-beta: 4 of 4 runs finished; metric mse (lower is better)")
        .contains("per configuration, mean ± sd over its seeds").containsPattern(config0 + "\\s+0.005\\s+2/2\\s+\\S+ ± \\S+")
        .contains(config1).contains("best by mean after (lower is better): ").contains("over 2 seeds");
    List<String> csv = Files.readAllLines(out.resolve("report.csv"));
    assertThat(csv).hasSize(5);
    assertThat(csv.get(0)).startsWith("run,config,seed,settings.beta,status,metric,tasks,mean_during,mean_after");
    assertThat(csv.get(1)).startsWith(names.get(0) + "," + config0 + ",1,0.005,done,mse,3,");
    Result during = hypercl("sweep", "report", out.toString(), "--metric", "during", "--csv", tmp.resolve("d.csv").toString());
    assertThat(during.out()).contains("best by mean during");
    assertThat(tmp.resolve("d.csv")).exists();

    // The metric against the swept β and against the compression ratio, as PNGs; a path not swept is refused by name.
    Result plots = hypercl("sweep", "report", out.toString(), "--plot", "settings.beta", "--plot", "compression_ratio");
    assertThat(plots.exit()).as(plots.err()).isZero();
    for (String f : List.of("plot-settings.beta.png", "plot-compression_ratio.png")) {
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(out.resolve(f).toFile());
      assertThat(img.getWidth()).isEqualTo(900);
    }
    Result bad = hypercl("sweep", "report", out.toString(), "--plot", "settings.lr");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("settings.lr").contains("not a swept path").contains("settings.beta");
  }

  /** Stopping the sweep (SIGTERM, as Ctrl-C or kill) stops its train processes too. */
  @Test
  void aStoppedSweepLeavesNoTrainingBehind(@TempDir Path tmp) throws Exception {
    Path spec = tmp.resolve("long.json");
    Files.writeString(spec, "{\"name\": \"long\", \"experiment\": \"toy-regression\", \"train\": [\"--iterations\", \"1000000\"]}");
    Path out = tmp.resolve("sweep");
    List<String> cmd = new ArrayList<>(SweepRunner.javaCommand());
    cmd.addAll(List.of("sweep", "run", spec.toString(), "--out", out.toString()));
    Process sweep = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("sweep.log").toFile()).start();
    try {
      Path stateDir = out.resolve("state");
      long child = -1;
      for (int i = 0; i < 600 && child < 0; i++) {
        Thread.sleep(100);
        if (Files.isDirectory(stateDir)) {
          try (Stream<Path> files = Files.list(stateDir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).toList()) {
              JsonNode state = JsonFiles.read(f);
              if (state.path("status").asText().equals("running")) {
                child = state.get("pid").asLong();
              }
            }
          } catch (RuntimeException racing) {
            // Being written; look again.
          }
        }
      }
      assertThat(child).as(Files.readString(tmp.resolve("sweep.log"))).isPositive();
      ProcessHandle training = ProcessHandle.of(child).orElseThrow();
      assertThat(training.isAlive()).isTrue();
      sweep.destroy(); // SIGTERM
      assertThat(sweep.waitFor(60, TimeUnit.SECONDS)).isTrue();
      training.onExit().get(30, TimeUnit.SECONDS);
      assertThat(training.isAlive()).isFalse();
    } finally {
      sweep.destroyForcibly();
    }
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
