package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.testing.Poll;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sync map on real clusters (HTTP/2 servers on loopback, one Vert.x and one cluster manager each): a write
 * is in the writer's copy when {@code put} returns and reaches every member, a removal is on every member when
 * {@code remove} returns, a leaving node's last writes are on
 * every member once it has left, a joining node has the content when its join completes, a departed node's
 * entries stay and a nodeLeft listener reads them, concurrent writes converge, anti-entropy repairs a member
 * that missed a write, and bad requests on the routes are refused, counted and change nothing.
 */
class SyncMapTest {

  private final List<Vertx> started = new ArrayList<>();
  private final ExecutorService writers = Executors.newFixedThreadPool(4);

  @AfterEach
  void closeAll() throws Exception {
    writers.shutdownNow();
    for (Vertx vertx : started) {
      await(vertx.close());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static CkitClusterOptions options(String range) {
    return new CkitClusterOptions(new JsonObject().put("listen", range).put("joinAddresses", List.of(range))
        .put("label", "syncmap-test").put("gossip", new JsonObject().put("preset", "local"))
        .put("antiEntropyInterval", "300ms").put("leaveTimeout", "1s").put("rejoinInterval", "2s"));
  }

  private CkitClusterManager member(String range) throws Exception {
    CkitClusterManager manager = new CkitClusterManager(options(range));
    started.add(await(Vertx.builder().withClusterManager(manager).buildClustered()));
    return manager;
  }

  private List<CkitClusterManager> cluster(String range, int size) throws Exception {
    List<CkitClusterManager> managers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      managers.add(member(range));
    }
    Poll.until("every member sees " + size, () -> managers.stream().allMatch(m -> m.getNodes().size() == size));
    return managers;
  }

  private static double counter(MeterRegistry registry, String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  /** Waits until every map holds exactly {@code expected}. */
  private static void converge(List<? extends Map<?, ?>> maps, Map<?, ?> expected) throws InterruptedException {
    for (int i = 0; i < maps.size(); i++) {
      Map<?, ?> map = maps.get(i);
      Poll.until("member " + i + " holds " + expected, () -> map.equals(expected));
    }
  }

  @Test
  void aWriteIsInTheWritersCopyWhenPutReturnsAndReachesEveryMember() throws Exception {
    List<CkitClusterManager> managers = cluster("127.0.0.1:18400-18409", 3);
    List<Map<String, Object>> maps = new ArrayList<>();
    for (CkitClusterManager manager : managers) {
      maps.add(manager.getSyncMap("ha"));
    }
    assertThat(maps.get(0).put("node-a", "{\"group\":\"g\"}")).isNull();
    assertThat(maps.get(0)).containsOnly(Map.entry("node-a", "{\"group\":\"g\"}"));
    assertThat(maps.get(1).put("count", 41L)).isNull();
    converge(maps, Map.of("node-a", "{\"group\":\"g\"}", "count", 41L));
    assertThat(maps.get(2).put("count", 42L)).isEqualTo(41L);
    converge(maps, Map.of("node-a", "{\"group\":\"g\"}", "count", 42L));
    assertThat(maps.get(1).remove("node-a")).isEqualTo("{\"group\":\"g\"}");
    converge(maps, Map.of("count", 42L));
    maps.get(2).putAll(Map.of("x", new JsonObject().put("a", 1), "y", Buffer.buffer("b")));
    converge(maps, Map.of("count", 42L, "x", new JsonObject().put("a", 1), "y", Buffer.buffer("b")));
    // Through the entry set: removing and setting write too.
    var it = maps.get(0).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Object> entry = it.next();
      if (entry.getKey().equals("x")) {
        it.remove();
      } else if (entry.getKey().equals("count")) {
        entry.setValue(43L);
      }
    }
    converge(maps, Map.of("count", 43L, "y", Buffer.buffer("b")));
    maps.get(1).clear();
    converge(maps, Map.of());
    // Another map of the same cluster is another map.
    assertThat(managers.get(0).<String, String>getSyncMap("other")).isEmpty();
  }

  @Test
  void aLeavingNodesLastWritesAreOnEveryMemberOnceItHasLeft() throws Exception {
    List<CkitClusterManager> managers = cluster("127.0.0.1:18412-18419", 3);
    Map<String, String> leaving = managers.get(2).getSyncMap("ha");
    for (int i = 0; i < 20; i++) {
      leaving.put("k" + i, "v" + i);
    }
    leaving.remove("k3");
    // No waiting after close: a cluster manager leaves only once every member has acknowledged its writes.
    await(started.remove(2).close());
    for (CkitClusterManager manager : managers.subList(0, 2)) {
      Map<String, String> map = manager.getSyncMap("ha");
      assertThat(map).hasSize(19).containsEntry("k19", "v19").doesNotContainKey("k3");
    }
  }

  @Test
  void aRemovalIsOnEveryMemberWhenRemoveReturns() throws Exception {
    List<CkitClusterManager> managers = cluster("127.0.0.1:18464-18469", 3);
    Map<String, Integer> writer = managers.get(0).getSyncMap("ha");
    List<Map<String, Integer>> others = List.of(managers.get(1).getSyncMap("ha"), managers.get(2).getSyncMap("ha"));
    Map<String, Integer> all = new java.util.HashMap<>();
    for (int i = 0; i < 30; i++) {
      all.put("k" + i, i);
    }
    writer.putAll(all);
    converge(others, all);
    for (int i = 0; i < 30; i++) {
      assertThat(writer.remove("k" + i)).isEqualTo(i);
      // No waiting: remove has returned, so no member holds the key any more.
      for (Map<String, Integer> other : others) {
        assertThat(other).doesNotContainKey("k" + i);
      }
    }
  }

  @Test
  void badKeysAndValuesAreRefusedWithTheReason() throws Exception {
    Map<Object, Object> map = member("127.0.0.1:18410-18411").getSyncMap("m");
    assertThatThrownBy(() -> map.put("k", new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sync map value: java.lang.Object is not supported");
    assertThatThrownBy(() -> map.put(new byte[] {1}, "v")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sync map key: byte[] is not supported");
    assertThatThrownBy(() -> map.put("k", null)).isInstanceOf(NullPointerException.class)
        .hasMessage("sync map value: null is not allowed");
    assertThat(map).isEmpty();
  }

  @Test
  void aJoiningNodeHoldsTheContentWhenItsJoinCompletes() throws Exception {
    String range = "127.0.0.1:18420-18429";
    // Anti-entropy once a minute: only the comparisons of the join can bring the content in time.
    List<CkitClusterManager> managers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      CkitClusterManager manager = new CkitClusterManager(options(range).setAntiEntropyInterval(Duration.ofMinutes(1)));
      started.add(await(Vertx.builder().withClusterManager(manager).buildClustered()));
      managers.add(manager);
    }
    Poll.until("both members see each other", () -> managers.stream().allMatch(m -> m.getNodes().size() == 2));
    Map<String, String> first = managers.get(0).getSyncMap("ha");
    for (int i = 0; i < 50; i++) {
      first.put("k" + i, "v" + i);
    }
    first.remove("k7");
    CkitClusterManager late = new CkitClusterManager(options(range).setAntiEntropyInterval(Duration.ofMinutes(1)));
    started.add(await(Vertx.builder().withClusterManager(late).buildClustered()));
    // buildClustered() has completed: no waiting.
    Map<String, String> joined = late.getSyncMap("ha");
    assertThat(joined).hasSize(49).containsEntry("k0", "v0").containsEntry("k49", "v49").doesNotContainKey("k7");
  }

  @Test
  void aDepartedNodesEntriesStayAndItsNodeLeftListenerReadsThem() throws Exception {
    String range = "127.0.0.1:18430-18439";
    List<CkitClusterManager> managers = cluster(range, 3);
    CkitClusterManager leaving = managers.get(2);
    String leavingId = leaving.getNodeId();
    Map<String, String> own = leaving.getSyncMap("ha");
    own.put(leavingId, "{\"verticles\":[1]}");
    Map<String, String> seen = new ConcurrentHashMap<>();
    CountDownLatch left = new CountDownLatch(2);
    for (CkitClusterManager manager : managers.subList(0, 2)) {
      Map<String, String> map = manager.getSyncMap("ha");
      manager.nodeListener(new NodeListener() {
        @Override
        public void nodeAdded(String nodeID) {}

        @Override
        public void nodeLeft(String nodeID) {
          seen.put(manager.getNodeId(), nodeID + "=" + map.get(nodeID));
          left.countDown();
        }
      });
    }
    await(started.remove(2).close());
    assertThat(left.await(60, TimeUnit.SECONDS)).isTrue();
    for (CkitClusterManager manager : managers.subList(0, 2)) {
      assertThat(seen.get(manager.getNodeId())).isEqualTo(leavingId + "={\"verticles\":[1]}");
      assertThat(manager.<String, String>getSyncMap("ha")).containsEntry(leavingId, "{\"verticles\":[1]}");
    }
    // A member removes it (as the HA manager does after fail-over): gone everywhere when remove returns, so no
    // member fails the node over again at the next nodeLeft.
    managers.get(0).<String, String>getSyncMap("ha").remove(leavingId);
    assertThat(managers.get(1).<String, String>getSyncMap("ha")).isEmpty();
  }

  @Test
  void concurrentWritesToTheSameKeysEndTheSameOnEveryMember() throws Exception {
    List<CkitClusterManager> managers = cluster("127.0.0.1:18440-18449", 3);
    List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      Map<String, Integer> map = managers.get(w).getSyncMap("race");
      int writer = w;
      tasks.add(writers.submit(() -> {
        for (int i = 0; i < 100; i++) {
          map.put("k" + (i % 5), writer * 1000 + i);
          if (i % 10 == 9) {
            map.remove("k" + (i % 5));
          }
        }
      }));
    }
    for (var task : tasks) {
      task.get(120, TimeUnit.SECONDS);
    }
    List<Map<String, Integer>> copies = new ArrayList<>();
    for (CkitClusterManager manager : managers) {
      copies.add(manager.getSyncMap("race"));
    }
    Poll.until("the three copies agree", () -> copies.get(0).equals(copies.get(1)) && copies.get(1).equals(copies.get(2)));
    assertThat(copies.get(0)).isNotEmpty();
    for (Map.Entry<String, Integer> entry : copies.get(0).entrySet()) {
      // Each key ends with one writer's value for that key: writer * 1000 + i, with i % 5 the key's number.
      assertThat(entry.getValue() % 1000 % 5).isEqualTo(Integer.parseInt(entry.getKey().substring(1)));
    }
  }

  @Test
  void antiEntropyBringsAWriteOnlyOneMemberReceivedToTheOthers() throws Exception {
    List<CkitClusterManager> managers = cluster("127.0.0.1:18450-18459", 3);
    Vertx vertx = started.get(0);
    WebClient client = WebClient.create(vertx);
    try {
      // A write that reached one member only (its writer died before sending it on).
      JsonObject entry = new JsonObject().put("m", "ha").put("k", "s:lost").put("v", "s:found").put("c", 1000)
          .put("o", "a-writer-that-died");
      HttpResponse<Buffer> sent = await(client.postAbs("http://" + managers.get(1).advertiseAddress()
          + ClusterCore.BASE_PATH + SyncMaps.ENTRIES_ROUTE).putHeader("Content-Type", "application/json")
          .sendBuffer(new JsonObject().put("from", "test").put("run", "r").put("entries", List.of(entry)).toBuffer()));
      assertThat(sent.statusCode()).isEqualTo(200);
      assertThat(sent.bodyAsJsonObject().getInteger("taken")).isEqualTo(1);
    } finally {
      client.close();
    }
    for (CkitClusterManager manager : managers) {
      Map<String, String> map = manager.getSyncMap("ha");
      Poll.until("anti-entropy brings the entry to " + manager.getNodeId(), () -> "found".equals(map.get("lost")));
    }
    double repaired = counter(managers.get(0).meterRegistry(), "cluster_vertx_sync_map_repairs_total")
        + counter(managers.get(2).meterRegistry(), "cluster_vertx_sync_map_repairs_total");
    assertThat(repaired).isGreaterThanOrEqualTo(2.0);
    // Its Lamport time carries on: a later write anywhere wins over it.
    managers.get(2).<String, String>getSyncMap("ha").put("lost", "overwritten");
    for (CkitClusterManager manager : managers) {
      Map<String, String> map = manager.getSyncMap("ha");
      Poll.until("the later write reaches " + manager.getNodeId(), () -> "overwritten".equals(map.get("lost")));
    }
  }

  @Test
  void badRequestsOnTheSyncMapRoutesAreRefusedCountedAndChangeNothing() throws Exception {
    CkitClusterManager manager = member("127.0.0.1:18460-18461");
    Map<String, String> map = manager.getSyncMap("ha");
    map.put("kept", "yes");
    WebClient client = WebClient.create(started.get(0));
    try {
      String base = "http://" + manager.advertiseAddress() + ClusterCore.BASE_PATH;
      JsonObject good = new JsonObject().put("m", "ha").put("k", "s:new").put("v", "s:v").put("c", 99).put("o", "x");
      Object[][] cases = {
          {SyncMaps.ENTRIES_ROUTE, new JsonObject().put("run", "r").put("entries", List.of()),
              "syncmap/entries: from: a non-empty text is required"},
          {SyncMaps.ENTRIES_ROUTE, new JsonObject().put("from", "f").put("run", "r")
              .put("entries", List.of(good, good.copy().put("k", "s:kept").put("c", -3))),
              "syncmap/entries: entries[1].c: a whole number >= 0 is required"},
          {SyncMaps.ENTRIES_ROUTE, new JsonObject().put("from", "f").put("run", "r")
              .put("entries", List.of(good.copy().put("k", "l:007"))),
              "syncmap/entries: entries[0].k: not in canonical form"},
          {SyncMaps.DIGEST_ROUTE, new JsonObject().put("from", "f").put("run", "r")
              .put("digests", new JsonObject().put("ha", "many")),
              "syncmap/digest: digests.ha: a whole number is required"},
          {SyncMaps.DIGEST_ROUTE, new JsonObject().put("from", "f").put("run", "r"),
              "syncmap/digest: digests: an object is required"},
      };
      for (Object[] c : cases) {
        HttpResponse<Buffer> response = await(client.postAbs(base + c[0]).putHeader("Content-Type", "application/json")
            .sendBuffer(((JsonObject) c[1]).toBuffer()));
        assertThat(response.statusCode()).as("%s", c[2]).isEqualTo(400);
        assertThat(response.bodyAsString()).isEqualTo(c[2]);
      }
      assertThat(await(client.postAbs(base + SyncMaps.ENTRIES_ROUTE).putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer("[1,2"))).statusCode()).isEqualTo(400);
      MeterRegistry registry = manager.meterRegistry();
      assertThat(counter(registry, "cluster_vertx_bad_requests_total", "route", "syncmap/entries", "reason", "field"))
          .isEqualTo(3.0);
      assertThat(counter(registry, "cluster_vertx_bad_requests_total", "route", "syncmap/entries", "reason", "json"))
          .isEqualTo(1.0);
      assertThat(counter(registry, "cluster_vertx_bad_requests_total", "route", "syncmap/digest", "reason", "field"))
          .isEqualTo(2.0);
      // The good entry in the refused batch was not taken either.
      assertThat(map).containsOnly(Map.entry("kept", "yes"));
      map.put("after", "ok");
      assertThat(map).containsEntry("after", "ok");
    } finally {
      client.close();
    }
  }

  @Test
  void theSyncMapOfALeftClusterManagerKeepsItsLastCopyAndRefusesWrites() throws Exception {
    CkitClusterManager manager = member("127.0.0.1:18462-18463");
    Map<String, String> map = manager.getSyncMap("ha");
    map.put("k", "v");
    await(started.remove(0).close());
    assertThat(map).containsExactly(Map.entry("k", "v"));
    assertThatThrownBy(() -> map.put("k", "w")).isInstanceOf(IllegalStateException.class)
        .hasMessage("sync map ha: put after the cluster manager left the cluster");
  }
}
