package io.ckit.transport;

import io.ckit.gossip.TransportReceiver;
import io.ckit.gossip.HostPort;
import io.ckit.gossip.StreamChannel;
import io.ckit.gossip.Transport;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.WireDecodeException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.Router;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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
  /** The longest a closing transport waits for its requests in flight: enough for a leave to go out. */
  private static final long CLOSE_GRACE_MILLIS = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final TransportOptions options;
  private final TransportMetrics metrics;
  private final HttpClientAgent client;
  /** Queues of the peers with packets queued or in flight (no more: addresses churn); engine context only. */
  private final Map<String, PeerQueue> peers = new HashMap<>();
  /** Packets of every request, read and not yet handled by the engine. */
  private final Backlog inboundPackets;
  private volatile TransportReceiver engine;
  private volatile boolean closed;

  private HttpTransport(Vertx vertx, Context context, TransportOptions options, TransportMetrics metrics) {
    this.vertx = vertx;
    this.context = context;
    this.options = new TransportOptions(options);
    this.metrics = metrics;
    this.inboundPackets = new Backlog(metrics.rxQueue);
    HttpClientOptions clientOptions = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setSsl(options.isSsl())
        .setUseAlpn(options.isSsl())
        .setVerifyHost(options.isVerifyHost())
        .setTrustOptions(options.getTrustOptions())
        .setKeyCertOptions(options.getKeyCertOptions());
    this.client = vertx.createHttpClient(clientOptions, new PoolOptions().setHttp2MaxSize(1));
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
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /**
   * Refuses new requests with 503 and shuts the client down: requests in flight (the packets of a leave, say)
   * get up to a second (or the packet timeout, if shorter) to complete before the connections are closed.
   */
  public Future<Void> close() {
    closed = true;
    long grace = Math.min(CLOSE_GRACE_MILLIS, options.getPacketTimeout().toMillis());
    return client.shutdown(grace, TimeUnit.MILLISECONDS);
  }

  /** Server options for a server of the transport's own: h2c (and HTTP/1.1) or TLS with ALPN. */
  public static HttpServerOptions serverOptions(TransportOptions options) {
    return new HttpServerOptions()
        .setHttp2ClearTextEnabled(true)
        .setSsl(options.isSsl())
        .setUseAlpn(options.isSsl())
        .setKeyCertOptions(options.getKeyCertOptions())
        .setTrustOptions(options.getTrustOptions())
        .setClientAuth(options.getClientAuth());
  }

  /** Starts a server of its own that serves only the transport's endpoints. */
  public Future<HttpServer> listen(int port, String host) {
    return vertx.createHttpServer(serverOptions(options)).requestHandler(requestHandler()).listen(port, host);
  }

  /** The two endpoints, relative to where the router is mounted ({@link #BASE_PATH}). */
  public Router router() {
    Router router = Router.router(vertx);
    router.route("/message").handler(routing -> handleMessage(routing.request()));
    router.route("/stream").handler(routing -> handleStream(routing.request()));
    return router;
  }

  /** A request handler that serves the two endpoints and answers 404 to anything else. */
  public Handler<HttpServerRequest> requestHandler() {
    return request -> {
      String path = request.path();
      if (MESSAGE_PATH.equals(path)) {
        handleMessage(request);
      } else if (STREAM_PATH.equals(path)) {
        handleStream(request);
      } else {
        request.response().setStatusCode(404).end();
      }
    };
  }

  // ---------------------------------------------------------------------------------------------------
  // Server side

  /** The status to refuse a request with, or 0 to accept it. */
  private int refusal(HttpServerRequest request) {
    if (closed || engine == null) {
      return 503;
    }
    if (request.version() != HttpVersion.HTTP_2) {
      return 505;
    }
    if (!CONTENT_TYPE.equals(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      return 400;
    }
    return 0;
  }

  private void handleMessage(HttpServerRequest request) {
    int refusal = refusal(request);
    if (refusal != 0) {
      request.response().setStatusCode(refusal).end();
      return;
    }
    String from = address(request.remoteAddress());
    TransportReceiver receiver = engine;
    Body body = new Body(request, Vertx.currentContext());
    FrameCodec.Decoder frames = new FrameCodec.Decoder(options.getMaxFrameBytes(), frame -> {
      metrics.rxPackets.increment();
      metrics.rxBytes.increment(frame.length());
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
        log(Level.WARNING, "error reading packet from peer " + from + ": " + e.getMessage());
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
        log(Level.WARNING, "error reading packet from peer " + from + ": " + e.getMessage());
        request.response().setStatusCode(400).end();
      }
    });
  }

  private void handleStream(HttpServerRequest request) {
    int refusal = refusal(request);
    if (refusal != 0) {
      request.response().setStatusCode(refusal).end();
      return;
    }
    Context server = Vertx.currentContext();
    HttpServerResponse response = request.response();
    response.setStatusCode(200).setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
    response.writeHead();
    TransportReceiver receiver = engine;
    ServerStream stream = new ServerStream(server, request, response, receiver.streamTimeout().toMillis());
    metrics.streams.incrementAndGet();
    onEngine(() -> receiver.acceptStream(stream));
  }

  /** The accepting side of a stream: reads the request body, writes the response. */
  private final class ServerStream extends EngineSideStream {
    private final Context server;
    private final HttpServerResponse response;

    ServerStream(Context server, HttpServerRequest request, HttpServerResponse response, long closeGraceMillis) {
      super(address(request.remoteAddress()), new Body(request, server), closeGraceMillis);
      this.server = server;
      this.response = response;
      request.handler(this::received);
      request.endHandler(end -> ended());
      request.exceptionHandler(this::failed);
      response.closeHandler(closed -> ended());
    }

    @Override
    void send(Buffer frame) {
      onContext(server, () -> {
        if (!response.ended() && !response.closed()) {
          response.write(frame).onFailure(e -> metrics.streamTxFailed.increment());
        }
      });
    }

    @Override
    void finish() {
      if (!response.ended() && !response.closed()) {
        response.end();
      }
    }

    @Override
    void reset() {
      response.reset();
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Client side: packets

  @Override
  public void sendPacket(String address, byte[] packet) {
    if (closed) {
      return;
    }
    PeerQueue peer = peers.get(address);
    if (peer == null) {
      peer = new PeerQueue(address);
      peers.put(address, peer);
      metrics.peerQueues.incrementAndGet();
    }
    if (peer.queue.size() >= options.getMaxQueuedPackets()) {
      peer.queue.poll();
      metrics.txQueue.decrementAndGet();
      metrics.txDropped.increment();
    }
    peer.queue.add(packet);
    metrics.txQueue.incrementAndGet();
    peer.pump();
  }

  /** One peer's outgoing packets: at most {@code maxPacketsInFlight} POSTs at a time. Engine context. */
  private final class PeerQueue {
    private final String address;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int inFlight;

    PeerQueue(String address) {
      this.address = address;
    }

    void pump() {
      while (inFlight < options.getMaxPacketsInFlight() && !queue.isEmpty() && !closed) {
        byte[] packet = queue.poll();
        metrics.txQueue.decrementAndGet();
        inFlight++;
        metrics.txPackets.increment();
        metrics.txBytes.increment(packet.length);
        post(packet).onComplete(done -> {
          inFlight--;
          if (done.failed() || done.result() != 200) {
            metrics.txFailed.increment();
            log(Level.DEBUG, "failed to send message to " + address + ": "
                + (done.failed() ? done.cause().getMessage() : "status " + done.result()));
          }
          pump();
          // Only an idle queue goes, so a new queue for the address still keeps to the in-flight limit. A post
          // that fails at once completes within pump(): an inner completion may have removed this queue.
          if (inFlight == 0 && queue.isEmpty() && peers.remove(address, this)) {
            metrics.peerQueues.decrementAndGet();
          }
        });
      }
    }

    private Future<Integer> post(byte[] packet) {
      Future<HttpClientRequest> created;
      try {
        created = client.request(requestOptions(address, MESSAGE_PATH).setTimeout(options.getPacketTimeout().toMillis()));
      } catch (RuntimeException e) {
        // A closed client, or an address that is no host:port.
        return Future.failedFuture(e);
      }
      return created
          .compose(request -> {
            // Failures arrive through the response future; this only keeps them out of the context's log.
            request.exceptionHandler(e -> { });
            return request.send(FrameCodec.encode(packet));
          })
          .compose(response -> response.body().map(body -> response.statusCode()));
    }
  }

  private RequestOptions requestOptions(String address, String path) {
    HostPort peer = HostPort.parse(address);
    // The :authority header keeps an IPv6 address's brackets; where to connect takes it bare.
    return new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setServer(SocketAddress.inetSocketAddress(peer.port(), peer.host()))
        .setHost(peer.bracketedHost())
        .setPort(peer.port())
        .setURI(path)
        .setSsl(options.isSsl())
        .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE);
  }

  // ---------------------------------------------------------------------------------------------------
  // Client side: streams

  @Override
  public Future<StreamChannel> openStream(String address, long timeoutMillis) {
    Promise<StreamChannel> opened = Promise.promise();
    if (closed) {
      opened.fail("the transport is closed");
      return opened.future();
    }
    Future<HttpClientRequest> request;
    try {
      request = client.request(requestOptions(address, STREAM_PATH));
    } catch (RuntimeException e) {
      opened.fail(e);
      return opened.future();
    }
    long timer = vertx.setTimer(timeoutMillis, fired -> {
      if (opened.tryFail("dial " + address + ": i/o timeout")) {
        // A server that never answers would otherwise keep the stream open on both ends: reset it now, or
        // once the request exists.
        request.onSuccess(HttpClientRequest::reset);
      }
    });
    request.onComplete(created -> {
      if (created.failed()) {
        vertx.cancelTimer(timer);
        opened.tryFail(created.cause());
        return;
      }
      HttpClientRequest http = created.result();
      http.setChunked(true);
      http.exceptionHandler(e -> opened.tryFail(e));
      http.sendHead();
      http.response().onComplete(answered -> {
        vertx.cancelTimer(timer);
        if (answered.failed()) {
          opened.tryFail(answered.cause());
          return;
        }
        HttpClientResponse response = answered.result();
        if (response.statusCode() != 200) {
          opened.tryFail("dial " + address + ": HTTP status " + response.statusCode());
          http.reset();
          return;
        }
        ClientStream stream = new ClientStream(address, http, response, Vertx.currentContext(), timeoutMillis);
        metrics.streams.incrementAndGet();
        if (!opened.tryComplete(stream)) {
          stream.close();
        }
      });
    });
    return opened.future();
  }

  /** The dialling side of a stream: writes the request body, reads the response. */
  private final class ClientStream extends EngineSideStream {
    private final HttpClientRequest request;

    ClientStream(String address, HttpClientRequest request, HttpClientResponse response, Context client,
        long closeGraceMillis) {
      super(address, new Body(response, client), closeGraceMillis);
      this.request = request;
      response.handler(this::received);
      response.endHandler(end -> ended());
      response.exceptionHandler(this::failed);
    }

    @Override
    void send(Buffer frame) {
      request.write(frame).onFailure(e -> metrics.streamTxFailed.increment());
    }

    @Override
    void finish() {
      request.end();
    }

    @Override
    void reset() {
      request.reset();
    }
  }

  /**
   * What the engine sees of a stream: frames as they complete, delivered on the engine's context; writes
   * framed and sent from wherever the HTTP side lives.
   *
   * <p>Closing ends this side's half. The other side is then given {@code closeGraceMillis} (the stream
   * timeout) to end its half too, as it does once it has read what it waited for; if it has not by then,
   * the HTTP/2 stream is reset, so that neither end keeps it open. It is not reset at once: {@link #close}
   * cannot tell an engine that is done from one that gave up, and a peer about to end normally would see an
   * error instead.
   */
  private abstract class EngineSideStream implements StreamChannel {
    private final String remote;
    private final Context http;
    private final long closeGraceMillis;
    /** This stream's frames read and not yet handled on the engine's context. */
    private final Backlog backlog = new Backlog(new AtomicInteger());
    private final FrameCodec.Decoder frames;
    private Consumer<byte[]> data = bytes -> {};
    private Runnable end = () -> {};
    private Consumer<Throwable> failure = e -> {};
    private boolean closed;
    private boolean ended;
    /** The other side ended its half, or the stream is gone; on the HTTP side's context. */
    private boolean otherSideDone;
    /** The timer that resets the stream if the other side does not end it; on the HTTP side's context. */
    private long resetTimer = -1;

    EngineSideStream(String remote, Body body, long closeGraceMillis) {
      this.remote = remote;
      this.http = body.context;
      this.closeGraceMillis = closeGraceMillis;
      this.frames = new FrameCodec.Decoder(options.getMaxFrameBytes(), frame -> {
        metrics.streamRxPackets.increment();
        metrics.streamRxBytes.increment(frame.length());
        byte[] bytes = frame.getBytes();
        backlog.handOff(body, () -> {
          if (!closed) {
            data.accept(bytes);
          }
        });
      });
    }

    /** Sends one frame; called on the engine's context. */
    abstract void send(Buffer frame);

    /** Ends this side; called on the HTTP side's context. */
    abstract void finish();

    /** Resets the HTTP/2 stream; called on the HTTP side's context. */
    abstract void reset();

    /** A chunk of the other side's bytes arrived (on the HTTP side's context). */
    void received(Buffer chunk) {
      try {
        frames.handle(chunk);
      } catch (WireDecodeException | IllegalStateException e) {
        metrics.streamRxFailed.increment();
        fail(e);
      }
    }

    /** The other side ended its half of the stream, or the stream is gone (on the HTTP side's context). */
    void ended() {
      noteOtherSideDone();
      onEngine(() -> {
        if (!ended) {
          ended = true;
          end.run();
        }
      });
    }

    /** The HTTP/2 stream failed: reset, or its connection lost (on the HTTP side's context). */
    void failed(Throwable cause) {
      noteOtherSideDone();
      fail(cause);
    }

    private void noteOtherSideDone() {
      otherSideDone = true;
      if (resetTimer >= 0) {
        vertx.cancelTimer(resetTimer);
      }
    }

    private void fail(Throwable cause) {
      onEngine(() -> {
        if (!ended) {
          ended = true;
          failure.accept(cause);
        }
      });
    }

    @Override
    public void write(byte[] bytes) {
      if (closed) {
        return;
      }
      metrics.streamTxPackets.increment();
      metrics.streamTxBytes.increment(bytes.length);
      send(FrameCodec.encode(bytes));
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      metrics.streams.decrementAndGet();
      onContext(http, () -> {
        finish();
        if (!otherSideDone) {
          resetTimer = vertx.setTimer(closeGraceMillis, fired -> {
            if (!otherSideDone) {
              reset();
            }
          });
        }
      });
    }

    @Override
    public void handler(Consumer<byte[]> data) {
      this.data = data;
    }

    @Override
    public void endHandler(Runnable end) {
      this.end = end;
    }

    @Override
    public void exceptionHandler(Consumer<Throwable> failure) {
      this.failure = failure;
    }

    @Override
    public String remoteAddress() {
      return remote;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Inbound flow control

  /** A request or response body frames are read from, and the context its handlers run on. */
  private static final class Body {
    private final ReadStream<Buffer> stream;
    private final Context context;
    /** Whether reading is paused for the engine to catch up; on the body's context only. */
    private boolean paused;

    Body(ReadStream<Buffer> stream, Context context) {
      this.stream = stream;
      this.context = context;
    }
  }

  /**
   * Frames handed to the engine and not yet handled there. At the limit, the body a frame came from stops
   * being read (the rest of the chunk at hand still goes through); every body paused so is read again once
   * the engine has worked the count down to half the limit.
   *
   * <p>Concurrency: bodies are read on their own contexts and frames handled on the engine's, so the count
   * is atomic and paused bodies wait in a lock-free queue; a body is paused and resumed on its own context.
   */
  private final class Backlog {
    private final AtomicInteger pending;
    private final Queue<Body> paused = new ConcurrentLinkedQueue<>();

    Backlog(AtomicInteger pending) {
      this.pending = pending;
    }

    /** Hands a frame's task to the engine; called on the body's context. */
    void handOff(Body body, Runnable task) {
      pending.incrementAndGet();
      onEngine(() -> {
        if (pending.decrementAndGet() <= resumeAt()) {
          resumePaused();
        }
        task.run();
      });
      if (!body.paused && pending.get() >= options.getMaxInboundQueuedPackets()) {
        body.paused = true;
        body.stream.pause();
        paused.add(body);
        // The engine may have drained the backlog before the body was queued, and would not resume it.
        if (pending.get() <= resumeAt()) {
          resumePaused();
        }
      }
    }

    private int resumeAt() {
      return options.getMaxInboundQueuedPackets() / 2;
    }

    private void resumePaused() {
      for (Body body = paused.poll(); body != null; body = paused.poll()) {
        Body resumed = body;
        onContext(resumed.context, () -> {
          resumed.paused = false;
          resumed.stream.resume();
        });
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------

  private void onEngine(Runnable task) {
    onContext(context, task);
  }

  private static void onContext(Context target, Runnable task) {
    if (Vertx.currentContext() == target) {
      task.run();
    } else {
      target.runOnContext(nothing -> task.run());
    }
  }

  /** {@code ip:port}, IPv6 in brackets. */
  static String address(SocketAddress address) {
    if (address == null) {
      return "unknown:0";
    }
    String host = address.hostAddress() != null ? address.hostAddress() : address.host();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.port();
  }

  private static void log(Level level, String message) {
    if (LOG.isLoggable(level)) {
      LOG.log(level, "gossiphttp: " + message);
    }
  }
}
