package org.hypercl.savedmodels;

/** A request the server refuses, with the HTTP status to answer and a message for {@code {"error": ...}}. */
final class RestException extends RuntimeException {
  final int status;

  RestException(int status, String message) {
    super(message);
    this.status = status;
  }

  static RestException badRequest(String message) {
    return new RestException(400, message);
  }

  static RestException notFound(String message) {
    return new RestException(404, message);
  }
}
