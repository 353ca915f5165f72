package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

class ResumeAndEventsTest {

  private static ExperimentConfig config() {
    ExperimentConfig c = SyntheticTasks.experiment(3, 200, 0.05f);
    return c.withSettings(c.settings().toBuilder().checkpointEvery(60).build());
  }

  private static StepListener crashAt(int task, int step) {
    return new StepListener() {
      @Override
      public void stepFinished(int t, int iteration, float taskLoss, float regLoss) {
        if (t == task && iteration == step) {
          throw new IllegalStateException("simulated kill at task " + t + " step " + iteration);
        }
      }
    };
  }

  @Test
  void aRunKilledInsideATaskResumesToTheSameResults(@TempDir Path tmp) {
    SyntheticTasks tasks = new SyntheticTasks(3, 300, 200, 3);
    RunResults straight;
    try (ContinualRunner.Outcome o = new ContinualRunner(config(), tasks, RunDirectory.createNew(tmp.resolve("a")), StepListener.NONE).run()) {
      straight = o.results();
    }
    Path b = tmp.resolve("b");
    // Killed inside task 2 after its checkpoint at step 120, then inside task 3 before any.
    assertThrows(IllegalStateException.class,
        () -> new ContinualRunner(config(), tasks, RunDirectory.createNew(b), crashAt(1, 150)).run().close());
    assertThat(RunDirectory.open(b).latestCheckpoint()).contains(b.resolve("checkpoints/in-task-002-step-0000120"));
    assertThrows(IllegalStateException.class,
        () -> new ContinualRunner(config(), tasks, RunDirectory.open(b), crashAt(2, 30)).run().close());
    assertThat(RunDirectory.open(b).latestCheckpoint()).contains(b.resolve("checkpoints/task-002"));
    try (ContinualRunner.Outcome o = new ContinualRunner(config(), tasks, RunDirectory.open(b), StepListener.NONE).run()) {
      assertThat(Arrays.deepEquals(o.results().matrix(), straight.matrix()))
          .as("resumed %s, straight %s", Arrays.deepToString(o.results().matrix()), Arrays.deepToString(straight.matrix()))
          .isTrue();
    }
    assertThat(RunDirectory.open(b).readResults().after()).containsExactly(straight.after());
  }

  @Test
  void aRunKilledWhileItsGraphIsBuiltHasItsConfigAndResumesFromTheStart(@TempDir Path tmp) throws IOException {
    SyntheticTasks tasks = new SyntheticTasks(2, 200, 100, 5);
    ExperimentConfig c = SyntheticTasks.experiment(2, 50, 0.05f);
    RunResults straight;
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, RunDirectory.createNew(tmp.resolve("a")), StepListener.NONE).run()) {
      straight = o.results();
    }
    Path b = tmp.resolve("b");
    TaskSource dying = new TaskSource() {
      @Override
      public String name() {
        return tasks.name();
      }

      @Override
      public int numTasks() {
        return tasks.numTasks();
      }

      @Override
      public int maxTrainSize() { // asked for right before the learner's graph is built
        throw new IllegalStateException("simulated kill while the graph is built");
      }

      @Override
      public TaskData task(int i) {
        return tasks.task(i);
      }
    };
    try (RunDirectory run = RunDirectory.createNew(b)) {
      assertThrows(IllegalStateException.class, () -> new ContinualRunner(c, dying, run, StepListener.NONE).run().close());
    }
    assertThat(b.resolve(RunDirectory.CONFIG)).isRegularFile();
    assertThat(b.resolve(RunDirectory.TASKS)).isRegularFile();
    assertThat(b.resolve(RunDirectory.CHECKPOINTS)).doesNotExist();
    byte[] config = Files.readAllBytes(b.resolve(RunDirectory.CONFIG));

    List<String> firstSteps = new java.util.ArrayList<>();
    StepListener record = new StepListener() {
      @Override
      public void stepFinished(int t, int iteration, float taskLoss, float regLoss) {
        if (firstSteps.isEmpty()) {
          firstSteps.add(t + "/" + iteration);
        }
      }
    };
    try (RunDirectory run = RunDirectory.openForTraining(b);
        ContinualRunner.Outcome o = new ContinualRunner(run.readConfig(), tasks, run, record).run()) {
      assertThat(firstSteps).containsExactly("0/0");
      assertThat(Arrays.deepEquals(o.results().matrix(), straight.matrix()))
          .as("resumed %s, straight %s", Arrays.deepToString(o.results().matrix()), Arrays.deepToString(straight.matrix()))
          .isTrue();
    }
    assertThat(Files.readAllBytes(b.resolve(RunDirectory.CONFIG))).as("config.json is kept on resume").isEqualTo(config);
    assertThat(RunDirectory.open(b).readResults().after()).containsExactly(straight.after());
  }

  @Test
  void eventFilesHoldTheTrainingScalars(@TempDir Path tmp) throws IOException {
    SyntheticTasks tasks = new SyntheticTasks(2, 200, 100, 4);
    ExperimentConfig c = SyntheticTasks.experiment(2, 100, 0.05f);
    try (ContinualRunner.Outcome o = new ContinualRunner(c, tasks, RunDirectory.createNew(tmp), StepListener.NONE).logEvery(25).run()) {
      assertThat(o.results().numTasks()).isEqualTo(2);
    }
    com.fasterxml.jackson.databind.JsonNode taskFile = JsonFiles.read(tmp.resolve(RunDirectory.TASKS));
    assertThat(taskFile.get("tasks")).hasSize(2);
    int[] recorded = new int[SyntheticTasks.DIM];
    for (int i = 0; i < recorded.length; i++) {
      recorded[i] = taskFile.get("tasks").get(1).get("permutation").get(i).asInt();
    }
    assertThat(recorded).containsExactly(tasks.task(1).permutation());
    List<Path> files;
    try (var list = Files.list(tmp.resolve("events"))) {
      files = list.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).toList();
    }
    assertThat(files).hasSize(1);
    Set<String> tags = new HashSet<>();
    long maxStep = 0;
    int scalars = 0;
    for (Event e : readEvents(files.get(0))) {
      for (Summary.Value v : e.getSummary().getValueList()) {
        tags.add(v.getTag());
        maxStep = Math.max(maxStep, e.getStep());
        scalars++;
      }
    }
    assertThat(tags).contains("train/task_loss", "train/regularizer", "train/batch_metric", "train/step_ms",
        "test/accuracy/task1", "test/accuracy/task2");
    assertThat(maxStep).isEqualTo(200);
    assertThat(scalars).isEqualTo(4 * 8 + 3);
  }

  @Test
  void sessionStartWritesAStartEventWithItsStepAndTime(@TempDir Path tmp) throws IOException {
    double before = System.currentTimeMillis() / 1000.0;
    try (TensorBoardLog log = new TensorBoardLog(tmp)) {
      log.scalar("train/x", 10, 1f);
      log.scalar("train/x", 20, 2f);
      log.sessionStart(15);
      log.scalar("train/x", 20, 3f);
    }
    double after = System.currentTimeMillis() / 1000.0;
    List<Event> events = readEvents(eventFiles(tmp).get(0));
    // TensorBoard purges on a START only in files of version 2 or later.
    assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
    List<Event> starts = events.stream().filter(Event::hasSessionLog).toList();
    assertThat(starts).hasSize(1);
    Event start = starts.get(0);
    assertThat(start.getSessionLog().getStatus()).isEqualTo(SessionLog.SessionStatus.START);
    assertThat(start.getStep()).isEqualTo(15);
    assertThat(start.getWallTime()).isBetween(before - 0.01, after + 0.01);
    assertThat(events.indexOf(start)).isEqualTo(3); // after the version and the first two scalars
  }

  @Test
  void stepsBeforeACheckpointAreOnDiskWhenItIsSaved(@TempDir Path tmp) {
    ExperimentConfig c = SyntheticTasks.experiment(1, 100, 0.05f);
    c = c.withSettings(c.settings().toBuilder().checkpointEvery(40).build());
    List<Long> onDisk = new java.util.ArrayList<>();
    StepListener peek = new StepListener() {
      @Override
      public void stepFinished(int t, int iteration, float taskLoss, float regLoss) {
        if (iteration == 40) { // the checkpoint before step 40 is saved; the writer's own flush is 10 s away
          try {
            for (Event e : readEvents(eventFiles(tmp.resolve("events")).get(0))) {
              for (Summary.Value v : e.getSummary().getValueList()) {
                if (v.getTag().equals("train/task_loss")) {
                  onDisk.add(e.getStep());
                }
              }
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      }
    };
    try (RunDirectory run = RunDirectory.createNew(tmp);
        ContinualRunner.Outcome o = new ContinualRunner(c, new SyntheticTasks(1, 200, 100, 6), run, peek).logEvery(10).run()) {
      assertThat(o.results().numTasks()).isEqualTo(1);
    }
    assertThat(onDisk).containsExactly(10L, 20L, 30L, 40L);
  }

  @Test
  void afterAKillAndAResumeTensorBoardShowsContinuousCurves(@TempDir Path tmp) throws IOException {
    SyntheticTasks tasks = new SyntheticTasks(3, 300, 200, 3);
    try (RunDirectory run = RunDirectory.createNew(tmp.resolve("a"));
        ContinualRunner.Outcome o = new ContinualRunner(config(), tasks, run, StepListener.NONE).logEvery(20).run()) {
      assertThat(o.results().numTasks()).isEqualTo(3);
    }
    Path b = tmp.resolve("b");
    // Killed at task 2 step 150, after its checkpoint at step 120 (global step 320) and its points up to 340.
    try (RunDirectory run = RunDirectory.createNew(b)) {
      assertThrows(IllegalStateException.class,
          () -> new ContinualRunner(config(), tasks, run, crashAt(1, 150)).logEvery(20).run().close());
    }
    try (RunDirectory run = RunDirectory.openForTraining(b);
        ContinualRunner.Outcome o = new ContinualRunner(config(), tasks, run, StepListener.NONE).logEvery(20).run()) {
      assertThat(o.results().numTasks()).isEqualTo(3);
    }
    List<Path> files = eventFiles(b.resolve("events"));
    assertThat(files).hasSize(2);
    Event start = readEvents(files.get(1)).stream().filter(Event::hasSessionLog).findFirst().orElseThrow();
    assertThat(start.getStep()).isEqualTo(321);

    java.util.Map<String, java.util.TreeMap<Long, Float>> straight = asTensorBoardReadsIt(eventFiles(tmp.resolve("a/events")));
    java.util.Map<String, java.util.TreeMap<Long, Float>> resumed = asTensorBoardReadsIt(files);
    assertThat(resumed.keySet()).isEqualTo(straight.keySet());
    for (String tag : List.of("train/task_loss", "train/regularizer", "train/step_ms", "test/accuracy/task1")) {
      assertThat(resumed.get(tag).keySet()).as(tag).containsExactlyElementsOf(straight.get(tag).keySet());
    }
    assertThat(resumed.get("train/task_loss")).isEqualTo(straight.get("train/task_loss"));
  }

  /**
   * The points of each tag after TensorBoard's purge of orphaned data: events are read file by
   * file in the order written, and a {@code SessionLog.START} at step S drops what was read before
   * at steps {@code >= S}. A step given twice is a failure (TensorBoard would draw both).
   */
  private static java.util.Map<String, java.util.TreeMap<Long, Float>> asTensorBoardReadsIt(List<Path> files)
      throws IOException {
    java.util.Map<String, java.util.TreeMap<Long, Float>> tags = new java.util.TreeMap<>();
    for (Path f : files) {
      for (Event e : readEvents(f)) {
        if (e.hasSessionLog() && e.getSessionLog().getStatus() == SessionLog.SessionStatus.START) {
          tags.values().forEach(points -> points.tailMap(e.getStep(), true).clear());
        }
        for (Summary.Value v : e.getSummary().getValueList()) {
          Float old = tags.computeIfAbsent(v.getTag(), k -> new java.util.TreeMap<>()).put(e.getStep(), v.getSimpleValue());
          assertThat(old).as("%s at step %d drawn twice", v.getTag(), e.getStep()).isNull();
        }
      }
    }
    return tags;
  }

  /** A run's event files in the order they were written (by their first event's time). */
  private static List<Path> eventFiles(Path dir) throws IOException {
    List<Path> files;
    try (var list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).toList();
    }
    java.util.Map<Path, Double> written = new java.util.HashMap<>();
    for (Path f : files) {
      written.put(f, readEvents(f).get(0).getWallTime());
    }
    // Wall times are whole seconds: two files of one second are ordered by the writer's counter
    // (events.out.tfevents.<seconds>.<host>.<pid>.<counter>.hypercl), which grows within a process.
    return files.stream()
        .sorted(java.util.Comparator.comparing((Path f) -> written.get(f)).thenComparingLong(ResumeAndEventsTest::writerCounter))
        .toList();
  }

  private static long writerCounter(Path eventFile) {
    String[] parts = eventFile.getFileName().toString().split("\\.");
    return Long.parseLong(parts[parts.length - 2]);
  }

  /** Reads a TFRecord file of Event protos (length, crc, data, crc per record). */
  static List<Event> readEvents(Path file) throws IOException {
    List<Event> events = new java.util.ArrayList<>();
    try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
      while (true) {
        byte[] header = new byte[12];
        try {
          d.readFully(header);
        } catch (EOFException end) {
          break;
        }
        long length = ByteBuffer.wrap(header, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] data = new byte[Math.toIntExact(length)];
        d.readFully(data);
        d.readFully(new byte[4]);
        events.add(Event.parseFrom(data));
      }
    }
    return events;
  }
}
