package io.ckit;

import static io.ckit.TestNodes.await;
import static io.ckit.TestNodes.options;
import static io.ckit.TestNodes.stateOf;
import static io.ckit.TestNodes.waitFor;
import static io.ckit.TestNodes.waitPeerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness by cluster size (Alloy's wait-for-size), rate-limited observers and advertising an interface's
 * address, on real nodes over loopback.
 */
class ClusterReadinessTest {

  private final Vertx vertx = Vertx.vertx();
  private final TestNodes nodes = new TestNodes(vertx);

  @AfterEach
  void tearDown() {
    nodes.close();
    await(vertx.close());
  }

  @Test
  void clusterIsReadyOnceMinClusterSizeParticipantsAreSeen() {
    Node a = nodes.start(options("a").setMinClusterSize(3));
    assertThat(a.clusterReady().isComplete()).isFalse();
    await(a.changeState(PeerState.PARTICIPANT));
    Node b = nodes.start(options("b").setMinClusterSize(3), a);
    await(b.changeState(PeerState.PARTICIPANT));
    waitPeerState(vertx, a, "b", PeerState.PARTICIPANT);
    waitPeerState(vertx, b, "a", PeerState.PARTICIPANT);
    // Two participants, and both know it: still not enough.
    assertThat(a.clusterReady().isComplete()).as("a ready with 2 of 3").isFalse();
    assertThat(b.clusterReady().isComplete()).as("b ready with 2 of 3").isFalse();

    // A viewer does not count.
    Node c = nodes.start(options("c").setMinClusterSize(3), a);
    waitPeerState(vertx, a, "c", PeerState.VIEWER);
    assertThat(a.clusterReady().isComplete()).as("a ready with a viewer as third").isFalse();

    await(c.changeState(PeerState.PARTICIPANT));
    for (Node node : List.of(a, b, c)) {
      await(node.clusterReady());
      assertThat(node.peers()).extracting(Peer::state).containsOnly(PeerState.PARTICIPANT);
    }
  }

  @Test
  void withATimeoutASmallerClusterCarriesOn() {
    Node alone = nodes.start(options("alone").setMinClusterSize(5)
        .setClusterSizeWaitTimeout(Duration.ofMillis(300)));
    await(alone.changeState(PeerState.PARTICIPANT));
    await(alone.clusterReady());
    assertThat(alone.peers()).hasSize(1);
  }

  @Test
  void withoutATimeoutTheWaitLastsAndAStopFailsIt() {
    Node waiting = nodes.start(options("waiting").setMinClusterSize(2));
    await(waiting.changeState(PeerState.PARTICIPANT));
    Node other = nodes.start(options("other").setMinClusterSize(2)
        .setClusterSizeWaitTimeout(Duration.ofMillis(300)));
    // The other node's timeout has long passed when it is ready; the first node, with no timeout, is not.
    await(other.clusterReady());
    assertThat(waiting.clusterReady().isComplete()).isFalse();
    await(waiting.stop());
    assertThatThrownBy(() -> await(waiting.clusterReady())).isInstanceOf(NodeStoppedException.class);
  }

  @Test
  void noMinimumIsReadyAtOnce() {
    Node node = nodes.create("plain");
    assertThat(node.clusterReady().succeeded()).isTrue();
  }

  @Test
  void observersUnderAMinimumIntervalGetAtMostOneCallASecondAndEndOnTheFinalSet() {
    Node a = nodes.start(options("a").setObserverMinInterval(Duration.ofSeconds(1)));
    List<Long> calls = new CopyOnWriteArrayList<>();
    List<List<Peer>> sets = new CopyOnWriteArrayList<>();
    a.observe(peers -> {
      calls.add(System.nanoTime());
      sets.add(peers);
      return true;
    });
    await(a.changeState(PeerState.PARTICIPANT));
    // Churn for over three seconds: nodes join, become participants and leave, each step once a has seen the
    // last, so that changes keep coming faster than the interval lets calls through.
    long churnStart = System.nanoTime();
    List<Node> others = new ArrayList<>();
    for (int i = 0; i < 3 || System.nanoTime() - churnStart < TimeUnit.MILLISECONDS.toNanos(3500); i++) {
      Node other = nodes.start("churn-" + i, a);
      others.add(other);
      await(other.changeState(PeerState.PARTICIPANT));
      waitPeerState(vertx, a, other.name(), PeerState.PARTICIPANT);
      if (others.size() > 2) {
        Node leaving = others.remove(0);
        await(leaving.stop());
        waitFor(vertx, "a to see " + leaving.name() + " leave", 30_000, () -> stateOf(a, leaving.name()) == null);
      }
    }
    waitFor(vertx, "a to see the churn settle", 30_000, () -> a.peers().size() == 3
        && a.peers().stream().allMatch(peer -> peer.state() == PeerState.PARTICIPANT));
    // The last call brings the final set (it may still be held back by the interval).
    waitFor(vertx, "the observer to be told the final set", 30_000,
        () -> !sets.isEmpty() && sets.get(sets.size() - 1).equals(a.peers()));
    List<Long> times = List.copyOf(calls);
    assertThat(times.size()).as("calls during the churn; sets told: %s", sets).isGreaterThan(2);
    for (int i = 1; i < times.size(); i++) {
      // Rounds start at least a second apart; a call may run a little after its round started.
      assertThat(TimeUnit.NANOSECONDS.toMillis(times.get(i) - times.get(i - 1)))
          .as("ms between call %d and %d of %d", i - 1, i, times.size()).isGreaterThanOrEqualTo(900);
    }
  }

  @Test
  void advertisesTheAddressOfAnInterface() {
    NodeOptions options = options("lo").setAdvertiseAddress(null).setAdvertiseInterfaces(List.of("no-such0", "lo"));
    Node node = nodes.create(options);
    await(node.start(List.of()));
    assertThat(node.advertiseAddress()).startsWith("127.0.0.1:").doesNotEndWith(":0");
    waitFor(vertx, "the node to list itself", 30_000, () -> node.peers().size() == 1);
    assertThat(node.peers()).singleElement().extracting(Peer::addr).isEqualTo(node.advertiseAddress());
  }

  @Test
  void anInterfaceWithoutAnAddressFailsTheStart() {
    Node node = nodes.create(options("none").setAdvertiseAddress(null).setAdvertiseInterfaces(List.of("no-such0")));
    assertThatThrownBy(() -> await(node.start(List.of())))
        .hasMessage("advertiseInterfaces: no usable address on [no-such0]");
  }

  @Test
  void theBestAddressIsIpv4ThenIpv6ThenLoopback() throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    InetAddress linkLocal4 = InetAddress.getByName("169.254.1.1");
    InetAddress linkLocal6 = InetAddress.getByName("fe80::1");
    InetAddress ipv6 = InetAddress.getByName("2001:db8::1");
    InetAddress ipv4 = InetAddress.getByName("10.1.2.3");
    assertThat(Advertise.best(List.of(loopback, linkLocal6, ipv6, linkLocal4, ipv4))).contains(ipv4);
    assertThat(Advertise.best(List.of(loopback, linkLocal4, ipv6))).contains(ipv6);
    assertThat(Advertise.best(List.of(linkLocal6, loopback))).contains(loopback);
    assertThat(Advertise.best(List.of(InetAddress.getByName("::1"), loopback))).contains(loopback);
    assertThat(Advertise.best(List.of(linkLocal6, linkLocal4))).isEmpty();
  }
}
