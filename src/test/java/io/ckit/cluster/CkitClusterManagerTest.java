package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.gossip.GossipOptions;
import io.ckit.peer.PeerState;
import io.ckit.testing.CuttableProxy;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster manager beyond Vert.x's own suite: seeds started at once end as one cluster, bad requests on its
 * routes are refused and counted, plain ckit peers are ignored, shared data and the sync map work, and Vert.x's
 * service loader finds it. Every cluster here is real: HTTP/2 servers on loopback, one Vert.x each.
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
  void closingWhileAPeerIsPausedEndsWithinTheTimeouts() throws Exception {
    String range = "127.0.0.1:18000-18001";
    ClusterNodeProcess peer = ClusterNodeProcess.start(options(range).setDeliveryTimeout(Duration.ofSeconds(2)));
    try {
      CkitClusterManager manager = new CkitClusterManager(options(range).setDeliveryTimeout(Duration.ofSeconds(2)));
      Vertx vertx = await(Vertx.builder().withClusterManager(manager).buildClustered());
      Poll.until("the two see each other", () -> manager.getNodes().size() == 2);
      Poll.until("the peer's consumer is known", () -> !registrations(manager, "ping").isEmpty());
      await(vertx.eventBus().consumer("before", msg -> { }).completion());
      peer.signal("STOP");
      // Changes now wait for a peer that answers nothing, and so do the leave and its gossip.
      for (int i = 0; i < 5; i++) {
        vertx.eventBus().consumer("while-paused-" + i, msg -> { });
      }
      long start = System.nanoTime();
      await(vertx.close());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println("closed with a paused peer in " + millis + " ms");
      // Unregistering waits for the delivery timeout (2 s), the leave for at most 2 s more, ckit's leave for its
      // leave timeout (1 s), the closes for their grace: about 6 s; 30 s leaves room for a loaded machine.
      assertThat(millis).isLessThan(30_000);
    } finally {
      peer.kill();
    }
  }

  @Test
  void aJoinThatFailsEndsAndItsCloseEnds() throws Exception {
    Vertx plain = Vertx.vertx();
    started.add(plain);
    var taken = await(plain.createNetServer().connectHandler(socket -> { }).listen(18010, "127.0.0.1"));
    CkitClusterManager manager = new CkitClusterManager(options("127.0.0.1:18010-18010"));
    long start = System.nanoTime();
    Throwable failure = await(Vertx.builder().withClusterManager(manager).buildClustered()
        .<Throwable>transform(done -> Future.succeededFuture(done.cause())));
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(failure).hasMessageStartingWith("listen: cannot bind 127.0.0.1:18010-18010");
    assertThat(millis).isLessThan(30_000);
    assertThat(manager.isActive()).isFalse();
    await(taken.close());
  }

  @Test
  void leavingBeforeVertxClosesAndLeavingTwiceEndAndLaterCallsFailClearly() throws Exception {
    CkitClusterManager manager = new CkitClusterManager(options("127.0.0.1:18011-18012"));
    Vertx vertx = await(Vertx.builder().withClusterManager(manager).buildClustered());
    await(vertx.eventBus().consumer("held", msg -> { }).completion());
    await(Future.<Void>future(manager::leave));
    await(Future.<Void>future(manager::leave));
    assertThat(manager.isActive()).isFalse();
    Throwable late = await(Future.<List<RegistrationInfo>>future(promise -> manager.getRegistrations("held", promise))
        .<Throwable>transform(done -> Future.succeededFuture(done.cause())));
    assertThat(late).hasMessage("the cluster manager has left the cluster");
    // Vert.x's own close unregisters the consumer through the manager that has left, then leaves once more.
    await(vertx.close());
  }

  @Test
  void afterAPartitionHealsEachSideIsToldRegistrationsWereLostAndHasTheOthersChanges() throws Exception {
    Vertx proxies = Vertx.vertx();
    started.add(proxies);
    CuttableProxy toA = CuttableProxy.start(proxies).target(18030);
    CuttableProxy toB = CuttableProxy.start(proxies).target(18031);
    // Each reaches the other only through its proxy: cutting both splits them, in both directions.
    LostCounting a = new LostCounting(new CkitClusterManager(options("127.0.0.1:18030")
        .setAdvertiseAddress("127.0.0.1:" + toA.port()).setJoinAddresses(List.of("127.0.0.1:" + toB.port()))));
    LostCounting b = new LostCounting(new CkitClusterManager(options("127.0.0.1:18031")
        .setAdvertiseAddress("127.0.0.1:" + toB.port()).setJoinAddresses(List.of("127.0.0.1:" + toA.port()))));
    Future<Vertx> startingA = Vertx.builder().withClusterManager(a).buildClustered().onSuccess(started::add);
    Future<Vertx> startingB = Vertx.builder().withClusterManager(b).buildClustered().onSuccess(started::add);
    Vertx vertxA = await(startingA);
    Vertx vertxB = await(startingB);
    Poll.until("the two see each other", () -> a.getNodes().size() == 2 && b.getNodes().size() == 2);
    MessageConsumer<Object> before = vertxB.eventBus().consumer("before", msg -> msg.reply("b"));
    await(before.completion());
    Poll.until("a has b's consumer", () -> registrations(a, "before").size() == 1);
    assertThat(a.lost.get() + b.lost.get()).isZero();

    toA.cut(true);
    toB.cut(true);
    pollLonger("each declares the other dead", () -> a.getNodes().size() == 1 && b.getNodes().size() == 1);
    assertThat(registrations(a, "before")).isEmpty();
    await(before.unregister());
    await(vertxB.eventBus().consumer("during-b", msg -> msg.reply("b")).completion());
    await(vertxA.eventBus().consumer("during-a", msg -> msg.reply("a")).completion());

    toA.cut(false);
    toB.cut(false);
    pollLonger("the two see each other again", () -> a.getNodes().size() == 2 && b.getNodes().size() == 2);
    pollLonger("each was told registrations were lost", () -> a.lost.get() >= 1 && b.lost.get() >= 1);
    Poll.until("a has b's changes", () -> registrations(a, "during-b").size() == 1
        && registrations(a, "before").isEmpty());
    Poll.until("b has a's changes", () -> registrations(b, "during-a").size() == 1);
    assertThat(registrations(a, "during-b")).extracting(RegistrationInfo::nodeId).containsExactly(b.getNodeId());
    assertThat(registrations(b, "during-a")).extracting(RegistrationInfo::nodeId).containsExactly(a.getNodeId());
    assertThat(await(vertxA.eventBus().request("during-b", "?")).body()).isEqualTo("b");
    assertThat(await(vertxB.eventBus().request("during-a", "?")).body()).isEqualTo("a");
    assertThat(lostCount(a)).isGreaterThanOrEqualTo(1.0);
    assertThat(lostCount(b)).isGreaterThanOrEqualTo(1.0);
  }

  /** Vert.x's registration listener, seen through a wrapper that counts {@code registrationsLost} calls. */
  private static final class LostCounting extends io.vertx.tests.eventbus.WrappedClusterManager {
    final java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();

    LostCounting(CkitClusterManager delegate) {
      super(delegate);
    }

    @Override
    public void registrationsLost() {
      lost.incrementAndGet();
      super.registrationsLost();
    }
  }

  private static double lostCount(io.vertx.core.spi.cluster.ClusterManager wrapped) {
    var registry = ((CkitClusterManager) ((LostCounting) wrapped).getDelegate()).meterRegistry();
    return registry.get("cluster_vertx_registrations_lost_total").counter().count();
  }

  /** Failure detection and rejoins take seconds each, longer on a loaded machine: waits up to 90 s. */
  private static void pollLonger(String what, java.util.function.BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after 90 s waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Test
  void aChangeWaitsForNoMemberThatSaidItLeaves() throws Exception {
    String range = "127.0.0.1:18040-18041";
    ClusterNodeProcess peer = ClusterNodeProcess.start(options(range));
    try {
      CkitClusterManager manager = new CkitClusterManager(options(range).setDeliveryTimeout(Duration.ofSeconds(30)));
      Vertx vertx = clustered(manager);
      Poll.until("the two see each other", () -> manager.getNodes().size() == 2);
      WebClient client = WebClient.create(vertx);
      try {
        // The peer's run, as it answers anyone who asks for its entries.
        JsonObject asked = new JsonObject().put("from", "asker").put("run", "r").put("addr", "127.0.0.1:1")
            .put("version", 0).put("knownRun", "").put("known", -1);
        JsonObject entries = await(client.postAbs("http://" + peer.address() + ClusterCore.BASE_PATH + "state")
            .putHeader("Content-Type", "application/json").sendBuffer(asked.toBuffer())).bodyAsJsonObject();
        assertThat(entries.getString("name")).isEqualTo(peer.nodeId());
        // Paused, it would take no change; then its leave notice comes (gossip still lists it for seconds).
        peer.signal("STOP");
        JsonObject leave = new JsonObject().put("from", peer.nodeId()).put("run", entries.getString("run"));
        assertThat(await(client.postAbs("http://" + manager.advertiseAddress() + ClusterCore.BASE_PATH + "leave")
            .putHeader("Content-Type", "application/json").sendBuffer(leave.toBuffer())).statusCode()).isEqualTo(200);
        long start = System.nanoTime();
        await(vertx.eventBus().consumer("after-leave", msg -> { }).completion());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(millis).isLessThan(10_000);
        assertThat(manager.getNodes()).contains(peer.nodeId());
        assertThat(manager.meterRegistry().get("cluster_vertx_delivery_timeouts_total").counter().count()).isZero();
      } finally {
        client.close();
      }
    } finally {
      peer.kill();
    }
  }

  @Test
  void aNodeThatGossipDoesNotShowYetButAskedGetsTheChangesToo() throws Exception {
    CkitClusterManager manager = new CkitClusterManager(options("127.0.0.1:18050-18051"));
    Vertx vertx = clustered(manager);
    // A node ahead of this one's gossip: it asks for this node's entries and answers as a cluster manager would.
    List<JsonObject> updates = new java.util.concurrent.CopyOnWriteArrayList<>();
    var ghost = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      JsonObject answer = request.path().endsWith("/update")
          ? new JsonObject().put("result", "applied").put("run", "ghost-run")
          : new JsonObject().put("name", "ghost").put("run", "ghost-run").put("version", 0)
              .put("registrations", new io.vertx.core.json.JsonArray());
      if (request.path().endsWith("/update")) {
        updates.add(body.toJsonObject());
      }
      request.response().putHeader("Content-Type", "application/json").end(answer.toBuffer());
    })).listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(vertx);
    try {
      JsonObject asks = new JsonObject().put("from", "ghost").put("run", "ghost-run")
          .put("addr", "127.0.0.1:" + ghost.actualPort()).put("version", 0).put("knownRun", "").put("known", -1);
      assertThat(await(client.postAbs("http://" + manager.advertiseAddress() + ClusterCore.BASE_PATH + "state")
          .putHeader("Content-Type", "application/json").sendBuffer(asks.toBuffer())).statusCode()).isEqualTo(200);
      assertThat(manager.getNodes()).containsExactly(manager.getNodeId());
      await(vertx.eventBus().consumer("to-ghost", msg -> { }).completion());
      Poll.until("the ghost got the change", () -> updates.stream().anyMatch(update ->
          update.getJsonArray("ops").encode().contains("\"to-ghost\"")));
    } finally {
      client.close();
      await(ghost.close());
    }
  }

  private static List<RegistrationInfo> registrations(io.vertx.core.spi.cluster.ClusterManager manager,
      String address) {
    try {
      return await(Future.<List<RegistrationInfo>>future(promise -> manager.getRegistrations(address, promise)));
    } catch (Exception e) {
      throw new AssertionError(e);
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
  void sharedDataAndTheSyncMapWork() throws Exception {
    Vertx vertx = clustered(new CkitClusterManager(options("127.0.0.1:17854-17855")));
    var map = await(vertx.sharedData().<String, String>getAsyncMap("m"));
    await(map.put("k", "v"));
    assertThat(await(map.get("k"))).isEqualTo("v");
    assertThat(await(await(vertx.sharedData().getCounter("c")).incrementAndGet())).isEqualTo(1L);
    await(vertx.sharedData().getLock("l")).release();
    // The sync map (SyncMapTest): it opens, and holds what is put in it.
    java.util.Map<String, String> sync = ((VertxInternal) vertx).clusterManager().getSyncMap("s");
    sync.put("k", "v");
    assertThat(sync).containsExactly(java.util.Map.entry("k", "v"));
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
