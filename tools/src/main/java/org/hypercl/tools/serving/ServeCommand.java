package org.hypercl.tools.serving;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.hypercl.savedmodels.ModelServer;
import org.hypercl.savedmodels.ServerOptions;
import org.hypercl.tools.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypercl serve EXPORT_DIR}: TF Serving's REST API over an export. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    header = "Serves an export over TensorFlow Serving's REST API.",
    description = {
      // One element per paragraph (picocli wraps it); table lines fit 80 columns.
      "Serves an export folder (from 'hypercl export') over a subset of TensorFlow Serving's REST API:",
      "  GET  /v1/models/NAME[/versions/V]            status",
      "  GET  /v1/models/NAME[/versions/V]/metadata   signatures and shapes",
      "  POST /v1/models/NAME[/versions/V]:predict    rows or whole tensors:",
      "      {\"signature_name\"?: S, \"instances\": [...]} -> {\"predictions\": [...]}",
      "      {\"signature_name\"?: S, \"inputs\": {...}}    -> {\"outputs\": ...}",
      "  GET  /healthz",
      "The hypernetwork model takes the task as an input: {\"inputs\": {\"x\": [[...]], \"task_id\": 0}}, or "
          + "\"task_embedding\" with signature predict_with_embedding; in \"instances\" each row may name its own task. "
          + "NaN, Infinity and -Infinity are numbers, in requests and answers, as in TF Serving.",
      "Errors are {\"error\": ...} with 400, 404, 405, 408 or 413, also for malformed requests that the HTTP "
          + "layer refuses itself. Binds 127.0.0.1 unless --host says otherwise.",
      "Slow or idle clients hold no handler thread: a request must arrive within --read-timeout, a silent "
          + "connection is closed after --idle-timeout, and at most --max-connections are open at once.",
      "Stops on SIGTERM or Ctrl-C: requests in flight finish (for up to 5 s), then the exit code is 0.",
    })
public final class ServeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "EXPORT_DIR", description = "The export folder (holds manifest.json).")
  Path exportDir;

  @Option(names = "--port", description = "TCP port; 0 picks a free one (default: ${DEFAULT-VALUE}, TF Serving's REST port).")
  int port = ServerOptions.PORT_DEFAULT;

  @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes it to the network).")
  String host = ServerOptions.HOST_DEFAULT;

  @Option(names = "--threads", description = "Request handler threads (default: ${DEFAULT-VALUE}).")
  int threads = ServerOptions.THREADS_DEFAULT;

  @Option(names = "--tf-threads", description = "TensorFlow threads per model session, 0 = TensorFlow's choice (default: ${DEFAULT-VALUE}).")
  int tfThreads = ServerOptions.TF_THREADS_DEFAULT;

  @Option(names = "--max-body-bytes", description = "Larger request bodies get 413 (default: ${DEFAULT-VALUE}).")
  int maxBodyBytes = ServerOptions.MAX_BODY_BYTES_DEFAULT;

  @Option(names = "--read-timeout", paramLabel = "SECONDS", description = "Time a request may take to arrive "
      + "whole (request line, headers and body), counted from its first byte; a slower one gets 408 and its "
      + "connection is closed (default: ${DEFAULT-VALUE}).")
  int readTimeout = ServerOptions.READ_TIMEOUT_SECONDS_DEFAULT;

  @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "A connection that sends and "
      + "receives nothing for this long is closed: before its first request, between keep-alive requests, or "
      + "while its client does not read the answer (default: ${DEFAULT-VALUE}).")
  int idleTimeout = ServerOptions.IDLE_TIMEOUT_SECONDS_DEFAULT;

  @Option(names = "--max-connections", paramLabel = "N", description = "Open connections at most; further "
      + "ones wait to be accepted, and while all N are open an idle one is closed after 1 s to make room "
      + "(default: ${DEFAULT-VALUE}).")
  int maxConnections = ServerOptions.MAX_CONNECTIONS_DEFAULT;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (readTimeout <= 0 || idleTimeout <= 0) {
      throw new UserException("--read-timeout and --idle-timeout must be positive seconds, got " + readTimeout
          + " and " + idleTimeout);
    }
    if (maxConnections <= 0 || threads <= 0) {
      throw new UserException("--max-connections and --threads must be positive, got " + maxConnections + " and " + threads);
    }
    ServerOptions options = new ServerOptions(host, port, maxBodyBytes, threads, tfThreads,
        Duration.ofSeconds(readTimeout), Duration.ofSeconds(idleTimeout), maxConnections,
        Duration.ofSeconds(ServerOptions.SHUTDOWN_GRACE_SECONDS_DEFAULT));
    ModelServer server = ModelServer.start(exportDir, options);
    CountDownLatch stop = new CountDownLatch(1);
    // Any other end of the JVM (SIGHUP, an exit elsewhere) still stops the server gracefully.
    Thread hook = new Thread(() -> {
      System.err.println("hypercl serve: stopping (finishing requests in flight)");
      server.close();
    }, "hypercl-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    handleStopSignals(stop);
    PrintWriter w = spec.commandLine().getOut();
    w.printf("Serving %s on http://%s:%d%n", server.models(), server.host(), server.port());
    w.printf("Try: curl http://%s:%d/v1/models/%s/metadata%n", server.host(), server.port(),
        server.manifest().hypernetworkModel() != null ? server.manifest().hypernetworkModel() : server.manifest().models().get(0));
    w.flush();
    // Where the signals cannot be handled this waits for ever, and the shutdown hook stops the server.
    stop.await();
    System.err.println("hypercl serve: stopping (finishing requests in flight)");
    server.close();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is exiting anyway; the hook's close() does nothing more.
    }
    return 0;
  }

  /**
   * SIGTERM and SIGINT count {@code stop} down instead of starting the JVM's shutdown, whose exit
   * code would be the signal's (143, 130) however cleanly the server stopped. Where they cannot be
   * handled (e.g. {@code java -Xrs}) the JVM's default stays. {@code sun.misc.Signal} is the JDK's
   * kept way to do this (module jdk.unsupported); javac warns about it all the same.
   */
  static void handleStopSignals(CountDownLatch stop) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> stop.countDown());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // This signal keeps the JVM's handling: the shutdown hook stops the server.
      }
    }
  }
}
