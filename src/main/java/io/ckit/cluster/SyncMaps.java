package io.ckit.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The sync maps ({@code ClusterManager.getSyncMap}) replicated to every cluster-manager node, on the cluster
 * manager's own HTTP/2 routes (never inside ckit's gossip):
 * <ul>
 *   <li>a write is applied here, and sent to every other member ({@code syncmap/entries}, batched, one request
 *       in flight per member); the caller of a put goes on at once (Vert.x's HA manager makes its writes one at a
 *       time, under a lock, so waiting a round trip of every member per write made HA deployments too slow), the
 *       caller of a removal once every member has acknowledged it (the HA manager removes a failed node's entry
 *       to say its fail-over is done: a member still holding it would fail the node over again), and {@link
 *       #drain} waits until every member has acknowledged every write, or {@code deliveryTimeout} passed: the
 *       cluster manager drains before it leaves;
 *   <li>every {@code antiEntropyInterval} this node compares digests with one random member whose writes have
 *       arrived, and at once with a member it failed to reach or just saw join ({@code syncmap/digest}); where
 *       a map differs the member answers with its keys' versions, and this node sends what is newer here and
 *       asks for what is newer there (both in one {@code syncmap/entries} request);
 *   <li>a node that joins compares with every member before its {@code join} completes, so it holds the
 *       current content then.
 * </ul>
 * Entries belong to no node: a departed node's entries stay until someone removes them (Vert.x's HA manager
 * reads them after {@code nodeLeft} to decide on fail-over). Concurrent writes converge by {@link
 * SyncMapStore#newer}.
 *
 * <p>Concurrency: everything but {@link #stopped} is owned by the cluster manager's context; the facade reaches
 * it through {@link ClusterCore#run} and waits for the answer off that context ({@link #await}).
 */
final class SyncMaps {

  private static final System.Logger LOG = System.getLogger(SyncMaps.class.getName());
  static final String ENTRIES_ROUTE = "syncmap/entries";
  static final String DIGEST_ROUTE = "syncmap/digest";
  /** How much longer than the delivery timeout a caller waits for the cluster manager's context to answer. */
  private static final long AWAIT_MARGIN_MILLIS = 30_000;
  private static final long PURGE_INTERVAL_MILLIS = 60_000;

  /** One change a facade asks for: a key's new value, or its removal ({@code value == null}). */
  record Op(String key, Object decodedKey, String value, Object decodedValue) {}

  private final ClusterCore core;
  private final String name;
  private final Vertx own;
  private final ContextInternal context;
  private final long deliveryMillis;
  private final SyncMapStore store;
  private final Map<String, Outbox> outboxes = new HashMap<>();
  private final List<Write> writes = new ArrayList<>();
  private final Map<String, Future<Void>> exchanges = new HashMap<>();
  /** Members an update failed to reach: compared with at the next round. */
  private final Set<String> unreached = new HashSet<>();
  private final Counter repairs;
  private final Counter writeTimeouts;
  private long writeSeq;
  private long antiEntropyTimer = -1;
  private long purgeTimer = -1;
  private volatile boolean stopped;

  SyncMaps(ClusterCore core, String name, Vertx own, ContextInternal context, CkitClusterOptions options,
      MeterRegistry registry) {
    this.core = core;
    this.name = name;
    this.own = own;
    this.context = context;
    this.deliveryMillis = options.getDeliveryTimeout().toMillis();
    this.store = new SyncMapStore(name);
    String label = options.getLabel();
    repairs = Counter.builder("cluster_vertx_sync_map_repairs_total")
        .description("Sync map entries that anti-entropy or a join brought to this node (missed writes)")
        .tag("cluster_name", label).register(registry);
    writeTimeouts = Counter.builder("cluster_vertx_sync_map_write_timeouts_total")
        .description("Sync map writes that completed after the delivery timeout without every member's "
            + "acknowledgement").tag("cluster_name", label).register(registry);
    Gauge.builder("cluster_vertx_sync_map_entries", store, SyncMapStore::liveEntries)
        .description("Live sync map entries on this node").tag("cluster_name", label).register(registry);
    Gauge.builder("cluster_vertx_sync_map_tombstones", store, SyncMapStore::tombstones)
        .description("Sync map removals remembered on this node").tag("cluster_name", label).register(registry);
  }

  void mount(Router router) {
    router.route(ClusterCore.BASE_PATH + ENTRIES_ROUTE)
        .handler(routing -> core.receive(routing.request(), ENTRIES_ROUTE, this::onEntries));
    router.route(ClusterCore.BASE_PATH + DIGEST_ROUTE)
        .handler(routing -> core.receive(routing.request(), DIGEST_ROUTE, this::onDigest));
  }

  /** Starts anti-entropy and compares with every member; completes once each answered or failed. */
  Future<Void> joined(long antiEntropyMillis) {
    antiEntropyTimer = own.setPeriodic(antiEntropyMillis, id -> antiEntropy());
    purgeTimer = own.setPeriodic(PURGE_INTERVAL_MILLIS, id -> store.purge(System.nanoTime()));
    List<Future<Void>> all = new ArrayList<>();
    for (String member : core.memberAddresses().keySet()) {
      all.add(exchange(member));
    }
    return Future.join(all).<Void>mapEmpty().recover(failure -> Future.succeededFuture());
  }

  void memberAdded(String member) {
    exchange(member);
  }

  void memberLeft(String member) {
    Outbox outbox = outboxes.remove(member);
    if (outbox != null) {
      outbox.closed = true;
    }
    unreached.remove(member);
    for (Write write : new ArrayList<>(writes)) {
      write.acknowledged(member);
    }
  }

  void stop() {
    stopped = true;
    own.cancelTimer(antiEntropyTimer);
    own.cancelTimer(purgeTimer);
    for (Write write : new ArrayList<>(writes)) {
      write.done();
    }
  }

  boolean stopped() {
    return stopped;
  }

  // ---------------------------------------------------------------------------------------------------
  // What the facade asks (on the core's context)

  Future<Map<Object, Object>> view(String map) {
    return core.run(() -> Future.succeededFuture(store.view(map)));
  }

  /**
   * Applies the changes here and queues them for every member; completes with the values they replaced: at once
   * (the members have them one round trip later; {@link #drain} waits for that), or, when {@code acknowledged},
   * once every member has acknowledged them or {@code deliveryTimeout} passed.
   */
  Future<List<Object>> write(String map, List<Op> ops, boolean acknowledged) {
    return core.run(() -> {
      if (stopped) {
        return Future.failedFuture(new IllegalStateException("the cluster manager has left the cluster"));
      }
      long now = System.nanoTime();
      Map<Object, Object> view = store.view(map);
      List<Object> previous = new ArrayList<>(ops.size());
      List<SyncMapStore.Entry> entries = new ArrayList<>(ops.size());
      for (Op op : ops) {
        previous.add(view.get(op.decodedKey()));
        entries.add(store.write(map, op.key(), op.decodedKey(), op.value(), op.decodedValue(), now));
      }
      long seq = ++writeSeq;
      Set<String> waiting = new HashSet<>(core.memberAddresses().keySet());
      if (waiting.isEmpty()) {
        return Future.succeededFuture(previous);
      }
      Write write = new Write(seq, waiting, context.promise());
      writes.add(write);
      write.timer = own.setTimer(deliveryMillis, id -> {
        if (write.done()) {
          writeTimeouts.increment();
          LOG.log(Level.DEBUG, "cluster manager " + name + ": sync map write unacknowledged by " + write.waiting
              + " after " + deliveryMillis + " ms");
        }
      });
      for (String member : waiting) {
        outboxes.computeIfAbsent(member, Outbox::new).offer(seq, entries);
      }
      return acknowledged ? write.promise.future().map(previous) : Future.succeededFuture(previous);
    });
  }

  /**
   * Completes once every write made so far has been acknowledged by every member (or has waited {@code
   * deliveryTimeout}): what a leaving node waits for, so that the others read its last writes after nodeLeft.
   */
  Future<Void> drain() {
    return core.run(() -> {
      List<Future<Void>> pending = new ArrayList<>();
      for (Write write : writes) {
        pending.add(write.promise.future());
      }
      return Future.join(pending).<Void>mapEmpty().recover(failure -> Future.succeededFuture());
    });
  }

  /**
   * Waits for the cluster manager's answer on the caller's thread, which must not be the cluster manager's own
   * event loop (it would wait on itself).
   */
  <T> T await(Future<T> future, String what) {
    if (core.onOwnEventLoop()) {
      throw new IllegalStateException("sync map " + what + " called on the cluster manager's own event loop");
    }
    try {
      return future.toCompletionStage().toCompletableFuture()
          .get(deliveryMillis + AWAIT_MARGIN_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof RuntimeException ? (RuntimeException) cause
          : new IllegalStateException("sync map " + what + ": " + cause.getMessage(), cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException("sync map " + what + ": the cluster manager did not answer within "
          + (deliveryMillis + AWAIT_MARGIN_MILLIS) + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("sync map " + what + ": interrupted", e);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Outgoing writes: one batch in flight per member

  private final class Outbox {
    final String member;
    final List<SyncMapStore.Entry> pending = new ArrayList<>();
    long pendingSeq;
    boolean inFlight;
    boolean closed;

    Outbox(String member) {
      this.member = member;
    }

    void offer(long seq, List<SyncMapStore.Entry> entries) {
      pending.addAll(entries);
      pendingSeq = seq;
      flush();
    }

    void flush() {
      if (inFlight || closed || pending.isEmpty()) {
        return;
      }
      String addr = core.memberAddresses().get(member);
      if (addr == null) {
        return;
      }
      JsonArray batch = new JsonArray();
      pending.forEach(entry -> batch.add(entry.toJson()));
      pending.clear();
      long last = pendingSeq;
      inFlight = true;
      core.post(addr, ENTRIES_ROUTE, new JsonObject().put("from", name).put("run", core.runId()).put("entries", batch),
          deliveryMillis).onComplete(done -> {
            inFlight = false;
            if (done.succeeded()) {
              acknowledged(member, last);
            } else if (!closed) {
              // What it missed goes with the next comparison, which also acknowledges the writes.
              unreached.add(member);
              LOG.log(Level.DEBUG, "cluster manager " + name + ": sync map entries to " + member + " failed: "
                  + done.cause().getMessage());
            }
            flush();
          });
    }
  }

  private void acknowledged(String member, long upTo) {
    for (Write write : new ArrayList<>(writes)) {
      if (write.seq <= upTo) {
        write.acknowledged(member);
      }
    }
  }

  private final class Write {
    final long seq;
    final Set<String> waiting;
    final Promise<Void> promise;
    long timer = -1;

    Write(long seq, Set<String> waiting, Promise<Void> promise) {
      this.seq = seq;
      this.waiting = waiting;
      this.promise = promise;
    }

    void acknowledged(String member) {
      if (waiting.remove(member) && waiting.isEmpty()) {
        done();
      }
    }

    boolean done() {
      own.cancelTimer(timer);
      writes.remove(this);
      return promise.tryComplete();
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Anti-entropy

  private void antiEntropy() {
    if (stopped) {
      return;
    }
    Map<String, String> members = core.memberAddresses();
    for (String member : new ArrayList<>(unreached)) {
      if (members.containsKey(member)) {
        exchange(member);
      } else {
        unreached.remove(member);
      }
    }
    List<String> others = new ArrayList<>(members.keySet());
    if (!others.isEmpty()) {
      String member = others.get(ThreadLocalRandom.current().nextInt(others.size()));
      Outbox outbox = outboxes.get(member);
      // Copies differ while writes are on their way: compare with a member once they have arrived.
      if (outbox == null || (!outbox.inFlight && outbox.pending.isEmpty())) {
        exchange(member);
      }
    }
  }

  /**
   * Compares digests with a member; where a map differs, the member also sends the version of each of its keys,
   * and this node sends what is newer here and asks for what is newer there. One comparison at a time per
   * member; on success the member holds every write this node had made when it began.
   */
  private Future<Void> exchange(String member) {
    Future<Void> inFlight = exchanges.get(member);
    if (inFlight != null) {
      return inFlight;
    }
    String addr = core.memberAddresses().get(member);
    if (addr == null || stopped) {
      return Future.succeededFuture();
    }
    long upTo = writeSeq;
    JsonObject body = new JsonObject().put("from", name).put("run", core.runId()).put("digests", digestJson());
    Future<Void> exchange = core.post(addr, DIGEST_ROUTE, body, deliveryMillis).compose(answer -> {
      Map<String, Map<String, Version>> theirs;
      try {
        digests(answer);
        theirs = versions(answer);
      } catch (IllegalArgumentException e) {
        return Future.failedFuture("bad sync map digest answer from " + member + ": " + e.getMessage());
      }
      if (theirs.isEmpty()) {
        return Future.succeededFuture();
      }
      JsonArray newerHere = new JsonArray();
      JsonObject want = new JsonObject();
      theirs.forEach((map, versions) -> {
        Map<String, SyncMapStore.Entry> mine = store.byKey(map);
        JsonArray keys = new JsonArray();
        versions.forEach((key, version) -> {
          SyncMapStore.Entry held = mine.get(key);
          if (held == null || SyncMapStore.newer(version.clock, version.origin, held.clock(), held.origin())) {
            keys.add(key);
          }
        });
        mine.forEach((key, held) -> {
          Version version = versions.get(key);
          if (version == null || SyncMapStore.newer(held.clock(), held.origin(), version.clock, version.origin)) {
            newerHere.add(held.toJson());
          }
        });
        if (!keys.isEmpty()) {
          want.put(map, keys);
        }
      });
      if (newerHere.isEmpty() && want.isEmpty()) {
        return Future.succeededFuture();
      }
      JsonObject push = new JsonObject().put("from", name).put("run", core.runId()).put("entries", newerHere)
          .put("want", want).put("repair", true);
      return core.post(addr, ENTRIES_ROUTE, push, deliveryMillis).compose(reply -> {
        List<SyncMapStore.Entry> wanted;
        try {
          wanted = reply.containsKey("entries") ? entries(reply) : List.of();
        } catch (IllegalArgumentException e) {
          return Future.failedFuture("bad sync map entries from " + member + ": " + e.getMessage());
        }
        long now = System.nanoTime();
        for (SyncMapStore.Entry entry : wanted) {
          if (store.merge(entry, now)) {
            repairs.increment();
          }
        }
        return Future.succeededFuture();
      });
    });
    exchanges.put(member, exchange);
    exchange.onComplete(done -> {
      exchanges.remove(member, exchange);
      if (done.succeeded()) {
        unreached.remove(member);
        acknowledged(member, upTo);
      } else {
        LOG.log(Level.DEBUG, "cluster manager " + name + ": sync map comparison with " + member + " failed: "
            + done.cause().getMessage());
      }
    });
    return exchange;
  }

  /** A key's version as a member reports it. */
  private record Version(long clock, String origin) {}

  private JsonObject digestJson() {
    JsonObject json = new JsonObject();
    store.digests().forEach(json::put);
    return json;
  }

  // ---------------------------------------------------------------------------------------------------
  // Incoming requests (checked before anything is applied: a bad request changes nothing)

  private Future<JsonObject> onEntries(JsonObject body) {
    Checks.text(body, "from");
    Checks.text(body, "run");
    List<SyncMapStore.Entry> entries = entries(body);
    Map<String, List<String>> want = want(body);
    long now = System.nanoTime();
    int taken = 0;
    for (SyncMapStore.Entry entry : entries) {
      if (store.merge(entry, now)) {
        taken++;
      }
    }
    if (Boolean.TRUE.equals(body.getValue("repair"))) {
      repairs.increment(taken);
    }
    JsonObject answer = new JsonObject().put("taken", taken);
    if (!want.isEmpty()) {
      JsonArray wanted = new JsonArray();
      want.forEach((map, keys) -> {
        Map<String, SyncMapStore.Entry> mine = store.byKey(map);
        for (String key : keys) {
          SyncMapStore.Entry held = mine.get(key);
          if (held != null) {
            wanted.add(held.toJson());
          }
        }
      });
      answer.put("entries", wanted);
    }
    return Future.succeededFuture(answer);
  }

  private Future<JsonObject> onDigest(JsonObject body) {
    Checks.text(body, "from");
    Checks.text(body, "run");
    Map<String, Long> theirs = digests(body);
    Set<String> maps = new HashSet<>(theirs.keySet());
    maps.addAll(store.digests().keySet());
    JsonObject versions = new JsonObject();
    for (String map : maps) {
      if (store.digest(map) != theirs.getOrDefault(map, 0L)) {
        JsonObject keys = new JsonObject();
        store.byKey(map).forEach((key, entry) -> keys.put(key, new JsonArray().add(entry.clock()).add(entry.origin())));
        versions.put(map, keys);
      }
    }
    return Future.succeededFuture(new JsonObject().put("digests", digestJson()).put("versions", versions));
  }

  private static Map<String, Long> digests(JsonObject body) {
    Object value = body.getValue("digests");
    if (!(value instanceof JsonObject)) {
      throw new IllegalArgumentException("digests: an object is required");
    }
    Map<String, Long> digests = new HashMap<>();
    for (Map.Entry<String, Object> entry : (JsonObject) value) {
      Object digest = entry.getValue();
      checkName(entry.getKey(), "digests");
      if (!(digest instanceof Long || digest instanceof Integer)) {
        throw new IllegalArgumentException("digests." + entry.getKey() + ": a whole number is required");
      }
      digests.put(entry.getKey(), ((Number) digest).longValue());
    }
    return digests;
  }

  /** {@code versions: {map: {key: [clock, origin]}}}: each key's version, for the maps that differ. */
  private static Map<String, Map<String, Version>> versions(JsonObject body) {
    Object value = body.getValue("versions");
    if (!(value instanceof JsonObject)) {
      throw new IllegalArgumentException("versions: an object is required");
    }
    Map<String, Map<String, Version>> maps = new HashMap<>();
    for (Map.Entry<String, Object> map : (JsonObject) value) {
      checkName(map.getKey(), "versions");
      if (!(map.getValue() instanceof JsonObject)) {
        throw new IllegalArgumentException("versions." + map.getKey() + ": an object is required");
      }
      Map<String, Version> keys = new HashMap<>();
      for (Map.Entry<String, Object> key : (JsonObject) map.getValue()) {
        String where = "versions." + map.getKey() + "[" + key.getKey() + "]";
        Object pair = key.getValue();
        if (!(pair instanceof JsonArray) || ((JsonArray) pair).size() != 2) {
          throw new IllegalArgumentException(where + ": [clock, origin] is required");
        }
        Object clock = ((JsonArray) pair).getValue(0);
        Object origin = ((JsonArray) pair).getValue(1);
        if (!(clock instanceof Long || clock instanceof Integer) || ((Number) clock).longValue() < 0
            || !(origin instanceof String) || ((String) origin).isEmpty()) {
          throw new IllegalArgumentException(where + ": [clock, origin] is required");
        }
        keys.put(key.getKey(), new Version(((Number) clock).longValue(), (String) origin));
      }
      maps.put(map.getKey(), keys);
    }
    return maps;
  }

  /** {@code want: {map: [key...]}}, optional: the entries a member asks for. */
  private static Map<String, List<String>> want(JsonObject body) {
    Object value = body.getValue("want");
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject)) {
      throw new IllegalArgumentException("want: an object is required");
    }
    Map<String, List<String>> want = new HashMap<>();
    for (Map.Entry<String, Object> map : (JsonObject) value) {
      checkName(map.getKey(), "want");
      if (!(map.getValue() instanceof JsonArray)) {
        throw new IllegalArgumentException("want." + map.getKey() + ": an array of keys is required");
      }
      List<String> keys = new ArrayList<>();
      for (Object key : (JsonArray) map.getValue()) {
        if (!(key instanceof String)) {
          throw new IllegalArgumentException("want." + map.getKey() + ": an array of keys is required");
        }
        keys.add((String) key);
      }
      want.put(map.getKey(), keys);
    }
    return want;
  }

  private static void checkName(String map, String field) {
    if (map.isEmpty() || map.length() > Checks.MAX_TEXT) {
      throw new IllegalArgumentException(field + ": a map name must have 1 to " + Checks.MAX_TEXT + " characters");
    }
  }

  private static List<SyncMapStore.Entry> entries(JsonObject body) {
    JsonArray array = Checks.array(body, "entries");
    List<SyncMapStore.Entry> entries = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      entries.add(SyncMapStore.Entry.fromJson(array.getValue(i), "entries[" + i + "]"));
    }
    return entries;
  }
}
