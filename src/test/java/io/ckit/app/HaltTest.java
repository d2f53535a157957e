package io.ckit.app;

import static io.ckit.app.InProcessApps.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.MemberInfo;
import io.ckit.testing.NodeEndpoints;
import io.ckit.wire.MemberState;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NodeApp#halt()}, the cluster benchmark's stop without leave in a JVM hosting many nodes: the peers
 * find the node dead by failure detection, where a shutdown makes it left.
 */
class HaltTest {

  private final InProcessApps apps = new InProcessApps();
  private final NodeEndpoints endpoints = new NodeEndpoints();

  @AfterEach
  void tearDown() throws Exception {
    apps.close();
    endpoints.close();
  }

  @Test
  void aHaltedNodeIsFoundDeadWhileAShutDownNodeLeaves(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("fast.json");
    Files.writeString(config, "{\"gossip\": {\"preset\": \"local\", \"probeInterval\": \"200ms\","
        + " \"probeTimeout\": \"100ms\", \"gossipInterval\": \"50ms\"}, \"leaveTimeout\": \"2s\"}");
    NodeApp a = apps.start(config, "--name", "a");
    NodeApp b = apps.start(config, "--name", "b", "--join", InProcessApps.address(a));
    NodeApp c = apps.start(config, "--name", "c", "--join", InProcessApps.address(a));
    waitFor("a to see three participants", () -> a.node().peers().size() == 3);
    String bAddress = InProcessApps.address(b);
    // Ready once b's participant state has been gossiped its full number of times, which may be after a sees it.
    waitFor("b to be ready", () -> endpoints.status(bAddress, "/ready") == 200);

    apps.halt(b);
    assertThat(endpoints.status(bAddress, "/ready")).as("b's server after halt").isEqualTo(-1);
    waitFor("a to find b dead", () -> stateAt(a, "b") == MemberState.DEAD);

    apps.stop(c);
    waitFor("a to see c leave", () -> stateAt(a, "c") == MemberState.LEFT);
    assertThat(stateAt(a, "b")).isEqualTo(MemberState.DEAD);
  }

  private static MemberState stateAt(NodeApp app, String name) {
    try {
      return NodeApp.await(app.node().members(), 10).stream().filter(member -> member.name().equals(name))
          .map(MemberInfo::state).findFirst().orElse(null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
