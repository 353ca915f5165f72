package org.hypercl.savedmodels;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.ConfigProto;

/**
 * Serves an export folder over a subset of TensorFlow Serving's REST API (docs/design.md, REST
 * server):
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
 * route), 405 (wrong method), 413 (body over the limit); nothing a client sends stops the server.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start(exportDir, ServerOptions.defaults().withPort(0))) {
 *   int port = server.port();
 * }
 * }</pre>
 */
public final class ModelServer implements AutoCloseable {

  private static final String MODELS = "/v1/models/";

  static {
    // The JDK server's own limits (read once): a client that stalls mid-request is dropped
    // instead of holding a handler thread.
    defaultProperty("sun.net.httpserver.maxReqTime", "30");
    defaultProperty("sun.net.httpserver.maxRspTime", "60");
    // Headers and body go out in separate writes; without TCP_NODELAY, Nagle's algorithm and the
    // client's delayed ACK add ~40 ms to every keep-alive request.
    defaultProperty("sun.net.httpserver.nodelay", "true");
  }

  private static void defaultProperty(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private final ExportManifest manifest;
  private final Map<String, NavigableMap<Long, Served>> models;
  private final HttpServer http;
  private final ThreadPoolExecutor executor;
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
    ThreadPoolExecutor pool = null;
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
      pool = new ThreadPoolExecutor(options.threads(), options.threads(), 60, TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(options.queue()), r -> {
            Thread t = new Thread(r, "hypercl-serve");
            t.setDaemon(true);
            return t;
          }, new ThreadPoolExecutor.CallerRunsPolicy());
      try {
        this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 128);
      } catch (java.net.BindException e) {
        throw new IllegalArgumentException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage()
            + " (another server on that port? choose one with --port)", e);
      }
      http.setExecutor(pool);
      http.createContext("/", this::handle);
      http.start();
      this.executor = pool;
      ok = true;
    } finally {
      if (!ok) {
        m.values().forEach(vs -> vs.values().forEach(s -> s.model().close()));
        if (pool != null) {
          pool.shutdownNow();
        }
      }
    }
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
    return http.getAddress().getPort();
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

  private void handle(HttpExchange ex) {
    try (ex) {
      int status;
      byte[] body;
      try {
        body = route(ex);
        status = 200;
      } catch (RestException e) {
        status = e.status;
        body = error(e.getMessage());
        if (status == 405) {
          ex.getResponseHeaders().set("Allow", e.getMessage().contains("POST") ? "POST" : "GET");
        }
      } catch (RuntimeException | IOException | Error e) {
        status = 500;
        internalErrors.incrementAndGet();
        log.println("hypercl serve: internal error on " + ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + e);
        body = error("internal error: " + e.getClass().getSimpleName());
      }
      try {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        if (status == 413) {
          // The refused body is left unread, so this connection cannot carry another request;
          // say so, or a pooling client would reuse it and fail.
          ex.getResponseHeaders().set("Connection", "close");
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream os = ex.getResponseBody()) {
          os.write(body);
        }
      } catch (IOException e) {
        // The client went away; nothing to answer.
      }
    }
  }

  private byte[] route(HttpExchange ex) throws IOException {
    String method = ex.getRequestMethod();
    String path = ex.getRequestURI().getRawPath();
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
      return predict(name, s, readBody(ex));
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

  private byte[] readBody(HttpExchange ex) throws IOException {
    String length = ex.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > options.maxBodyBytes()) {
          throw new RestException(413, "request body of " + length.trim() + " bytes is over the limit of "
              + options.maxBodyBytes());
        }
      } catch (NumberFormatException e) {
        throw RestException.badRequest("bad Content-Length '" + clip(length) + "'");
      }
    }
    try (InputStream in = ex.getRequestBody()) {
      byte[] b = in.readNBytes(options.maxBodyBytes() + 1);
      if (b.length > options.maxBodyBytes()) {
        throw new RestException(413, "request body is over the limit of " + options.maxBodyBytes() + " bytes");
      }
      return b;
    }
  }

  private byte[] predict(String name, Served served, byte[] body) throws IOException {
    JsonNode req;
    try {
      req = Json.COMPACT.readTree(body);
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
   * Stops accepting, waits up to the grace period for requests in flight, then frees every model.
   * Safe to call more than once and from a shutdown hook.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    http.stop(options.shutdownGraceSeconds());
    executor.shutdown();
    try {
      if (!executor.awaitTermination(options.shutdownGraceSeconds() + 1L, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    models.values().forEach(vs -> vs.values().forEach(s -> s.model().close()));
  }
}
