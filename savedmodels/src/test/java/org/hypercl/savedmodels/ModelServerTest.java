package org.hypercl.savedmodels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelServerTest {

  @TempDir static Path tmp;
  static TestRun run;
  static ModelServer server;
  static ExportedModels inProcess;
  static HttpClient client;
  static final ByteArrayOutputStream serverLog = new ByteArrayOutputStream();
  static final String TASK0 = "test-classification-task0";
  static final String HNET = "test-classification-hnet";

  @BeforeAll
  static void start() throws IOException {
    run = TestRun.classification(tmp.resolve("run"), 3, 3);
    ModelExporter.export(run.dir, ExportOptions.defaults().withOut(tmp.resolve("export")));
    server = ModelServer.start(tmp.resolve("export"),
        ServerOptions.defaults().withPort(0).withMaxBodyBytes(64 * 1024), new PrintStream(serverLog, true));
    inProcess = ExportedModels.open(tmp.resolve("export"));
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (inProcess != null) {
      inProcess.close();
    }
    if (run != null) {
      run.close();
    }
  }

  record Reply(int status, JsonNode json, String raw) {}

  static Reply send(String method, String path, String body) throws IOException, InterruptedException {
    return send(client, method, path, body);
  }

  static Reply send(HttpClient via, String method, String path, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(20));
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = via.send(b.build(), HttpResponse.BodyHandlers.ofString());
    // COMPACT: answers may hold bare NaN and Infinity, as TF Serving's do.
    return new Reply(r.statusCode(), r.body().isEmpty() ? null : Json.COMPACT.readTree(r.body()), r.body());
  }

  static Reply get(String path) throws IOException, InterruptedException {
    return send("GET", path, null);
  }

  static Reply post(String path, String body) throws IOException, InterruptedException {
    return send("POST", path, body);
  }

  static String rows(float[] x, int n, int width) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      s.append(i > 0 ? "," : "").append('[');
      for (int j = 0; j < width; j++) {
        s.append(j > 0 ? "," : "").append(x[i * width + j]);
      }
      s.append(']');
    }
    return s.append(']').toString();
  }

  static float[] floats(JsonNode rowsOrValues) {
    List<Float> v = new ArrayList<>();
    collect(rowsOrValues, v);
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  private static void collect(JsonNode n, List<Float> v) {
    if (n.isArray()) {
      n.forEach(c -> collect(c, v));
    } else {
      v.add(n.floatValue());
    }
  }

  @Test
  void healthAndStatusAndMetadata() throws Exception {
    assertThat(get("/healthz").json().get("status").asText()).isEqualTo("ok");
    Reply status = get("/v1/models/" + TASK0);
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.json().at("/model_version_status/0/state").asText()).isEqualTo("AVAILABLE");
    assertThat(status.json().at("/model_version_status/0/version").asText()).isEqualTo("1");
    assertThat(get("/v1/models/" + TASK0 + "/versions/1").status()).isEqualTo(200);
    Reply meta = get("/v1/models/" + HNET + "/metadata");
    assertThat(meta.status()).isEqualTo(200);
    JsonNode defs = meta.json().at("/metadata/signature_def/signature_def");
    assertThat(defs.has("predict")).isTrue();
    assertThat(defs.has("infer_task")).isTrue();
    assertThat(defs.at("/predict/inputs/x/dtype").asText()).isEqualTo("DT_FLOAT");
    assertThat(defs.at("/predict/inputs/x/tensor_shape/dim/0/size").asText()).isEqualTo("-1");
    assertThat(defs.at("/predict/inputs/x/tensor_shape/dim/1/size").asText()).isEqualTo("6");
    assertThat(defs.at("/predict/inputs/task_id/dtype").asText()).isEqualTo("DT_INT32");
    assertThat(defs.at("/predict/method_name").asText()).isEqualTo("tensorflow/serving/predict");
    assertThat(get("/v1/models/" + HNET + "/versions/1/metadata").status()).isEqualTo(200);
  }

  @Test
  void predictRowAndColumnarFormatsMatchInProcess() throws Exception {
    int n = 4;
    float[] x = TestRun.inputs(n, 6, 21);
    float[] want = inProcess.task(1).predict(x, n).logits();

    Reply row = post("/v1/models/test-classification-task1:predict", "{\"instances\": " + rows(x, n, 6) + "}");
    assertThat(row.status()).as(row.raw()).isEqualTo(200);
    assertThat(row.json().get("predictions")).hasSize(n);
    float[] got = new float[n * 3];
    for (int i = 0; i < n; i++) {
      JsonNode p = row.json().get("predictions").get(i);
      System.arraycopy(floats(p.get("logits")), 0, got, i * 3, 3);
      assertThat(p.get("classes").asInt()).isEqualTo(inProcess.task(1).predict(x, n).classes()[i]);
    }
    assertClose(got, want);

    Reply col = post("/v1/models/test-classification-task1/versions/1:predict",
        "{\"signature_name\": \"serving_default\", \"inputs\": {\"x\": " + rows(x, n, 6) + "}}");
    assertThat(col.status()).as(col.raw()).isEqualTo(200);
    assertClose(floats(col.json().at("/outputs/logits")), want);
    Reply bare = post("/v1/models/test-classification-task1:predict", "{\"inputs\": " + rows(x, n, 6) + "}");
    assertClose(floats(bare.json().at("/outputs/probabilities")), inProcess.task(1).predict(x, n).probabilities());

    // The hypernetwork model: task id and embedding as named inputs, columnar and rows.
    Reply byId = post("/v1/models/" + HNET + ":predict",
        "{\"signature_name\": \"predict\", \"inputs\": {\"x\": " + rows(x, n, 6) + ", \"task_id\": 1}}");
    assertClose(floats(byId.json().at("/outputs/logits")), want);
    Reply byDefault = post("/v1/models/" + HNET + ":predict",
        "{\"inputs\": {\"x\": " + rows(x, n, 6) + ", \"task_id\": 1}}");
    assertClose(floats(byDefault.json().at("/outputs/logits")), want);
    String emb = Json.MAPPER.writeValueAsString(run.embedding(1));
    Reply byEmb = post("/v1/models/" + HNET + ":predict", "{\"signature_name\": \"predict_with_embedding\", "
        + "\"inputs\": {\"x\": " + rows(x, n, 6) + ", \"task_embedding\": " + emb + ", \"head\": 1}}");
    assertThat(byEmb.status()).as(byEmb.raw()).isEqualTo(200);
    assertClose(floats(byEmb.json().at("/outputs/logits")), want);

    // Rows for several tasks in one request, answered in request order.
    StringBuilder mixed = new StringBuilder("{\"signature_name\": \"predict\", \"instances\": [");
    for (int i = 0; i < n; i++) {
      mixed.append(i > 0 ? "," : "").append("{\"x\": ").append(rows(java.util.Arrays.copyOfRange(x, i * 6, i * 6 + 6), 1, 6)
          .replaceAll("^\\[|\\]$", "")).append(", \"task_id\": ").append(i % 3).append('}');
    }
    Reply rowsMixed = post("/v1/models/" + HNET + ":predict", mixed.append("]}").toString());
    assertThat(rowsMixed.status()).as(rowsMixed.raw()).isEqualTo(200);
    for (int i = 0; i < n; i++) {
      float[] one = java.util.Arrays.copyOfRange(x, i * 6, i * 6 + 6);
      assertClose(floats(rowsMixed.json().get("predictions").get(i).get("logits")), inProcess.task(i % 3).predict(one).logits());
    }

    Reply weights = post("/v1/models/" + HNET + ":predict",
        "{\"signature_name\": \"generate_weights\", \"inputs\": {\"task_id\": 2}}");
    assertClose(floats(weights.json().at("/outputs/weights")), run.weights(2));
    assertThat(weights.json().at("/outputs/w0")).hasSize(8); // [out, in]: one row per hidden unit
    Reply weightsEmb = post("/v1/models/" + HNET + ":predict",
        "{\"signature_name\": \"generate_weights_with_embedding\", \"inputs\": {\"task_embedding\": " + emb + "}}");
    assertClose(floats(weightsEmb.json().at("/outputs/weights")), run.weights(1));

    Reply infer = post("/v1/models/" + HNET + ":predict",
        "{\"signature_name\": \"infer_task\", \"instances\": " + rows(x, n, 6) + "}");
    assertThat(infer.status()).as(infer.raw()).isEqualTo(200);
    TaskInference ti = inProcess.hypernetwork().inferTask(x, n);
    for (int i = 0; i < n; i++) {
      assertThat(infer.json().get("predictions").get(i).get("task_id").asInt()).isEqualTo(ti.taskIds()[i]);
      assertThat(infer.json().get("predictions").get(i).get("entropies")).hasSize(3);
    }
  }

  @Test
  void errorsAreJsonWithTheRightStatus() throws Exception {
    String ok = "{\"instances\": [[1,2,3,4,5,6]]}";
    String p = "/v1/models/" + TASK0 + ":predict";
    assertError(post(p, "{\"instances\": [[1,2,3"), 400, "malformed JSON");
    assertError(post(p, "[1,2]"), 400, "JSON object");
    assertError(post(p, "{\"instances\": [[1,2,3]]}"), 400, "shape");
    assertError(post(p, "{\"instances\": [[1,2,3,4,5,6],[1,2]]}"), 400, "shape");
    assertError(post(p, "{\"instances\": [[1,2,3,4,5,\"six\"]]}"), 400, "numbers");
    assertError(post(p, "{\"instances\": [[1,2,3,4,5,[6]]]}"), 400, "ragged");
    assertError(post(p, "{\"inputs\": {\"y\": [[1,2,3,4,5,6]]}}"), 400, "unknown input");
    assertError(post(p, "{\"instances\": [[1,2,3,4,5,6]], \"inputs\": [[1]]}"), 400, "exactly one");
    assertError(post(p, "{\"instances\": [[1,2,3,4,5,6]], \"signature_name\": \"nope\"}"), 404, "no signature");
    assertError(post(p, "{\"instances\": [[1e999,2,3,4,5,6]]}"), 400, "");
    assertError(post(p, "{\"instances\": []}"), 400, "non-empty");
    String h = "/v1/models/" + HNET + ":predict";
    assertError(post(h, "{\"inputs\": {\"x\": [[1,2,3,4,5,6]], \"task_id\": 7}}"), 404, "unknown task id 7");
    assertError(post(h, "{\"inputs\": {\"x\": [[1,2,3,4,5,6]], \"task_id\": -1}}"), 404, "unknown task id");
    assertError(post(h, "{\"inputs\": {\"x\": [[1,2,3,4,5,6]], \"task_id\": 0.5}}"), 400, "integers");
    assertError(post(h, "{\"inputs\": {\"x\": [[1,2,3,4,5,6]]}}"), 400, "missing input 'task_id'");
    assertError(post(h, "{\"signature_name\": \"predict_with_embedding\", \"inputs\": {\"x\": [[1,2,3,4,5,6]], "
        + "\"task_embedding\": [1,2], \"head\": 0}}"), 400, "task_embedding");
    assertError(post(h, "{\"signature_name\": \"generate_weights\", \"instances\": [{\"task_id\": 1}]}"), 400, "columnar");
    assertError(post("/v1/models/nope:predict", ok), 404, "unknown model");
    assertError(post("/v1/models/" + TASK0 + "/versions/9:predict", ok), 404, "no version 9");
    assertError(post("/v1/models/" + TASK0 + "/versions/x:predict", ok), 404, "not a number");
    assertError(post("/v1/models/" + TASK0 + ":classify", ok), 404, "unsupported");
    assertError(get("/v1/models/" + TASK0 + ":predict"), 405, "POST");
    assertError(post("/v1/models/" + TASK0, ok), 405, "GET");
    assertError(send("DELETE", "/v1/models/" + TASK0, null), 405, "GET");
    assertError(get("/v2/anything"), 404, "no route");
    assertError(get("/v1/models/" + TASK0 + "/extra/parts"), 404, "no route");
    assertError(post(p, "{\"instances\": " + "[[1,2,3,4,5,6]],".repeat(1).replace(",", "") + ", \"pad\": \""
        + "x".repeat(70_000) + "\"}"), 413, "limit");
    // Still answering after all of that, on the same pooled client: a 413 says "Connection: close",
    // so the client does not reuse the connection whose body the server left unread.
    for (int i = 0; i < 5; i++) {
      assertError(post(p, "{\"pad\": \"" + "x".repeat(70_000) + "\"}"), 413, "limit");
      assertThat(post(p, ok).status()).isEqualTo(200);
    }
    assertThat(server.internalErrors()).as(serverLog.toString()).isZero();
  }

  @Test
  void modelNamesAreNeverPaths() throws Exception {
    for (String path : List.of("/v1/models/../manifest.json", "/v1/models/..%2Fmanifest.json",
        "/v1/models/%2e%2e/metadata", "/v1/models/../../etc/passwd:predict", "/v1/models/.:predict")) {
      String raw = rawRequest("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertThat(raw).as(path).startsWith("HTTP/1.1 404").doesNotContain("hypercl-export");
    }
  }

  static String rawRequest(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      OutputStream o = s.getOutputStream();
      o.write(request.getBytes(StandardCharsets.ISO_8859_1));
      o.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void garbageOnTheSocketDoesNotStopTheServer() throws Exception {
    rawRequest("NOT-HTTP\r\n\r\n");
    // Announces a body far over the limit and never sends it: refused from the header alone.
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("POST /v1/models/" + TASK0 + ":predict HTTP/1.1\r\nHost: x\r\n"
          + "Content-Length: 99999999\r\n\r\n{").getBytes(StandardCharsets.ISO_8859_1));
      // The status line and headers (the server keeps waiting for the unsent body, so read no further).
      StringBuilder head = new StringBuilder();
      InputStream in = s.getInputStream();
      while (head.indexOf("\r\n\r\n") < 0) {
        int c = in.read();
        assertThat(c).as("response ended inside the headers: " + head).isNotNegative();
        head.append((char) c);
      }
      assertThat(head.toString()).startsWith("HTTP/1.1 413");
      assertThat(head.toString().toLowerCase(java.util.Locale.ROOT)).contains("\r\nconnection: close\r\n");
    }
    assertThat(get("/healthz").status()).isEqualTo(200);
  }

  @Test
  void eightConcurrentClientsGetInProcessAnswers() throws Exception {
    int clients = 8;
    int requests = 200;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int id = c;
        done.add(pool.submit(() -> {
          int checked = 0;
          for (int r = 0; r < requests; r++) {
            int task = (id + r) % 3;
            float[] x = TestRun.inputs(1, 6, id * 1000L + r);
            boolean viaHnet = r % 2 == 0;
            String path = viaHnet ? "/v1/models/" + HNET + ":predict" : "/v1/models/test-classification-task" + task + ":predict";
            String body = viaHnet
                ? "{\"inputs\": {\"x\": " + rows(x, 1, 6) + ", \"task_id\": " + task + "}}"
                : "{\"instances\": " + rows(x, 1, 6) + "}";
            Reply reply = post(path, body);
            if (reply.status() != 200) {
              throw new AssertionError("client " + id + " request " + r + ": " + reply.raw());
            }
            float[] got = viaHnet ? floats(reply.json().at("/outputs/logits"))
                : floats(reply.json().at("/predictions/0/logits"));
            assertClose(got, inProcess.task(task).predict(x).logits());
            checked++;
          }
          return checked;
        }));
      }
      int total = 0;
      for (Future<Integer> f : done) {
        total += f.get();
      }
      assertThat(total).isEqualTo(clients * requests);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Served and in-process answers agree within the exporter's tolerance, 1e-5 relative to
   * max(1, |value|): the hypernetwork signatures and the task models are different graphs, whose
   * sums may round differently.
   */
  private static void assertClose(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5 * Math.max(1, Math.abs(expected[i]))));
    }
  }

  /** A raw request on a fresh connection, giving up after {@code timeoutMillis}. */
  static String rawRequest(int port, String request, int timeoutMillis) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(timeoutMillis);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  static final String HEALTHZ = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

  /** The body of a raw answer, checked to be JSON with an "error" (whatever the status). */
  static JsonNode errorBody(String raw) throws IOException {
    int split = raw.indexOf("\r\n\r\n");
    assertThat(split).as(raw).isPositive();
    assertThat(raw.substring(0, split).toLowerCase(java.util.Locale.ROOT)).as(raw).contains("content-type: application/json");
    JsonNode body = Json.MAPPER.readTree(raw.substring(split + 4));
    assertThat(body.get("error").isTextual()).as(raw).isTrue();
    return body;
  }

  /**
   * More slow clients than handler threads (8), each trickling a request header a byte a second,
   * and as many idle ones: a fresh client is still answered at once. (On the JDK's HttpServer the
   * slow ones held every handler thread until its 30 s request limit.)
   */
  @Test
  void slowAndIdleClientsDoNotStarveOthers() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      List<OutputStream> slow = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        held.add(s);
        slow.add(s.getOutputStream());
        s.getOutputStream().write(("POST /v1/models/" + TASK0 + ":predict HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .getBytes(StandardCharsets.ISO_8859_1));
        held.add(new Socket("127.0.0.1", server.port())); // idle: connected, sends nothing
      }
      long end = System.nanoTime() + 3_000_000_000L;
      int answered = 0;
      for (int tick = 0; System.nanoTime() < end; tick++) {
        if (tick % 4 == 0) {
          for (OutputStream o : slow) {
            o.write('a');
            o.flush();
          }
        }
        long t0 = System.nanoTime();
        String one = "{\"instances\": [[1,2,3,4,5,6]]}";
        String raw = tick % 2 == 0 ? rawRequest(server.port(), HEALTHZ, 2_000)
            : rawRequest(server.port(), "POST /v1/models/" + TASK0 + ":predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: " + one.length() + "\r\n\r\n" + one, 2_000);
        assertThat(raw).startsWith("HTTP/1.1 200");
        assertThat((System.nanoTime() - t0) / 1e6).as("ms to answer a fresh client").isLessThan(2_000);
        answered++;
        Thread.sleep(250);
      }
      assertThat(answered).isGreaterThanOrEqualTo(8);
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  /**
   * A server with a 1 s read timeout, a 2 s idle timeout and room for 3 connections: a request
   * whose headers or body trickle past the read timeout, or whose body stops, is answered 408 in
   * JSON; a silent connection is closed after the idle timeout; a connection beyond the bound
   * waits until an idle one is closed to make room.
   */
  @Test
  void readAndIdleTimeoutsAndTheConnectionBound() throws Exception {
    ServerOptions o = ServerOptions.defaults().withPort(0).withThreads(2).withReadTimeout(Duration.ofSeconds(1))
        .withIdleTimeout(Duration.ofSeconds(2)).withMaxConnections(3);
    ByteArrayOutputStream limitsLog = new ByteArrayOutputStream();
    try (ModelServer limited = ModelServer.start(tmp.resolve("export"), o, new PrintStream(limitsLog, true))) {
      int port = limited.port();
      String predict = "POST /v1/models/" + TASK0 + ":predict HTTP/1.1\r\nHost: x\r\n";
      // Headers a byte every 100 ms; the body a byte every 100 ms; a body that stops.
      assertTimedOut(trickle(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", ""));
      assertTimedOut(trickle(port, predict + "Content-Length: 100\r\n\r\n", "{"));
      long t0 = System.nanoTime();
      String stalled = rawRequest(port, predict + "Content-Length: 50\r\n\r\n{\"inst", 5_000);
      assertTimedOut(stalled);
      assertThat((System.nanoTime() - t0) / 1e9).isBetween(0.8, 3.0);

      try (Socket idle = new Socket("127.0.0.1", port)) {
        idle.setSoTimeout(6_000);
        long t1 = System.nanoTime();
        assertThat(idle.getInputStream().read()).as("closed by the server").isEqualTo(-1);
        assertThat((System.nanoTime() - t1) / 1e9).as("s until an idle connection is closed").isBetween(1.5, 4.5);
      }

      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          idle.add(new Socket("127.0.0.1", port));
        }
        Thread.sleep(100); // accepted: the bound is reached
        long t2 = System.nanoTime();
        assertThat(rawRequest(port, HEALTHZ, 5_000)).startsWith("HTTP/1.1 200");
        double waited = (System.nanoTime() - t2) / 1e9;
        // Not accepted until one of the idle connections was closed, 1 s after it went idle.
        assertThat(waited).as("s the fourth connection waited").isBetween(0.5, 3.5);
        int closed = 0;
        for (Socket s : idle) {
          s.setSoTimeout(3_000);
          closed += s.getInputStream().read() == -1 ? 1 : 0;
        }
        assertThat(closed).isPositive();
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
      assertThat(rawRequest(port, HEALTHZ, 5_000)).startsWith("HTTP/1.1 200");
      assertThat(limited.internalErrors()).as(limitsLog.toString()).isZero();
    }
  }

  /**
   * Sends {@code head}, then {@code body} and then one byte every 100 ms until the server answers
   * (or 4 s pass); returns what the server sent.
   */
  private static String trickle(int port, String head, String body) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(4_000);
      OutputStream o = s.getOutputStream();
      InputStream in = s.getInputStream();
      o.write((head + body).getBytes(StandardCharsets.ISO_8859_1));
      long end = System.nanoTime() + 4_000_000_000L;
      while (in.available() == 0 && System.nanoTime() < end) {
        o.write(' ');
        o.flush();
        Thread.sleep(100);
      }
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  private static void assertTimedOut(String raw) throws IOException {
    assertThat(raw).startsWith("HTTP/1.1 408");
    assertThat(errorBody(raw).get("error").asText()).contains("read timeout of 1 s");
  }

  /** Requests the HTTP layer refuses before any handler runs get JSON errors too. */
  @Test
  void malformedRequestsGetJsonErrors() throws Exception {
    String post = "POST /v1/models/" + TASK0 + ":predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    String[][] cases = {
      {post + "Content-Length: abc\r\n\r\n", "400", "Content-Length"},
      {post + "Content-Length: -5\r\n\r\n", "400", "Content-Length"},
      {post + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "400", "Content-Length"},
      {post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", "400", ""},
      {post + "Transfer-Encoding: gzip\r\n\r\n{}", "400", "Transfer-Encoding"},
      {"NOT-HTTP\r\n\r\n", "400", ""},
      {"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", "400", ""},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", "431", ""},
      {"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", "400", ""},
      {"GET /healthz HTTP/7.0\r\nHost: x\r\n\r\n", "505", ""},
    };
    for (String[] c : cases) {
      String raw = rawRequest(server.port(), c[0], 5_000);
      assertThat(raw).as(c[0]).startsWith("HTTP/1.1 " + c[1]);
      assertThat(errorBody(raw).get("error").asText()).as(raw).contains(c[2]);
    }
    assertThat(get("/healthz").status()).isEqualTo(200);
  }

  /**
   * NaN, Infinity and -Infinity are numbers in requests and come back bare in answers, as in TF
   * Serving; a literal beyond a double's range and a finite value beyond a float's are refused.
   */
  @Test
  void nonFiniteNumbersAsTfServingHasThem() throws Exception {
    String p = "/v1/models/" + TASK0 + ":predict";
    Reply nan = post(p, "{\"instances\": [[NaN, 1, 2, 3, 4, 5]]}");
    assertThat(nan.status()).as(nan.raw()).isEqualTo(200);
    assertSame(floats(nan.json().at("/predictions/0/logits")), inProcess.task(0).predict(new float[] {Float.NaN, 1, 2, 3, 4, 5}).logits());
    // An infinite input gives infinite or NaN logits (inf - inf in the output layer's sums).
    float[] x = null;
    Prediction want = null;
    for (int i = 0; i < 12 && x == null; i++) {
      float[] c = new float[6];
      c[i % 6] = i < 6 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
      Prediction q = inProcess.task(0).predict(c);
      for (float v : q.logits()) {
        if (!Float.isFinite(v)) {
          x = c;
          want = q;
          break;
        }
      }
    }
    assertThat(x).as("an infinite input that gives non-finite logits").isNotNull();
    String row = java.util.Arrays.toString(x); // Java writes Infinity and -Infinity as TF Serving reads them
    Reply col = post(p, "{\"inputs\": [" + row + "]}");
    assertThat(col.status()).as(col.raw()).isEqualTo(200);
    assertThat(col.raw()).doesNotContain("\"NaN\"").doesNotContain("\"Infinity\"").doesNotContain("\"-Infinity\"")
        .containsAnyOf("NaN", "Infinity");
    assertSame(floats(col.json().at("/outputs/logits")), want.logits());
    assertSame(floats(col.json().at("/outputs/probabilities")), want.probabilities());
    assertError(post(p, "{\"instances\": [[1e999, 1, 2, 3, 4, 5]]}"), 400, "too large for a double");
    assertError(post(p, "{\"instances\": [[-1e999, 1, 2, 3, 4, 5]]}"), 400, "too large for a double");
    assertError(post(p, "{\"instances\": [[1e39, 1, 2, 3, 4, 5]]}"), 400, "does not fit a float32");
    assertError(post("/v1/models/" + HNET + ":predict", "{\"inputs\": {\"x\": [[1,2,3,4,5,6]], \"task_id\": NaN}}"),
        400, "integers");
    assertError(post(p, "{\"instances\": [[1,2,3,4,5,6]]} {}"), 400, "Trailing token");
  }

  /** Equal values, NaN matching NaN. */
  private static void assertSame(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(Float.isNaN(actual[i])).as("element %d NaN", i).isEqualTo(Float.isNaN(expected[i]));
      if (!Float.isNaN(expected[i])) {
        assertThat(actual[i]).as("element %d", i).isEqualTo(expected[i]);
      }
    }
  }

  /** A client that disconnects mid-request or mid-answer is no internal error, and is not logged. */
  @Test
  void clientsThatGoAwayAreNotInternalErrors() throws Exception {
    int before = server.internalErrors();
    String head = "POST /v1/models/" + TASK0 + ":predict HTTP/1.1\r\nHost: x\r\n";
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write((head + "Content-Length: 1000\r\n\r\n{\"instances\": [[1,").getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      Thread.sleep(200); // the handler is reading the body
    }
    String many = "{\"instances\": [" + ("[1,2,3,4,5,6],".repeat(2_000)) + "[1,2,3,4,5,6]]}";
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.getOutputStream().write((head + "Content-Length: " + many.length() + "\r\n\r\n" + many).getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      s.setSoLinger(true, 0); // close with a reset, before the answer is read
    }
    Thread.sleep(500);
    assertThat(get("/healthz").status()).isEqualTo(200);
    assertThat(server.internalErrors()).as(serverLog.toString()).isEqualTo(before);
    assertThat(serverLog.toString()).doesNotContain("internal error");
  }

  /** close() returns at once when idle, and lets a request in flight finish first. */
  @Test
  void closeIsPromptAndFinishesRequestsInFlight() throws Exception {
    ModelServer idle = ModelServer.start(tmp.resolve("export"), ServerOptions.defaults().withPort(0));
    HttpClient pooled = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> r = pooled.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + idle.port() + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    long t0 = System.nanoTime();
    idle.close(); // the client still holds its keep-alive connection
    assertThat((System.nanoTime() - t0) / 1e6).as("ms to close an idle server").isLessThan(800);

    ModelServer busy = ModelServer.start(tmp.resolve("export"), ServerOptions.defaults().withPort(0));
    int busyPort = busy.port();
    String body = "{\"instances\": [[1,2,3,4,5,6]]}";
    try (Socket s = new Socket("127.0.0.1", busyPort)) {
      s.setSoTimeout(5_000);
      OutputStream o = s.getOutputStream();
      o.write(("POST /v1/models/" + TASK0 + ":predict HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n"
          + body.substring(0, 10)).getBytes(StandardCharsets.ISO_8859_1));
      o.flush();
      Thread.sleep(150); // the handler is reading the body
      long[] closeMs = {-1};
      Thread closer = new Thread(() -> {
        long c0 = System.nanoTime();
        busy.close();
        closeMs[0] = (System.nanoTime() - c0) / 1_000_000;
      });
      closer.start();
      Thread.sleep(100);
      assertThat(closer.isAlive()).as("close() waits for the request in flight").isTrue();
      o.write(body.substring(10).getBytes(StandardCharsets.ISO_8859_1));
      o.flush();
      String answer = new String(s.getInputStream().readNBytes(4096), StandardCharsets.ISO_8859_1);
      assertThat(answer).startsWith("HTTP/1.1 200").contains("\"predictions\"");
      closer.join(5_000);
      assertThat(closeMs[0]).as("ms close() took").isBetween(50L, 2_000L);
    }
    org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> rawRequest(busyPort, HEALTHZ, 1_000));
  }

  /** A second server on a port in use says which port, and loads nothing it does not close. */
  @Test
  void aBusyPortIsNamed() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ModelServer.start(tmp.resolve("export"), ServerOptions.defaults().withPort(server.port())).close());
    assertThat(e.getMessage()).startsWith("port " + server.port() + " on " + server.host() + " is already in use")
        .contains("--port");
  }

  private static void assertError(Reply r, int status, String fragment) {
    assertThat(r.status()).as(r.raw()).isEqualTo(status);
    assertThat(r.json().get("error").asText()).as(r.raw()).contains(fragment);
  }
}
