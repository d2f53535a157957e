package io.ckit.app;

import static io.ckit.app.InProcessApps.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.peer.PeerState;
import io.ckit.testing.NodeEndpoints;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable node's --join-timeout: a node whose join address never answers carries on alone, and is ready. */
class JoinTimeoutAppTest {

  private final InProcessApps apps = new InProcessApps();
  private final NodeEndpoints endpoints = new NodeEndpoints();

  @AfterEach
  void tearDown() throws Exception {
    apps.close();
    endpoints.close();
  }

  @Test
  void aNodeWhoseJoinAddressNeverAnswersIsReadyAfterTheJoinTimeout(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("fast.json");
    Files.writeString(config, "{\"gossip\": {\"preset\": \"local\"}, \"leaveTimeout\": \"1s\"}");
    int nobody;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nobody = socket.getLocalPort();
    }
    NodeApp waiting = apps.start(config, "--name", "waiting", "--join", "127.0.0.1:" + nobody);
    NodeApp alone = apps.start(config, "--name", "alone", "--join", "127.0.0.1:" + nobody, "--join-timeout", "1s");

    waitFor("alone to be ready", () -> ready(alone) == 200);
    assertThat(alone.node().currentState()).isEqualTo(PeerState.PARTICIPANT);
    // Without --join-timeout the node waits for a join.
    assertThat(ready(waiting)).isEqualTo(503);
    assertThat(waiting.node().currentState()).isEqualTo(PeerState.VIEWER);
  }

  private int ready(NodeApp app) {
    return endpoints.get(InProcessApps.address(app), "/ready").status();
  }
}
