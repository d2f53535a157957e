package io.ckit.app;

import static io.ckit.app.InProcessApps.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.Node;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.testing.CuttableProxy;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable node's periodic rejoin: two nodes, each reached through a TCP proxy the test can cut, lose
 * each other in a partition long enough for both to declare the other dead and forget it; once the network
 * heals, the rejoin brings them back together (gossip alone never would: nobody probes or pushes to a
 * member it has forgotten).
 */
class RejoinTest {

  private final Vertx vertx = Vertx.vertx();
  private final InProcessApps apps = new InProcessApps();

  @AfterEach
  void tearDown() throws Exception {
    apps.close();
    NodeApp.await(vertx.close(), 10);
  }

  @Test
  void nodesThatForgotEachOtherInAPartitionMergeAgain(@TempDir Path dir) throws Exception {
    // Fast timing, and no gossip to the dead: a dead member is forgotten at the next turn of the probe list.
    Path config = dir.resolve("fast.json");
    Files.writeString(config, "{\"gossip\": {\"preset\": \"local\", \"probeInterval\": \"200ms\","
        + " \"probeTimeout\": \"100ms\", \"gossipInterval\": \"50ms\", \"pushPullInterval\": \"5s\","
        + " \"gossipToTheDeadTime\": \"0\"}, \"leaveTimeout\": \"2s\"}");
    CuttableProxy toA = CuttableProxy.start(vertx);
    CuttableProxy toB = CuttableProxy.start(vertx);
    NodeApp a = apps.start(config, "--name", "a", "--advertise", "127.0.0.1:" + toA.port());
    toA.target(a.listeningPort());
    NodeApp b = apps.start(config, "--name", "b", "--advertise", "127.0.0.1:" + toB.port(),
        "--join", "127.0.0.1:" + toA.port(), "--rejoin-interval", "500ms");
    toB.target(b.listeningPort());
    waitFor("a and b to see each other as participants", () -> participants(a) == 2 && participants(b) == 2);

    toA.cut(true);
    toB.cut(true);
    waitFor("a and b to declare each other dead", () -> peers(a) == 1 && peers(b) == 1);

    toA.cut(false);
    toB.cut(false);
    waitFor("a and b to merge again", () -> participants(a) == 2 && participants(b) == 2);
    assertThat(a.node().sharder().peers()).extracting(Peer::name).containsExactly("a", "b");
  }

  private static int peers(NodeApp app) {
    Node node = app.node();
    return node == null ? 0 : node.peers().size();
  }

  private static long participants(NodeApp app) {
    Node node = app.node();
    return node == null ? 0 : node.peers().stream().filter(peer -> peer.state() == PeerState.PARTICIPANT).count();
  }
}
