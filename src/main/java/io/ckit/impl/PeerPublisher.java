package io.ckit.impl;

import io.ckit.metrics.NodeMetrics;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Sharder;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Publishes the peer table. Changes are coalesced: the first change of a turn schedules one publication for the
 * next turn, which sorts the table by name into the snapshot that {@code peers()} returns, sets the peer gauges,
 * hands the snapshot to the sharder (before anyone is told, as ckit updates its sharder before its observers),
 * then tells the node, the observers and, when the set differs from the last one sent, the event bus.
 *
 * <p>Concurrency: {@link #changed()}, the publication and {@link #close()} run on the node's context, as does
 * every hook; the snapshot is volatile, for any thread.
 */
final class PeerPublisher {

  private static final Comparator<Peer> BY_NAME = Comparator.comparing(Peer::name);

  private final Collection<Peer> table;
  private final Sharder sharder;
  private final NodeMetrics metrics;
  private final Executor nextTurn;
  private final Runnable node;
  private final Consumer<List<Peer>> observers;
  private final Consumer<JsonObject> eventBus;
  // Node context only.
  private boolean scheduled;
  private boolean closed;
  private List<Peer> lastSent = List.of();

  private volatile List<Peer> snapshot = List.of();

  /**
   * @param table     the live peer table, read at each publication
   * @param nextTurn  runs a task on the node's context in a later turn
   * @param node      run after every publication, once sharder and snapshot show it, even after {@link #close()}
   * @param observers told of every snapshot until closed (they skip a set they have seen)
   * @param eventBus  sent the peers message of each new set until closed
   */
  PeerPublisher(Collection<Peer> table, Sharder sharder, NodeMetrics metrics, Executor nextTurn,
      Runnable node, Consumer<List<Peer>> observers, Consumer<JsonObject> eventBus) {
    this.table = table;
    this.sharder = sharder;
    this.metrics = metrics;
    this.nextTurn = nextTurn;
    this.node = node;
    this.observers = observers;
    this.eventBus = eventBus;
  }

  /** The last published peers, sorted by name; any thread. */
  List<Peer> snapshot() {
    return snapshot;
  }

  /** The event-bus message for a peer set: {@code {"peers":[{"name","addr","isSelf","state"}, ...]}}. */
  static JsonObject message(List<Peer> peers) {
    return new JsonObject().put("peers", Peer.toJson(peers));
  }

  /** The peer table changed: publish it in the next turn, once however many changes come in this one. */
  void changed() {
    if (!scheduled) {
      scheduled = true;
      nextTurn.execute(this::publish);
    }
  }

  /** Stops telling the observers and the event bus; the sharder and the snapshot still follow the table. */
  void close() {
    closed = true;
  }

  private void publish() {
    scheduled = false;
    List<Peer> sorted = new ArrayList<>(table);
    sorted.sort(BY_NAME);
    Map<PeerState, Integer> counts = new EnumMap<>(PeerState.class);
    for (Peer peer : sorted) {
      counts.merge(peer.state(), 1, Integer::sum);
    }
    metrics.peers(counts);
    List<Peer> published = List.copyOf(sorted);
    sharder.setPeers(published);
    snapshot = published;
    node.run();
    if (closed) {
      return;
    }
    observers.accept(published);
    if (!published.equals(lastSent)) {
      lastSent = published;
      eventBus.accept(message(published));
    }
  }
}
