package org.hypercl.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

  private static CliRun hypercl(String... args) {
    return CliRun.of(args);
  }

  @Test
  void trainsAnExperimentWithItsBaselinesAndWritesEveryFile(@TempDir Path tmp) {
    CliRun r = hypercl("train", "--experiment", "toy-regression", "--iterations", "60", "--checkpoint-every", "25",
        "--baselines", "--run-dir", tmp.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("task 1 time: 60 steps [0-9.]+ s in TensorFlow \\([0-9.]+ ms/step\\), [0-9.]+ s around them, "
        + "checkpoints [0-9.]+ s, end of task [0-9.]+ s, evaluation and checkpoint [0-9.]+ s");
    assertThat(r.out()).contains("target network 1-10-10-1 (sigmoid): 141 weights")
        .contains("compression ratio")
        .contains("toy-regression-fine-tuning")
        .contains("toy-regression-target-only");
    for (String run : List.of("hnet", "fine-tuning", "target-only")) {
      Path dir = tmp.resolve(run);
      assertThat(dir.resolve("config.json")).exists();
      assertThat(dir.resolve("results.json")).exists();
      assertThat(dir.resolve("results.csv")).exists();
      assertThat(dir.resolve("checkpoints/task-003/state.json")).exists();
      try (var events = Files.list(dir.resolve("events"))) {
        assertThat(events.count()).isEqualTo(1);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    assertThat(RunDirectory.open(tmp.resolve("target-only")).readConfig().method().name()).isEqualTo("TARGET_NETWORK");
  }

  /**
   * Each method's run resumes from a checkpoint to the results of the uninterrupted run: the data
   * comes from what config.json recorded, not from the run's name ("toy-regression-fine-tuning").
   */
  @Test
  void everyMethodsRunResumesToTheSameResults(@TempDir Path tmp) throws Exception {
    CliRun r = hypercl("train", "--experiment", "toy-regression", "--iterations", "40", "--checkpoint-every", "0",
        "--baselines", "--run-dir", tmp.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    for (String method : List.of("hnet", "fine-tuning", "target-only")) {
      Path dir = tmp.resolve(method);
      RunResults straight = RunDirectory.open(dir).readResults();
      // Back to where the run stood after task 1.
      Files.delete(dir.resolve("results.json"));
      for (String late : List.of("task-002", "task-003")) {
        try (var files = Files.walk(dir.resolve("checkpoints").resolve(late))) {
          for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
      Files.writeString(dir.resolve("checkpoints/latest"), "task-001\n");
      CliRun resumed = hypercl("train", "--resume", dir.toString());
      assertThat(resumed.exit()).as(method + ": " + resumed.err()).isZero();
      assertThat(resumed.out()).contains("Resuming");
      RunResults again = RunDirectory.open(dir).readResults();
      assertThat(again.matrices().keySet()).isEqualTo(straight.matrices().keySet());
      assertThat(Arrays.deepEquals(again.matrix(), straight.matrix()))
          .as("%s: resumed %s, straight %s", method, Arrays.deepToString(again.matrix()), Arrays.deepToString(straight.matrix()))
          .isTrue();
    }
  }

  @Test
  void methodsPicksWhichRunsToTrain(@TempDir Path tmp) throws Exception {
    Path one = tmp.resolve("one");
    CliRun single = hypercl("train", "--experiment", "toy-regression", "--iterations", "40", "--methods", "target-only",
        "--run-dir", one.toString());
    assertThat(single.exit()).as(single.err()).isZero();
    assertThat(RunDirectory.open(one).readConfig().method().name()).isEqualTo("TARGET_NETWORK");
    assertThat(one.resolve("results.json")).exists();

    Path two = tmp.resolve("two");
    CliRun pair = hypercl("train", "--experiment", "toy-regression", "--iterations", "40", "--methods", "fine-tuning,hnet",
        "--run-dir", two.toString());
    assertThat(pair.exit()).as(pair.err()).isZero();
    try (var dirs = Files.list(two)) {
      assertThat(dirs.map(d -> d.getFileName().toString())).containsExactlyInAnyOrder("hnet", "fine-tuning");
    }
    assertThat(RunDirectory.open(two.resolve("fine-tuning")).readConfig().settings().beta()).isZero();
    assertThat(RunDirectory.open(two.resolve("hnet")).readConfig().settings().beta()).isPositive();
    // The hypernetwork run is listed first whatever order the flag gave.
    assertThat(pair.out().indexOf("toy-regression-fine-tuning")).isGreaterThan(pair.out().indexOf("== toy-regression ("));
  }

  @Test
  void badInputEndsWithOneLineAndExitCode2(@TempDir Path tmp) {
    CliRun unknown = hypercl("train", "--experiment", "nope", "--run-dir", tmp.resolve("x").toString());
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("unknown experiment 'nope'").contains("split-mnist");
    CliRun notARun = hypercl("train", "--resume", tmp.toString());
    assertThat(notARun.exit()).isEqualTo(2);
    assertThat(notARun.err()).contains(tmp.toString()).contains("config.json");
    CliRun negative = hypercl("train", "--experiment", "toy-regression", "--beta", "-1", "--run-dir", tmp.resolve("y").toString());
    assertThat(negative.exit()).isEqualTo(2);
    assertThat(negative.err()).contains("beta");
    assertThat(tmp.resolve("y")).doesNotExist();
    CliRun badMethod = hypercl("train", "--experiment", "toy-regression", "--methods", "hnet,gan", "--run-dir", tmp.resolve("z").toString());
    assertThat(badMethod.exit()).isEqualTo(2);
    assertThat(badMethod.err()).contains("unknown method 'gan'").contains("online-ewc").contains("hnet-r");
    assertThat(tmp.resolve("z")).doesNotExist();
    // A method the experiment cannot have stops the command before any method trains.
    CliRun replayOnToy = hypercl("train", "--experiment", "toy-regression", "--methods", "hnet,dgr", "--run-dir", tmp.resolve("v").toString());
    assertThat(replayOnToy.exit()).isEqualTo(2);
    assertThat(replayOnToy.err()).contains("dgr replays images to an MLP classifier");
    assertThat(tmp.resolve("v")).doesNotExist();
    CliRun both = hypercl("train", "--experiment", "toy-regression", "--methods", "hnet", "--baselines", "--run-dir", tmp.resolve("w").toString());
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--baselines or --methods");
  }

  @Test
  void aSecondTrainingIntoALockedRunFolderFailsAtOnceAndChangesNothing(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    CliRun first = hypercl("train", "--experiment", "toy-regression", "--iterations", "20", "--run-dir", dir.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    List<String> files = listTree(dir);
    byte[] config = Files.readAllBytes(dir.resolve("config.json"));
    byte[] results = Files.readAllBytes(dir.resolve("results.json"));
    try (RunDirectory training = RunDirectory.openForTraining(dir)) { // as a training in progress holds it
      for (String[] args : List.of(new String[] {"train", "--resume", dir.toString()},
          new String[] {"train", "--experiment", "toy-regression", "--iterations", "20", "--run-dir", dir.toString()})) {
        CliRun r = hypercl(args);
        assertThat(r.exit()).as(r.err()).isEqualTo(2);
        assertThat(r.err()).contains(dir.toString()).contains("in use by another training");
        assertThat(r.err().lines()).hasSize(1);
      }
    }
    assertThat(listTree(dir)).isEqualTo(files);
    assertThat(Files.readAllBytes(dir.resolve("config.json"))).isEqualTo(config);
    assertThat(Files.readAllBytes(dir.resolve("results.json"))).isEqualTo(results);
  }

  private static List<String> listTree(Path root) throws java.io.IOException {
    try (var s = Files.walk(root)) {
      return s.map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  /** evaluate rebuilds every row from the task checkpoints: the matrices training filled, exactly. */
  @Test
  void evaluateReproducesTheMatricesOfTrainingAndRefusesAnImpossibleScenario(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    writeMnist(data.resolve("mnist"), 200, 60);
    Path run = tmp.resolve("run");
    CliRun trained = hypercl("train", "--experiment", "split-mnist", "--data-dir", data.toString(), "--tasks", "3",
        "--iterations", "30", "--batch-size", "16", "--checkpoint-every", "0", "--run-dir", run.toString());
    assertThat(trained.exit()).as(trained.err()).isZero();
    assertThat(trained.out()).contains("without the task id").contains("cl3").contains("max-softmax");
    RunResults r = RunDirectory.open(run).readResults();

    // Without --data-dir: the folder the run recorded.
    CliRun eval = hypercl("evaluate", run.toString(), "--scenario", "cl3");
    assertThat(eval.exit()).as(eval.err()).isZero();
    assertThat(eval.out()).contains("cl3/entropy").contains("after task 3: evaluated tasks 1-3");
    RunResults again = RunDirectory.open(run).readEvaluation("cl3");
    assertThat(again.primary()).isEqualTo("cl3/entropy");
    assertThat(again.matrices().keySet()).isEqualTo(r.matrices().keySet());
    for (String name : r.matrices().keySet()) {
      assertThat(Arrays.deepEquals(again.matrices().get(name), r.matrices().get(name)))
          .as("%s: evaluated %s, trained %s", name, Arrays.deepToString(again.matrices().get(name)),
              Arrays.deepToString(r.matrices().get(name)))
          .isTrue();
    }

    CliRun last = hypercl("evaluate", run.toString(), "--after-only", "--data-dir", data.toString());
    assertThat(last.exit()).as(last.err()).isZero();
    RunResults after = RunDirectory.open(run).readEvaluation("cl1-after");
    assertThat(after.matrix()[2]).containsExactly(r.matrix()[2]);
    assertThat(after.matrix()[0][0]).isNaN();

    CliRun cl2 = hypercl("evaluate", run.toString(), "--scenario", "cl2", "--data-dir", data.toString());
    assertThat(cl2.exit()).isEqualTo(2);
    assertThat(cl2.err()).contains("5 output head(s)").contains("cl2 needs one shared head");

    // Other data than the run was trained on: refused, naming the file.
    assertThat(org.hypercl.training.JsonFiles.read(run.resolve("config.json")).at("/dataOptions/dataFiles")
        .path("train-images-idx3-ubyte").asText()).hasSize(64);
    writeMnist(data.resolve("mnist"), 210, 60);
    CliRun changed = hypercl("evaluate", run.toString(), "--data-dir", data.toString());
    assertThat(changed.exit()).isEqualTo(2);
    assertThat(changed.err()).contains(data.resolve("mnist/train-images-idx3-ubyte").toString()).contains("SHA-256");
  }

  @Test
  void trainSaysWhichDataFolderItUsesAndRecordsItAndABrokenOneFails(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    writeMnist(data.resolve("mnist"), 40, 20);
    Path run = tmp.resolve("run");
    CliRun r = hypercl("train", "--experiment", "split-mnist", "--data-dir", data.toString(), "--tasks", "1",
        "--iterations", "3", "--batch-size", "4", "--checkpoint-every", "0", "--run-dir", run.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("data: mnist from " + data.resolve("mnist") + System.lineSeparator());
    assertThat(org.hypercl.training.JsonFiles.read(run.resolve("config.json")).at("/dataOptions/dataFolder").asText())
        .isEqualTo(data.resolve("mnist").toString());

    Files.delete(data.resolve("mnist/t10k-images-idx3-ubyte"));
    CliRun broken = hypercl("train", "--experiment", "split-mnist", "--data-dir", data.toString(), "--tasks", "1",
        "--iterations", "3", "--run-dir", tmp.resolve("run2").toString());
    assertThat(broken.exit()).isEqualTo(2);
    assertThat(broken.err()).startsWith("hypercl train: " + data.resolve("mnist/t10k-images-idx3-ubyte.gz") + ": file not found");
    assertThat(broken.err().lines()).hasSize(1);
    assertThat(tmp.resolve("run2")).doesNotExist();
  }

  /**
   * In cl3 the baselines and the multitask bound learn class-incrementally and are headlined by
   * max-logit unless --task-inference names a score; hnet keeps entropy.
   */
  @Test
  void cl3BaselinesAreClassIncrementalAndReadByMaxLogit(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    writeMnist(data.resolve("mnist"), 60, 20);
    Path run = tmp.resolve("run");
    CliRun r = hypercl("train", "--experiment", "split-mnist", "--data-dir", data.toString(), "--tasks", "2", "--scenario", "cl3",
        "--methods", "hnet,multitask,si", "--iterations", "5", "--batch-size", "8", "--checkpoint-every", "0",
        "--run-dir", run.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    for (String m : List.of("multitask", "si")) {
      var config = RunDirectory.open(run.resolve(m)).readConfig();
      assertThat(config.name()).isEqualTo("split-mnist-" + m);
      assertThat(config.method().classIncremental(config)).isTrue();
      assertThat(RunDirectory.open(run.resolve(m)).readResults().primary()).isEqualTo("cl3/max-logit");
    }
    assertThat(RunDirectory.open(run.resolve("hnet")).readResults().primary()).isEqualTo("cl3/entropy");
    CliRun chosen = hypercl("train", "--experiment", "split-mnist", "--data-dir", data.toString(), "--tasks", "2", "--scenario", "cl3",
        "--methods", "multitask", "--task-inference", "entropy", "--iterations", "5", "--batch-size", "8", "--checkpoint-every", "0",
        "--run-dir", tmp.resolve("chosen").toString());
    assertThat(chosen.exit()).as(chosen.err()).isZero();
    assertThat(RunDirectory.open(tmp.resolve("chosen")).readResults().primary()).isEqualTo("cl3/entropy");
  }

  /**
   * MNIST-shaped IDX files, uncompressed: labels cycling through the ten digits, each image dark but
   * for a band of 78 pixels that its digit picks (so a classifier has something to learn).
   */
  static void writeMnist(Path dir, int nTrain, int nTest) throws java.io.IOException {
    Files.createDirectories(dir);
    for (String prefix : new String[] {"train", "t10k"}) {
      int n = prefix.equals("train") ? nTrain : nTest;
      byte[] labels = new byte[n];
      byte[] pixels = new byte[n * 784];
      for (int i = 0; i < n; i++) {
        labels[i] = (byte) (i % 10);
        for (int p = 0; p < 78; p++) {
          pixels[i * 784 + (i % 10) * 78 + p] = (byte) (150 + (i * 7 + p) % 100);
        }
      }
      Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), idx(new int[] {n, 28, 28}, pixels));
      Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), idx(new int[] {n}, labels));
    }
  }

  private static byte[] idx(int[] dims, byte[] data) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + data.length); // big-endian
    b.put(new byte[] {0, 0, 8, (byte) dims.length});
    for (int d : dims) {
      b.putInt(d);
    }
    return b.put(data).array();
  }

  @Test
  void optionsThatWouldBeIgnoredAreRefused(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    CliRun first = hypercl("train", "--experiment", "toy-regression", "--iterations", "20", "--run-dir", dir.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    List<String> files = listTree(dir);
    byte[] config = Files.readAllBytes(dir.resolve("config.json"));

    CliRun withSettings = hypercl("train", "--resume", dir.toString(), "--iterations", "5", "--threads", "1",
        "--methods", "hnet", "--seed", "3", "--methods", "fine-tuning", "--no-lookahead");
    assertThat(withSettings.exit()).isEqualTo(2);
    assertThat(withSettings.err()).isEqualTo("hypercl train: cannot combine --iterations, --methods, --seed, "
        + "--no-lookahead with --resume: a resumed run keeps the settings in its config.json (with --resume, only "
        + "--threads, --inter-threads, --export and --data-dir may be given)" + System.lineSeparator());
    assertThat(listTree(dir)).isEqualTo(files);

    CliRun allowed = hypercl("train", "--resume", dir.toString(), "--threads", "1", "--inter-threads", "2");
    assertThat(allowed.exit()).as(allowed.err()).isZero();
    assertThat(allowed.out()).contains("intraOpThreads=1").contains("interOpThreads=2");
    assertThat(Files.readAllBytes(dir.resolve("config.json"))).isEqualTo(config);

    CliRun toyDataset = hypercl("train", "--experiment", "toy-regression", "--dataset", "fashion-mnist", "--run-dir",
        tmp.resolve("toy").toString());
    assertThat(toyDataset.exit()).isEqualTo(2);
    assertThat(toyDataset.err()).contains("--dataset").contains("toy-regression").hasLineCount(1);
    assertThat(tmp.resolve("toy")).doesNotExist();
    // The default --dataset does not count as given.
    CliRun toy = hypercl("train", "--experiment", "toy-regression", "--iterations", "5", "--run-dir",
        tmp.resolve("toy").toString());
    assertThat(toy.exit()).as(toy.err()).isZero();
  }

  /** A real SIGKILL of a training process at an arbitrary moment, then --resume. */
  @Test
  void aKilledTrainingProcessResumesToTheResultsOfAnUninterruptedRun(@TempDir Path tmp) throws Exception {
    String[] common = {"--experiment", "toy-regression", "--iterations", "3000", "--checkpoint-every", "200"};
    Path straight = tmp.resolve("straight");
    CliRun s = hypercl(concat(new String[] {"train"}, common, new String[] {"--run-dir", straight.toString()}));
    assertThat(s.exit()).as(s.err()).isZero();

    Path killed = tmp.resolve("killed");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), HyperclCommand.class.getName(), "train"));
    cmd.addAll(Arrays.asList(common));
    cmd.addAll(List.of("--run-dir", killed.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
    try {
      Path latest = killed.resolve("checkpoints/latest");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline && p.isAlive()
          && !(Files.exists(latest) && Files.readString(latest).trim().compareTo("in-task-002") > 0)) {
        Thread.sleep(20);
      }
      assertThat(p.isAlive()).as("the child should still be training when killed").isTrue();
    } finally {
      p.destroyForcibly(); // SIGKILL
      p.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(killed.resolve("results.json")).doesNotExist();
    CliRun resumed = hypercl("train", "--resume", killed.toString());
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    RunResults a = RunDirectory.open(straight).readResults();
    RunResults b = RunDirectory.open(killed).readResults();
    assertThat(Arrays.deepEquals(a.matrix(), b.matrix()))
        .as("straight %s, resumed %s", Arrays.deepToString(a.matrix()), Arrays.deepToString(b.matrix()))
        .isTrue();
  }

  private static String[] concat(String[]... parts) {
    List<String> all = new ArrayList<>();
    for (String[] p : parts) {
      all.addAll(Arrays.asList(p));
    }
    return all.toArray(String[]::new);
  }

  /**
   * A run's config.json trains again with --config: its settings (here a β and a seed given by
   * flag) carry over, --set changes any of them by path after the flags, and a bad path or a
   * clash with --experiment exits 2 naming the problem.
   */
  @Test
  void configFileAndSetOverrides(@TempDir Path tmp) {
    CliRun first = hypercl("train", "--experiment", "toy-regression", "--iterations", "20", "--beta", "0.02", "--seed", "7",
        "--run-dir", tmp.resolve("a").toString());
    assertThat(first.exit()).as(first.err()).isZero();
    Path config = tmp.resolve("a").resolve("config.json");
    CliRun second = hypercl("train", "--config", config.toString(), "--set", "settings.iterations=15",
        "--set", "/hypernetwork/hidden=[6]", "--run-dir", tmp.resolve("b").toString());
    assertThat(second.exit()).as(second.err()).isZero();
    var b = RunDirectory.open(tmp.resolve("b")).readConfig();
    assertThat(b.settings().iterations()).isEqualTo(15);
    assertThat(b.settings().beta()).isEqualTo(0.02f);
    assertThat(b.settings().seed()).isEqualTo(7);
    assertThat(b.hypernetwork().hidden()).containsExactly(6);
    assertThat(b.name()).isEqualTo("toy-regression");

    // --set comes after the flags: it wins over --beta.
    CliRun third = hypercl("train", "--experiment", "toy-regression", "--iterations", "5", "--beta", "0.3", "--set",
        "settings.beta=0.04", "--run-dir", tmp.resolve("c").toString());
    assertThat(third.exit()).as(third.err()).isZero();
    assertThat(RunDirectory.open(tmp.resolve("c")).readConfig().settings().beta()).isEqualTo(0.04f);

    CliRun bad = hypercl("train", "--experiment", "toy-regression", "--set", "settings.betta=0.1", "--run-dir", tmp.resolve("d").toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("settings.betta").contains("beta");
    assertThat(tmp.resolve("d")).doesNotExist();
    CliRun both = hypercl("train", "--experiment", "split-mnist", "--config", config.toString(), "--run-dir", tmp.resolve("e").toString());
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--experiment or --config");
  }

  /** --tasks beyond the sequence names the sequence's length instead of a head count. */
  @Test
  void tooManyTasksIsNamed(@TempDir Path tmp) {
    CliRun r = hypercl("train", "--experiment", "toy-regression", "--tasks", "9", "--run-dir", tmp.resolve("r").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).isEqualTo("hypercl train: --tasks 9: toy-regression has 3 tasks; use 1..3" + System.lineSeparator());
    assertThat(tmp.resolve("r")).doesNotExist();
  }

  /**
   * Progress lines go to the command's own output (which tests capture), never to System.out, so
   * the build's log stays short while a user sees them as before.
   */
  @Test
  void trainingProgressGoesToTheCommandsOutputOnly(@TempDir Path tmp) {
    java.io.PrintStream saved = System.out;
    java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
    CliRun r;
    System.setOut(new java.io.PrintStream(stdout, true));
    try {
      r = hypercl("train", "--experiment", "toy-regression", "--iterations", "20", "--checkpoint-every", "0",
          "--run-dir", tmp.resolve("r").toString());
    } finally {
      System.setOut(saved);
    }
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("toy-regression task 1 (").contains("step     20/20");
    assertThat(stdout.toString()).isEmpty();
  }

  /** A multi-head experiment says its head count too; a sweep's check and numTasks in a config say as much. */
  @Test
  void tooManyTasksOfAMultiHeadExperimentIsNamed(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    writeMnist(data.resolve("mnist"), 20, 10);
    CliRun r = hypercl("train", "--experiment", "split-mnist", "--data-dir", data.toString(), "--tasks", "99",
        "--run-dir", tmp.resolve("r").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("hypercl train: --tasks 99: split-mnist has 5 tasks (its target has 5 heads); use 1..5");
    assertThat(tmp.resolve("r")).doesNotExist();

    assertThatThrownBy(() -> TrainCommand.check(List.of("--experiment", "split-mnist", "--tasks", "0")))
        .hasMessage("--tasks 0: split-mnist has 5 tasks (its target has 5 heads); use 1..5");

    CliRun set = hypercl("train", "--experiment", "split-mnist", "--data-dir", data.toString(), "--set", "numTasks=99",
        "--run-dir", tmp.resolve("s").toString());
    assertThat(set.exit()).isEqualTo(2);
    assertThat(set.err()).contains("split-mnist: 99 tasks, but its target network has 5 heads, one per task; use 1..5 tasks");
    assertThat(tmp.resolve("s")).doesNotExist();
  }

  /** A method the experiment cannot run is refused before any data is looked for (none is there). */
  @Test
  void aMethodTheTargetCannotRunIsRefusedBeforeTheDataIsRead(@TempDir Path tmp) throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    CliRun r = hypercl("train", "--experiment", "split-cifar-zenkenet", "--methods", "si,ewc", "--data-dir", empty.toString(),
        "--run-dir", tmp.resolve("r").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("ewc's Fisher needs per-example gradients").doesNotContain("not found");
    assertThat(tmp.resolve("r")).doesNotExist();
  }
}
