package io.ckit.app;

import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.gossip.HostPort;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.Sharder;
import io.ckit.transport.HttpTransport;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runnable node: one HTTP server (HTTP/1.1 and HTTP/2 on one port, h2c or TLS) serving the gossip
 * routes, {@code /metrics}, {@code /api/v1/peers}, {@code /api/v1/owners}, {@code /api/v1/status},
 * {@code /ready} and the status page at {@code /}; a node that joins (retrying in the background), moves to
 * the configured state, and on shutdown moves to terminating (gossiped to the peers) and leaves.
 */
final class NodeApp {

  private static final System.Logger LOG = System.getLogger("io.ckit.app");
  /** Keys sampled to estimate each participant's share of the key space. */
  private static final int SHARE_SAMPLES = 4096;
  private static final String STATUS_PAGE = statusPage();
  private static final long RETRY_MIN_MILLIS = 1_000;
  private static final long RETRY_MAX_MILLIS = 10_000;

  private final AppConfig config;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Vertx vertx;
  private HttpServer server;
  private volatile Node node;
  private volatile boolean joined;
  private volatile boolean stopping;
  private volatile Shares shares;

  NodeApp(AppConfig config) {
    this.config = config;
    this.vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
            .setJvmMetricsEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  /** The port the server is bound to, once {@link #start()} has completed. */
  int listeningPort() {
    return server.actualPort();
  }

  /** The node, once {@link #start()} has bound the server (null before). */
  Node node() {
    return node;
  }

  /** Starts the server and the node; joining goes on in the background. Completes with the bound address. */
  Future<String> start() {
    NodeOptions options = config.node;
    Router router = Router.router(vertx);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/ready").handler(this::ready);
    router.get("/api/v1/peers").handler(routing -> json(routing, 200, Peer.toJson(currentPeers())));
    router.get("/api/v1/owners").handler(this::owners);
    router.get("/api/v1/status").handler(this::status);
    router.get("/").handler(routing -> routing.response().putHeader("Content-Type", "text/html; charset=utf-8")
        .end(STATUS_PAGE));
    HostPort listen = HostPort.parse(config.listen);
    return vertx.createHttpServer(HttpTransport.serverOptions(options.getTransport())).requestHandler(router)
        .listen(listen.port(), listen.host())
        .map(listening -> {
      server = listening;
      HostPort advertised = HostPort.parse(options.getAdvertiseAddress());
      String advertise = (advertised.port() == 0
          ? new HostPort(advertised.host(), listening.actualPort()) : advertised).toString();
      Node created = Node.create(vertx, new NodeOptions(options).setAdvertiseAddress(advertise), registry);
      node = created;
      router.route(Node.TRANSPORT_BASE_PATH + "*").subRouter(created.transportRouter());
      created.observe(peers -> {
        LOG.log(Level.INFO, "peers changed: " + describe(peers));
        return true;
      });
      String bound = new HostPort(listen.host(), listening.actualPort()).toString();
      LOG.log(Level.INFO, "listening on " + bound + " (advertising " + advertise + ", sharder "
          + options.getSharder() + ", label \"" + options.getLabel() + "\")");
      join(RETRY_MIN_MILLIS);
      return bound;
    });
  }

  /** Joins the configured peers, retrying with backoff until one answers, then moves to the state. */
  private void join(long retryMillis) {
    if (stopping) {
      return;
    }
    List<String> peers = config.node.getJoinAddresses();
    node.start(peers).onComplete(started -> {
      if (stopping) {
        return;
      }
      if (started.failed()) {
        LOG.log(Level.WARNING, "join failed, retrying in " + retryMillis + " ms: " + started.cause().getMessage());
        vertx.setTimer(retryMillis, id -> join(Math.min(RETRY_MAX_MILLIS, retryMillis * 2)));
        return;
      }
      LOG.log(Level.INFO, peers.isEmpty() ? "started a new cluster" : "joined through " + peers);
      Future<Void> moved = config.node.getState() == PeerState.PARTICIPANT
          ? node.changeState(PeerState.PARTICIPANT) : Future.succeededFuture();
      moved.onComplete(done -> {
        if (done.succeeded()) {
          joined = true;
          LOG.log(Level.INFO, "state " + node.currentState());
        } else {
          LOG.log(Level.WARNING, "cannot move to " + config.node.getState() + ": " + done.cause().getMessage());
        }
      });
      if (!peers.isEmpty() && !config.rejoinInterval.isZero()) {
        vertx.setPeriodic(config.rejoinInterval.toMillis(), id -> rejoin(id, peers));
      }
    });
  }

  /**
   * Joins the join addresses again: a push/pull with each, which costs little when nothing is wrong and
   * merges the cluster back together after a partition long enough for both sides to forget each other.
   */
  private void rejoin(long timer, List<String> peers) {
    if (stopping) {
      vertx.cancelTimer(timer);
      return;
    }
    node.start(peers).onComplete(started -> {
      if (started.succeeded()) {
        LOG.log(Level.DEBUG, "rejoined through " + peers);
      } else if (!stopping) {
        LOG.log(Level.WARNING, "rejoin failed: " + started.cause().getMessage());
      }
    });
  }

  /**
   * Shuts down as Go ckit's node does: terminating (which completes once the state message has been gossiped
   * its full number of times, so the peers have it), then leave, then stop; completes when everything is
   * closed. No fixed pause: the terminating broadcast is what peers need to hand work over.
   */
  Future<Void> shutdown() {
    stopping = true;
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
        .eventually(() -> vertx.close());
  }

  // ---------------------------------------------------------------------------------------------------
  // Routes

  private List<Peer> currentPeers() {
    Node running = node;
    return running == null ? List.of() : running.peers();
  }

  private void ready(RoutingContext routing) {
    Node running = node;
    boolean ready = joined && !stopping && running != null && running.currentState() == config.node.getState();
    json(routing, ready ? 200 : 503, new JsonObject().put("ready", ready)
        .put("state", running == null ? null : running.currentState().toString()));
  }

  private void owners(RoutingContext routing) {
    Node running = node;
    String key = routing.request().getParam("key");
    String nText = routing.request().getParam("n", "1");
    String opText = routing.request().getParam("op", "readwrite");
    if (key == null) {
      json(routing, 400, error("missing query parameter \"key\""));
      return;
    }
    int n;
    try {
      n = Integer.parseInt(nText);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0) {
      json(routing, 400, error("n must be a whole number of at least 0, got \"" + nText + "\""));
      return;
    }
    Op op;
    try {
      op = Op.parse(opText);
    } catch (IllegalArgumentException e) {
      json(routing, 400, error(e.getMessage()));
      return;
    }
    if (running == null) {
      json(routing, 503, error("node not started"));
      return;
    }
    Key hashed = Key.ofString(key);
    try {
      List<Peer> owners = running.sharder().lookup(hashed, n, op);
      json(routing, 200, new JsonObject().put("key", key).put("hash", hashed.toString())
          .put("owners", Peer.toJson(owners)));
    } catch (NotEnoughNodesException e) {
      json(routing, 503, error(e.getMessage()));
    }
  }

  private void status(RoutingContext routing) {
    Node running = node;
    List<Peer> peers = currentPeers();
    JsonObject keyShares = running == null ? new JsonObject() : shares(running.sharder());
    json(routing, 200, new JsonObject()
        .put("name", config.node.getName())
        .put("advertiseAddress", running == null ? null : running.advertiseAddress())
        .put("state", running == null ? null : running.currentState().toString())
        .put("lamportTime", running == null ? 0 : running.lamportTime())
        .put("healthScore", running == null ? 0 : running.healthScore())
        .put("sharder", config.node.getSharder())
        .put("peers", Peer.toJson(peers))
        .put("shares", keyShares));
  }

  /**
   * Each participant's share of the key space, from {@link #SHARE_SAMPLES} evenly spaced keys; sampled again
   * only when the sharder's peers change (the status page asks every second).
   */
  private JsonObject shares(Sharder sharder) {
    List<Peer> owners = sharder.peers();
    Shares cached = shares;
    if (cached != null && cached.owners().equals(owners)) {
      return cached.json();
    }
    Map<String, Integer> counts = new HashMap<>();
    if (!owners.isEmpty()) {
      long step = Long.divideUnsigned(-1L, SHARE_SAMPLES);
      for (int i = 0; i < SHARE_SAMPLES; i++) {
        try {
          counts.merge(sharder.lookup(new Key(i * step + step / 2), 1, Op.READ_WRITE).get(0).name(), 1,
              Integer::sum);
        } catch (NotEnoughNodesException e) {
          break;
        }
      }
    }
    JsonObject json = new JsonObject();
    for (Peer peer : owners) {
      json.put(peer.name(), counts.getOrDefault(peer.name(), 0) / (double) SHARE_SAMPLES);
    }
    shares = new Shares(owners, json);
    return json;
  }

  /** Key-space shares computed for one set of owners. */
  private record Shares(List<Peer> owners, JsonObject json) {}

  private static JsonObject error(String message) {
    return new JsonObject().put("error", message);
  }

  private static void json(RoutingContext routing, int status, Object body) {
    String text = body instanceof JsonArray array ? array.encode() : ((JsonObject) body).encode();
    routing.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(text);
  }

  private static String describe(List<Peer> peers) {
    StringBuilder text = new StringBuilder();
    for (Peer peer : peers) {
      text.append(text.length() == 0 ? "" : ", ").append(peer.name()).append(" (").append(peer.state())
          .append(')');
    }
    return text.toString();
  }

  private static String statusPage() {
    try (InputStream in = NodeApp.class.getResourceAsStream("status.html")) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      return "<!doctype html><title>ckit</title><p>status page missing from the build";
    }
  }

  /** Waits for a future from a non-Vert.x thread. */
  static <T> T await(Future<T> future, long seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
