package org.hypercl.tools;

/** A failure caused by the user's input, reported as one line and exit code 2. */
public class UserException extends RuntimeException {
  public UserException(String message) {
    super(message);
  }

  public UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
