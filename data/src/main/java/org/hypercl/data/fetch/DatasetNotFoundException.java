package org.hypercl.data.fetch;

import java.io.IOException;

/** A dataset is in none of the searched folders; the message says where it looked and what to do. */
public class DatasetNotFoundException extends IOException {
  private static final long serialVersionUID = 1L;

  public DatasetNotFoundException(String message) {
    super(message);
  }
}
