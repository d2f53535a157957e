package io.ckit.metrics;

import io.ckit.peer.PeerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A node's meters, named as Go ckit names them once Micrometer's Prometheus naming is applied (dots become
 * underscores, counters get {@code _total}, timers {@code _seconds}), each tagged {@code cluster_name}:
 * <ul>
 *   <li>{@code cluster_node_info{state}} 1 for the node's current state;
 *   <li>{@code cluster_node_peers{state}} peers by state;
 *   <li>{@code cluster_node_gossip_received_events_total{event}} and {@code
 *       cluster_node_gossip_broadcasts_total{event}};
 *   <li>{@code cluster_node_updating}, {@code cluster_node_update_duration_seconds}, {@code
 *       cluster_node_update_observers} for the observers;
 *   <li>{@code cluster_node_gossip_health_score}, {@code cluster_node_gossip_alive_peers}, {@code
 *       cluster_node_gossip_proto_version}, {@code cluster_node_lamport_time}.
 * </ul>
 * Counters and gauges may be updated from any thread. Every gauge holds what it reads strongly: Micrometer's
 * {@code Gauge.builder(name, obj, fn)} keeps {@code obj} only weakly, and a gauge whose object was collected
 * reads NaN.
 */
public final class NodeMetrics {

  /** Event labels of the received-events counter: ckit's. */
  public static final String EVENT_STATE_CHANGE = "state_change_message";
  public static final String EVENT_UNKNOWN_MESSAGE = "unknown_message";
  public static final String EVENT_GET_LOCAL_STATE = "get_local_state";
  public static final String EVENT_MERGE_REMOTE_STATE = "merge_remote_state";
  public static final String EVENT_NODE_JOIN = "node_join";
  public static final String EVENT_NODE_LEAVE = "node_leave";
  public static final String EVENT_NODE_UPDATE = "node_update";
  public static final String EVENT_NODE_CONFLICT = "node_conflict";
  /** Beyond ckit: a member's metadata ({@code Meta} in this project's form) could not be read. */
  public static final String EVENT_BAD_METADATA = "bad_metadata";
  /**
   * Beyond ckit: a state message no newer than what the node holds about that member (a replay, or an echo of
   * gossip), which changes nothing.
   */
  public static final String EVENT_STALE_STATE = "stale_state_message";

  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<String, Counter> events = new ConcurrentHashMap<>();
  private final Map<String, Counter> broadcasts = new ConcurrentHashMap<>();
  private final Map<PeerState, AtomicInteger> peers = new EnumMap<>(PeerState.class);
  private final AtomicInteger updating = new AtomicInteger();
  private final AtomicInteger observers = new AtomicInteger();
  private final MultiGauge info;
  private final Timer updateDuration;

  /**
   * Registers the meters.
   *
   * @param clusterName the cluster label ("" for none)
   * @param healthScore, alivePeers, protocolVersion, lamportTime read when the registry is scraped
   */
  public NodeMetrics(MeterRegistry registry, String clusterName, Supplier<Number> healthScore,
      Supplier<Number> alivePeers, Supplier<Number> protocolVersion, Supplier<Number> lamportTime) {
    this.registry = registry;
    this.tags = Tags.of("cluster_name", clusterName);
    info = MultiGauge.builder("cluster.node.info")
        .description("Info about the local node. Label values will change as the node changes state.")
        .register(registry);
    for (PeerState state : PeerState.values()) {
      AtomicInteger count = new AtomicInteger();
      peers.put(state, count);
      Gauge.builder("cluster.node.peers", count, AtomicInteger::get).strongReference(true)
          .description("Current number of healthy peers by state")
          .tags(tags).tag("state", state.toString()).register(registry);
    }
    Gauge.builder("cluster.node.updating", updating, AtomicInteger::get).strongReference(true)
        .description("1 if the node is currently processing a change to the cluster state.")
        .tags(tags).register(registry);
    updateDuration = Timer.builder("cluster.node.update.duration")
        .description("Histogram of the latency it took to process a change to the cluster state.")
        .tags(tags).register(registry);
    Gauge.builder("cluster.node.update.observers", observers, AtomicInteger::get).strongReference(true)
        .description("Number of internal observers waiting for changes to cluster state.")
        .tags(tags).register(registry);
    gauge("cluster.node.gossip.health.score",
        "Health value of a node; lower values means healthier. 0 is the minimum.", healthScore);
    gauge("cluster.node.gossip.alive.peers",
        "How many alive gossip peers a node has, including the local node.", alivePeers);
    gauge("cluster.node.gossip.proto.version",
        "Gossip protocol version used by nodes to maintain the cluster", protocolVersion);
    gauge("cluster.node.lamport.time", "The current lamport time of the node.", lamportTime);
    for (String event : List.of(EVENT_STATE_CHANGE, EVENT_UNKNOWN_MESSAGE, EVENT_GET_LOCAL_STATE,
        EVENT_MERGE_REMOTE_STATE, EVENT_NODE_JOIN, EVENT_NODE_LEAVE, EVENT_NODE_UPDATE, EVENT_NODE_CONFLICT,
        EVENT_STALE_STATE)) {
      event(event, 0);
    }
    broadcast(EVENT_STATE_CHANGE, 0);
  }

  /** A gauge that holds its supplier strongly (the object form of Gauge.builder holds it weakly). */
  private void gauge(String name, String help, Supplier<Number> value) {
    Gauge.builder(name, value).description(help).tags(tags).register(registry);
  }

  /** Counts a gossip event of ckit's kinds. */
  public void event(String event) {
    event(event, 1);
  }

  private void event(String event, int amount) {
    count(events, "cluster.node.gossip.received.events", "Total number of gossip messages handled by the node.",
        event, amount);
  }

  /** Counts a message this node queued for gossip. */
  public void broadcast(String event) {
    broadcast(event, 1);
  }

  private void broadcast(String event, int amount) {
    count(broadcasts, "cluster.node.gossip.broadcasts", "Total number of gossip messages broadcasted by the node.",
        event, amount);
  }

  /** Adds to the counter of one event label, registering it the first time. */
  private void count(Map<String, Counter> counters, String name, String help, String event, int amount) {
    counters.computeIfAbsent(event, e -> Counter.builder(name).description(help).tags(tags).tag("event", e)
        .register(registry)).increment(amount);
  }

  /** The node's state: the info gauge carries it as its only {@code state} label. */
  public void state(PeerState state) {
    info.register(List.of(MultiGauge.Row.of(tags.and("state", state.toString()), 1)), true);
  }

  /** Peers by state. */
  public void peers(Map<PeerState, Integer> counts) {
    peers.forEach((state, gauge) -> gauge.set(counts.getOrDefault(state, 0)));
  }

  /** Observers are being told of a change (or are done). */
  public void updating(boolean busy) {
    updating.set(busy ? 1 : 0);
  }

  /** How long telling every observer took. */
  public Timer updateDuration() {
    return updateDuration;
  }

  /** How many observers are registered. */
  public void observers(int count) {
    observers.set(count);
  }
}
