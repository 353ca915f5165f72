package org.hypercl.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A data file is missing, unreadable or not what it claims to be. The message always starts with
 * the file's path, then says what is wrong, so it can be shown to a user as it is.
 */
public class DataFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public DataFileException(Path file, String problem) {
    super(file + ": " + problem);
    this.file = Objects.requireNonNull(file, "file");
  }

  public DataFileException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = Objects.requireNonNull(file, "file");
  }

  /** The file at fault. */
  public Path file() {
    return file;
  }
}
