package org.hypercl.savedmodels;

import java.time.Duration;

/**
 * How {@link ModelServer} listens and bounds its work.
 *
 * @param host address to bind ({@value #HOST_DEFAULT} unless told otherwise)
 * @param port TCP port; 0 picks a free one
 * @param maxBodyBytes larger request bodies are refused with 413
 * @param threads request handler threads (they run the model calls; reading and parsing requests
 *     holds no thread, so slow clients do not take them)
 * @param tfThreads TensorFlow intra- and inter-op threads per model session (0 = TensorFlow's choice)
 * @param readTimeout how long a request may take to arrive whole, headers and body, from its first
 *     byte; a slower one is answered 408 and its connection closed
 * @param idleTimeout a connection that sends and receives nothing for this long is closed (before a
 *     request, between keep-alive requests, or while a client neither sends nor reads)
 * @param maxConnections open connections at most; beyond it new ones wait to be accepted, and idle
 *     ones are closed after {@link #BUSY_IDLE_TIMEOUT} to make room
 * @param shutdownGrace how long {@link ModelServer#close()} waits for requests in flight
 */
public record ServerOptions(
    String host, int port, int maxBodyBytes, int threads, int tfThreads, Duration readTimeout, Duration idleTimeout,
    int maxConnections, Duration shutdownGrace) {

  public static final String HOST_DEFAULT = "127.0.0.1";
  public static final int PORT_DEFAULT = 8501;
  public static final int MAX_BODY_BYTES_DEFAULT = 16 << 20;
  public static final int THREADS_DEFAULT = 8;
  public static final int TF_THREADS_DEFAULT = 1;
  public static final int READ_TIMEOUT_SECONDS_DEFAULT = 30;
  public static final int IDLE_TIMEOUT_SECONDS_DEFAULT = 30;
  public static final int MAX_CONNECTIONS_DEFAULT = 512;
  public static final int SHUTDOWN_GRACE_SECONDS_DEFAULT = 5;
  /** The idle timeout of every connection while all {@code maxConnections} are open. */
  public static final Duration BUSY_IDLE_TIMEOUT = Duration.ofSeconds(1);

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
    if (threads <= 0) {
      throw new IllegalArgumentException("threads must be positive, got " + threads);
    }
    if (maxConnections <= 0) {
      throw new IllegalArgumentException("max connections must be positive, got " + maxConnections);
    }
    if (tfThreads < 0) {
      throw new IllegalArgumentException("TensorFlow threads must not be negative, got " + tfThreads);
    }
    positive("read timeout", readTimeout);
    positive("idle timeout", idleTimeout);
    if (shutdownGrace == null || shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("shutdown grace must not be negative, got " + shutdownGrace);
    }
  }

  private static void positive(String what, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
  }

  public static ServerOptions defaults() {
    return new ServerOptions(HOST_DEFAULT, PORT_DEFAULT, MAX_BODY_BYTES_DEFAULT, THREADS_DEFAULT, TF_THREADS_DEFAULT,
        Duration.ofSeconds(READ_TIMEOUT_SECONDS_DEFAULT), Duration.ofSeconds(IDLE_TIMEOUT_SECONDS_DEFAULT),
        MAX_CONNECTIONS_DEFAULT, Duration.ofSeconds(SHUTDOWN_GRACE_SECONDS_DEFAULT));
  }

  public ServerOptions withHost(String h) {
    return new ServerOptions(h, port, maxBodyBytes, threads, tfThreads, readTimeout, idleTimeout, maxConnections,
        shutdownGrace);
  }

  public ServerOptions withPort(int p) {
    return new ServerOptions(host, p, maxBodyBytes, threads, tfThreads, readTimeout, idleTimeout, maxConnections,
        shutdownGrace);
  }

  public ServerOptions withMaxBodyBytes(int b) {
    return new ServerOptions(host, port, b, threads, tfThreads, readTimeout, idleTimeout, maxConnections,
        shutdownGrace);
  }

  public ServerOptions withThreads(int t) {
    return new ServerOptions(host, port, maxBodyBytes, t, tfThreads, readTimeout, idleTimeout, maxConnections,
        shutdownGrace);
  }

  public ServerOptions withTfThreads(int t) {
    return new ServerOptions(host, port, maxBodyBytes, threads, t, readTimeout, idleTimeout, maxConnections,
        shutdownGrace);
  }

  public ServerOptions withReadTimeout(Duration d) {
    return new ServerOptions(host, port, maxBodyBytes, threads, tfThreads, d, idleTimeout, maxConnections,
        shutdownGrace);
  }

  public ServerOptions withIdleTimeout(Duration d) {
    return new ServerOptions(host, port, maxBodyBytes, threads, tfThreads, readTimeout, d, maxConnections,
        shutdownGrace);
  }

  public ServerOptions withMaxConnections(int n) {
    return new ServerOptions(host, port, maxBodyBytes, threads, tfThreads, readTimeout, idleTimeout, n,
        shutdownGrace);
  }

  public ServerOptions withShutdownGrace(Duration d) {
    return new ServerOptions(host, port, maxBodyBytes, threads, tfThreads, readTimeout, idleTimeout, maxConnections,
        d);
  }
}
