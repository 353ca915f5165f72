package org.hypercl.data.fetch;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A file to download: its local name, where it can be fetched from (tried in order), its size in
 * bytes and its SHA-256.
 */
public record RemoteFile(String name, List<URI> urls, long size, String sha256) {

  public RemoteFile {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
      throw new IllegalArgumentException("bad file name: " + name);
    }
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException(name + ": no download address");
    }
    if (size <= 0) {
      throw new IllegalArgumentException(name + ": size must be positive: " + size);
    }
    sha256 = sha256.toLowerCase(Locale.ROOT);
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(name + ": not a SHA-256 hex digest: " + sha256);
    }
  }

  /** The same file fetched from {@code base + name} only, e.g. a local mirror. */
  public RemoteFile fromMirror(URI base) {
    String b = base.toString();
    return new RemoteFile(name, List.of(URI.create(b.endsWith("/") ? b + name : b + "/" + name)), size, sha256);
  }
}
