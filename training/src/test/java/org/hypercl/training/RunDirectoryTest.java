package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {

  private static ExperimentConfig shortToy() {
    ExperimentConfig c = Experiments.toyRegression();
    return c.withSettings(c.settings().toBuilder().iterations(300).build());
  }

  /** Stops the run as a kill would, when task {@code failTask} starts training. */
  private static StepListener crashingAt(int failTask) {
    return new StepListener() {
      @Override
      public void taskStarted(int task, String name, int iterations) {
        if (task == failTask) {
          throw new IllegalStateException("simulated crash at task " + task);
        }
      }
    };
  }

  @Test
  void writesConfigResultsAndCheckpointsAndResumesToTheSameResults(@TempDir Path tmp) throws Exception {
    TaskSource tasks = Experiments.toyTasks(42);
    RunResults straight;
    Path a = tmp.resolve("a");
    try (ContinualRunner.Outcome o = new ContinualRunner(shortToy(), tasks, RunDirectory.createNew(a), StepListener.NONE).run()) {
      straight = o.results();
    }
    RunDirectory dirA = RunDirectory.open(a);
    assertThat(dirA.readConfig()).isEqualTo(shortToy());
    JsonNode config = JsonFiles.read(a.resolve("config.json"));
    assertThat(config.at("/parameterCounts/target").asLong()).isEqualTo(141);
    assertThat(config.at("/settings/seed").asLong()).isEqualTo(42);
    assertThat(config.at("/provenance/tensorflow").asText()).isNotBlank();
    RunResults read = dirA.readResults();
    assertThat(java.util.Arrays.deepEquals(read.matrix(), straight.matrix())).as(java.util.Arrays.deepToString(read.matrix())).isTrue();
    assertThat(read.after()).containsExactly(straight.after());
    assertThat(read.matrix()[0][1]).isNaN();
    assertThat(dirA.latestCheckpoint()).contains(a.resolve("checkpoints/task-003"));
    assertThat(a.resolve("checkpoints/task-001/state.json")).exists();

    // A run that dies while task 3 would start, then is resumed by a new runner.
    Path b = tmp.resolve("b");
    assertThrows(
        IllegalStateException.class,
        () -> new ContinualRunner(shortToy(), tasks, RunDirectory.createNew(b), crashingAt(2)).run().close());
    assertThat(RunDirectory.open(b).latestCheckpoint()).contains(b.resolve("checkpoints/task-002"));
    assertThat(b.resolve("results.json")).doesNotExist();
    RunDirectory dirB = RunDirectory.open(b);
    try (ContinualRunner.Outcome o = new ContinualRunner(dirB.readConfig(), tasks, dirB, StepListener.NONE).run()) {
      assertThat(java.util.Arrays.deepEquals(o.results().matrix(), straight.matrix()))
          .as("resumed %s vs straight %s", java.util.Arrays.deepToString(o.results().matrix()), java.util.Arrays.deepToString(straight.matrix()))
          .isTrue();
    }
    try (var files = Files.list(b.resolve("checkpoints"))) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(s -> s.startsWith("."))).isEmpty();
    }
  }

  @Test
  void aTrainingLocksItsFolderUntilClosedAndASecondOneChangesNothing(@TempDir Path tmp) throws Exception {
    Path root = tmp.resolve("run");
    try (RunDirectory first = RunDirectory.createNew(root)) {
      assertThat(first.isLocked()).isTrue();
      List<String> before = listing(root);
      IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> RunDirectory.createNew(root));
      assertThat(again.getMessage()).contains(root.toString()).contains("in use by another training");
      first.writeConfig(shortToy(), Experiments.toyTasks(42));
      byte[] config = Files.readAllBytes(root.resolve(RunDirectory.CONFIG));
      for (var attempt : List.<org.junit.jupiter.api.function.Executable>of(
          () -> RunDirectory.createNew(root), () -> RunDirectory.openForTraining(root))) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, attempt);
        assertThat(e.getMessage()).contains(root.toString()).contains("in use by another training");
      }
      assertThat(listing(root)).containsExactlyElementsOf(concat(before, RunDirectory.CONFIG));
      assertThat(Files.readAllBytes(root.resolve(RunDirectory.CONFIG))).isEqualTo(config);
      assertThat(RunDirectory.open(root).isLocked()).isFalse(); // reading needs no lock
      // The failed attempts did not release the lock for other processes either.
      assertThat(lockFromAnotherProcess(root.resolve(RunDirectory.LOCK), tmp)).isEqualTo("held");
    }
    assertThat(lockFromAnotherProcess(root.resolve(RunDirectory.LOCK), tmp)).isEqualTo("acquired");
    try (RunDirectory resumed = RunDirectory.openForTraining(root)) {
      assertThat(resumed.isLocked()).isTrue();
      assertThat(lockFromAnotherProcess(root.resolve(RunDirectory.LOCK), tmp)).isEqualTo("held");
    }
    assertThat(assertThrows(IllegalArgumentException.class, () -> RunDirectory.createNew(root)).getMessage())
        .contains("already holds a run");
  }

  private static List<String> listing(Path dir) throws java.io.IOException {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static List<String> concat(List<String> names, String name) {
    List<String> all = new java.util.ArrayList<>(names);
    all.add(name);
    return all.stream().sorted().toList();
  }

  /** Tries {@code FileChannel.tryLock} on {@code file} in a new JVM: "acquired" or "held". */
  private static String lockFromAnotherProcess(Path file, Path scratch) throws Exception {
    Path source = scratch.resolve("LockProbe.java");
    Files.writeString(source, """
        import java.nio.channels.FileChannel;
        import java.nio.file.Path;
import java.util.List;
        import java.nio.file.StandardOpenOption;
        public class LockProbe {
          public static void main(String[] args) throws Exception {
            try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE)) {
              System.out.print(c.tryLock() != null ? "acquired" : "held");
            }
          }
        }
        """);
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        source.toString(), file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return out.trim();
  }

  @Test
  void refusesToOverwriteARunAndNamesTheFolder(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve("config.json"), "{}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunDirectory.createNew(tmp));
    assertThat(e.getMessage()).contains(tmp.toString()).contains("already holds a run");
    assertThrows(IllegalArgumentException.class, () -> RunDirectory.open(tmp.resolve("nothing")));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> RunDirectory.open(tmp).readConfig());
    assertThat(bad.getMessage()).contains("config.json");
  }
}
