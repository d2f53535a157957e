package io.ckit.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.metrics.NodeMetrics;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Sharder;
import io.ckit.shard.Sharders;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.Test;

class PeerPublisherTest {

  private static final Peer A = new Peer("a", "10.0.0.1:80", true, PeerState.PARTICIPANT);
  private static final Peer B = new Peer("b", "10.0.0.2:80", false, PeerState.VIEWER);
  private static final Peer C = new Peer("c", "10.0.0.3:80", false, PeerState.PARTICIPANT);

  private final Map<String, Peer> table = new LinkedHashMap<>();
  private final Queue<Runnable> turns = new ArrayDeque<>();
  private final Sharder sharder = Sharders.ring(16);
  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final NodeMetrics metrics = new NodeMetrics(registry, "test", () -> 0, () -> 0, () -> 0, () -> 0);
  /** What the node, the observers and the event bus were told, in order. */
  private final List<String> told = new ArrayList<>();
  private final List<List<Peer>> observed = new ArrayList<>();
  private final List<JsonObject> sent = new ArrayList<>();
  private final PeerPublisher publisher = new PeerPublisher(table.values(), sharder, metrics, turns::add,
      this::nodeTold, peers -> {
        told.add("observers");
        observed.add(peers);
      }, message -> {
        told.add("event bus");
        sent.add(message);
      });

  private void nodeTold() {
    // The node is told once sharder and snapshot show the new set.
    assertThat(sharder.peers()).isEqualTo(owners(publisher.snapshot()));
    told.add("node");
  }

  /** The peers a sharder keeps: those that may own keys. */
  private static List<Peer> owners(List<Peer> peers) {
    return peers.stream().filter(peer -> peer.state() != PeerState.VIEWER).toList();
  }

  private void put(Peer... peers) {
    for (Peer peer : peers) {
      table.put(peer.name(), peer);
    }
    publisher.changed();
  }

  private void nextTurn() {
    List<Runnable> due = new ArrayList<>(turns);
    turns.clear();
    due.forEach(Runnable::run);
  }

  private double peerGauge(PeerState state) {
    return registry.get("cluster.node.peers").tag("state", state.toString()).gauge().value();
  }

  @Test
  void changesOfOneTurnArePublishedOnceInTheNext() {
    put(C);
    put(A);
    put(B);
    assertThat(turns).hasSize(1);
    assertThat(publisher.snapshot()).isEmpty();
    nextTurn();
    assertThat(told).containsExactly("node", "observers", "event bus");
    assertThat(observed).containsExactly(List.of(A, B, C));
    put(C);
    assertThat(turns).hasSize(1);
  }

  @Test
  void theSnapshotIsSortedByNameAndImmutable() {
    put(C, B, A);
    nextTurn();
    assertThat(publisher.snapshot()).containsExactly(A, B, C);
    assertThat(sharder.peers()).containsExactly(A, C);
    table.remove("b");
    assertThat(publisher.snapshot()).containsExactly(A, B, C);
  }

  @Test
  void peerGaugesCountByState() {
    put(A, B, C);
    nextTurn();
    assertThat(peerGauge(PeerState.PARTICIPANT)).isEqualTo(2);
    assertThat(peerGauge(PeerState.VIEWER)).isEqualTo(1);
    assertThat(peerGauge(PeerState.TERMINATING)).isZero();
  }

  @Test
  void theEventBusIsSentOnlyNewSetsWhileObserversHearEveryPublication() {
    put(A, B);
    nextTurn();
    put(B);
    nextTurn();
    assertThat(observed).hasSize(2);
    assertThat(sent).containsExactly(new JsonObject().put("peers", new JsonArray().add(A.toJson()).add(B.toJson())));
    put(new Peer("b", B.addr(), false, PeerState.PARTICIPANT));
    nextTurn();
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1)).isEqualTo(PeerPublisher.message(publisher.snapshot()));
  }

  @Test
  void onceClosedOnlyTheSharderSnapshotAndNodeFollowTheTable() {
    put(A);
    nextTurn();
    told.clear();
    publisher.close();
    put(B);
    nextTurn();
    assertThat(publisher.snapshot()).containsExactly(A, B);
    assertThat(sharder.peers()).containsExactly(A);
    assertThat(told).containsExactly("node");
    assertThat(observed).hasSize(1);
    assertThat(sent).hasSize(1);
  }

  @Test
  void theMessageIsCkitsPeerList() {
    assertThat(PeerPublisher.message(List.of(A)).encode()).isEqualTo(
        "{\"peers\":[{\"name\":\"a\",\"addr\":\"10.0.0.1:80\",\"isSelf\":true,\"state\":\"participant\"}]}");
    assertThat(PeerPublisher.message(List.of()).encode()).isEqualTo("{\"peers\":[]}");
  }
}
