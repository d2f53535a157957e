package io.ckit;

import static io.ckit.TestNodes.await;
import static io.ckit.TestNodes.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.ShardService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.ckit.shard.impl.LookupMessages;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.test.fakecluster.FakeClusterManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The peers feed and the shard lookup service, used from other verticles over the event bus. */
@ExtendWith(VertxExtension.class)
class EventBusServicesTest {

  private Vertx vertx;
  private TestNodes nodes;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    nodes = new TestNodes(vertx);
  }

  @AfterEach
  void tearDown() {
    nodes.close();
  }

  /** Another part of the application: follows the peers feed and asks the shard service. */
  static final class Consumer extends VerticleBase {

    final String prefix;
    final List<JsonObject> published = new CopyOnWriteArrayList<>();
    ShardService shards;

    Consumer(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Future<?> start() {
      shards = ShardService.createProxy(vertx, prefix + ".shard");
      return vertx.eventBus().<JsonObject>consumer(prefix + ".peers", message -> published.add(message.body()))
          .completion();
    }

    /** Asks for the current set where only requests are answered (this verticle consumes the feed). */
    Future<JsonObject> currentPeers() {
      return Future.future(promise -> context.runOnContext(nothing -> vertx.eventBus()
          .<JsonObject>request(prefix + ".peers.current", new JsonObject()).map(m -> m.body())
          .onComplete(promise)));
    }
  }

  @Test
  void currentPeersOnRequest() {
    Node a = nodes.start("node-a");
    Node b = nodes.start("node-b", a);
    waitFor(vertx, "a to see b", 30_000, () -> a.peers().size() == 2);
    JsonObject reply = (JsonObject) await(vertx.eventBus().request("ckit.node-a.peers", new JsonObject())).body();
    assertThat(reply.getJsonArray("peers").stream().map(p -> Peer.fromJson((JsonObject) p)).toList())
        .isEqualTo(a.peers());
    assertThat(b.peers()).hasSize(2);
  }

  @Test
  void peersFeedAndLookupsFromAnotherVerticle() {
    Consumer consumer = new Consumer("ckit.node-a");
    await(vertx.deployVerticle(consumer));
    Node a = nodes.start("node-a");
    await(a.changeState(PeerState.PARTICIPANT));
    Node b = nodes.start("node-b", a);
    await(b.changeState(PeerState.PARTICIPANT));

    waitFor(vertx, "a publication with two participants", 30_000, () -> !consumer.published.isEmpty()
        && consumer.published.get(consumer.published.size() - 1).getJsonArray("peers").stream()
            .filter(p -> ((JsonObject) p).getString("state").equals("participant")).count() == 2);
    JsonObject last = consumer.published.get(consumer.published.size() - 1);
    assertThat(last.getJsonArray("peers")).containsExactly(
        new JsonObject().put("name", "node-a").put("addr", a.advertiseAddress()).put("isSelf", true)
            .put("state", "participant"),
        new JsonObject().put("name", "node-b").put("addr", b.advertiseAddress()).put("isSelf", false)
            .put("state", "participant"));
    assertThat(await(consumer.currentPeers())).isEqualTo(last);

    List<Peer> owners = await(consumer.shards.lookup("some-key", 2, Op.READ_WRITE));
    assertThat(owners).isEqualTo(a.sharder().lookup(Key.ofString("some-key"), 2, Op.READ_WRITE));
    Key hashed = Key.ofString("other");
    assertThat(await(consumer.shards.lookup(hashed, 1, Op.READ)))
        .isEqualTo(a.sharder().lookup(hashed, 1, Op.READ));
    List<List<Peer>> batch = await(consumer.shards.lookupAll(List.of("x", "y", "z"), 1, Op.READ_WRITE));
    assertThat(batch).hasSize(3);
    assertThat(batch.get(2)).isEqualTo(a.sharder().lookup(Key.ofString("z"), 1, Op.READ_WRITE));
    assertThat(await(consumer.shards.lookupAllKeys(List.of(hashed), 2, Op.READ)).get(0))
        .isEqualTo(a.sharder().lookup(hashed, 2, Op.READ));

    assertThatThrownBy(() -> await(consumer.shards.lookup("k", 3, Op.READ_WRITE)))
        .isInstanceOf(NotEnoughNodesException.class)
        .hasMessage("not enough nodes: need at least 3, have 2");
    assertThatThrownBy(() -> await(consumer.shards.lookup("k", -1, Op.READ_WRITE)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badRequestsFailWithDocumentedCodes() {
    Node a = nodes.start("node-a");
    await(a.changeState(PeerState.PARTICIPANT));
    String address = a.options().getShardAddress();
    Object[][] cases = {
        {new JsonObject(), 400, "bad request: give exactly one of key, hash, keys, hashes"},
        {new JsonObject().put("key", "a").put("hash", "1"), 400, "bad request: give exactly one of"},
        {new JsonObject().put("key", 5), 400, "bad request: key must be text, got 5"},
        {new JsonObject().put("hash", "-1"), 400, "bad request: hash must be an unsigned 64-bit decimal"},
        {new JsonObject().put("hash", "18446744073709551616"), 400, "bad request: hash must be an unsigned"},
        {new JsonObject().put("key", "a").put("n", -1), 400, "bad request: n must be a whole number"},
        {new JsonObject().put("key", "a").put("op", "write"), 400,
            "bad request: op must be \"read\" or \"readwrite\", got write"},
        {new JsonObject().put("key", "a").put("op", 1), 400,
            "bad request: op must be \"read\" or \"readwrite\", got 1"},
        {new JsonObject().put("key", "a").put("size", 1), 400, "bad request: unknown field \"size\""},
        {new JsonObject().put("keys", "a"), 400, "bad request: keys must be a list"},
        {new JsonObject().put("keys", new JsonArray().add(1)), 400, "bad request: keys must be text"},
        {"text", 400, "bad request: the body must be a JSON object, got String"},
        {new JsonObject().put("key", "a").put("n", 2), 503, "not enough nodes: need at least 2, have 1"},
    };
    for (Object[] c : cases) {
      assertThatThrownBy(() -> await(vertx.eventBus().request(address, c[0])))
          .as("request %s", c[0])
          .isInstanceOfSatisfying(ReplyException.class, e -> {
            assertThat(e.failureCode()).isEqualTo(c[1]);
            assertThat(e.getMessage()).startsWith((String) c[2]);
          });
    }
    JsonObject reply = (JsonObject) await(vertx.eventBus().request(address,
        new JsonObject().put("hash", "18446744073709551615").put("n", 0))).body();
    assertThat(reply).isEqualTo(new JsonObject().put("owners", new JsonArray()));
  }

  @Test
  void typedRequestsFromAnotherJvmAreCheckedAsJsonOnesAre() {
    // Two clustered Vert.x instances: the request crosses a real TCP event bus through the typed codec.
    VertxOptions clustered = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1"));
    Vertx server = await(Vertx.builder().with(clustered).withClusterManager(new FakeClusterManager())
        .buildClustered());
    Vertx client = await(Vertx.builder().with(clustered).withClusterManager(new FakeClusterManager())
        .buildClustered());
    try {
      Node a = Node.create(server, TestNodes.options("node-a"));
      await(a.start(List.of()));
      await(a.changeState(PeerState.PARTICIPANT));
      LookupMessages.register(client);
      String address = a.options().getShardAddress();
      DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(20_000);

      LookupMessages.Reply ok = (LookupMessages.Reply) await(client.eventBus().request(address,
          new LookupMessages.Request(new long[] {42}, false, 1, Op.READ_WRITE), delivery)).body();
      assertThat(ok.owners()).containsExactly(a.sharder().lookup(new Key(42), 1, Op.READ_WRITE));

      Object[][] cases = {
          {new LookupMessages.Request(new long[] {42}, false, -1, Op.READ_WRITE), "bad request: n must be a whole"},
          {new LookupMessages.Request(new long[ShardService.MAX_BATCH + 1], true, 1, Op.READ),
              "bad request: hashes has 10001 entries; at most 10000"},
      };
      for (Object[] c : cases) {
        assertThatThrownBy(() -> await(client.eventBus().request(address, c[0], delivery)))
            .isInstanceOfSatisfying(ReplyException.class, e -> {
              assertThat(e.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
              assertThat(e.failureCode()).isEqualTo(ShardService.BAD_REQUEST);
              assertThat(e.getMessage()).startsWith((String) c[1]);
            });
      }
      await(a.stop());
    } finally {
      await(client.close());
      await(server.close());
    }
  }

  @Test
  void verticleDeployedByNameJoinsAndLeavesOnUndeploy() {
    // Without failure detection, only b's leave message can make a drop it.
    Node a = nodes.start(TestNodes.withoutFailureDetection("node-a"));
    JsonObject config = TestNodes.withoutFailureDetection("node-b")
        .setJoinAddresses(List.of(a.advertiseAddress()))
        .setState(PeerState.PARTICIPANT)
        .toJson();
    String id = await(vertx.deployVerticle("io.ckit.NodeVerticle", new DeploymentOptions().setConfig(config)));
    TestNodes.waitPeerState(vertx, a, "node-b", PeerState.PARTICIPANT);
    await(vertx.undeploy(id));
    // Undeploying leaves gracefully.
    waitFor(vertx, "a to see b leave", 30_000, () -> a.peers().size() == 1);
  }

  @Test
  void verticleWithInvalidConfigFailsToDeploy() {
    assertThatThrownBy(() -> await(vertx.deployVerticle("io.ckit.NodeVerticle",
        new DeploymentOptions().setConfig(new JsonObject().put("name", "x")))))
        .hasMessageStartingWith("advertiseAddress:");
  }
}
