package io.ckit;

import static io.ckit.TestNodes.await;
import static io.ckit.TestNodes.stateOf;
import static io.ckit.TestNodes.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.PeerState;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a {@link NodeVerticle} (and the runnable node, which uses the same join loop) gets into its cluster when
 * its join addresses do not answer: joined by a peer, or carrying on alone after the join timeout.
 */
class JoinLoopTest {

  private final Vertx vertx = Vertx.vertx();
  private final TestNodes nodes = new TestNodes(vertx);

  @AfterEach
  void tearDown() throws Exception {
    nodes.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aNodeJoinedByAPeerHasJoinedThoughItsOwnJoinAddressesNeverAnswer() {
    // The scenario: blue-1's join address is a node of an unlabelled cluster, which never answers it.
    Node unlabelled = nodes.start("plain");
    NodeVerticle blue1 = deploy(TestNodes.options("blue-1").setLabel("blue")
        .setJoinAddresses(List.of(unlabelled.advertiseAddress())).setState(PeerState.PARTICIPANT));
    assertThatThrownBy(() -> await(blue1.node().start(List.of(unlabelled.advertiseAddress()))))
        .hasMessageContaining("the peer closed the stream without answering: most likely another cluster label,"
            + " or not a ckit node");
    assertThat(blue1.node().currentState()).isEqualTo(PeerState.VIEWER);
    assertThat(blue1.joined().isComplete()).isFalse();

    // Another blue node joins blue-1: blue-1 has joined, and moves to its configured state.
    NodeVerticle blue2 = deploy(TestNodes.options("blue-2").setLabel("blue")
        .setJoinAddresses(List.of(blue1.node().advertiseAddress())).setState(PeerState.PARTICIPANT));
    await(blue1.joined());
    await(blue2.joined());
    assertThat(blue1.node().currentState()).isEqualTo(PeerState.PARTICIPANT);
    TestNodes.waitPeerState(vertx, blue2.node(), "blue-1", PeerState.PARTICIPANT);
    TestNodes.waitPeerState(vertx, blue1.node(), "blue-2", PeerState.PARTICIPANT);
    assertThat(unlabelled.peers()).hasSize(1);
  }

  @Test
  void afterTheJoinTimeoutANodeCarriesOnAloneAndJoinsWhenItsAddressAnswers() throws IOException {
    int port = freePort();
    String nobody = "127.0.0.1:" + port;
    long deployed = System.nanoTime();
    NodeVerticle alone = deploy(TestNodes.options("alone").setJoinAddresses(List.of(nobody))
        .setState(PeerState.PARTICIPANT).setJoin(new JoinOptions().setJoinTimeout(Duration.ofSeconds(2))));
    NodeVerticle waiting = deploy(TestNodes.options("waiting").setJoinAddresses(List.of(nobody))
        .setState(PeerState.PARTICIPANT));

    await(alone.joined());
    Duration carriedOnAfter = Duration.ofNanos(System.nanoTime() - deployed);
    assertThat(carriedOnAfter).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(7));
    assertThat(alone.node().currentState()).isEqualTo(PeerState.PARTICIPANT);
    // Without a join timeout, a node waits for a join.
    assertThat(waiting.node().currentState()).isEqualTo(PeerState.VIEWER);
    assertThat(waiting.joined().isComplete()).isFalse();

    // The address answers at last: both keep trying it, and join.
    Node late = nodes.start(TestNodes.options("late").setListen(nobody).setAdvertiseAddress(nobody));
    waitFor(vertx, "late, alone and waiting to see each other", 30_000, () -> late.peers().size() == 3
        && alone.node().peers().size() == 3 && waiting.node().peers().size() == 3);
    await(waiting.joined());
    TestNodes.waitPeerState(vertx, late, "alone", PeerState.PARTICIPANT);
    TestNodes.waitPeerState(vertx, late, "waiting", PeerState.PARTICIPANT);
    assertThat(stateOf(alone.node(), "late")).isEqualTo(PeerState.VIEWER);
  }

  private NodeVerticle deploy(NodeOptions options) {
    NodeVerticle verticle = new NodeVerticle(options);
    await(vertx.deployVerticle(verticle));
    return verticle;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
