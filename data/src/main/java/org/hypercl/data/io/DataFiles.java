package org.hypercl.data.io;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.hypercl.data.DataFileException;

/** Opening and reading data files whole, gzip or not, with errors that name the file. */
final class DataFiles {
  private static final int GZIP_MAGIC_0 = 0x1f;
  private static final int GZIP_MAGIC_1 = 0x8b;

  private DataFiles() {}

  /** Reads {@code file} completely, decompressing it if it is gzip; see {@link #read}. */
  static byte[] readAll(Path file) throws DataFileException {
    return read(file, InputStream::readAllBytes);
  }

  /** Counts the bytes left in {@code in}. */
  static long countBytes(InputStream in) throws IOException {
    return in.transferTo(OutputStream.nullOutputStream());
  }

  /** What to do with a file's (decompressed) content stream. */
  interface StreamReader<T> {
    T read(InputStream in) throws IOException;
  }

  /**
   * Opens {@code file}, decompressing it if it is gzip (detected from its first two bytes, not its
   * name; a file named {@code *.gz} that is not gzip is an error), and hands the stream to {@code
   * reader}. I/O and gzip failures become {@link DataFileException}s naming the file.
   */
  static <T> T read(Path file, StreamReader<T> reader) throws DataFileException {
    if (!Files.exists(file)) {
      throw new DataFileException(file, "file not found");
    }
    if (Files.isDirectory(file)) {
      throw new DataFileException(file, "is a directory, expected a data file");
    }
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      boolean gzip = b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1;
      if (!gzip && file.getFileName().toString().endsWith(".gz")) {
        throw new DataFileException(file, "named .gz but is not gzip data (first bytes "
            + hex(b0) + " " + hex(b1) + ")");
      }
      if (!gzip) {
        return reader.read(raw);
      }
      try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
        return reader.read(in);
      } catch (EOFException e) {
        throw new DataFileException(file, "unreadable gzip: compressed stream ends early (truncated download?)", e);
      } catch (ZipException e) {
        throw new DataFileException(file, "unreadable gzip: " + e.getMessage(), e);
      }
    } catch (NoSuchFileException e) {
      throw new DataFileException(file, "file not found", e);
    } catch (AccessDeniedException e) {
      throw new DataFileException(file, "permission denied", e);
    } catch (DataFileException e) {
      throw e;
    } catch (IOException e) {
      throw new DataFileException(file, "cannot read: " + e, e);
    }
  }

  private static String hex(int b) {
    return b < 0 ? "<none>" : String.format("0x%02x", b);
  }
}
