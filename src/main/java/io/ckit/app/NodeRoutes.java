package io.ckit.app;

import io.ckit.MemberInfo;
import io.ckit.MembershipEvent;
import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.ReadOnlySharder;
import io.ckit.shard.RingArc;
import io.ckit.shard.Sharders;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The runnable node's HTTP routes besides gossip: {@code /metrics}, {@code /ready}, {@code /api/v1/peers},
 * {@code /api/v1/owners}, {@code /api/v1/owners/sample}, {@code /api/v1/status}, {@code /api/v1/events},
 * {@code /api/v1/observer}, {@code /api/v1/ring} and the status page at {@code /}. They are served from the
 * moment the server is bound, before the node exists: no peers,
 * not ready, owners 503.
 *
 * <p>Concurrency: handlers run on the server's event loop; the node and the join state are read through their
 * suppliers (volatile behind them), and the cache of key-space shares is one volatile immutable value.
 */
final class NodeRoutes {

  /** Keys sampled to estimate each participant's share of the key space. */
  private static final int SHARE_SAMPLES = 4096;
  /** Above this many arcs the ring's picture is drawn from {@link #SHARE_SAMPLES} sampled keys instead. */
  private static final int MAX_ARCS = 8192;
  private static final String STATUS_PAGE = statusPage();
  /** The most keys {@code /api/v1/owners/sample} looks up in one request. */
  static final int MAX_SAMPLE_KEYS = 100_000;

  private final NodeOptions options;
  private final PrometheusMeterRegistry registry;
  private final Supplier<Node> node;
  private final BooleanSupplier joined;
  private final ObservedPeers observed;
  private volatile Shares shares;
  private volatile Ring ring;

  /**
   * @param options  the node's options: name, sharder and the state it is ready in
   * @param registry the registry {@code /metrics} scrapes
   * @param node     the node, or null before it is created
   * @param joined   whether the node has joined and reached its configured state
   * @param observed the node's observer, whose last notification {@code /api/v1/observer} serves
   */
  NodeRoutes(NodeOptions options, PrometheusMeterRegistry registry, Supplier<Node> node, BooleanSupplier joined,
      ObservedPeers observed) {
    this.options = options;
    this.registry = registry;
    this.node = node;
    this.joined = joined;
    this.observed = observed;
  }

  /** Adds the routes to a router. */
  void mount(Router router) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/ready").handler(this::ready);
    router.get("/api/v1/peers").handler(routing -> json(routing, 200, Peer.toJson(currentPeers())));
    router.get("/api/v1/owners").handler(this::owners);
    router.get("/api/v1/owners/sample").handler(this::ownersSample);
    router.get("/api/v1/observer").handler(routing -> json(routing, 200, observed.toJson()));
    router.get("/api/v1/status").handler(this::status);
    router.get("/api/v1/events").handler(this::events);
    router.get("/api/v1/ring").handler(this::ring);
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

  /**
   * The owners of the keys {@code key-0} ... {@code key-(K-1)} as the node's sharder gives them, summed up so
   * that nodes can be compared without K requests each: {@code {"keys","n","op","fingerprint","owned"}}, the
   * fingerprint the SHA-256 (hex) of one line per key, its owners' names joined by commas, and {@code owned}
   * how many keys each peer owns first. 503 when there are not enough nodes.
   */
  private void ownersSample(RoutingContext routing) {
    Node running = node.get();
    String keysText = routing.request().getParam("keys", "10000");
    String nText = routing.request().getParam("n", "1");
    int keys;
    int n;
    try {
      keys = Integer.parseInt(keysText);
      n = Integer.parseInt(nText);
    } catch (NumberFormatException e) {
      keys = -1;
      n = -1;
    }
    if (keys < 1 || keys > MAX_SAMPLE_KEYS || n < 1) {
      json(routing, 400, error("keys must be a whole number from 1 to " + MAX_SAMPLE_KEYS + " and n at least 1,"
          + " got keys=\"" + keysText + "\" n=\"" + nText + "\""));
      return;
    }
    Op op;
    try {
      op = Op.parse(routing.request().getParam("op", Op.READ_WRITE.wireName()));
    } catch (IllegalArgumentException e) {
      json(routing, 400, error(e.getMessage()));
      return;
    }
    if (running == null) {
      json(routing, 503, error("node not started"));
      return;
    }
    int count = keys;
    int owners = n;
    // Up to 100,000 lookups and a hash: no work for an event loop.
    routing.vertx().executeBlocking(() -> sample(running.sharder(), count, owners, op), false).onComplete(done -> {
      if (done.failed()) {
        json(routing, done.cause() instanceof NotEnoughNodesException ? 503 : 500, error(done.cause().getMessage()));
        return;
      }
      json(routing, 200, done.result());
    });
  }

  /** What {@code /api/v1/owners/sample} answers for a sharder. */
  static JsonObject sample(ReadOnlySharder sharder, int keys, int n, Op op) throws NoSuchAlgorithmException {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    Map<String, Integer> owned = new TreeMap<>();
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < keys; i++) {
      List<Peer> owners = sharder.lookup(Key.ofString("key-" + i), n, op);
      line.setLength(0);
      for (Peer owner : owners) {
        line.append(line.length() == 0 ? "" : ",").append(owner.name());
      }
      digest.update(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
      owned.merge(owners.get(0).name(), 1, Integer::sum);
    }
    JsonObject counts = new JsonObject();
    owned.forEach(counts::put);
    return new JsonObject().put("keys", keys).put("n", n).put("op", op.wireName())
        .put("fingerprint", HexFormat.of().formatHex(digest.digest())).put("owned", counts);
  }

  private void status(RoutingContext routing) {
    Node running = node.get();
    List<Peer> peers = currentPeers();
    JsonObject keyShares = running == null ? new JsonObject() : shares(running.sharder());
    JsonObject status = new JsonObject()
        .put("name", options.getName())
        .put("advertiseAddress", running == null ? null : running.advertiseAddress())
        .put("state", running == null ? null : running.currentState().toString())
        .put("lamportTime", running == null ? 0 : running.lamportTime())
        .put("healthScore", running == null ? 0 : running.healthScore())
        .put("keyFingerprints", new JsonArray(running == null ? List.of() : running.keyFingerprints()))
        .put("sharder", options.getSharder())
        .put("peers", Peer.toJson(peers))
        .put("shares", keyShares);
    Future<List<MemberInfo>> members = running == null ? Future.succeededFuture(List.of()) : running.members();
    members.onComplete(done -> {
      JsonArray array = new JsonArray();
      if (done.succeeded()) {
        done.result().forEach(member -> array.add(member.toJson()));
      }
      json(routing, 200, status.put("members", array));
    });
  }

  /** The membership timeline: {@code {"events":[{"time","type","member","incarnation","detail"}, ...]}}. */
  private void events(RoutingContext routing) {
    Node running = node.get();
    Future<List<MembershipEvent>> events = running == null ? Future.succeededFuture(List.of()) : running.events();
    events.onComplete(done -> {
      JsonArray array = new JsonArray();
      if (done.succeeded()) {
        done.result().forEach(event -> array.add(event.toJson()));
      }
      json(routing, 200, new JsonObject().put("events", array));
    });
  }

  /**
   * A ring sharder's circle as arcs, for its picture: {@code {"sharder","tokens","sampled","owners":[...],
   * "arcs":[{"owner","first","last","start","end"}, ...]}} ({@code first}/{@code last} the unsigned keys, {@code
   * start}/{@code end} fractions of the circle). Past {@value #MAX_ARCS} arcs they come from sampled keys
   * ({@code "sampled": true}). Other sharders have no ring: {@code "arcs": []}.
   */
  private void ring(RoutingContext routing) {
    Node running = node.get();
    int tokens = ringTokens(options.getSharder());
    JsonObject json = new JsonObject().put("sharder", options.getSharder());
    if (running == null || tokens == 0) {
      json(routing, 200, json.put("tokens", tokens).put("sampled", false).put("owners", new JsonArray())
          .put("arcs", new JsonArray()));
      return;
    }
    List<Peer> owners = running.sharder().peers();
    Ring cached = ring;
    if (cached != null && cached.owners().equals(owners)) {
      json(routing, 200, cached.json().copy().put("sharder", options.getSharder()));
      return;
    }
    // Hashing every token of a large ring is no work for an event loop.
    routing.vertx().executeBlocking(() -> ringJson(running.sharder(), owners, tokens), false).onComplete(done -> {
      if (done.failed()) {
        json(routing, 500, error("ring: " + done.cause().getMessage()));
        return;
      }
      ring = new Ring(owners, done.result());
      json(routing, 200, done.result().copy().put("sharder", options.getSharder()));
    });
  }

  /** The token count of a ring sharder's spec, 0 for other sharders. */
  private static int ringTokens(String spec) {
    String canonical = Sharders.parse(spec).toString();
    return canonical.startsWith("ring:") ? Integer.parseInt(canonical.substring("ring:".length())) : 0;
  }

  private static JsonObject ringJson(ReadOnlySharder sharder, List<Peer> owners, int tokens) {
    List<Peer> participants = new ArrayList<>();
    for (Peer peer : owners) {
      if (peer.state() == PeerState.PARTICIPANT) {
        participants.add(peer);
      }
    }
    List<RingArc> arcs = Sharders.ringArcs(participants, tokens);
    boolean sampled = arcs.size() > MAX_ARCS;
    if (sampled) {
      arcs = sampledArcs(sharder);
    }
    JsonArray arcJson = new JsonArray(new ArrayList<>(arcs.size()));
    for (RingArc arc : arcs) {
      arcJson.add(new JsonObject().put("owner", arc.owner())
          .put("first", Long.toUnsignedString(arc.first())).put("last", Long.toUnsignedString(arc.last()))
          .put("start", arc.startFraction()).put("end", arc.endFraction()));
    }
    JsonArray names = new JsonArray();
    participants.forEach(peer -> names.add(peer.name()));
    return new JsonObject().put("tokens", tokens).put("sampled", sampled).put("owners", names).put("arcs", arcJson);
  }

  /** Arcs from the owners of evenly spaced keys: the picture of a ring with too many arcs to draw each. */
  private static List<RingArc> sampledArcs(ReadOnlySharder sharder) {
    List<RingArc> arcs = new ArrayList<>();
    long step = Long.divideUnsigned(-1L, SHARE_SAMPLES);
    for (int i = 0; i < SHARE_SAMPLES; i++) {
      String owner;
      try {
        owner = sharder.lookup(new Key(i * step + step / 2), 1, Op.READ_WRITE).get(0).name();
      } catch (NotEnoughNodesException e) {
        return List.of();
      }
      long first = i * step;
      long last = i + 1 == SHARE_SAMPLES ? -1L : (i + 1) * step - 1;
      RingArc previous = arcs.isEmpty() ? null : arcs.get(arcs.size() - 1);
      if (previous != null && previous.owner().equals(owner)) {
        arcs.set(arcs.size() - 1, new RingArc(owner, previous.first(), last));
      } else {
        arcs.add(new RingArc(owner, first, last));
      }
    }
    return arcs;
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

  /** The ring's arcs computed for one set of owners. */
  private record Ring(List<Peer> owners, JsonObject json) {}

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
