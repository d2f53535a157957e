package io.ckit.transport;

import io.ckit.gossip.StreamChannel;
import io.ckit.gossip.Transport;
import io.ckit.gossip.TransportReceiver;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Go ckit's gossiphttp transport on Vert.x: memberlist packets and streams as HTTP/2 requests on the
 * application's own server.
 *
 * <ul>
 *   <li>{@code POST /api/v1/ckit/transport/message}: a body of frames, each one packet; answered 200 once
 *       the body is read.
 *   <li>{@code POST /api/v1/ckit/transport/stream}: answered 200 at once; then both sides send frames until
 *       either ends its side.
 * </ul>
 *
 * <p>Requests must be HTTP/2 (HTTP/1.x gets 505) with {@code Content-Type: application/x.ckit} (else 400);
 * once closed the transport answers 503. Bodies are parsed as they stream in, and a frame longer than the
 * maximum is refused (400) before any of it is buffered. When the engine falls behind (more than {@code
 * maxInboundQueuedPackets} packets, or frames of one stream, waiting for it) the transport stops reading
 * the bodies feeding it, and HTTP/2 flow control holds the senders back.
 *
 * <p>Serving: mount {@link #router()} under {@link #BASE_PATH} on an existing vertx-web router (without a
 * {@code BodyHandler} in front: it would buffer the stream), hand {@link #requestHandler()} to a plain
 * {@code HttpServer}, or {@link #listen} on a server of its own. Sending: one multiplexed HTTP/2 connection
 * per peer (h2c with prior knowledge, or TLS with ALPN); packets are POSTs from a bounded queue per peer
 * (the oldest is dropped when it is full), so a slow peer delays only its own packets.
 *
 * <p>This class only puts the parts together: {@code ServerEndpoints} serves, {@code PacketSender} sends
 * packets, {@code StreamDialer} opens streams, and all three share a {@code TransportCore}; the two client
 * parts share a {@code ConnectionCheck}, which gives up connections to peers that stopped answering.
 *
 * <p>Concurrency: created on the engine's context; calls from the engine ({@link #sendPacket}, {@link
 * #openStream}, stream writes) come from there, and everything handed to the engine is delivered there,
 * whatever context the HTTP server runs on.
 */
public final class HttpTransport implements Transport {

  private static final System.Logger LOG = System.getLogger(HttpTransport.class.getName());

  /** Where the two endpoints live. */
  public static final String BASE_PATH = "/api/v1/ckit/transport/";
  /** The packet endpoint. */
  public static final String MESSAGE_PATH = BASE_PATH + "message";
  /** The stream endpoint. */
  public static final String STREAM_PATH = BASE_PATH + "stream";
  /** The content type of every request. */
  public static final String CONTENT_TYPE = "application/x.ckit";

  private final TransportCore core;
  private final ServerEndpoints endpoints;
  private final PacketSender packets;
  private final StreamDialer streams;

  private HttpTransport(Vertx vertx, Context context, TransportOptions options, TransportMetrics metrics) {
    this.core = new TransportCore(vertx, context, options, metrics);
    this.endpoints = new ServerEndpoints(core);
    ConnectionCheck connections = new ConnectionCheck(core);
    this.packets = new PacketSender(core, connections);
    this.streams = new StreamDialer(core, connections);
  }

  /**
   * A transport for an engine running on the current Vert.x context.
   *
   * @throws IllegalStateException if not called on a Vert.x context
   */
  public static HttpTransport create(Vertx vertx, TransportOptions options, TransportMetrics metrics) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("create the transport on the engine's Vert.x context");
    }
    return new HttpTransport(vertx, context, options, metrics);
  }

  /** A transport for an engine running on the given Vert.x context. */
  public static HttpTransport create(Vertx vertx, Context context, TransportOptions options,
      TransportMetrics metrics) {
    return new HttpTransport(vertx, Objects.requireNonNull(context, "context"), options, metrics);
  }

  /** The engine that receives packets and streams. */
  public void bind(TransportReceiver engine) {
    endpoints.bind(engine);
  }

  /**
   * Refuses new requests with 503 and shuts the client down: requests in flight (the packets of a leave, say)
   * get up to a second (or the packet timeout, if shorter) to complete before the connections are closed.
   */
  public Future<Void> close() {
    return core.close();
  }

  /** Streams one HTTP/2 connection may have open at once: as many as a peer sends packets in flight. */
  public static final int MAX_CONCURRENT_STREAMS = TransportOptions.DEFAULT_MAX_PACKETS_IN_FLIGHT;
  /** The largest header block a request may have (HTTP/2's header list, HTTP/1.1's headers): 8 KiB. */
  public static final int MAX_HEADER_BYTES = 8192;
  /** Stream resets one connection may send within {@link #RST_FLOOD_WINDOW_SECONDS} before it is closed. */
  public static final int RST_FLOOD_MAX_RESETS = 200;
  public static final int RST_FLOOD_WINDOW_SECONDS = 30;

  /**
   * Server options for a server of the transport's own (and the runnable node's): h2c (and HTTP/1.1) or TLS
   * with ALPN, with limits against floods: {@value #MAX_CONCURRENT_STREAMS} concurrent streams per
   * connection (more are refused with RST_STREAM), header blocks of at most {@value #MAX_HEADER_BYTES} bytes,
   * and a connection closed (GOAWAY ENHANCE_YOUR_CALM) once it has reset {@value #RST_FLOOD_MAX_RESETS}
   * streams within {@value #RST_FLOOD_WINDOW_SECONDS} s (HTTP/2 rapid reset, CVE-2023-44487). An application
   * that mounts the routes on its own server should set the same.
   */
  public static HttpServerOptions serverOptions(TransportOptions options) {
    HttpServerOptions server = new HttpServerOptions();
    server.getInitialSettings().setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS)
        .setMaxHeaderListSize(MAX_HEADER_BYTES);
    return server
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setHttp2RstFloodMaxRstFramePerWindow(RST_FLOOD_MAX_RESETS)
        .setHttp2RstFloodWindowDuration(RST_FLOOD_WINDOW_SECONDS)
        .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS)
        .setHttp2ClearTextEnabled(true)
        .setSsl(options.isSsl())
        .setUseAlpn(options.isSsl())
        .setKeyCertOptions(options.getKeyCertOptions())
        .setTrustOptions(options.getTrustOptions())
        .setClientAuth(options.getClientAuth());
  }

  /** Starts a server of its own that serves only the transport's endpoints. */
  public Future<HttpServer> listen(int port, String host) {
    HttpServer server = core.vertx.createHttpServer(serverOptions(core.options));
    countRefusedConnections(server, core.metrics.registry, core.metrics.clusterName);
    return server.requestHandler(requestHandler()).listen(port, host);
  }

  /**
   * Counts in {@code cluster_transport_rx_rejected_total} the connections a server refuses: {@code tls} (a
   * failed TLS handshake) and {@code http2} (closed for an HTTP/2 protocol error: rapid reset, a CONTINUATION
   * flood...). Sets the server's exception handler and connection handler: call it before {@code listen}, on a
   * server whose connection handler is not otherwise used.
   */
  public static HttpServer countRefusedConnections(HttpServer server, MeterRegistry registry, String clusterName) {
    Handler<Throwable> count = TransportMetrics.connectionRefusals(registry, clusterName);
    return server.exceptionHandler(count)
        .connectionHandler(connection -> connection.exceptionHandler(count));
  }

  /** The two endpoints, relative to where the router is mounted ({@link #BASE_PATH}). */
  public Router router() {
    Router router = Router.router(core.vertx);
    router.route("/message").handler(routing -> endpoints.handleMessage(routing.request()));
    router.route("/stream").handler(routing -> endpoints.handleStream(routing.request()));
    return router;
  }

  /** A request handler that serves the two endpoints and answers 404 to anything else. */
  public Handler<HttpServerRequest> requestHandler() {
    return request -> {
      String path = request.path();
      if (MESSAGE_PATH.equals(path)) {
        endpoints.handleMessage(request);
      } else if (STREAM_PATH.equals(path)) {
        endpoints.handleStream(request);
      } else {
        request.response().setStatusCode(404).end();
      }
    };
  }

  @Override
  public void sendPacket(String address, byte[] packet) {
    packets.send(address, packet);
  }

  @Override
  public Future<StreamChannel> openStream(String address, long timeoutMillis) {
    return streams.open(address, timeoutMillis);
  }

  /** How every part logs: here, so that records keep this class as their source as well as their logger. */
  static void log(Level level, String message) {
    if (LOG.isLoggable(level)) {
      LOG.log(level, "gossiphttp: " + message);
    }
  }
}
