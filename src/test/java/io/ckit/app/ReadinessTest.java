package io.ckit.app;

import static io.ckit.app.InProcessApps.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.testing.NodeEndpoints;
import io.ckit.testing.NodeEndpoints.Reply;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable node's {@code /ready} waits for {@code --min-cluster-size} participants; {@code
 * --advertise-interfaces} takes the advertised host from an interface.
 */
class ReadinessTest {

  private final InProcessApps apps = new InProcessApps();
  private final NodeEndpoints endpoints = new NodeEndpoints();

  @AfterEach
  void tearDown() throws Exception {
    apps.close();
    endpoints.close();
  }

  @Test
  void readyStays503UntilMinClusterSizeParticipants(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("fast.json");
    Files.writeString(config, "{\"gossip\": {\"preset\": \"local\", \"probeInterval\": \"200ms\","
        + " \"probeTimeout\": \"100ms\", \"gossipInterval\": \"50ms\"}, \"leaveTimeout\": \"2s\","
        + " \"state\": \"participant\", \"minClusterSize\": 3}");
    NodeApp a = apps.start(config, "--name", "a");
    waitFor("a to be a participant", () -> participants(a) == 1);
    assertReady(a, false, 1);

    NodeApp b = apps.start(config, "--name", "b", "--join", InProcessApps.address(a));
    waitFor("a and b to see two participants", () -> participants(a) == 2 && participants(b) == 2);
    assertReady(a, false, 2);
    assertReady(b, false, 2);

    NodeApp c = apps.start(config, "--name", "c", "--join", InProcessApps.address(b));
    waitFor("every node to answer 200", () -> status(a) == 200 && status(b) == 200 && status(c) == 200);
    assertReady(c, true, 3);
  }

  @Test
  void advertisesTheAddressOfAnInterfaceWithTheServersPort(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("empty.json");
    Files.writeString(config, "{}");
    NodeApp app = apps.start(config, "--name", "lo", "--advertise-interfaces", "no-such0,lo");
    assertThat(app.node().advertiseAddress()).isEqualTo("127.0.0.1:" + app.listeningPort());
  }

  private void assertReady(NodeApp app, boolean ready, int participants) throws Exception {
    Reply response = endpoints.get(InProcessApps.address(app), "/ready");
    JsonObject body = response.json();
    assertThat(response.status()).as("/ready: %s", body).isEqualTo(ready ? 200 : 503);
    assertThat(body.getBoolean("ready")).isEqualTo(ready);
    assertThat(body.getBoolean("clusterReady")).isEqualTo(ready);
    assertThat(body.getInteger("participants")).isEqualTo(participants);
    assertThat(body.getInteger("minClusterSize")).isEqualTo(3);
    assertThat(body.getString("state")).isEqualTo("participant");
  }

  private int status(NodeApp app) {
    return endpoints.status(InProcessApps.address(app), "/ready");
  }

  private static long participants(NodeApp app) {
    return app.node() == null ? 0
        : app.node().peers().stream().map(Peer::state).filter(PeerState.PARTICIPANT::equals).count();
  }
}
