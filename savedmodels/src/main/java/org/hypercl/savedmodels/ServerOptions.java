package org.hypercl.savedmodels;

/**
 * How {@link ModelServer} listens and bounds its work.
 *
 * @param host address to bind ({@value #HOST_DEFAULT} unless told otherwise)
 * @param port TCP port; 0 picks a free one
 * @param maxBodyBytes larger request bodies are refused with 413
 * @param threads request handler threads
 * @param queue requests waiting for a handler; beyond it the accepting thread runs them itself
 * @param tfThreads TensorFlow intra- and inter-op threads per model session (0 = TensorFlow's choice)
 * @param shutdownGraceSeconds how long shutdown waits for requests in flight
 */
public record ServerOptions(
    String host, int port, int maxBodyBytes, int threads, int queue, int tfThreads, int shutdownGraceSeconds) {

  public static final String HOST_DEFAULT = "127.0.0.1";
  public static final int PORT_DEFAULT = 8501;
  public static final int MAX_BODY_BYTES_DEFAULT = 16 << 20;
  public static final int THREADS_DEFAULT = 8;
  public static final int QUEUE_DEFAULT = 256;
  public static final int TF_THREADS_DEFAULT = 1;
  public static final int SHUTDOWN_GRACE_SECONDS_DEFAULT = 5;

  public ServerOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must be set");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535, got " + port);
    }
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("max body size must be positive, got " + maxBodyBytes);
    }
    if (threads <= 0 || queue <= 0) {
      throw new IllegalArgumentException("threads and queue must be positive, got " + threads + " and " + queue);
    }
    if (tfThreads < 0 || shutdownGraceSeconds < 0) {
      throw new IllegalArgumentException("TensorFlow threads and shutdown grace must not be negative");
    }
  }

  public static ServerOptions defaults() {
    return new ServerOptions(HOST_DEFAULT, PORT_DEFAULT, MAX_BODY_BYTES_DEFAULT, THREADS_DEFAULT, QUEUE_DEFAULT,
        TF_THREADS_DEFAULT, SHUTDOWN_GRACE_SECONDS_DEFAULT);
  }

  public ServerOptions withHost(String h) {
    return new ServerOptions(h, port, maxBodyBytes, threads, queue, tfThreads, shutdownGraceSeconds);
  }

  public ServerOptions withPort(int p) {
    return new ServerOptions(host, p, maxBodyBytes, threads, queue, tfThreads, shutdownGraceSeconds);
  }

  public ServerOptions withMaxBodyBytes(int b) {
    return new ServerOptions(host, port, b, threads, queue, tfThreads, shutdownGraceSeconds);
  }

  public ServerOptions withThreads(int t) {
    return new ServerOptions(host, port, maxBodyBytes, t, queue, tfThreads, shutdownGraceSeconds);
  }

  public ServerOptions withTfThreads(int t) {
    return new ServerOptions(host, port, maxBodyBytes, threads, queue, t, shutdownGraceSeconds);
  }
}
