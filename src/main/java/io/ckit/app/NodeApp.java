package io.ckit.app;

import io.ckit.Advertise;
import io.ckit.Node;
import io.ckit.gossip.Addresses;
import io.ckit.NodeOptions;
import io.ckit.gossip.HostPort;
import io.ckit.impl.JoinLoop;
import io.ckit.impl.NodeImpl;
import io.ckit.peer.PeerState;
import io.ckit.transport.HttpTransport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The runnable node: one HTTP server (HTTP/1.1 and HTTP/2 on one port, h2c or TLS) serving the gossip
 * routes and the {@link NodeRoutes}; a node that the {@link JoinLoop} takes into the cluster (retrying in the
 * background) and to the configured state, and that on shutdown moves to terminating (gossiped to the peers)
 * and leaves.
 */
final class NodeApp {

  private static final System.Logger LOG = System.getLogger("io.ckit.app");

  private final AppConfig config;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** The node's observer: logs each change of peers and keeps the last, for {@code /api/v1/observer}. */
  private final ObservedPeers observed = new ObservedPeers();
  private final Vertx vertx;
  /** False when the Vert.x instance is shared with other nodes (one JVM hosting many): shutdown leaves it. */
  private final boolean ownsVertx;
  private volatile JoinLoop joins;
  private HttpServer server;
  private volatile Node node;

  NodeApp(AppConfig config) {
    this.config = config;
    this.ownsVertx = true;
    this.vertx = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(config.nativeTransport)
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /**
   * A node on a Vert.x instance it shares with other nodes (the cluster benchmark's one JVM hosting many):
   * its {@code /metrics} has the node's own meters but not Vert.x's or the JVM's, and shutting down leaves
   * the instance running.
   */
  NodeApp(AppConfig config, Vertx shared) {
    this.config = config;
    this.ownsVertx = false;
    this.vertx = shared;
  }

  /** The port the server is bound to, once {@link #start()} has completed. */
  int listeningPort() {
    return server.actualPort();
  }

  /** The node, once {@link #start()} has bound the server (null before). */
  Node node() {
    return node;
  }

  /**
   * Starts the server and the node; joining goes on in the background. Completes with the bound address once
   * the node runs.
   */
  Future<String> start() {
    NodeOptions options = config.node;
    Router router = Router.router(vertx);
    new NodeRoutes(options, registry, () -> node, () -> joins != null && joins.joined(), observed).mount(router);
    HostPort listen = HostPort.parse(config.listen);
    HttpServer http = vertx.createHttpServer(HttpTransport.serverOptions(options.getTransport()));
    HttpTransport.countRefusedConnections(http, registry, options.getLabel());
    return http.requestHandler(router).listen(listen.port(), listen.host())
        .compose(listening -> {
      server = listening;
      return advertised(options, listening.actualPort());
    }).compose(advertise -> {
      Node created = Node.create(vertx, new NodeOptions(options).setAdvertiseAddress(advertise)
          .setAdvertiseInterfaces(List.of()), registry);
      node = created;
      router.route(Node.TRANSPORT_BASE_PATH + "*").subRouter(created.transportRouter());
      created.observe(observed);
      String bound = new HostPort(listen.host(), server.actualPort()).toString();
      LOG.log(Level.INFO, "listening on " + bound + " (advertising " + advertise + ", sharder "
          + options.getSharder() + ", label \"" + options.getLabel() + "\", " + transportName() + ")");
      JoinLoop loop = new JoinLoop(vertx, created);
      joins = loop;
      return loop.start().map(bound);
    });
  }

  /** Which of Netty's transports Vert.x runs on, and why not the native one when it was asked for. */
  String transportName() {
    if (vertx.isNativeTransportEnabled()) {
      return "native transport";
    }
    Throwable why = vertx.unavailableNativeTransportCause();
    return ownsVertx && config.nativeTransport && why != null
        ? "NIO transport: native unavailable, " + why.getMessage() : "NIO transport";
  }

  /**
   * The address to advertise: the configured one (port 0 taking the server's), or the best address of the
   * configured interfaces (looked up off the event loop) with the server's port.
   */
  private Future<String> advertised(NodeOptions options, int port) {
    if (options.getAdvertiseInterfaces().isEmpty()) {
      HostPort configured = HostPort.parse(options.getAdvertiseAddress());
      return Future.succeededFuture((configured.port() == 0 ? new HostPort(configured.host(), port) : configured)
          .toString());
    }
    return vertx.executeBlocking(() -> Advertise.firstAddress(options.getAdvertiseInterfaces()))
        .map(address -> new HostPort(Addresses.ipText(address), port).toString());
  }

  /**
   * Shuts down as Go ckit's node does: terminating (which completes once the state message has been gossiped
   * its full number of times, so the peers have it), then leave, then stop; completes when everything is
   * closed. No fixed pause: the terminating broadcast is what peers need to hand work over.
   */
  Future<Void> shutdown() {
    JoinLoop loop = joins;
    if (loop != null) {
      loop.stop();
    }
    Node running = node;
    Future<Void> terminating = running == null || running.currentState() != PeerState.PARTICIPANT
        ? Future.succeededFuture()
        : running.changeState(PeerState.TERMINATING).onSuccess(moved -> LOG.log(Level.INFO, "state terminating"))
            .recover(failure -> Future.succeededFuture());
    return terminating
        .compose(moved -> running == null ? Future.succeededFuture() : running.stop())
        .onComplete(stopped -> LOG.log(Level.INFO, "left the cluster"))
        .compose(stopped -> server == null ? Future.succeededFuture() : server.close(),
            failure -> server == null ? Future.succeededFuture() : server.close())
        .eventually(() -> ownsVertx ? vertx.close() : Future.succeededFuture());
  }

  /**
   * Stops as a crashed process would: no terminating, no leave; the node's gossip, transport and server close
   * at once, so the peers find out by failure detection.
   */
  Future<Void> halt() {
    JoinLoop loop = joins;
    if (loop != null) {
      loop.stop();
    }
    Node running = node;
    Future<Void> halted = running == null ? Future.succeededFuture() : ((NodeImpl) running).halt();
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return Future.join(halted, closed).<Void>mapEmpty()
        .eventually(() -> ownsVertx ? vertx.close() : Future.succeededFuture());
  }

  /** Waits for a future from a non-Vert.x thread. */
  static <T> T await(Future<T> future, long seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
