package org.hypercl.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.exceptions.TFResourceExhaustedException;

/** Failed writes name the file and the reason. */
class WritesTest {

  @TempDir Path tmp;

  @Test
  void aFileInTheWayOfAFolderIsNamedAndNothingIsWritten() throws IOException {
    Path file = Files.writeString(tmp.resolve("plain"), "x");
    Path target = file.resolve("plots/a.png");
    UserException e = org.junit.jupiter.api.Assertions.assertThrows(UserException.class,
        () -> Writes.atomically(target, new byte[] {1}));
    assertThat(e.getMessage()).isEqualTo("cannot write " + target + ": " + file + " is in the way (a file, not a folder)");
    assertThat(file).hasContent("x");
  }

  @Test
  void aFullDiskIsNamedByTheReasonOfTheError() {
    Path f = tmp.resolve("out.csv");
    assertThat(Writes.cannotWrite(f, new IOException("No space left on device")).getMessage())
        .isEqualTo("cannot write " + f + ": No space left on device");
  }

  /** TensorFlow's own events writer on a full disk: its "FILE; REASON" line becomes the message. */
  @Test
  void tensorFlowFailingToWriteTheEventsFileIsNamed() {
    Path run = tmp.resolve("run");
    String file = run.toAbsolutePath() + "/events/events.out.tfevents.1.vm.2.0.hypercl";
    UserException e = Writes.runFolderFailure(run, new TFResourceExhaustedException(file + "; No space left on device\n"
        + "\tFailed to flush 1 events to " + file + "\n\tCould not initialize events writer."));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).isEqualTo("cannot write " + file + ": No space left on device");
    // Anything else from TensorFlow stays what it is: a bug, with its stack trace.
    assertThat(Writes.runFolderFailure(run, new TFResourceExhaustedException("OOM when allocating tensor"))).isNull();
  }
}
