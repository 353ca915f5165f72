package org.hypercl.data.fetch;

import java.io.IOException;

/** A download failed or did not verify; the message names the file and says what to do. */
public class FetchException extends IOException {
  private static final long serialVersionUID = 1L;

  public FetchException(String message) {
    super(message);
  }

  public FetchException(String message, Throwable cause) {
    super(message, cause);
  }
}
