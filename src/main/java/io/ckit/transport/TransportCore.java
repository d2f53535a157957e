package io.ckit.transport;

import io.ckit.gossip.HostPort;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * What the parts of one {@link HttpTransport} share: the engine's context and the way onto it, the options,
 * the meters, the HTTP/2 client (one multiplexed connection per peer, h2c with prior knowledge or TLS with
 * ALPN) and whether the transport is closed.
 *
 * <p>Concurrency: immutable but for the closed flag, which is volatile: {@link #close} sets it on any thread
 * and every part reads it on its own context. The client and the meters are thread-safe.
 */
final class TransportCore {

  /** The longest a closing transport waits for its requests in flight: enough for a leave to go out. */
  private static final long CLOSE_GRACE_MILLIS = 1_000;

  final Vertx vertx;
  /** Where the engine runs: everything handed to it is delivered here. */
  final Context engineContext;
  final TransportOptions options;
  final TransportMetrics metrics;
  final HttpClientAgent client;
  private volatile boolean closed;

  TransportCore(Vertx vertx, Context engineContext, TransportOptions options, TransportMetrics metrics) {
    this.vertx = vertx;
    this.engineContext = engineContext;
    this.options = new TransportOptions(options);
    this.metrics = metrics;
    HttpClientOptions clientOptions = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setSsl(options.isSsl())
        .setUseAlpn(options.isSsl())
        .setVerifyHost(options.isVerifyHost())
        .setTrustOptions(options.getTrustOptions())
        .setKeyCertOptions(options.getKeyCertOptions())
        .setHttp2KeepAliveTimeout((int) options.getIdleConnectionTimeout().getSeconds())
        // A connect whose SYNs went out while the peer was cut off waits in SYN backoff (retries 1, 3, 7, 15 s
        // after the first) and holds every request to the peer behind it: give it up, and the next message
        // dials afresh.
        .setConnectTimeout((int) options.getPingTimeout().toMillis());
    this.client = vertx.createHttpClient(clientOptions, new PoolOptions().setHttp2MaxSize(1)
        .setCleanerPeriod(cleanerPeriodMillis(options.getIdleConnectionTimeout().toMillis())));
  }

  /**
   * How often the pool looks for idle connections to close: a tenth of the idle timeout, between 1 and 10
   * seconds (Vert.x's default, 1 s, is one timer a second per node for a timeout counted in minutes).
   */
  static int cleanerPeriodMillis(long idleTimeoutMillis) {
    return (int) Math.max(1_000, Math.min(10_000, idleTimeoutMillis / 10));
  }

  boolean closed() {
    return closed;
  }

  /** Marks the transport closed and shuts the client down, giving requests in flight a grace period. */
  Future<Void> close() {
    closed = true;
    long grace = Math.min(CLOSE_GRACE_MILLIS, options.getPacketTimeout().toMillis());
    return client.shutdown(grace, TimeUnit.MILLISECONDS);
  }

  /** A POST of the transport's content type to one of a peer's endpoints. */
  RequestOptions request(String address, String path) {
    HostPort peer = HostPort.parse(address);
    // The :authority header keeps an IPv6 address's brackets; where to connect takes it bare.
    return new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setServer(SocketAddress.inetSocketAddress(peer.port(), peer.host()))
        .setHost(peer.bracketedHost())
        .setPort(peer.port())
        .setURI(path)
        .setSsl(options.isSsl())
        .putHeader(HttpHeaders.CONTENT_TYPE, HttpTransport.CONTENT_TYPE);
  }

  void onEngine(Runnable task) {
    onContext(engineContext, task);
  }

  static void onContext(Context target, Runnable task) {
    if (Vertx.currentContext() == target) {
      task.run();
    } else {
      target.runOnContext(nothing -> task.run());
    }
  }
}
