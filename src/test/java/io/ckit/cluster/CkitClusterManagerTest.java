package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.gossip.GossipOptions;
import io.ckit.peer.PeerState;
import io.ckit.testing.Poll;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster manager beyond Vert.x's own suite: seeds started at once end as one cluster, bad requests on its
 * routes are refused and counted, plain ckit peers are ignored, shared data works (the sync map fails naming
 * issue 18), and Vert.x's service loader finds it. Every cluster here is real: HTTP/2 servers on loopback, one
 * Vert.x each.
 */
class CkitClusterManagerTest {

  private final List<Vertx> started = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (Vertx vertx : started) {
      await(vertx.close());
    }
  }

  /** Runs a task on a context of the instance (a node lives on the context it is created on). */
  private static <T> Future<T> on(Vertx vertx, java.util.function.Supplier<Future<T>> task) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> task.get().onComplete(promise));
    return promise.future();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static CkitClusterOptions options(String range) {
    return new CkitClusterOptions(new JsonObject().put("listen", range).put("joinAddresses", List.of(range))
        .put("label", "cm-test").put("gossip", new JsonObject().put("preset", "local"))
        .put("antiEntropyInterval", "500ms").put("leaveTimeout", "1s").put("rejoinInterval", "2s"));
  }

  private Vertx clustered(CkitClusterManager manager) throws Exception {
    Vertx vertx = await(Vertx.builder().withClusterManager(manager).buildClustered());
    started.add(vertx);
    return vertx;
  }

  @Test
  void seedsStartedAtOnceMostOfThemNotUpYetEndAsOneCluster() throws Exception {
    String range = "127.0.0.1:17840-17849";
    List<CkitClusterManager> managers = new ArrayList<>();
    List<Future<Vertx>> starting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CkitClusterManager manager = new CkitClusterManager(options(range));
      managers.add(manager);
      starting.add(Vertx.builder().withClusterManager(manager).buildClustered().onSuccess(started::add));
    }
    for (Future<Vertx> future : starting) {
      await(future);
    }
    Poll.until("every cluster manager sees the 5", () -> managers.stream().allMatch(m -> m.getNodes().size() == 5));
    List<String> expected = managers.stream().map(CkitClusterManager::getNodeId).sorted().toList();
    for (CkitClusterManager manager : managers) {
      assertThat(manager.getNodes()).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void badRequestsOnTheRoutesAreRefusedCountedAndChangeNothing() throws Exception {
    CkitClusterManager manager = new CkitClusterManager(options("127.0.0.1:17850-17851").setMaxRequestBytes(2048));
    Vertx vertx = clustered(manager);
    MessageConsumer<Object> consumer = vertx.eventBus().consumer("kept", msg -> msg.reply("ok"));
    await(consumer.completion());
    WebClient client = WebClient.create(vertx);
    try {
      String update = "http://" + manager.advertiseAddress() + ClusterCore.BASE_PATH + "update";
      HttpResponse<Buffer> notJson = await(client.postAbs(update).putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer("{not json")));
      assertThat(notJson.statusCode()).isEqualTo(400);
      assertThat(notJson.bodyAsString()).startsWith("update: not a JSON object");
      HttpResponse<Buffer> noFrom = await(client.postAbs(update).putHeader("Content-Type", "application/json")
          .sendBuffer(new JsonObject().put("run", "r").toBuffer()));
      assertThat(noFrom.statusCode()).isEqualTo(400);
      assertThat(noFrom.bodyAsString()).isEqualTo("update: from: a non-empty text is required");
      JsonObject badOp = new JsonObject().put("from", "x").put("run", "r").put("addr", "127.0.0.1:1")
          .put("base", 0).put("version", 1).put("ops", List.of(new JsonObject().put("op", "add")
              .put("address", "kept").put("seq", -4).put("localOnly", false)));
      HttpResponse<Buffer> negative = await(client.postAbs(update).putHeader("Content-Type", "application/json")
          .sendBuffer(badOp.toBuffer()));
      assertThat(negative.statusCode()).isEqualTo(400);
      assertThat(negative.bodyAsString()).isEqualTo("update: ops[0].seq: a whole number >= 0 is required");
      HttpResponse<Buffer> tooLarge = await(client.postAbs(update).putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(new byte[4096])));
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(await(client.postAbs(update).putHeader("Content-Type", "text/plain")
          .sendBuffer(Buffer.buffer("{}"))).statusCode()).isEqualTo(415);
      assertThat(await(client.getAbs(update).send()).statusCode()).isEqualTo(405);

      var registry = manager.meterRegistry();
      assertThat(count(registry, "update", "json")).isEqualTo(1.0);
      assertThat(count(registry, "update", "field")).isEqualTo(2.0);
      assertThat(count(registry, "update", "too_large")).isEqualTo(1.0);
      assertThat(count(registry, "update", "content_type")).isEqualTo(1.0);
      assertThat(count(registry, "update", "method")).isEqualTo(1.0);
      // Nothing lost, nothing added: the one registration is there, the node still serves.
      List<RegistrationInfo> kept = await(Future.<List<RegistrationInfo>>future(
          promise -> manager.getRegistrations("kept", promise)));
      assertThat(kept).extracting(RegistrationInfo::nodeId).containsExactly(manager.getNodeId());
      assertThat(await(vertx.eventBus().request("kept", "?")).body()).isEqualTo("ok");
    } finally {
      client.close();
    }
  }

  private static double count(io.micrometer.core.instrument.MeterRegistry registry, String route, String reason) {
    Counter counter = registry.find("cluster_vertx_bad_requests_total").tag("route", route).tag("reason", reason)
        .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void plainCkitPeersInTheSameClusterAreIgnored() throws Exception {
    CkitClusterManager manager = new CkitClusterManager(options("127.0.0.1:17852-17853"));
    Vertx vertx = clustered(manager);
    Vertx plain = Vertx.vertx();
    started.add(plain);
    Node node = await(on(plain, () -> {
      Node created = Node.create(plain, new NodeOptions().setName("plain-ckit").setLabel("cm-test")
          .setListen("127.0.0.1:0").setAdvertiseAddress("127.0.0.1:0").setGossip(GossipOptions.lan()));
      return created.start(List.of(manager.advertiseAddress())).map(created);
    }));
    try {
      Poll.until("the plain node sees the cluster manager", () -> node.peers().size() == 2);
      // The cluster manager's node learnt of it in the same join push/pull; give gossip a probe round too.
      Poll.until("the plain node is a participant", () -> {
        try {
          await(on(plain, () -> node.changeState(PeerState.PARTICIPANT)));
          return true;
        } catch (Exception e) {
          return false;
        }
      });
      assertThat(manager.getNodes()).containsExactly(manager.getNodeId());
      MessageConsumer<Object> consumer = vertx.eventBus().consumer("still-works", msg -> msg.reply("yes"));
      await(consumer.completion());
      assertThat(await(vertx.eventBus().request("still-works", "?")).body()).isEqualTo("yes");
      assertThat(manager.getNodes()).containsExactly(manager.getNodeId());
    } finally {
      await(on(plain, node::stop));
    }
  }

  @Test
  void sharedDataWorksAndTheSyncMapNamesIssue18() throws Exception {
    Vertx vertx = clustered(new CkitClusterManager(options("127.0.0.1:17854-17855")));
    var map = await(vertx.sharedData().<String, String>getAsyncMap("m"));
    await(map.put("k", "v"));
    assertThat(await(map.get("k"))).isEqualTo("v");
    assertThat(await(await(vertx.sharedData().getCounter("c")).incrementAndGet())).isEqualTo(1L);
    await(vertx.sharedData().getLock("l")).release();
    ClusterManagerHolder holder = new ClusterManagerHolder(((VertxInternal) vertx).clusterManager());
    assertThat(holder.syncMapFailure()).hasMessageContaining("(issue 18)");
  }

  private record ClusterManagerHolder(io.vertx.core.spi.cluster.ClusterManager manager) {
    Throwable syncMapFailure() {
      try {
        manager.getSyncMap("s");
        return null;
      } catch (IllegalStateException e) {
        return e;
      }
    }
  }

  @Test
  void buildClusteredFindsItThroughTheServiceLoaderAndItsConfigFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("ckit-cluster.json");
    Files.writeString(file, options("127.0.0.1:17856-17857").toJson().put("name", "loaded-node").encode());
    String before = System.getProperty(CkitClusterManager.CONFIG_PROPERTY);
    System.setProperty(CkitClusterManager.CONFIG_PROPERTY, file.toString());
    try {
      Vertx vertx = await(Vertx.builder().buildClustered());
      started.add(vertx);
      var manager = ((VertxInternal) vertx).clusterManager();
      assertThat(manager).isInstanceOf(CkitClusterManager.class);
      assertThat(manager.getNodeId()).isEqualTo("loaded-node");
      assertThat(((CkitClusterManager) manager).advertiseAddress()).startsWith("127.0.0.1:1785");
    } finally {
      if (before == null) {
        System.clearProperty(CkitClusterManager.CONFIG_PROPERTY);
      } else {
        System.setProperty(CkitClusterManager.CONFIG_PROPERTY, before);
      }
    }
  }
}
