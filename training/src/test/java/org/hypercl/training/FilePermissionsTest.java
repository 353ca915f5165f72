package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run files and checkpoint folders have the umask's permissions, as plainly created ones would. */
class FilePermissionsTest {

  @TempDir Path tmp;

  /** What a plain create gives in {@code tmp}: the expected modes. */
  private Set<PosixFilePermission> plainFile;
  private Set<PosixFilePermission> plainDir;

  @BeforeEach
  void probe() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
    plainFile = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("probe-file")));
    plainDir = Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("probe-dir")));
    // Under a umask of 077 a temporary file's 0600 is the right answer and the test shows nothing.
    assumeTrue(plainFile.contains(PosixFilePermission.GROUP_READ), "umask leaves new files group-readable");
  }

  @Test
  void atomicWritesEndWithThePermissionsOfAPlainWrite() throws IOException {
    Path file = tmp.resolve("sub/config.json");
    AtomicFiles.write(file, "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(plainFile);
    AtomicFiles.write(file, "{\"a\": 1}".getBytes(StandardCharsets.UTF_8));
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(plainFile);
    assertThat(Files.readString(file)).isEqualTo("{\"a\": 1}");
    try (var s = Files.list(file.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("config.json");
    }
  }

  @Test
  void checkpointFoldersAndRunFilesAreReadableByOthersUnderTheUmask() throws IOException {
    Path root = tmp.resolve("run");
    ExperimentConfig c = SyntheticTasks.experiment(2, 20, 0.05f);
    try (ContinualRunner.Outcome o =
        new ContinualRunner(c, new SyntheticTasks(2, 40, 20, 1), RunDirectory.createNew(root), StepListener.NONE).run()) {
      assertThat(o.results().numTasks()).isEqualTo(2);
    }
    for (String dir : new String[] {"checkpoints/task-001", "checkpoints/task-002"}) {
      assertThat(Files.getPosixFilePermissions(root.resolve(dir))).as(dir).isEqualTo(plainDir);
    }
    for (String file : new String[] {"config.json", "tasks.json", "results.json", "checkpoints/latest",
        "checkpoints/task-002/state.json"}) {
      assertThat(Files.getPosixFilePermissions(root.resolve(file))).as(file).isEqualTo(plainFile);
    }
  }
}
