package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.testing.Poll;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Lock;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shared data beyond Vert.x's own suite, on real clusters in one JVM (one Vert.x and one HTTP/2 server per
 * cluster manager, on loopback): a write is on its owner and its backup before it is answered; a node that leaves
 * hands its keys over first (nothing lost even with no backups); a lock waiter
 * that timed out never gets the lock; waiters get it in order; bad requests on the routes are refused, counted,
 * and change nothing.
 */
class SharedDataTest {

  private final List<Vertx> started = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (Vertx vertx : started) {
      await(vertx.close());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private List<CkitClusterManager> cluster(String range, int size) throws Exception {
    return cluster(range, size, CkitClusterOptions.DEFAULT_BACKUPS);
  }

  private List<CkitClusterManager> cluster(String range, int size, int backups) throws Exception {
    return cluster(range, size, new JsonObject().put("backups", backups));
  }

  private List<CkitClusterManager> cluster(String range, int size, JsonObject extra) throws Exception {
    List<CkitClusterManager> managers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      CkitClusterManager manager = new CkitClusterManager(new CkitClusterOptions(new JsonObject()
          .put("listen", range).put("joinAddresses", List.of(range)).put("label", "data-test")
          .put("gossip", new JsonObject().put("preset", "local")).put("antiEntropyInterval", "500ms")
          .put("leaveTimeout", "1s").put("rejoinInterval", "2s").mergeIn(extra)));
      started.add(await(Vertx.builder().withClusterManager(manager).buildClustered()));
      managers.add(manager);
    }
    Poll.until("every cluster manager sees " + size, () -> managers.stream().allMatch(m -> m.getNodes().size() == size));
    return managers;
  }

  /** Callers waiting for a lock on their own nodes (a node asks the owner once for all its callers). */
  private double localWaiters() {
    double n = 0;
    for (Vertx vertx : started) {
      CkitClusterManager manager =
          (CkitClusterManager) ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
      n += manager.meterRegistry().find("cluster_vertx_lock_local_waiters").gauge().value();
    }
    return n;
  }

  private double waiters() {
    double n = 0;
    for (Vertx vertx : started) {
      CkitClusterManager manager = (CkitClusterManager) ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
      n += manager.meterRegistry().find("cluster_vertx_data_lock_waiters").gauge().value();
    }
    return n;
  }

  private static double entries(CkitClusterManager manager) {
    Gauge gauge = manager.meterRegistry().find("cluster_vertx_data_entries").gauge();
    return gauge == null ? -1 : gauge.value();
  }

  @Test
  void everyWriteIsOnItsOwnerAndItsBackupBeforeItIsAnswered() throws Exception {
    List<CkitClusterManager> managers = cluster("127.0.0.1:18330-18332", 3);
    AsyncMap<String, Integer> map = await(started.get(0).sharedData().<String, Integer>getAsyncMap("copies"));
    for (int k = 0; k < 60; k++) {
      await(map.put("key-" + k, k));
      double held = 0;
      for (CkitClusterManager manager : managers) {
        held += entries(manager);
      }
      // Answered: so both copies are there already, no waiting.
      assertThat(held).as("copies held after put " + k).isEqualTo(2.0 * (k + 1));
    }
    for (Vertx vertx : started) {
      AsyncMap<String, Integer> seen = await(vertx.sharedData().<String, Integer>getAsyncMap("copies"));
      assertThat(await(seen.get("key-17"))).isEqualTo(17);
      assertThat(await(seen.size())).isEqualTo(60);
    }
  }

  @Test
  void aNodeThatLeavesHandsItsKeysOverEvenWithNoBackups() throws Exception {
    List<CkitClusterManager> managers = cluster("127.0.0.1:18345-18347", 3, 0);
    AsyncMap<String, Integer> map = await(started.get(0).sharedData().<String, Integer>getAsyncMap("leaving"));
    for (int k = 0; k < 100; k++) {
      await(map.put("key-" + k, k));
    }
    assertThat(entries(managers.get(2))).as("keys the leaving node owns (no copies elsewhere)").isGreaterThan(10);
    Vertx leaving = started.remove(2);
    await(leaving.close());
    Poll.until("the others see it leave", () -> managers.get(0).getNodes().size() == 2
        && managers.get(1).getNodes().size() == 2);
    AsyncMap<String, Integer> read = await(started.get(1).sharedData().<String, Integer>getAsyncMap("leaving"));
    List<String> lost = new ArrayList<>();
    for (int k = 0; k < 100; k++) {
      if (!Integer.valueOf(k).equals(await(read.get("key-" + k)))) {
        lost.add("key-" + k);
      }
    }
    assertThat(lost).isEmpty();
  }

  @Test
  void aLockWaiterThatTimedOutNeverGetsTheLockAndWaitersGetItInOrder() throws Exception {
    cluster("127.0.0.1:18335-18337", 3);
    Vertx a = started.get(0);
    Vertx b = started.get(1);
    Vertx c = started.get(2);
    Lock held = await(a.sharedData().getLockWithTimeout("door", 5000));
    Throwable timedOut = await(b.sharedData().getLockWithTimeout("door", 300)
        .<Throwable>transform(done -> Future.succeededFuture(done.cause())));
    assertThat(timedOut).hasMessage("Timed out waiting to get lock");
    // The node that timed out withdraws its request from the owner.
    Poll.until("the timed-out request is withdrawn", () -> waiters() == 0 && localWaiters() == 0);
    List<String> order = new CopyOnWriteArrayList<>();
    List<Future<Lock>> waiting = new ArrayList<>();
    // Requests the owner holds after each caller asks: c2 waits on its node, whose request for c1 is queued.
    List<Integer> atOwner = List.of(1, 2, 2);
    for (String who : List.of("c1", "b1", "c2")) {
      Vertx from = who.startsWith("c") ? c : b;
      waiting.add(from.sharedData().getLockWithTimeout("door", 30_000).onSuccess(lock -> {
        order.add(who);
        lock.release();
      }));
      int queued = waiting.size();
      int owner = atOwner.get(queued - 1);
      // The owner queues in arrival order: ask the next once this one is queued.
      Poll.until(who + " waits", () -> localWaiters() == queued && waiters() == owner);
    }
    held.release();
    for (Future<Lock> future : waiting) {
      await(future);
    }
    assertThat(order).containsExactly("c1", "b1", "c2");
    // Free again: the waiter that timed out did not take it.
    Lock again = await(a.sharedData().getLockWithTimeout("door", 1000));
    again.release();
  }

  /** Gossip whose shortest suspicion is 3 x 10 s, so a lock reuse of 5 s stands (a quarter: 7.5 s). */
  private static JsonObject longReuse() {
    return new JsonObject().put("lockReuse", "5s")
        .put("gossip", new JsonObject().put("preset", "local").put("probeInterval", "10s"));
  }

  private static double counted(Vertx vertx, String name) {
    CkitClusterManager manager = (CkitClusterManager) ((io.vertx.core.internal.VertxInternal) vertx).clusterManager();
    return manager.meterRegistry().find(name).counter().count();
  }

  @Test
  void aNodePassesALockAmongItsCallersWithoutTheOwnerUntilAnotherNodeAsks() throws Exception {
    cluster("127.0.0.1:18480-18481", 2, longReuse());
    Vertx a = started.get(0);
    Vertx b = started.get(1);
    for (int i = 0; i < 20; i++) {
      await(a.sharedData().getLockWithTimeout("reused", 5000)).release();
    }
    // The first came from the owner, the other 19 from the node itself.
    assertThat(counted(a, "cluster_vertx_lock_local_grants_total")).isEqualTo(19.0);
    // a keeps the free lock for 5 s, but gives it back as soon as b asks: well within b's 3 s.
    long start = System.nanoTime();
    Lock taken = await(b.sharedData().getLockWithTimeout("reused", 3000));
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3000);
    assertThat(counted(a, "cluster_vertx_lock_revokes_total")).isEqualTo(1.0);
    // While b holds it, a's caller waits for b's release.
    Future<Lock> next = a.sharedData().getLockWithTimeout("reused", 10_000);
    Poll.until("a waits", () -> localWaiters() == 1);
    assertThat(next.isComplete()).isFalse();
    taken.release();
    await(next).release();
    assertThat(counted(a, "cluster_vertx_lock_local_grants_total")).isEqualTo(19.0);
  }

  @Test
  void callersOfThreeNodesNeverHoldALockTogether() throws Exception {
    cluster("127.0.0.1:18483-18485", 3, longReuse());
    java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger overlaps = new java.util.concurrent.atomic.AtomicInteger();
    List<Future<Void>> loops = new ArrayList<>();
    for (Vertx node : started) {
      for (int caller = 0; caller < 2; caller++) {
        loops.add(holdAndRelease(node, 25, holders, overlaps));
      }
    }
    for (Future<Void> loop : loops) {
      await(loop);
    }
    assertThat(overlaps.get()).isZero();
  }

  /** {@code times} times: acquires "contended", holds it 2 ms counting holders at once, releases. */
  private static Future<Void> holdAndRelease(Vertx node, int times, java.util.concurrent.atomic.AtomicInteger holders,
      java.util.concurrent.atomic.AtomicInteger overlaps) {
    if (times == 0) {
      return Future.succeededFuture();
    }
    return node.sharedData().getLockWithTimeout("contended", 30_000).compose(lock -> {
      if (holders.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
      io.vertx.core.Promise<Void> held = io.vertx.core.Promise.promise();
      node.setTimer(2, id -> {
        holders.decrementAndGet();
        lock.release();
        held.complete();
      });
      return held.future();
    }).compose(done -> holdAndRelease(node, times - 1, holders, overlaps));
  }

  @Test
  void aNodeGivesALockBackOnceItsReuseTimeIsOver() throws Exception {
    List<CkitClusterManager> managers = cluster("127.0.0.1:18486-18487", 2, new JsonObject().put("lockReuse",
        "300ms"));
    Vertx a = started.get(0);
    await(a.sharedData().getLockWithTimeout("brief", 5000)).release();
    CkitClusterManager manager = managers.get(0);
    Poll.until("a has given the lock back", () -> manager.meterRegistry().find("cluster_vertx_lock_held").gauge()
        .value() == 0);
    await(a.sharedData().getLockWithTimeout("brief", 5000)).release();
    // Asked the owner again: no grant of its own.
    assertThat(counted(a, "cluster_vertx_lock_local_grants_total")).isZero();
  }

  @Test
  void theBytesTheEntriesTakeAreAGaugeAtLeastTheirPayloadAndLittleMore() throws Exception {
    CkitClusterManager manager = cluster("127.0.0.1:17918-17919", 1).get(0);
    AsyncMap<String, String> map = await(started.get(0).sharedData().<String, String>getAsyncMap("weighed"));
    List<Future<Void>> puts = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      puts.add(map.put(String.format("entry-%08d", i), String.format("value-%094d", i)));
    }
    await(Future.all(puts));
    // A key is 15 bytes encoded, a value 101: 116,000 bytes of payload, one copy (a single member).
    Poll.until("the gauge counts the 1,000 entries", () -> bytes(manager) >= 116_000);
    assertThat(bytes(manager)).as("payload, a record header each, an index, a part-filled chunk")
        .isLessThan(116_000 + 1000 * 40 + 32 * 1024);
  }

  @Test
  void aRetriedRequestThatMustNotApplyTwiceIsAnsweredAgainWhileARetriedPutWritesAgain() throws Exception {
    CkitClusterManager manager = cluster("127.0.0.1:17916-17917", 1).get(0);
    Vertx vertx = started.get(0);
    WebClient client = WebClient.create(vertx);
    String data = "http://" + manager.advertiseAddress() + ClusterCore.BASE_PATH + "data";
    JsonObject add = new JsonObject().put("from", "x").put("s", "c:hits").put("k", "").put("op", "counterAdd")
        .put("delta", 5).put("returnNew", true).put("id", "x/1");
    assertThat(post(client, data, add).getLong("n")).isEqualTo(5);
    assertThat(post(client, data, add).getLong("n")).as("the retry's answer").isEqualTo(5);
    assertThat(await(await(vertx.sharedData().getCounter("hits")).get())).as("counted once").isEqualTo(5);

    String key = DataClient.base64(SharedValues.encode("k"));
    JsonObject putIfAbsent = new JsonObject().put("from", "x").put("s", "m:retried").put("k", key)
        .put("op", "putIfAbsent").put("v", DataClient.base64(SharedValues.encode("first"))).put("id", "x/2");
    assertThat(post(client, data, putIfAbsent).containsKey("v")).as("was absent").isFalse();
    assertThat(post(client, data, putIfAbsent).containsKey("v")).as("the retry: still absent then").isFalse();
    String fetch = "http://" + manager.advertiseAddress() + ClusterCore.BASE_PATH + "fetch";
    JsonObject which = new JsonObject().put("from", "x").put("s", "m:retried").put("k", key);
    assertThat(post(client, fetch, which).getJsonObject("entry").getString("op")).isEqualTo("x/2");

    JsonObject put = new JsonObject().put("from", "x").put("s", "m:retried").put("k", key).put("op", "put")
        .put("v", DataClient.base64(SharedValues.encode("mine"))).put("id", "x/3");
    post(client, data, put);
    assertThat(post(client, fetch, which).getJsonObject("entry").containsKey("op")).as("a put keeps no id").isFalse();
    AsyncMap<String, String> map = await(vertx.sharedData().<String, String>getAsyncMap("retried"));
    await(map.put("k", "theirs"));
    post(client, data, put);
    assertThat(await(map.get("k"))).as("a put's retry writes its value again").isEqualTo("mine");
  }

  private static JsonObject post(WebClient client, String url, JsonObject body) throws Exception {
    HttpResponse<Buffer> answer = await(client.postAbs(url).putHeader("Content-Type", "application/json")
        .sendBuffer(body.toBuffer()));
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    return answer.bodyAsJsonObject();
  }

  private static double bytes(CkitClusterManager manager) {
    Gauge gauge = manager.meterRegistry().find("cluster_vertx_data_bytes").gauge();
    return gauge == null ? -1 : gauge.value();
  }

  @Test
  void badRequestsOnTheDataRoutesAreRefusedCountedAndChangeNothing() throws Exception {
    CkitClusterManager manager = cluster("127.0.0.1:18340-18341", 1).get(0);
    Vertx vertx = started.get(0);
    AsyncMap<String, String> map = await(vertx.sharedData().<String, String>getAsyncMap("kept"));
    await(map.put("k", "v"));
    WebClient client = WebClient.create(vertx);
    String base = "http://" + manager.advertiseAddress() + ClusterCore.BASE_PATH;
    JsonObject good = new JsonObject().put("from", "x").put("s", "m:kept").put("k", "aw==").put("op", "put")
        .put("v", "AXY=");
    List<JsonObject> bad = List.of(good.copy().put("v", "%%%"), good.copy().put("op", "explode"),
        good.copy().put("ttl", -5), good.copy().put("k", "k".repeat(5000)), good.copy().put("k", "aw"));
    List<String> messages = new ArrayList<>();
    for (JsonObject body : bad) {
      HttpResponse<Buffer> answer = await(client.postAbs(base + "data").putHeader("Content-Type", "application/json")
          .sendBuffer(body.toBuffer()));
      assertThat(answer.statusCode()).isEqualTo(400);
      messages.add(answer.bodyAsString());
    }
    assertThat(messages.get(0)).startsWith("data: v: not Base64");
    assertThat(messages.get(1)).isEqualTo("data: op: \"explode\" is not an operation");
    assertThat(messages.get(2)).isEqualTo("data: ttl: a whole number >= 0 is required");
    assertThat(messages.get(4)).isEqualTo("data: k: not canonical Base64 (padded, no line breaks)");
    HttpResponse<Buffer> notJson = await(client.postAbs(base + "copy").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("[1,2")));
    assertThat(notJson.statusCode()).isEqualTo(400);
    HttpResponse<Buffer> badEntry = await(client.postAbs(base + "copy").putHeader("Content-Type",
        "application/json").sendBuffer(new JsonObject().put("from", "x").put("entries", List.of(new JsonObject()
        .put("s", "m:kept").put("k", "AXk=").put("x", 0).put("ver", -1))).toBuffer()));
    assertThat(badEntry.statusCode()).isEqualTo(400);
    assertThat(badEntry.bodyAsString()).isEqualTo("copy: entries[0].ver: a whole number >= 0 is required");
    assertThat(await(client.getAbs(base + "scan").send()).statusCode()).isEqualTo(405);
    HttpResponse<Buffer> badRevoke = await(client.postAbs(base + "revoke").putHeader("Content-Type",
        "application/json").sendBuffer(new JsonObject().put("from", "x").put("s", "l:door").toBuffer()));
    assertThat(badRevoke.statusCode()).isEqualTo(400);
    assertThat(badRevoke.bodyAsString()).startsWith("revoke: lockId");

    MeterRegistry registry = manager.meterRegistry();
    assertThat(count(registry, "data", "field")).isEqualTo(5.0);
    assertThat(count(registry, "copy", "json")).isEqualTo(1.0);
    assertThat(count(registry, "copy", "field")).isEqualTo(1.0);
    assertThat(count(registry, "scan", "method")).isEqualTo(1.0);
    assertThat(count(registry, "revoke", "field")).isEqualTo(1.0);
    // Nothing lost, nothing added.
    assertThat(await(map.entries())).containsExactly(java.util.Map.entry("k", "v"));
  }

  private static double count(MeterRegistry registry, String route, String reason) {
    Counter counter = registry.find("cluster_vertx_bad_requests_total").tag("route", route).tag("reason", reason)
        .counter();
    return counter == null ? 0 : counter.count();
  }
}
