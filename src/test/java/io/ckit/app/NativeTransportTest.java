package io.ckit.app;

import static io.ckit.app.InProcessApps.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.ckit.Node;
import io.ckit.peer.PeerState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable node runs on Netty's native transport (epoll) where the platform has it, and
 * {@code --native-transport false} keeps it on NIO; a node of each kind form one cluster over h2c.
 */
class NativeTransportTest {

  private final InProcessApps apps = new InProcessApps();

  @AfterEach
  void tearDown() throws Exception {
    apps.close();
  }

  @Test
  void aNativeNodeAndANioNodeFormOneCluster(@TempDir Path dir) throws Exception {
    assumeThat(System.getProperty("os.name")).as("epoll is built for Linux").isEqualTo("Linux");
    assumeThat(System.getProperty("os.arch")).as("the epoll jar is linux-x86_64").isIn("amd64", "x86_64");
    Path config = dir.resolve("fast.json");
    Files.writeString(config, "{\"gossip\": {\"preset\": \"local\"}, \"leaveTimeout\": \"2s\"}");
    NodeApp epoll = apps.start(config, "--name", "epoll");
    NodeApp nio = apps.start(config, "--name", "nio", "--native-transport", "false",
        "--join", InProcessApps.address(epoll));
    assertThat(epoll.transportName()).isEqualTo("native transport");
    assertThat(nio.transportName()).isEqualTo("NIO transport");
    waitFor("both nodes to see two participants", () -> participants(epoll) == 2 && participants(nio) == 2);
  }

  private static long participants(NodeApp app) {
    Node node = app.node();
    return node == null ? 0 : node.peers().stream().filter(peer -> peer.state() == PeerState.PARTICIPANT).count();
  }
}
