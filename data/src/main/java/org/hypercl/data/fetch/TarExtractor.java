package org.hypercl.data.fetch;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Unpacks the regular files of one top-level folder of a {@code .tar.gz} archive (ustar or GNU
 * tar), as the CIFAR archives are. Anything outside that folder, links and nested folders are
 * skipped, so an archive cannot write outside the destination.
 */
final class TarExtractor {
  private static final int BLOCK = 512;

  private TarExtractor() {}

  /**
   * Writes the files {@code folder/<name>} of {@code archive} into {@code dest} (which must exist)
   * and returns their names.
   */
  static List<String> extractFolder(Path archive, String folder, Path dest) throws IOException {
    List<String> written = new ArrayList<>();
    try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(archive), 1 << 16), 1 << 16)) {
      byte[] header = new byte[BLOCK];
      String longName = null;
      while (true) {
        if (!readBlock(in, header)) {
          throw new FetchException(archive + ": archive ends without the end-of-archive marker (truncated?)");
        }
        if (isZero(header)) {
          break;
        }
        String name = longName != null ? longName : entryName(header);
        longName = null;
        long size = parseOctal(archive, header, 124, 12);
        char type = (char) header[156];
        if (type == 'L') {
          byte[] nameBytes = readBytes(in, archive, size);
          longName = cString(nameBytes, 0, nameBytes.length);
          continue;
        }
        String target = childName(name, folder);
        if ((type == '0' || type == '\0') && target != null) {
          Path out = dest.resolve(target);
          try (OutputStream os = Files.newOutputStream(out)) {
            copy(in, os, size);
          }
          skipPadding(in, size);
          written.add(target);
        } else {
          in.skipNBytes(size + padding(size));
        }
      }
    } catch (EOFException e) {
      throw new FetchException(archive + ": archive is truncated", e);
    } catch (ZipException e) {
      throw new FetchException(archive + ": unreadable gzip: " + e.getMessage(), e);
    }
    return written;
  }

  /** {@code name} without the {@code folder/} prefix if it is a plain file name directly inside. */
  private static String childName(String name, String folder) {
    String n = name.startsWith("./") ? name.substring(2) : name;
    String prefix = folder + "/";
    if (!n.startsWith(prefix)) {
      return null;
    }
    String child = n.substring(prefix.length());
    return child.matches("[A-Za-z0-9_][A-Za-z0-9._-]*") ? child : null;
  }

  private static String entryName(byte[] h) {
    String name = cString(h, 0, 100);
    boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    if (ustar) {
      String prefix = cString(h, 345, 155);
      if (!prefix.isEmpty()) {
        return prefix + "/" + name;
      }
    }
    return name;
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  private static long parseOctal(Path archive, byte[] h, int off, int len) throws FetchException {
    if ((h[off] & 0x80) != 0) {
      long v = h[off] & 0x7f;
      for (int i = 1; i < len; i++) {
        v = (v << 8) | (h[off + i] & 0xFF);
      }
      return v;
    }
    long v = 0;
    for (int i = off; i < off + len; i++) {
      byte b = h[i];
      if (b == 0 || b == ' ') {
        continue; // tar pads numeric fields with NULs and spaces
      }
      if (b < '0' || b > '7') {
        throw new FetchException(archive + ": corrupt tar header (size field '"
            + new String(h, off, len, StandardCharsets.US_ASCII).trim() + "')");
      }
      v = v * 8 + (b - '0');
    }
    return v;
  }

  private static boolean readBlock(InputStream in, byte[] block) throws IOException {
    int n = in.readNBytes(block, 0, BLOCK);
    if (n == 0) {
      return false;
    }
    if (n < BLOCK) {
      throw new EOFException();
    }
    return true;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static long padding(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static byte[] readBytes(InputStream in, Path archive, long size) throws IOException {
    if (size > 1 << 20) {
      throw new FetchException(archive + ": implausible long-name entry of " + size + " bytes");
    }
    byte[] b = in.readNBytes((int) size);
    if (b.length < size) {
      throw new EOFException();
    }
    skipPadding(in, size);
    return b;
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new EOFException();
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private static void skipPadding(InputStream in, long size) throws IOException {
    in.skipNBytes(padding(size));
  }
}
