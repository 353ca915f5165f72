package org.hypercl.data.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny HTTP server on 127.0.0.1 serving one body, with switches for the failure cases. */
final class LoopbackServer implements AutoCloseable {
  private final HttpServer server;
  volatile byte[] body;
  /** Honour {@code Range: bytes=N-} with 206 responses. */
  volatile boolean supportRanges = true;
  /** If positive, the next response is cut after this many body bytes (then reset to 0). */
  volatile int cutAfter;
  /** Status to answer instead of serving the body, if non-zero. */
  volatile int status;
  final List<String> rangeHeaders = new CopyOnWriteArrayList<>();
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger bytesSent = new AtomicInteger();

  LoopbackServer(byte[] body) throws IOException {
    this.body = body;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    String range = ex.getRequestHeaders().getFirst("Range");
    rangeHeaders.add(String.valueOf(range));
    if (ex.getRequestURI().getPath().startsWith("/redirect/")) {
      ex.getResponseHeaders().add("Location", "/files/" + ex.getRequestURI().getPath().substring(10));
      ex.sendResponseHeaders(302, -1);
      ex.close();
      return;
    }
    if (status != 0) {
      ex.sendResponseHeaders(status, -1);
      ex.close();
      return;
    }
    byte[] data = body;
    int start = 0;
    if (supportRanges && range != null && range.startsWith("bytes=") && range.endsWith("-")) {
      start = Integer.parseInt(range.substring(6, range.length() - 1));
      if (start >= data.length) {
        ex.sendResponseHeaders(416, -1);
        ex.close();
        return;
      }
      ex.getResponseHeaders().add("Content-Range", "bytes " + start + "-" + (data.length - 1) + "/" + data.length);
    }
    int end = data.length;
    int cut = cutAfter;
    if (cut > 0) {
      // An interrupted transfer: a chunked response that ends early, so the client sees fewer bytes
      // than the file has (HttpServer cannot drop a fixed-length response mid-body).
      end = Math.min(end, start + cut);
      cutAfter = 0;
      ex.sendResponseHeaders(range != null && supportRanges ? 206 : 200, 0);
    } else {
      ex.sendResponseHeaders(range != null && supportRanges ? 206 : 200, data.length - start);
    }
    try (OutputStream out = ex.getResponseBody()) {
      out.write(data, start, end - start);
      bytesSent.addAndGet(end - start);
    }
    ex.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
