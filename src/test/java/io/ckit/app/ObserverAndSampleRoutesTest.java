package io.ckit.app;

import static io.ckit.app.InProcessApps.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Op;
import io.ckit.shard.Sharder;
import io.ckit.shard.Sharders;
import io.ckit.testing.NodeEndpoints;
import io.ckit.testing.NodeEndpoints.Reply;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/observer} serves the last peer set the runnable node's observer was told of, and
 * {@code /api/v1/owners/sample} the owners of many keys as the node's sharder gives them.
 */
class ObserverAndSampleRoutesTest {

  private final InProcessApps apps = new InProcessApps();
  private final NodeEndpoints endpoints = new NodeEndpoints();

  @AfterEach
  void tearDown() throws Exception {
    apps.close();
    endpoints.close();
  }

  @Test
  void theObserverRouteFollowsEveryChangeOfPeers(@TempDir Path dir) throws Exception {
    Path config = fastConfig(dir);
    NodeApp a = apps.start(config, "--name", "a");
    String address = InProcessApps.address(a);
    waitFor("a's observer to be told of a as participant", () -> observed(address).equals(peers(address))
        && peers(address).equals(List.of(new Peer("a", address, true, PeerState.PARTICIPANT))));
    long before = observer(address).getLong("notifications");
    assertThat(before).isPositive();
    assertThat(observer(address).getString("time")).isNotBlank();

    NodeApp b = apps.start(config, "--name", "b", "--join", address);
    String bAddress = InProcessApps.address(b);
    List<Peer> both = List.of(new Peer("a", address, true, PeerState.PARTICIPANT),
        new Peer("b", bAddress, false, PeerState.PARTICIPANT));
    waitFor("a's observer to be told of b as participant", () -> observed(address).equals(both));
    assertThat(peers(address)).isEqualTo(both);
    long withB = observer(address).getLong("notifications");
    assertThat(withB).isGreaterThan(before);

    apps.stop(b);
    waitFor("a's observer to be told that b left", () -> observed(address).equals(List.of(both.get(0))));
    assertThat(observer(address).getLong("notifications")).isGreaterThan(withB);
  }

  @Test
  void theSampleRouteGivesTheOwnersTheSharderGivesForTheSameSet(@TempDir Path dir) throws Exception {
    Path config = fastConfig(dir);
    NodeApp a = apps.start(config, "--name", "a");
    String address = InProcessApps.address(a);
    NodeApp b = apps.start(config, "--name", "b", "--join", address);
    String bAddress = InProcessApps.address(b);
    waitFor("both to see two participants", () -> participants(address) == 2 && participants(bAddress) == 2);

    JsonObject fromA = endpoints.get(address, "/api/v1/owners/sample?keys=10000&n=2").json();
    JsonObject fromB = endpoints.get(bAddress, "/api/v1/owners/sample?keys=10000&n=2").json();
    Sharder ring = Sharders.ring(256);
    ring.setPeers(List.of(new Peer("a", address, false, PeerState.PARTICIPANT),
        new Peer("b", bAddress, false, PeerState.PARTICIPANT)));
    JsonObject expected = NodeRoutes.sample(ring, 10_000, 2, Op.READ_WRITE);
    assertThat(fromA).isEqualTo(expected);
    assertThat(fromB).isEqualTo(expected);
    assertThat(fromA.getJsonObject("owned").getInteger("a") + fromA.getJsonObject("owned").getInteger("b"))
        .isEqualTo(10_000);
    // One key set: another count gives another fingerprint.
    assertThat(endpoints.get(address, "/api/v1/owners/sample?keys=9999&n=2").json().getString("fingerprint"))
        .isNotEqualTo(expected.getString("fingerprint"));

    assertThat(endpoints.get(address, "/api/v1/owners/sample?keys=0").status()).isEqualTo(400);
    assertThat(endpoints.get(address, "/api/v1/owners/sample?keys=100001").status()).isEqualTo(400);
    assertThat(endpoints.get(address, "/api/v1/owners/sample?n=x").status()).isEqualTo(400);
    assertThat(endpoints.get(address, "/api/v1/owners/sample?op=write").status()).isEqualTo(400);
    Reply tooMany = endpoints.get(address, "/api/v1/owners/sample?n=3");
    assertThat(tooMany.status()).isEqualTo(503);
    assertThat(tooMany.json().getString("error")).contains("not enough nodes");
  }

  private static Path fastConfig(Path dir) throws Exception {
    Path config = dir.resolve("fast.json");
    Files.writeString(config, "{\"gossip\": {\"preset\": \"local\", \"probeInterval\": \"200ms\","
        + " \"probeTimeout\": \"100ms\", \"gossipInterval\": \"50ms\"}, \"leaveTimeout\": \"2s\","
        + " \"state\": \"participant\"}");
    return config;
  }

  private JsonObject observer(String address) {
    return endpoints.get(address, "/api/v1/observer").json();
  }

  private List<Peer> observed(String address) {
    return observer(address).getJsonArray("peers").stream().map(p -> Peer.fromJson((JsonObject) p)).toList();
  }

  private List<Peer> peers(String address) {
    return endpoints.get(address, "/api/v1/peers").jsonArray().stream().map(p -> Peer.fromJson((JsonObject) p))
        .toList();
  }

  private long participants(String address) {
    return peers(address).stream().filter(p -> p.state() == PeerState.PARTICIPANT).count();
  }
}
