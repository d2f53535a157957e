package io.ckit.app;

import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.ReadOnlySharder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The runnable node's HTTP routes besides gossip: {@code /metrics}, {@code /ready}, {@code /api/v1/peers},
 * {@code /api/v1/owners}, {@code /api/v1/status} and the status page at {@code /}. They are served from the
 * moment the server is bound, before the node exists: no peers, not ready, owners 503.
 *
 * <p>Concurrency: handlers run on the server's event loop; the node and the join state are read through their
 * suppliers (volatile behind them), and the cache of key-space shares is one volatile immutable value.
 */
final class NodeRoutes {

  /** Keys sampled to estimate each participant's share of the key space. */
  private static final int SHARE_SAMPLES = 4096;
  private static final String STATUS_PAGE = statusPage();

  private final NodeOptions options;
  private final PrometheusMeterRegistry registry;
  private final Supplier<Node> node;
  private final BooleanSupplier joined;
  private volatile Shares shares;

  /**
   * @param options  the node's options: name, sharder and the state it is ready in
   * @param registry the registry {@code /metrics} scrapes
   * @param node     the node, or null before it is created
   * @param joined   whether the node has joined and reached its configured state
   */
  NodeRoutes(NodeOptions options, PrometheusMeterRegistry registry, Supplier<Node> node, BooleanSupplier joined) {
    this.options = options;
    this.registry = registry;
    this.node = node;
    this.joined = joined;
  }

  /** Adds the routes to a router. */
  void mount(Router router) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/ready").handler(this::ready);
    router.get("/api/v1/peers").handler(routing -> json(routing, 200, Peer.toJson(currentPeers())));
    router.get("/api/v1/owners").handler(this::owners);
    router.get("/api/v1/status").handler(this::status);
    router.get("/").handler(routing -> routing.response().putHeader("Content-Type", "text/html; charset=utf-8")
        .end(STATUS_PAGE));
  }

  private List<Peer> currentPeers() {
    Node running = node.get();
    return running == null ? List.of() : running.peers();
  }

  private void ready(RoutingContext routing) {
    Node running = node.get();
    boolean inState = joined.getAsBoolean() && running != null && running.currentState() == options.getState();
    boolean clusterReady = running != null && running.clusterReady().succeeded();
    boolean ready = inState && clusterReady;
    long participants = currentPeers().stream().filter(peer -> peer.state() == PeerState.PARTICIPANT).count();
    json(routing, ready ? 200 : 503, new JsonObject().put("ready", ready)
        .put("state", running == null ? null : running.currentState().toString())
        .put("clusterReady", clusterReady)
        .put("participants", participants)
        .put("minClusterSize", options.getMinClusterSize()));
  }

  private void owners(RoutingContext routing) {
    Node running = node.get();
    String key = routing.request().getParam("key");
    String nText = routing.request().getParam("n", "1");
    String opText = routing.request().getParam("op", Op.READ_WRITE.wireName());
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
    Node running = node.get();
    List<Peer> peers = currentPeers();
    JsonObject keyShares = running == null ? new JsonObject() : shares(running.sharder());
    json(routing, 200, new JsonObject()
        .put("name", options.getName())
        .put("advertiseAddress", running == null ? null : running.advertiseAddress())
        .put("state", running == null ? null : running.currentState().toString())
        .put("lamportTime", running == null ? 0 : running.lamportTime())
        .put("healthScore", running == null ? 0 : running.healthScore())
        .put("keyFingerprints", new JsonArray(running == null ? List.of() : running.keyFingerprints()))
        .put("sharder", options.getSharder())
        .put("peers", Peer.toJson(peers))
        .put("shares", keyShares));
  }

  /**
   * Each participant's share of the key space, from {@link #SHARE_SAMPLES} evenly spaced keys; sampled again
   * only when the sharder's peers change (the status page asks every second).
   */
  private JsonObject shares(ReadOnlySharder sharder) {
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

  private static String statusPage() {
    try (InputStream in = NodeRoutes.class.getResourceAsStream("status.html")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      return "<!doctype html><title>ckit</title><p>status page missing from the build";
    }
  }
}
