package io.ckit.app;

import static io.ckit.app.NodeApp.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class NodeRoutesTest {

  private final NodeOptions options = new NodeOptions()
      .setName("a")
      .setListen("127.0.0.1:0")
      .setAdvertiseAddress("127.0.0.1:0")
      .setState(PeerState.PARTICIPANT)
      .setLeaveTimeout(Duration.ofSeconds(2));
  private volatile Node node;
  private volatile boolean joined;
  private Vertx vertx;
  private WebClient client;
  private int port;

  @BeforeEach
  void serve(Vertx vertx) throws Exception {
    this.vertx = vertx;
    Router router = Router.router(vertx);
    new NodeRoutes(options, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> node, () -> joined,
        new ObservedPeers())
        .mount(router);
    port = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"), 30).actualPort();
    client = WebClient.create(vertx);
  }

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      await(node.stop(), 30);
    }
  }

  private HttpResponse<Buffer> get(String path) throws Exception {
    return await(client.get(port, "127.0.0.1", path).send(), 30);
  }

  private JsonObject json(String path, int status) throws Exception {
    HttpResponse<Buffer> response = get(path);
    assertThat(response.statusCode()).as(path).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    return response.bodyAsJsonObject();
  }

  @Test
  void beforeTheNodeExistsTheRoutesAnswerNotReadyAndEmpty() throws Exception {
    assertThat(json("/ready", 503)).isEqualTo(new JsonObject().put("ready", false).putNull("state")
        .put("clusterReady", false).put("participants", 0).put("minClusterSize", 0));
    assertThat(get("/api/v1/peers").bodyAsJsonArray()).isEmpty();
    assertThat(json("/api/v1/owners?key=k", 503)).isEqualTo(new JsonObject().put("error", "node not started"));
    JsonObject status = json("/api/v1/status", 200);
    assertThat(status.getString("name")).isEqualTo("a");
    assertThat(status.getJsonArray("peers")).isEmpty();
    assertThat(status.getJsonObject("shares")).isEmpty();
    assertThat(get("/").bodyAsString()).contains("<title>ckit node</title>");
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void badOwnersQueriesAreRefusedWithTheirMessage() throws Exception {
    assertThat(json("/api/v1/owners?n=1", 400).getString("error")).isEqualTo("missing query parameter \"key\"");
    assertThat(json("/api/v1/owners?key=k&n=x", 400).getString("error"))
        .isEqualTo("n must be a whole number of at least 0, got \"x\"");
    assertThat(json("/api/v1/owners?key=k&op=write", 400).getString("error"))
        .isEqualTo("op must be \"read\" or \"readwrite\", got \"write\"");
  }

  @Test
  void aJoinedParticipantIsReadyAndOwnsKeys() throws Exception {
    Node started = Node.create(vertx, options);
    node = started;
    await(started.start(List.of()), 30);
    await(started.changeState(PeerState.PARTICIPANT), 30);
    assertThat(json("/ready", 503).getBoolean("ready")).isFalse();
    joined = true;
    assertThat(json("/ready", 200)).isEqualTo(new JsonObject().put("ready", true).put("state", "participant")
        .put("clusterReady", true).put("participants", 1).put("minClusterSize", 0));

    JsonObject owners = json("/api/v1/owners?key=k&op=read", 200);
    assertThat(owners).isEqualTo(new JsonObject().put("key", "k").put("hash", Key.ofString("k").toString())
        .put("owners", new JsonArray().add(started.peers().get(0).toJson())));
    assertThat(json("/api/v1/owners?key=k&n=2", 503).getString("error"))
        .isEqualTo("not enough nodes: need at least 2, have 1");
    JsonObject status = json("/api/v1/status", 200);
    assertThat(status.getString("state")).isEqualTo("participant");
    assertThat(status.getString("advertiseAddress")).isEqualTo(started.advertiseAddress());
    assertThat(status.getLong("lamportTime")).isPositive();
    assertThat(status.getJsonObject("shares")).isEqualTo(new JsonObject().put("a", 1.0));
  }

  @Test
  void metadataMembersEventsAndTheRingAreServed() throws Exception {
    Node started = Node.create(vertx, new NodeOptions(options).setMetadata(java.util.Map.of("zone", "z1")));
    node = started;
    await(started.start(List.of()), 30);
    await(started.changeState(PeerState.PARTICIPANT), 30);

    assertThat(get("/api/v1/peers").bodyAsJsonArray().getJsonObject(0).getJsonObject("metadata"))
        .isEqualTo(new JsonObject().put("zone", "z1"));
    JsonObject self = json("/api/v1/status", 200).getJsonArray("members").getJsonObject(0);
    assertThat(self.getString("name")).isEqualTo("a");
    assertThat(self.getString("state")).isEqualTo("alive");
    assertThat(self.getBoolean("suspected")).isFalse();
    assertThat(self.getLong("incarnation")).isEqualTo(1);
    assertThat(self.getJsonObject("metadata")).isEqualTo(new JsonObject().put("zone", "z1"));
    assertThat(self.getValue("lastHeardMillis")).isNull();

    JsonArray events = json("/api/v1/events", 200).getJsonArray("events");
    assertThat(events.stream().map(e -> ((JsonObject) e).getString("type") + " " + ((JsonObject) e)
        .getString("member"))).containsExactly("join a", "state a");
    assertThat(events.getJsonObject(1).getString("detail")).isEqualTo("participant");

    JsonObject ring = json("/api/v1/ring", 200);
    assertThat(ring.getInteger("tokens")).isEqualTo(256);
    assertThat(ring.getJsonArray("owners")).containsExactly("a");
    assertThat(ring.getJsonArray("arcs")).containsExactly(new JsonObject().put("owner", "a").put("first", "0")
        .put("last", "18446744073709551615").put("start", 0.0).put("end", 1.0));
  }
}
