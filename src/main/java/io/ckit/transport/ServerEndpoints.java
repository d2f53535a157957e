package io.ckit.transport;

import io.ckit.gossip.TransportReceiver;
import io.ckit.transport.Backlog.Body;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.WireDecodeException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.lang.System.Logger.Level;
import java.util.Objects;

/**
 * The server side: ckit's two endpoints. Both refuse a request with 503 before the engine is bound or once
 * the transport is closed, 505 unless it is HTTP/2, and 400 without ckit's content type; the last two, and
 * bodies that are not frames, are counted in {@code cluster_transport_rx_rejected_total{reason}}.
 *
 * <ul>
 *   <li>{@code POST message}: the body's frames are decoded as they stream in and each is handed to the
 *       engine as a packet through the {@link Backlog} all requests share; answered 200 once the body is read,
 *       400 as soon as a frame is bad or longer than the maximum (before any of it is buffered).
 *   <li>{@code POST stream}: answered 200 at once; the request and response become a {@link ServerStream}
 *       the engine accepts.
 * </ul>
 *
 * <p>Concurrency: the handlers run on the HTTP server's context, whichever it is, and so do the request
 * bodies' callbacks; packets and accepted streams are delivered on the engine's context. The engine is bound
 * once, from any thread (volatile).
 */
final class ServerEndpoints {

  private final TransportCore core;
  /** Packets of every request, read and not yet handled by the engine. */
  private final Backlog inboundPackets;
  private volatile TransportReceiver engine;

  ServerEndpoints(TransportCore core) {
    this.core = core;
    this.inboundPackets = new Backlog(core, core.metrics.rxQueue);
  }

  void bind(TransportReceiver engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** The status to refuse a request with, or 0 to accept it. */
  private int refusal(HttpServerRequest request) {
    if (core.closed() || engine == null) {
      return 503;
    }
    if (request.version() != HttpVersion.HTTP_2) {
      core.metrics.rejectedRequest(TransportMetrics.REASON_HTTP_VERSION);
      return 505;
    }
    if (!HttpTransport.CONTENT_TYPE.equals(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      core.metrics.rejectedRequest(TransportMetrics.REASON_CONTENT_TYPE);
      return 400;
    }
    return 0;
  }

  void handleMessage(HttpServerRequest request) {
    int refusal = refusal(request);
    if (refusal != 0) {
      request.response().setStatusCode(refusal).end();
      return;
    }
    String from = address(request.remoteAddress());
    TransportReceiver receiver = engine;
    Body body = new Body(request, Vertx.currentContext());
    FrameCodec.Decoder frames = new FrameCodec.Decoder(core.options.getMaxFrameBytes(), frame -> {
      core.metrics.rxPackets.increment();
      core.metrics.rxBytes.increment(frame.length());
      byte[] packet = frame.getBytes();
      inboundPackets.handOff(body, () -> receiver.receivePacket(packet, from));
    });
    boolean[] rejected = {false};
    request.handler(chunk -> {
      if (rejected[0]) {
        return;
      }
      try {
        frames.handle(chunk);
      } catch (WireDecodeException e) {
        rejected[0] = true;
        core.metrics.rejectedFrame();
        HttpTransport.log(Level.WARNING, "error reading packet from peer " + from + ": " + e.getMessage());
        request.response().setStatusCode(400).end();
      }
    });
    request.endHandler(end -> {
      if (rejected[0]) {
        return;
      }
      try {
        frames.end();
        request.response().setStatusCode(200).end();
      } catch (WireDecodeException e) {
        core.metrics.rejectedFrame();
        HttpTransport.log(Level.WARNING, "error reading packet from peer " + from + ": " + e.getMessage());
        request.response().setStatusCode(400).end();
      }
    });
  }

  void handleStream(HttpServerRequest request) {
    int refusal = refusal(request);
    if (refusal != 0) {
      request.response().setStatusCode(refusal).end();
      return;
    }
    Context server = Vertx.currentContext();
    HttpServerResponse response = request.response();
    response.setStatusCode(200).setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, HttpTransport.CONTENT_TYPE);
    response.writeHead();
    TransportReceiver receiver = engine;
    ServerStream stream = new ServerStream(core, server, request, response, receiver.streamTimeout().toMillis());
    core.metrics.streams.incrementAndGet();
    core.onEngine(() -> receiver.acceptStream(stream));
  }

  /** {@code ip:port}, IPv6 in brackets. */
  static String address(SocketAddress address) {
    if (address == null) {
      return "unknown:0";
    }
    String host = address.hostAddress() != null ? address.hostAddress() : address.host();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.port();
  }
}
