package org.hypercl.data.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * File-system steps of writing a dataset folder whole (the fetcher's downloads, synthetic data):
 * a staging folder, flushing files, removing a tree. The same as {@code org.hypercl.graphs.TempFiles}
 * for the staging folder: this module depends on no other.
 */
public final class FolderFiles {

  private FolderFiles() {}

  /**
   * Creates the empty folder {@code dir/<prefix><random>} as {@link Files#createDirectory} does,
   * so that renamed into place it has the umask's permissions ({@link Files#createTempDirectory}
   * makes it 0700 whatever the umask, and other users could not read the dataset).
   */
  public static Path createTempDirectory(Path dir, String prefix) throws IOException {
    for (int i = 1; ; i++) {
      try {
        String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong());
        return Files.createDirectory(dir.resolve(prefix + random));
      } catch (FileAlreadyExistsException e) {
        if (i == 100) {
          throw e;
        }
      }
    }
  }

  /** Forces a file's content to the disk. */
  public static void fsync(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** The entries of a folder. */
  public static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(out::add);
    }
    return out;
  }

  /** Deletes a file or a folder with everything in it, not following symbolic links. */
  public static void deleteTree(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      for (Path p : list(path)) {
        deleteTree(p);
      }
    }
    Files.delete(path);
  }
}
