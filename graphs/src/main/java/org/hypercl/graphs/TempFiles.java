package org.hypercl.graphs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temporary files and folders beside their target, made the way ordinary ones are, so that once
 * renamed into place they have the permissions a plain {@link Files#write} or {@link
 * Files#createDirectory} would have given them: those of the process's umask (and of the folder's
 * default ACL, if it has one). {@link Files#createTempFile} and {@link Files#createTempDirectory}
 * make them 0600 and 0700 whatever the umask, so a run folder's files or an export renamed from
 * one could not be read by another user, e.g. a TensorFlow Serving process. Names are unique
 * because creation fails on an existing name ({@code O_EXCL}) and another name is then tried; on
 * file systems without POSIX permissions nothing differs from a plain create.
 *
 * <p>Not a graph builder: it lives here because the training and savedmodels modules, which both
 * write through temporary siblings, have this module and nothing else in common. The data
 * module, which depends on no other module, keeps its own copy of {@link #createDirectory}
 * ({@code org.hypercl.data.io.FolderFiles}) for the fetcher and the synthetic datasets.
 */
public final class TempFiles {

  /** Names tried before giving up; a clash needs another writer's identical random name. */
  private static final int ATTEMPTS = 100;

  private TempFiles() {}

  /** Creates the empty file {@code dir/<prefix><random><suffix>}; {@code dir} must exist. */
  public static Path createFile(Path dir, String prefix, String suffix) throws IOException {
    for (int i = 1; ; i++) {
      try {
        return Files.createFile(dir.resolve(prefix + randomPart() + suffix));
      } catch (FileAlreadyExistsException e) {
        if (i == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** Creates the empty folder {@code dir/<prefix><random>}; {@code dir} must exist. */
  public static Path createDirectory(Path dir, String prefix) throws IOException {
    for (int i = 1; ; i++) {
      try {
        return Files.createDirectory(dir.resolve(prefix + randomPart()));
      } catch (FileAlreadyExistsException e) {
        if (i == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static String randomPart() {
    return Long.toUnsignedString(ThreadLocalRandom.current().nextLong());
  }
}
