package org.hypercl.data.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hypercl.data.io.FolderFiles;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Downloads dataset files, verifies their SHA-256 and puts them in place atomically.
 *
 * <p>Each file is downloaded to {@code <name>.part} next to its final place. An interrupted
 * download leaves the {@code .part} file, and the next run resumes it with an HTTP range request
 * (or starts over if the server ignores ranges). Only a complete file whose size and SHA-256 match
 * is renamed to its final name, so a final name always holds a verified file; a file that fails
 * verification is deleted. Archives (CIFAR) are unpacked into a temporary folder that is renamed
 * into place when complete.
 *
 * <pre>{@code
 * Fetcher fetcher = new Fetcher(listener);
 * Path dir = fetcher.fetch(KnownDataset.MNIST, DataLocations.resolve(null).cacheDir(KnownDataset.MNIST));
 * }</pre>
 */
public final class Fetcher {
  /** Connect timeout in milliseconds. */
  public static final int CONNECT_TIMEOUT_MS_DEFAULT = 30_000;
  /** Read timeout in milliseconds: a download that stalls this long fails (and can be resumed). */
  public static final int READ_TIMEOUT_MS_DEFAULT = 60_000;
  private static final int MAX_REDIRECTS = 5;
  private static final String PART_SUFFIX = ".part";

  private final FetchListener listener;
  private final int connectTimeoutMs;
  private final int readTimeoutMs;

  public Fetcher(FetchListener listener) {
    this(listener, CONNECT_TIMEOUT_MS_DEFAULT, READ_TIMEOUT_MS_DEFAULT);
  }

  public Fetcher(FetchListener listener, int connectTimeoutMs, int readTimeoutMs) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.connectTimeoutMs = connectTimeoutMs;
    this.readTimeoutMs = readTimeoutMs;
  }

  /**
   * Downloads all files of {@code dataset} into {@code dir} (created if needed), verifies them and
   * unpacks the archive if there is one.
   *
   * @param mirror if present, files are fetched from {@code mirror/<file name>} instead of the
   *     canonical addresses (checksums are unchanged)
   * @return {@code dir}
   */
  public Path fetch(KnownDataset dataset, Path dir, Optional<URI> mirror) throws IOException {
    Files.createDirectories(dir);
    for (RemoteFile file : dataset.downloads()) {
      download(mirror.map(file::fromMirror).orElse(file), dir);
    }
    if (dataset.archive().isPresent()) {
      Path dest = dir.resolve(dataset.archiveFolder().orElseThrow());
      if (dataset.locate(dir).isPresent() && Files.isDirectory(dest)) {
        listener.info(dataset.archive().get() + ": already unpacked in " + dest);
      } else {
        unpack(dir.resolve(dataset.archive().get()), dataset.archiveFolder().orElseThrow(), dir,
            dataset.requiredFiles().stream().map(f -> f.substring(f.lastIndexOf('/') + 1)).toList());
      }
    }
    if (dataset.locate(dir).isEmpty()) {
      throw new FetchException(dir + ": after fetching, " + dataset.id() + " files are still missing; expected "
          + dataset.requiredFiles());
    }
    return dir;
  }

  /**
   * Makes sure {@code dir/<file.name()>} holds the verified file, downloading it if needed.
   *
   * @return the final path
   * @throws FetchException if no address can be reached, the server answers with an error, or the
   *     download does not verify (then nothing is left at the final name nor as {@code .part})
   */
  public Path download(RemoteFile file, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(file.name());
    Path part = dir.resolve(file.name() + PART_SUFFIX);
    if (Files.isRegularFile(target)) {
      if (Files.size(target) == file.size() && Checksums.sha256(target).equals(file.sha256())) {
        listener.info(file.name() + ": already present and verified");
        return target;
      }
      listener.info(file.name() + ": present but does not match its checksum; downloading it again");
    }
    if (Files.exists(part) && Files.size(part) > file.size()) {
      listener.info(file.name() + ": discarding an oversized partial download");
      Files.delete(part);
    }
    if (!Files.exists(part) || Files.size(part) < file.size()) {
      fetchFromAnySource(file, part);
    }
    verify(file, part);
    moveAtomically(part, target);
    listener.info(file.name() + ": verified (SHA-256 " + file.sha256() + ")");
    return target;
  }

  private void fetchFromAnySource(RemoteFile file, Path part) throws IOException {
    List<String> failures = new ArrayList<>();
    for (URI url : file.urls()) {
      try {
        transfer(file, url, part);
        return;
      } catch (UnknownHostException | ConnectException | NoRouteToHostException | SocketTimeoutException e) {
        failures.add(url + ": " + e);
      } catch (FetchException e) {
        failures.add(e.getMessage());
      }
    }
    StringBuilder msg = new StringBuilder(file.name() + ": could not download from any source:");
    for (String f : failures) {
      msg.append(System.lineSeparator()).append("  ").append(f);
    }
    msg.append(System.lineSeparator()).append("If this machine is offline, download ").append(file.urls().get(0))
        .append(" elsewhere (").append(file.size()).append(" bytes, SHA-256 ").append(file.sha256())
        .append(") and put it at ").append(part.resolveSibling(file.name()));
    if (Files.exists(part) && Files.size(part) > 0) {
      msg.append(System.lineSeparator()).append("The ").append(Files.size(part))
          .append(" bytes received so far are kept in ").append(part).append("; running again resumes.");
    }
    throw new FetchException(msg.toString());
  }

  private void transfer(RemoteFile file, URI url, Path part) throws IOException {
    long have = Files.exists(part) ? Files.size(part) : 0;
    HttpURLConnection conn = open(url, have);
    try {
      int status = conn.getResponseCode();
      boolean append;
      if (status == HttpURLConnection.HTTP_PARTIAL && have > 0 && rangeStartsAt(conn, have)) {
        append = true;
        listener.info(file.name() + ": resuming at " + have + " of " + file.size() + " bytes from " + url);
      } else if (status == HttpURLConnection.HTTP_OK) {
        append = false;
        listener.info(file.name() + ": downloading " + file.size() + " bytes from " + url);
      } else if (status == 416 && have > 0) {
        // Our partial file is not a prefix the server recognises: start over.
        conn.disconnect();
        Files.delete(part);
        transfer(file, url, part);
        return;
      } else {
        throw new FetchException(url + ": HTTP " + status + " " + Objects.toString(conn.getResponseMessage(), ""));
      }
      long written = append ? have : 0;
      try (InputStream in = conn.getInputStream();
          OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
              append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
        byte[] buf = new byte[1 << 16];
        long lastReport = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
          if (written + n > file.size()) {
            out.close();
            Files.delete(part);
            throw new FetchException(url + ": the server sent more than the expected " + file.size() + " bytes of "
                + file.name() + "; partial file deleted");
          }
          out.write(buf, 0, n);
          written += n;
          long now = System.nanoTime();
          if (now - lastReport > 500_000_000L || written == file.size()) {
            listener.progress(file.name(), written, file.size());
            lastReport = now;
          }
        }
      } catch (IOException e) {
        if (e instanceof FetchException) {
          throw e;
        }
        throw new FetchException(file.name() + ": download from " + url + " interrupted after "
            + (Files.exists(part) ? Files.size(part) : 0) + " of " + file.size() + " bytes (" + e
            + "); run again to resume", e);
      }
      if (written < file.size()) {
        throw new FetchException(file.name() + ": connection to " + url + " closed after " + written + " of "
            + file.size() + " bytes; run again to resume");
      }
    } finally {
      conn.disconnect();
    }
  }

  private HttpURLConnection open(URI url, long rangeStart) throws IOException {
    URI current = url;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpURLConnection conn = (HttpURLConnection) current.toURL().openConnection();
      conn.setConnectTimeout(connectTimeoutMs);
      conn.setReadTimeout(readTimeoutMs);
      conn.setInstanceFollowRedirects(false);
      conn.setRequestProperty("User-Agent", "hypercl-data");
      conn.setRequestProperty("Accept-Encoding", "identity");
      if (rangeStart > 0) {
        conn.setRequestProperty("Range", "bytes=" + rangeStart + "-");
      }
      int status = conn.getResponseCode();
      if (status >= 300 && status < 400 && status != 304) {
        String location = conn.getHeaderField("Location");
        conn.disconnect();
        if (location == null) {
          throw new FetchException(current + ": HTTP " + status + " redirect without a Location header");
        }
        current = current.resolve(location);
        continue;
      }
      return conn;
    }
    throw new FetchException(url + ": more than " + MAX_REDIRECTS + " redirects");
  }

  private static boolean rangeStartsAt(HttpURLConnection conn, long start) {
    String range = conn.getHeaderField("Content-Range");
    return range != null && range.trim().startsWith("bytes " + start + "-");
  }

  private void verify(RemoteFile file, Path part) throws IOException {
    long size = Files.size(part);
    if (size != file.size()) {
      Files.delete(part);
      throw new FetchException(file.name() + ": downloaded " + size + " bytes, expected " + file.size()
          + "; the partial file was deleted, run again");
    }
    listener.info(file.name() + ": verifying SHA-256");
    MessageDigest md = Checksums.newSha256();
    try (InputStream in = Files.newInputStream(part)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    String actual = HexFormat.of().formatHex(md.digest());
    if (!actual.equals(file.sha256())) {
      Files.delete(part);
      throw new FetchException(file.name() + ": checksum mismatch: expected SHA-256 " + file.sha256() + ", got "
          + actual + ". The download is corrupt (or the file changed at its source) and was deleted.");
    }
  }

  /**
   * Unpacks the files of {@code folder/} in {@code archive} to {@code dir/folder}, replacing what
   * was there only once every name in {@code required} has been unpacked.
   */
  void unpack(Path archive, String folder, Path dir, List<String> required) throws IOException {
    Path dest = dir.resolve(folder);
    Path tmp = FolderFiles.createTempDirectory(dir, "." + folder + "-");
    try {
      listener.info(archive.getFileName() + ": unpacking to " + dest);
      List<String> names = TarExtractor.extractFolder(archive, folder, tmp);
      List<String> missing = required.stream().filter(n -> !names.contains(n)).toList();
      if (!missing.isEmpty()) {
        throw new FetchException(archive + ": does not contain " + folder + "/" + missing + " (found " + names + ")");
      }
      for (Path f : FolderFiles.list(tmp)) {
        FolderFiles.fsync(f);
      }
      if (Files.exists(dest)) {
        FolderFiles.deleteTree(dest);
      }
      moveAtomically(tmp, dest);
    } finally {
      if (Files.exists(tmp)) {
        FolderFiles.deleteTree(tmp);
      }
    }
  }


  private static void moveAtomically(Path from, Path to) throws IOException {
    if (Files.isRegularFile(from)) {
      FolderFiles.fsync(from);
    }
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new FetchException(from + " cannot be renamed atomically to " + to + ": " + e.getMessage(), e);
    }
  }



}
