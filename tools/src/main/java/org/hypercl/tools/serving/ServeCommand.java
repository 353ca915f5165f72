package org.hypercl.tools.serving;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.hypercl.savedmodels.ModelServer;
import org.hypercl.savedmodels.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypercl serve EXPORT_DIR}: TF Serving's REST API over an export. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves an export folder (from 'hypercl export') over a subset of TensorFlow Serving's REST API:",
      "  GET  /v1/models/NAME[/versions/V]             status",
      "  GET  /v1/models/NAME[/versions/V]/metadata    signatures, input and output shapes",
      "  POST /v1/models/NAME[/versions/V]:predict     {\"signature_name\"?: S, \"instances\": [...]}  -> {\"predictions\": [...]}",
      "                                                {\"signature_name\"?: S, \"inputs\": {...}}     -> {\"outputs\": ...}",
      "  GET  /healthz",
      "The hypernetwork model takes the task as an input: {\"inputs\": {\"x\": [[...]], \"task_id\": 0}}, or",
      "\"task_embedding\" with signature predict_with_embedding; in \"instances\" each row may name its own task.",
      "Errors are {\"error\": ...} with 400, 404, 405 or 413. Binds 127.0.0.1 unless --host says otherwise.",
      "Stops gracefully on SIGTERM or Ctrl-C (requests in flight finish).",
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

  @Override
  public Integer call() throws IOException, InterruptedException {
    ServerOptions options = new ServerOptions(host, port, maxBodyBytes, threads, ServerOptions.QUEUE_DEFAULT, tfThreads,
        ServerOptions.SHUTDOWN_GRACE_SECONDS_DEFAULT);
    ModelServer server = ModelServer.start(exportDir, options);
    CountDownLatch stopped = new CountDownLatch(1);
    PrintWriter w = spec.commandLine().getOut();
    Thread hook = new Thread(() -> {
      System.err.println("hypercl serve: stopping (finishing requests in flight)");
      server.close();
      stopped.countDown();
    }, "hypercl-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    w.printf("Serving %s on http://%s:%d%n", server.models(), server.host(), server.port());
    w.printf("Try: curl http://%s:%d/v1/models/%s/metadata%n", server.host(), server.port(),
        server.manifest().hypernetworkModel() != null ? server.manifest().hypernetworkModel() : server.manifest().models().get(0));
    w.flush();
    stopped.await();
    return 0;
  }
}
