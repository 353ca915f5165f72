package org.hypercl.savedmodels;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;

/**
 * Serves an export folder over a subset of TensorFlow Serving's REST API (docs/design.md, REST
 * server), on an embedded Jetty:
 *
 * <pre>
 *   GET  /v1/models/NAME[/versions/V]            model status
 *   GET  /v1/models/NAME[/versions/V]/metadata   signatures
 *   POST /v1/models/NAME[/versions/V]:predict    {"signature_name"?, "instances": [...]} or {"inputs": ...}
 *   GET  /healthz                                {"status": "ok"}
 * </pre>
 *
 * Only the models the manifest lists are served, with every numeric version folder they have (the
 * highest is the default). Model names from a URL are looked up, never used as paths. Errors are
 * {@code {"error": "..."}} with 400 (bad input), 404 (unknown model, version, signature, task id or
 * route), 405 (wrong method), 408 (request slower than the read timeout), 413 (body over the
 * limit), also when Jetty refuses a malformed request itself; nothing a client sends stops the
 * server, and slow or idle clients hold no handler thread ({@link ServerOptions}).
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start(exportDir, ServerOptions.defaults().withPort(0))) {
 *   int port = server.port();
 * }
 * }</pre>
 */
public final class ModelServer implements AutoCloseable {

  private static final String MODELS = "/v1/models/";

  private final ExportManifest manifest;
  private final Map<String, NavigableMap<Long, Served>> models;
  private final Server jetty;
  private final ServerConnector connector;
  private final GracefulHandler graceful;
  private final ServerOptions options;
  private final PrintStream log;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger internalErrors = new AtomicInteger();

  /** A loaded model version and the id bounds its inputs are checked against. */
  private record Served(LoadedModel model, Map<String, Integer> bounds) {}

  private ModelServer(Path exportDir, ServerOptions options, PrintStream log) throws IOException {
    this.options = options;
    this.log = log;
    this.manifest = ExportManifest.read(exportDir);
    Map<String, NavigableMap<Long, Served>> m = new LinkedHashMap<>();
    Server server = null;
    boolean ok = false;
    try {
      ConfigProto config = options.tfThreads() > 0
          ? ConfigProto.newBuilder().setIntraOpParallelismThreads(options.tfThreads())
              .setInterOpParallelismThreads(options.tfThreads()).build()
          : null;
      for (String name : manifest.models()) {
        NavigableMap<Long, Served> versions = new TreeMap<>();
        m.put(name, versions);
        for (long v : versionsOf(exportDir.resolve(name))) {
          LoadedModel lm = LoadedModel.load(name, v, exportDir.resolve(name).resolve(Long.toString(v)), config);
          versions.put(v, new Served(lm, bounds(name, lm)));
        }
        if (versions.isEmpty()) {
          throw new IllegalArgumentException("model " + name + " in " + exportDir + " has no version folder");
        }
      }
      this.models = Collections.unmodifiableMap(m);
      server = newServer();
      this.jetty = server;
      this.connector = (ServerConnector) server.getConnectors()[0];
      this.graceful = (GracefulHandler) server.getHandler();
      try {
        server.start();
      } catch (IOException e) {
        if (e.getCause() instanceof java.net.BindException b) {
          String why = String.valueOf(b.getMessage());
          throw new IllegalArgumentException(why.toLowerCase(java.util.Locale.ROOT).contains("in use")
              ? "port " + options.port() + " on " + options.host() + " is already in use (by another server?); "
                  + "choose another with --port, or --port 0 for any free one"
              : "cannot listen on port " + options.port() + " on " + options.host() + ": " + why
                  + " (is " + options.host() + " an address of this machine? choose it with --host)", e);
        }
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the HTTP server: " + e, e);
      }
      ok = true;
    } finally {
      if (!ok) {
        if (server != null) {
          stopQuietly(server);
        }
        m.values().forEach(vs -> vs.values().forEach(s -> s.model().close()));
      }
    }
  }

  /**
   * Jetty, set up so that slow or idle clients cannot starve the rest: requests are read and parsed
   * without holding a thread (the {@code threads} handler threads only run requests that have
   * arrived), a request must arrive within the read timeout, a silent connection is closed after
   * the idle timeout, and connections are bounded. Every answer Jetty gives itself (a malformed
   * request it refuses before any handler runs, 503 while stopping) goes through
   * {@link JsonErrors}, so every error body is {@code {"error": ...}}.
   */
  private Server newServer() {
    // The acceptor and the selector lease one pool thread each; the rest run handlers.
    QueuedThreadPool pool = new QueuedThreadPool(options.threads() + 2, Math.min(options.threads() + 2, 4));
    pool.setName("hypercl-serve");
    pool.setDaemon(true);
    pool.setReservedThreads(0);
    Server server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // Routes are matched on the raw path and names only looked up, never used as paths, so paths
    // with '..' or encoded separators are simply unknown routes (404), not refused by Jetty (400).
    http.setUriCompliance(UriCompliance.UNSAFE);
    ServerConnector c = new ServerConnector(server, 1, 1, new HeaderDeadlines(http, options.readTimeout()));
    c.setHost(options.host());
    c.setPort(options.port());
    c.setAcceptQueueSize(128);
    c.setIdleTimeout(options.idleTimeout().toMillis());
    // close() drains requests itself; Jetty's own graceful stop would also shorten the idle timeout
    // of every connection, cutting off a request whose body is still arriving, and then wait for
    // idle keep-alive connections to time out.
    c.setShutdownIdleTimeout(0);
    server.addConnector(c);
    NetworkConnectionLimit limit = new NetworkConnectionLimit(options.maxConnections(), c);
    limit.setEndPointIdleTimeout(Math.min(options.idleTimeout().toMillis(), ServerOptions.BUSY_IDLE_TIMEOUT.toMillis()));
    server.addBean(limit);
    server.setErrorHandler(new JsonErrors());
    // Counts requests in flight (until their answer is written) for close(); refuses new ones
    // with 503 once close() has begun.
    server.setHandler(new GracefulHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        ModelServer.this.handle(request, response, callback);
        return true;
      }
    }));
    server.setStopTimeout(0);
    server.setStopAtShutdown(false);
    return server;
  }

  /** Loads every model of the export and starts listening. */
  public static ModelServer start(Path exportDir, ServerOptions options) throws IOException {
    return new ModelServer(exportDir, options, System.err);
  }

  /** As {@link #start(Path, ServerOptions)}, logging internal errors to {@code log}. */
  public static ModelServer start(Path exportDir, ServerOptions options, PrintStream log) throws IOException {
    return new ModelServer(exportDir, options, log);
  }

  private static List<Long> versionsOf(Path modelDir) throws IOException {
    List<Long> out = new ArrayList<>();
    if (!Files.isDirectory(modelDir)) {
      return out;
    }
    try (var s = Files.list(modelDir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.matches("[0-9]{1,18}") && Files.isRegularFile(p.resolve("saved_model.pb"))) {
          out.add(Long.parseLong(n));
        }
      }
    }
    return out;
  }

  private Map<String, Integer> bounds(String name, LoadedModel m) {
    Map<String, Integer> b = new LinkedHashMap<>();
    if (name.equals(manifest.hypernetworkModel())) {
      // Each version knows its own tasks: the rows of its learned-embedding table.
      long tasks = m.staticRows(HypernetworkGraph.LEARNED_EMBEDDINGS_OP).orElse(manifest.tasks().size());
      b.put(Signatures.TASK_ID, Math.toIntExact(tasks));
      b.put(Signatures.HEAD, manifest.numHeads());
    }
    return b;
  }

  public int port() {
    return connector.getLocalPort();
  }

  public String host() {
    return options.host();
  }

  public ExportManifest manifest() {
    return manifest;
  }

  /** Served model names and their versions. */
  public Map<String, List<Long>> models() {
    Map<String, List<Long>> out = new LinkedHashMap<>();
    models.forEach((k, v) -> out.put(k, List.copyOf(v.keySet())));
    return out;
  }

  /** Requests answered with a 500 so far (bugs, not bad input). */
  public int internalErrors() {
    return internalErrors.get();
  }

  /** A request whose client went away (or stopped sending): nothing to answer, and no bug. */
  private static final class ClientGone extends Exception {
    ClientGone(Throwable cause) {
      super(cause);
    }
  }

  private void handle(Request request, Response response, Callback callback) {
    int status;
    byte[] body;
    HttpFields.Mutable headers = response.getHeaders();
    try {
      body = route(request);
      status = 200;
    } catch (ClientGone e) {
      callback.failed(e.getCause());
      return;
    } catch (RestException e) {
      status = e.status;
      body = error(e.getMessage());
      if (status == 405) {
        headers.put(HttpHeader.ALLOW, e.getMessage().contains("POST") ? "POST" : "GET");
      }
      if (status == 413 || status == 408) {
        // The rest of the body is left unread, so this connection cannot carry another request;
        // say so, or a pooling client would reuse it and fail.
        headers.put(HttpHeader.CONNECTION, "close");
      }
    } catch (RuntimeException | IOException | Error e) {
      status = 500;
      internalErrors.incrementAndGet();
      log.println("hypercl serve: internal error on " + request.getMethod() + " " + request.getHttpURI().getPathQuery()
          + ": " + e);
      body = error("internal error: " + e.getClass().getSimpleName());
    }
    if (closed.get()) {
      headers.put(HttpHeader.CONNECTION, "close"); // stopping: the connection will not be kept
    }
    response.setStatus(status);
    headers.put(HttpHeader.CONTENT_TYPE, "application/json");
    headers.put(HttpHeader.CONTENT_LENGTH, body.length);
    // A client that goes away before the answer is written fails the callback; Jetty closes the
    // connection and there is nothing to report.
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private byte[] route(Request request) throws IOException, ClientGone {
    String method = request.getMethod();
    String path = request.getHttpURI().getPath();
    if (path.equals("/healthz")) {
      requireMethod(method, "GET");
      return closed.get() ? fail(503, "shutting down") : "{\"status\":\"ok\"}".getBytes();
    }
    if (!path.startsWith(MODELS)) {
      throw RestException.notFound("no route " + clip(path) + "; try GET /v1/models/NAME or POST /v1/models/NAME:predict");
    }
    String rest = path.substring(MODELS.length());
    String verb = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      verb = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    String[] parts = rest.split("/", -1);
    String name = parts[0];
    Long version = null;
    boolean metadata = false;
    int i = 1;
    if (parts.length >= 3 && parts[1].equals("versions")) {
      try {
        version = Long.parseLong(parts[2]);
      } catch (NumberFormatException e) {
        throw RestException.notFound("version '" + clip(parts[2]) + "' is not a number");
      }
      i = 3;
    }
    if (parts.length == i + 1 && parts[i].equals("metadata") && verb == null) {
      metadata = true;
      i++;
    }
    if (parts.length != i || name.isEmpty()) {
      throw RestException.notFound("no route " + clip(path));
    }
    NavigableMap<Long, Served> versions = models.get(name);
    if (versions == null) {
      throw RestException.notFound("unknown model '" + clip(name) + "'; this server has " + models.keySet());
    }
    if (version != null && !versions.containsKey(version)) {
      throw RestException.notFound("model " + name + " has no version " + version + "; it has " + versions.keySet());
    }
    if (verb != null) {
      if (!verb.equals("predict")) {
        throw RestException.notFound("unsupported request ':" + clip(verb) + "'; this server answers ':predict'");
      }
      requireMethod(method, "POST");
      Served s = versions.get(version != null ? version : versions.lastKey());
      return predict(name, s, readBody(request));
    }
    requireMethod(method, "GET");
    if (metadata) {
      long v = version != null ? version : versions.lastKey();
      return Json.COMPACT.writeValueAsBytes(RestMetadata.metadata(name, v, versions.get(v).model()));
    }
    return Json.COMPACT.writeValueAsBytes(RestMetadata.status(version != null ? List.of(version) : versions.keySet()));
  }

  private static byte[] fail(int status, String message) {
    throw new RestException(status, message);
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new RestException(405, "method " + clip(method) + " is not allowed here; use " + allowed);
    }
  }

  /**
   * The request body, at most {@code maxBodyBytes}, read before the read timeout (counted from the
   * request's first byte) runs out.
   */
  private byte[] readBody(Request request) throws ClientGone {
    int max = options.maxBodyBytes();
    long declared = request.getLength();
    long deadline = request.getBeginNanoTime() + options.readTimeout().toNanos();
    if (declared > max) {
      drain(request, deadline, declared);
      throw new RestException(413, "request body of " + declared + " bytes is over the limit of " + max);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        awaitContent(request, deadline);
        continue;
      }
      try {
        if (Content.Chunk.isFailure(chunk)) {
          failBody(chunk.getFailure());
        }
        ByteBuffer b = chunk.getByteBuffer();
        if (out.size() + (long) b.remaining() > max) {
          if (!chunk.isLast()) {
            drain(request, deadline, out.size() + (long) b.remaining());
          }
          throw new RestException(413, "request body is over the limit of " + max + " bytes");
        }
        byte[] part = new byte[b.remaining()];
        b.get(part);
        out.writeBytes(part);
        if (chunk.isLast()) {
          return out.toByteArray();
        }
      } finally {
        chunk.release();
      }
      if (NanoTime.isBefore(deadline, NanoTime.now())) {
        throw readTimeout();
      }
    }
  }

  /**
   * Reads and drops the rest of a body too large to keep, up to {@link #DRAIN_LIMIT_BYTES} in all
   * and within the read timeout, before the 413 goes out: a server that answers and closes while
   * the client is still sending makes the client's TCP stack reset the connection, and the client
   * may lose the answer ("received no bytes"). A body past the drain limit, a timeout or a failed
   * read stops the draining; the 413 is sent and the connection closed either way.
   */
  private void drain(Request request, long deadline, long seen) {
    long total = seen;
    while (total <= DRAIN_LIMIT_BYTES && NanoTime.isBefore(NanoTime.now(), deadline)) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        try {
          awaitContent(request, deadline);
        } catch (ClientGone | RestException e) {
          return; // Nothing more to drain: the 413 goes out (in vain if the client has gone).
        }
        continue;
      }
      try {
        if (Content.Chunk.isFailure(chunk) || chunk.isLast()) {
          return;
        }
        total += chunk.getByteBuffer().remaining();
      } finally {
        chunk.release();
      }
    }
  }

  /** The most of a refused body that is read and dropped before the 413 ({@link #drain}). */
  static final long DRAIN_LIMIT_BYTES = 16L << 20;

  /** Blocks until the body has more to read (or failed), or the deadline passes (408). */
  private void awaitContent(Request request, long deadline) throws ClientGone {
    CompletableFuture<Void> more = new CompletableFuture<>();
    request.demand(() -> more.complete(null));
    long left = deadline - NanoTime.now();
    try {
      more.get(Math.max(0, left), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw readTimeout();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClientGone(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("waiting for the request body failed", e.getCause());
    }
  }

  private RestException readTimeout() {
    return new RestException(408, "the request did not arrive within the read timeout of " + seconds(options.readTimeout()));
  }

  /**
   * A failed body read: malformed framing (a bad chunk, a body cut short) is answered 400 (in vain
   * if the client has gone); the idle timeout is a request too slow (408); anything else (a reset)
   * is a client that went away.
   */
  private void failBody(Throwable f) throws ClientGone {
    if (f instanceof TimeoutException || f.getCause() instanceof TimeoutException) {
      throw readTimeout();
    }
    if (f instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) {
      throw new RestException(h.getCode(), "malformed request body: " + h.getReason());
    }
    throw new ClientGone(f);
  }

  static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private byte[] predict(String name, Served served, byte[] body) throws IOException {
    JsonNode req;
    try (JsonParser p = new DoubleRange(Json.COMPACT.createParser(body))) {
      req = Json.COMPACT.readTree(p); // with FAIL_ON_TRAILING_TOKENS, as for a byte[]
    } catch (JsonProcessingException e) {
      throw RestException.badRequest("malformed JSON: " + e.getOriginalMessage());
    }
    if (req == null || !req.isObject()) {
      throw RestException.badRequest("the request body must be a JSON object with \"instances\" or \"inputs\"");
    }
    for (var it = req.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("instances") && !f.equals("inputs") && !f.equals("signature_name")) {
        throw RestException.badRequest("unknown field '" + clip(f) + "'; expected signature_name, instances or inputs");
      }
    }
    if (req.has("instances") == req.has("inputs")) {
      throw RestException.badRequest("send exactly one of \"instances\" (row format) or \"inputs\" (columnar format)");
    }
    String key = Signatures.SERVING_DEFAULT;
    if (req.has("signature_name")) {
      if (!req.get("signature_name").isTextual()) {
        throw RestException.badRequest("signature_name must be a string");
      }
      key = req.get("signature_name").asText();
    }
    LoadedModel model = served.model();
    if (!model.hasSignature(key)) {
      throw RestException.notFound("model " + name + " has no signature '" + clip(key) + "'; it has "
          + model.signatures().keySet());
    }
    Signature sig = model.signature(key);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      if (req.has("instances")) {
        List<RestCodec.Group> groups = RestCodec.rows(req.get("instances"), sig, served.bounds());
        List<Map<String, RestCodec.Output>> results = new ArrayList<>();
        for (RestCodec.Group g : groups) {
          results.add(RestCodec.call(model, sig, g.inputs()));
        }
        try (JsonGenerator g = Json.COMPACT.getFactory().createGenerator(out)) {
          RestCodec.writePredictions(g, req.get("instances").size(), groups, results);
        }
      } else {
        Map<String, RestCodec.Output> res =
            RestCodec.call(model, sig, RestCodec.columnar(req.get("inputs"), sig, served.bounds()));
        try (JsonGenerator g = Json.COMPACT.getFactory().createGenerator(out)) {
          RestCodec.writeOutputs(g, res);
        }
      }
    } catch (TensorFlowException e) {
      // Checked inputs make this rare; TensorFlow's own complaint is about the request's values.
      throw RestException.badRequest("TensorFlow rejected the input: " + firstLine(e.getMessage()));
    } catch (IllegalStateException e) {
      throw new RestException(503, firstLine(e.getMessage()));
    }
    return out.toByteArray();
  }

  /**
   * Refuses number literals beyond a double's range ({@code 1e999}), which Jackson would read as
   * infinities, as TF Serving does ("Number too big to be stored in double"); the literals
   * {@code NaN}, {@code Infinity} and {@code -Infinity} ({@link JsonParser#isNaN()}) pass.
   */
  private static final class DoubleRange extends JsonParserDelegate {
    DoubleRange(JsonParser p) {
      super(p);
    }

    @Override
    public double getDoubleValue() throws IOException {
      double v = super.getDoubleValue();
      if (Double.isInfinite(v) && !isNaN()) {
        throw new JsonParseException(this, "number " + clip(getText()) + " is too large for a double");
      }
      return v;
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return clip(nl >= 0 ? s.substring(0, nl) : s);
  }

  private static String clip(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }

  private static byte[] error(String message) {
    try {
      return Json.COMPACT.writeValueAsBytes(Map.of("error", message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an error message", e);
    }
  }

  /**
   * Jetty's own answers as {@code {"error": ...}}: requests it refuses before any handler runs
   * (a malformed request line, header or Content-Length, headers over the size limit or the read
   * timeout, an unsupported HTTP version) and 503 while stopping.
   */
  private final class JsonErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      int status = response.getStatus();
      String reason = request.getAttribute(ERROR_MESSAGE) instanceof String r ? r : null;
      String text = HttpStatus.getMessage(status);
      String message = text.toLowerCase(Locale.ROOT) + (reason != null && !reason.equalsIgnoreCase(text) ? ": " + reason : "");
      if (status == 500) {
        // Only a handler that failed to catch something gets here.
        internalErrors.incrementAndGet();
        log.println("hypercl serve: internal error on " + request.getMethod() + " " + request.getHttpURI().getPathQuery()
            + ": " + request.getAttribute(ERROR_EXCEPTION));
      }
      byte[] body = error(clip(message));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
      return true;
    }
  }

  /**
   * Stops accepting, waits up to the grace period for requests in flight (returning as soon as
   * none is left, at once when idle), closes every connection, then frees every model. Safe to call
   * more than once and from a shutdown hook.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    connector.shutdown(); // no new connections; open ones stay until stop
    try {
      graceful.shutdown().get(options.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.println("hypercl serve: requests still in flight after the " + seconds(options.shutdownGrace())
          + " grace are cut off");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.println("hypercl serve: waiting for requests in flight: " + e.getCause());
    }
    stopQuietly(jetty);
    models.values().forEach(vs -> vs.values().forEach(s -> s.model().close()));
  }

  private void stopQuietly(Server server) {
    try {
      server.stop();
    } catch (Exception e) {
      // The models are freed all the same.
      log.println("hypercl serve: stopping the HTTP server: " + e);
    }
  }
}
