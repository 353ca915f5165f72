package org.hypercl.tools;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.hypercl.training.AtomicFiles;

/**
 * Files the commands write (plots, CSVs, predictions), failing with one line that names the file
 * and the reason ("cannot write runs/x/plots/a.png: No space left on device") instead of the bare
 * reason or a stack trace.
 */
public final class Writes {

  private Writes() {}

  /** {@link AtomicFiles#write}: whole or absent, or a {@link UserException} naming {@code file}. */
  public static void atomically(Path file, byte[] bytes) {
    try {
      AtomicFiles.write(file, bytes);
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
  }

  /** "cannot write FILE: REASON", the reason taken from {@code e}. */
  public static UserException cannotWrite(Path file, IOException e) {
    // "Not a directory" says what but not where: name the file that stands where a folder must be.
    for (Path p = file.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      if (java.nio.file.Files.isRegularFile(p)) {
        return new UserException("cannot write " + file + ": " + p + " is in the way (a file, not a folder)", e);
      }
    }
    return new UserException("cannot write " + file + ": " + reason(e), e);
  }

  /**
   * What went wrong, without the path the message of a {@link FileSystemException} starts with
   * (unless it is another file than the one being written: a file in the way of a folder).
   */
  public static String reason(IOException e) {
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " is in the way (a file, not a folder)";
    }
    if (e instanceof NoSuchFileException f) {
      return "no such folder (" + f.getFile() + ")";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /**
   * A TensorFlow failure to write into the run folder {@code root} (its events file, when the disk
   * is full) as a {@link UserException} naming the file, or null when {@code e} is not about a file
   * under {@code root}. TensorFlow's message starts "FILE; REASON".
   */
  static UserException runFolderFailure(Path root, RuntimeException e) {
    String message = String.valueOf(e.getMessage());
    String first = message.lines().findFirst().orElse("").strip();
    int semi = first.indexOf("; ");
    if (semi < 0 || !(first.startsWith(root.toAbsolutePath().toString())
        || first.startsWith(root.toAbsolutePath().normalize().toString()))) {
      return null;
    }
    return new UserException("cannot write " + first.substring(0, semi) + ": " + first.substring(semi + 2), e);
  }
}
