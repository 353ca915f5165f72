package org.hypercl.savedmodels;

/** An exported model does not reproduce the checkpoint's outputs; nothing was published. */
public final class ExportVerificationException extends IllegalStateException {
  public ExportVerificationException(String message) {
    super("export verification failed, nothing was published: " + message);
  }
}
