package org.hypercl.data.fetch;

/** Receives what a {@link Fetcher} is doing, for progress output. */
public interface FetchListener {

  /** A one-line status message. */
  void info(String message);

  /** {@code done} of {@code total} bytes of {@code file} have been written. */
  void progress(String file, long done, long total);

  /** A listener that ignores everything. */
  FetchListener SILENT = new FetchListener() {
    @Override
    public void info(String message) {}

    @Override
    public void progress(String file, long done, long total) {}
  };
}
