package org.hypercl.savedmodels;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.NanoTime;

/**
 * HTTP/1.1 connections whose request line and headers must arrive within a deadline from the
 * request's first byte; later ones are answered 408 (through the server's error handler) and the
 * connection closed.
 *
 * <p>Jetty parses headers without holding a thread, and its idle timeout restarts with every byte,
 * so a client that trickles a header a byte a second would otherwise keep its connection (one of
 * {@link ServerOptions#maxConnections()}) for as long as the header size limit allows. The check
 * runs in the parser, on the thread that parses, each time bytes arrive; a client that stops
 * sending altogether is left to the idle timeout. The body's deadline is {@link ModelServer}'s, as
 * it reads it.
 */
final class HeaderDeadlines extends HttpConnectionFactory {

  private final long deadlineNanos;
  private final String message;

  HeaderDeadlines(HttpConfiguration config, Duration readTimeout) {
    super(config);
    this.deadlineNanos = readTimeout.toNanos();
    this.message = "request headers did not arrive within the read timeout of " + ModelServer.seconds(readTimeout);
  }

  @Override
  public Connection newConnection(Connector connector, EndPoint endPoint) {
    // As HttpConnectionFactory does, with the parser below.
    HttpConnection c = new DeadlineConnection(getHttpConfiguration(), connector, endPoint);
    c.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
    return configure(c, connector, endPoint);
  }

  private final class DeadlineConnection extends HttpConnection {
    DeadlineConnection(HttpConfiguration config, Connector connector, EndPoint endPoint) {
      super(config, connector, endPoint);
    }

    @Override
    protected HttpParser newHttpParser(HttpCompliance compliance) {
      // Jetty's parser, rebuilt around the same request handler (private to HttpConnection).
      HttpParser plain = super.newHttpParser(compliance);
      HttpParser p = new DeadlineParser((HttpParser.RequestHandler) plain.getHandler(),
          getHttpConfiguration().getRequestHeaderSize(), compliance);
      p.setHeaderCacheSize(plain.getHeaderCacheSize());
      p.setHeaderCacheCaseSensitive(plain.isHeaderCacheCaseSensitive());
      return p;
    }
  }

  private final class DeadlineParser extends HttpParser {
    DeadlineParser(RequestHandler handler, int maxHeaderBytes, HttpCompliance compliance) {
      super(handler, maxHeaderBytes, compliance);
    }

    @Override
    public boolean parseNext(ByteBuffer buffer) {
      // Between START (nothing of this request yet) and CONTENT: the request line or headers.
      if (inHeaderState() && !isStart() && NanoTime.since(getBeginNanoTime()) > deadlineNanos) {
        // What the parser itself does with a malformed header.
        BufferUtil.clear(buffer);
        badMessage(new HttpException.RuntimeException(408, message));
        return false;
      }
      return super.parseNext(buffer);
    }
  }
}
