package io.ckit.cluster;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.Op;
import io.ckit.shard.Sharder;
import io.ckit.shard.Sharders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Shared data (async maps, counters, locks) on the cluster-manager nodes: each key lives on its owners by a
 * ring sharder over the cluster-manager members (the first owner answers, the next {@code backups} hold
 * copies); every request goes over the cluster manager's own HTTP/2 routes.
 *
 * <p>Routes, all {@code POST} JSON under {@link ClusterCore#BASE_PATH}:
 * <ul>
 *   <li>{@code data}: one operation on one key, sent to the key's first owner; it applies it, copies the
 *       result to the backups, then answers ({@code {moved: true}} when it does not own the key: the asker
 *       retries once its view has changed);
 *   <li>{@code copy}: entries a first owner copies to its backups, or a node hands over when ownership moved;
 *       the newer version wins;
 *   <li>{@code fetch}: one key's entry, asked by a new first owner of the previous owners while ownership
 *       settles ({@link #SETTLE_MILLIS} after a membership change), before it answers for that key;
 *   <li>{@code scan}: the live entries of a map this node is first owner of, or clears the map's entries.
 * </ul>
 *
 * <p>Retries: an asker sends a request again when it got no answer, so an owner may see a request it has
 * already applied. Where applying it twice would be wrong ({@code putIfAbsent}, {@code replace*}, {@code
 * remove*}, counter {@code add} and {@code compareAndSet}) the written entry keeps the request's id and answer
 * (until the key's next write), and the retry gets that answer. A plain {@code put} keeps neither, to keep an
 * entry small: its retry writes the same value again, with a new version. The result is the same unless another
 * write came in between the two attempts; the retry then overwrites it, and a reader in between may have seen
 * the put's value, then the other, then the put's again. The put was not answered before its retry, so it is
 * still in progress; what breaks is only that its value can be seen, replaced and seen again.
 *
 * <p>Locks: the lock's first owner holds the holder (copied to the backups, as any entry) and the waiters, in
 * order; a waiter's request stays open until it gets the lock or its timeout passes on the owner. A holder
 * whose node is no longer a member loses the lock. A waiter whose owner moved asks the new owner again.
 *
 * <p>Concurrency: every method runs on the cluster manager's context ({@link ClusterCore#run}).
 */
final class DataService {

  private static final System.Logger LOG = System.getLogger(DataService.class.getName());
  /** How long after a membership change a first owner fetches a key it lacks from the previous owners. */
  static final long SETTLE_MILLIS = 10_000;
  /** How long a removal is remembered (a late hand-over must not bring the key back). */
  static final long TOMBSTONE_MILLIS = 60_000;
  private static final int HANDOVER_BATCH = 500;
  private static final long RETRY_MILLIS = 50;

  private final ClusterCore core;
  private final Vertx own;
  private final String self;
  private final int backups;
  private final long timeoutMillis;
  private final DataStore store = new DataStore(TOMBSTONE_MILLIS);
  private final Map<String, ArrayDeque<Waiter>> waiters = new HashMap<>();
  /** The hold each lock's holder was last told another node waits for. */
  private final Map<String, String> revoked = new HashMap<>();
  private volatile int waiting;
  /** {@link DataStore#heldBytes} published for the gauge, which is read on other threads. */
  private volatile long heldBytes;
  private Set<String> members;
  private Sharder sharder;
  private Sharder previous;
  private long changedAt;
  private long generation;
  private long nextRequest;
  private long sweepTimer = -1;
  private boolean stopped;
  private final Counter handedOver;
  private final Counter backupFailures;
  private final Counter retries;

  DataService(ClusterCore core, Vertx own, String self, int backups, long timeoutMillis, MeterRegistry registry,
      String label) {
    this.core = core;
    this.own = own;
    this.self = self;
    this.backups = backups;
    this.timeoutMillis = timeoutMillis;
    this.members = Set.of(self);
    this.sharder = sharderOf(members);
    this.previous = sharder;
    Gauge.builder("cluster_vertx_data_entries", store, DataStore::size)
        .description("Shared-data entries this node holds, as owner or backup (tombstones included)")
        .tag("cluster_name", label).register(registry);
    handedOver = Counter.builder("cluster_vertx_data_handover_entries_total")
        .description("Entries sent to new owners after a membership change").tag("cluster_name", label)
        .register(registry);
    backupFailures = Counter.builder("cluster_vertx_data_backup_failures_total")
        .description("Copies to a backup that failed (the write was answered with fewer copies)")
        .tag("cluster_name", label).register(registry);
    retries = Counter.builder("cluster_vertx_data_retries_total")
        .description("Requests sent again: the owner moved, or could not be reached").tag("cluster_name", label)
        .register(registry);
    Gauge.builder("cluster_vertx_data_lock_waiters", this, data -> data.waiting)
        .description("Lock requests waiting on this node, the locks' owner").tag("cluster_name", label)
        .register(registry);
    Gauge.builder("cluster_vertx_data_bytes", this, data -> data.heldBytes)
        .description("Heap bytes this node's shared-data entries take (records, garbage and free space in their"
            + " chunks, indexes), as of the last sweep (once a second)")
        .tag("cluster_name", label).register(registry);
    sweepTimer = own.setPeriodic(1000, id -> {
      store.sweep(System.currentTimeMillis());
      heldBytes = store.heldBytes();
    });
  }

  /** Mounts the routes on the cluster manager's router through its checked-request reader. */
  void mount(io.vertx.ext.web.Router router) {
    router.route(ClusterCore.BASE_PATH + "data").handler(r -> core.receive(r.request(), "data", this::onData));
    router.route(ClusterCore.BASE_PATH + "copy").handler(r -> core.receive(r.request(), "copy", this::onCopy));
    router.route(ClusterCore.BASE_PATH + "fetch").handler(r -> core.receive(r.request(), "fetch", this::onFetch));
    router.route(ClusterCore.BASE_PATH + "scan").handler(r -> core.receive(r.request(), "scan",
        body -> Future.succeededFuture(onScan(body))));
  }

  /**
   * Leaves: refuses new requests (the askers try again elsewhere once their views change) and hands every entry
   * it holds to the owners the key has without this node, so leaving loses nothing even with no backups;
   * completes when they have it or after {@code timeoutMillis}.
   */
  Future<Void> leave() {
    Set<String> rest = new HashSet<>(members);
    rest.remove(self);
    stop();
    if (rest.isEmpty()) {
      return Future.succeededFuture();
    }
    Sharder after = sharderOf(rest);
    long now = System.currentTimeMillis();
    Map<String, List<DataStore.Held>> outgoing = new HashMap<>();
    for (DataStore.Held held : store.held()) {
      if (held.expiresAt() == 0 || held.expiresAt() > now) {
        for (String owner : owners(after, held.space(), held.key())) {
          outgoing.computeIfAbsent(owner, o -> new ArrayList<>()).add(held);
        }
      }
    }
    List<Future<Void>> sent = new ArrayList<>();
    outgoing.forEach((target, entries) -> {
      handedOver.increment(entries.size());
      sent.add(sendAll(target, entries, 0, generation));
    });
    Promise<Void> done = Promise.promise();
    long timer = own.setTimer(timeoutMillis, id -> done.tryComplete());
    Future.join(sent).onComplete(all -> {
      own.cancelTimer(timer);
      done.tryComplete();
    });
    return done.future();
  }

  void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    own.cancelTimer(sweepTimer);
    for (ArrayDeque<Waiter> queue : waiters.values()) {
      for (Waiter waiter : queue) {
        own.cancelTimer(waiter.timer);
        waiter.promise.tryComplete(new JsonObject().put("moved", true));
      }
    }
    waiters.clear();
    recount();
  }

  // ---------------------------------------------------------------------------------------------------
  // Ownership

  private static Sharder sharderOf(Set<String> members) {
    Sharder ring = Sharders.ring(Sharders.DEFAULT_RING_TOKENS);
    List<Peer> peers = new ArrayList<>();
    for (String member : members) {
      peers.add(new Peer(member, member, false, PeerState.PARTICIPANT));
    }
    ring.setPeers(peers);
    return ring;
  }

  private List<String> owners(Sharder by, String space, String key) {
    int n = Math.min(1 + backups, by.peers().size());
    List<String> names = new ArrayList<>(n);
    for (Peer peer : by.lookup(keyHash(space, key), n, Op.READ_WRITE)) {
      names.add(peer.name());
    }
    return names;
  }

  /** The first owner of a map's key among these members, as every node with the same members computes it. */
  static String firstOwner(Set<String> members, String map, Object key) {
    String space = "m:" + map;
    String encoded = Base64.getEncoder().encodeToString(SharedValues.encode(key));
    return sharderOf(members).lookup(keyHash(space, encoded), 1, Op.READ_WRITE).get(0).name();
  }

  private static Key keyHash(String space, String key) {
    return Key.ofBytes((space + "\u0000" + key).getBytes(StandardCharsets.UTF_8));
  }

  /** The cluster-manager members changed: ownership moves, entries go to their new owners. */
  void members(Set<String> next) {
    if (stopped || next.equals(members)) {
      return;
    }
    Set<String> gone = new HashSet<>(members);
    gone.removeAll(next);
    members = Set.copyOf(next);
    previous = sharder;
    sharder = sharderOf(members);
    changedAt = System.currentTimeMillis();
    generation++;
    handOver(previous, sharder);
    for (Iterator<Map.Entry<String, ArrayDeque<Waiter>>> it = waiters.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, ArrayDeque<Waiter>> queue = it.next();
      boolean owned = owners(sharder, queue.getKey(), "").get(0).equals(self);
      for (Iterator<Waiter> w = queue.getValue().iterator(); w.hasNext(); ) {
        Waiter waiter = w.next();
        if (!owned || gone.contains(waiter.node)) {
          own.cancelTimer(waiter.timer);
          waiter.promise.tryComplete(new JsonObject().put("moved", true));
          w.remove();
        }
      }
      if (queue.getValue().isEmpty()) {
        it.remove();
      }
    }
    recount();
    freeLocksOfDeparted();
  }

  private void handOver(Sharder before, Sharder after) {
    long now = System.currentTimeMillis();
    Map<String, List<DataStore.Held>> outgoing = new HashMap<>();
    List<DataStore.Held> leaving = new ArrayList<>();
    for (DataStore.Held held : store.held()) {
      if (held.expiresAt() != 0 && held.expiresAt() <= now) {
        continue;
      }
      List<String> was = owners(before, held.space(), held.key());
      List<String> is = owners(after, held.space(), held.key());
      boolean keep = is.contains(self);
      for (String owner : is) {
        if (!owner.equals(self) && (!keep || !was.contains(owner))) {
          outgoing.computeIfAbsent(owner, o -> new ArrayList<>()).add(held);
        }
      }
      if (!keep) {
        leaving.add(held);
      }
    }
    List<Future<Void>> sent = new ArrayList<>();
    outgoing.forEach((target, entries) -> {
      handedOver.increment(entries.size());
      sent.add(sendAll(target, entries, 0, generation));
    });
    if (!leaving.isEmpty()) {
      long at = generation;
      Future.join(sent).onComplete(done -> {
        if (done.succeeded() && at == generation) {
          leaving.forEach(l -> store.dropIfVersion(l.space(), l.key(), l.version()));
        }
      });
    }
  }

  /**
   * Sends keys' entries in batches, one at a time, retrying a batch while the target stays a member. Each batch
   * reads its entries when it goes, so a hand-over holds keys, not copies of every value it moves, and a write
   * made meanwhile goes instead of the entry listed.
   */
  private Future<Void> sendAll(String target, List<DataStore.Held> entries, int from, long at) {
    if (from >= entries.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(entries.size(), from + HANDOVER_BATCH);
    List<DataStore.Located> batch = new ArrayList<>(to - from);
    for (DataStore.Held held : entries.subList(from, to)) {
      DataStore.Entry entry = store.raw(held.space(), held.key());
      if (entry != null) {
        batch.add(new DataStore.Located(held.space(), held.key(), entry));
      }
    }
    return copy(target, batch).transform(done -> {
      if (done.succeeded()) {
        return sendAll(target, entries, to, at);
      }
      if (stopped || at != generation || !members.contains(target)) {
        return Future.failedFuture(done.cause());
      }
      Promise<Void> later = Promise.promise();
      own.setTimer(500, id -> sendAll(target, entries, from, at).onComplete(later));
      return later.future();
    });
  }

  private Future<Void> copy(String target, List<DataStore.Located> entries) {
    String addr = core.addressOf(target);
    if (addr == null) {
      return Future.failedFuture("no address for " + target);
    }
    JsonArray array = new JsonArray();
    for (DataStore.Located located : entries) {
      array.add(entryJson(located.space(), located.key(), located.entry()));
    }
    return core.post(addr, "copy", new JsonObject().put("from", self).put("entries", array), timeoutMillis)
        .mapEmpty();
  }

  /** Copies one written entry to the key's backups; completes once each has it or failed. */
  private Future<Void> replicate(String space, String key, DataStore.Entry entry) {
    List<String> owners = owners(sharder, space, key);
    List<Future<Void>> copies = new ArrayList<>();
    for (String owner : owners) {
      if (!owner.equals(self)) {
        copies.add(copy(owner, List.of(new DataStore.Located(space, key, entry))).onFailure(f -> {
          backupFailures.increment();
          LOG.log(Level.DEBUG, "shared data: copy to backup " + owner + " failed: " + f.getMessage());
        }));
      }
    }
    return copies.isEmpty() ? Future.succeededFuture() : Future.join(copies).<Void>mapEmpty()
        .recover(f -> Future.succeededFuture());
  }

  private static JsonObject entryJson(String space, String key, DataStore.Entry entry) {
    JsonObject json = new JsonObject().put("s", space).put("k", key).put("x", entry.expiresAt())
        .put("ver", entry.version());
    if (entry.value() != null) {
      json.put("v", Base64.getEncoder().encodeToString(entry.value()));
    }
    if (entry.op() != null) {
      json.put("op", entry.op());
      if (entry.answer() != null) {
        json.put("ans", entry.answer());
      }
    }
    return json;
  }

  private static DataStore.Entry entryOf(JsonObject json, String where) {
    try {
      Checks.text(json, "s");
      key(json, "k");
      long expires = Checks.nonNegative(json, "x");
      long version = Checks.nonNegative(json, "ver");
      byte[] value = json.containsKey("v") ? bytes(json, "v") : null;
      String op = json.containsKey("op") ? Checks.text(json, "op") : null;
      Object answer = json.getValue("ans");
      if (answer != null && !(answer instanceof JsonObject)) {
        throw new IllegalArgumentException("ans: an object is required");
      }
      return new DataStore.Entry(value, expires, version, op, (JsonObject) answer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + "." + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // The asking side

  /**
   * Sends an operation on a key to its first owner (itself included), again while the owner moves or cannot
   * be reached, until {@code deadlineMillis} (epoch).
   */
  Future<JsonObject> call(String space, String key, Function<Long, JsonObject> request, long deadlineMillis) {
    if (stopped) {
      return Future.failedFuture("the cluster manager has left the cluster");
    }
    long left = Math.max(1, deadlineMillis - System.currentTimeMillis());
    JsonObject body = request.apply(left).put("s", space).put("k", key).put("from", self);
    String owner = owners(sharder, space, key).get(0);
    Future<JsonObject> attempt;
    if (owner.equals(self)) {
      attempt = handle(body);
    } else {
      String addr = core.addressOf(owner);
      attempt = addr == null ? Future.failedFuture("no address for " + owner)
          : core.post(addr, "data", body, left + timeoutMillis);
    }
    return attempt.transform(done -> {
      if (done.succeeded() && !Boolean.TRUE.equals(done.result().getValue("moved"))) {
        return Future.succeededFuture(done.result());
      }
      String why = done.succeeded() ? owner + " no longer owns it" : done.cause().getMessage();
      if (stopped || System.currentTimeMillis() + RETRY_MILLIS >= deadlineMillis) {
        return Future.failedFuture(new IllegalStateException("shared data " + space + ": " + why));
      }
      retries.increment();
      Promise<JsonObject> again = Promise.promise();
      own.setTimer(RETRY_MILLIS + ThreadLocalRandom.current().nextLong(RETRY_MILLIS),
          id -> call(space, key, request, deadlineMillis).onComplete(again));
      return again.future();
    });
  }

  /** A request id: retried requests carry the same one. */
  String requestId() {
    return self + "/" + (++nextRequest);
  }

  /**
   * Asks every member for the live entries of a map it owns first (or to clear the map) and merges them; again
   * while a member does not answer (one that died is dropped once failure detection says so), until {@code
   * deadlineMillis}.
   */
  Future<Map<String, byte[]>> scan(String space, boolean clear, long deadlineMillis) {
    return scanOnce(space, clear).transform(done -> {
      if (done.succeeded()) {
        return Future.succeededFuture(done.result());
      }
      if (stopped || System.currentTimeMillis() + RETRY_MILLIS >= deadlineMillis) {
        return Future.failedFuture(done.cause());
      }
      retries.increment();
      Promise<Map<String, byte[]>> again = Promise.promise();
      own.setTimer(RETRY_MILLIS * 2, id -> scan(space, clear, deadlineMillis).onComplete(again));
      return again.future();
    });
  }

  private Future<Map<String, byte[]>> scanOnce(String space, boolean clear) {
    JsonObject body = new JsonObject().put("from", self).put("s", space).put("clear", clear);
    List<Future<JsonObject>> answers = new ArrayList<>();
    for (String member : members) {
      if (member.equals(self)) {
        answers.add(Future.succeededFuture(onScan(body)));
      } else {
        String addr = core.addressOf(member);
        if (addr != null) {
          answers.add(core.post(addr, "scan", body, timeoutMillis));
        }
      }
    }
    return Future.all(answers).map(all -> {
      Map<String, byte[]> merged = new HashMap<>();
      Map<String, Long> versions = new HashMap<>();
      for (JsonObject answer : all.<JsonObject>list()) {
        JsonArray entries = answer.getJsonArray("entries", new JsonArray());
        for (int i = 0; i < entries.size(); i++) {
          JsonObject json = entries.getJsonObject(i);
          DataStore.Entry entry = entryOf(json, "entries[" + i + "]");
          String key = json.getString("k");
          Long held = versions.get(key);
          if (held == null || held < entry.version()) {
            versions.put(key, entry.version());
            merged.put(key, entry.value());
          }
        }
      }
      return merged;
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // The owning side

  private Future<JsonObject> onData(JsonObject body) {
    Checks.text(body, "from");
    Checks.text(body, "s");
    key(body, "k");
    if (body.containsKey("id")) {
      Checks.text(body, "id");
    }
    String op = Checks.text(body, "op");
    switch (op) {
      case "get", "counterGet":
        break;
      case "put", "putIfAbsent", "replace":
        bytes(body, "v");
        ttl(body);
        break;
      case "removeIfPresent":
        bytes(body, "v");
        break;
      case "remove":
        break;
      case "replaceIfPresent":
        bytes(body, "v");
        bytes(body, "old");
        ttl(body);
        break;
      case "counterAdd":
        number(body, "delta");
        break;
      case "counterCas":
        number(body, "expect");
        number(body, "update");
        break;
      case "lock":
        Checks.text(body, "lockId");
        Checks.nonNegative(body, "timeout");
        break;
      case "unlock":
        Checks.text(body, "lockId");
        break;
      default:
        throw new IllegalArgumentException("op: \"" + op + "\" is not an operation");
    }
    return handle(body);
  }

  private Future<JsonObject> handle(JsonObject body) {
    String space = body.getString("s");
    String key = body.getString("k");
    if (!owners(sharder, space, key).get(0).equals(self)) {
      return Future.succeededFuture(new JsonObject().put("moved", true));
    }
    long now = System.currentTimeMillis();
    if (store.raw(space, key) == null && now - changedAt < SETTLE_MILLIS) {
      return fetchFromPrevious(space, key).transform(fetched -> applyChecked(body));
    }
    return applyChecked(body);
  }

  /** Applies a checked request; a stored value that cannot be what the request takes it for fails it. */
  private Future<JsonObject> applyChecked(JsonObject body) {
    try {
      return apply(body);
    } catch (IllegalStateException e) {
      return Future.failedFuture(e);
    }
  }

  /** Takes the newest copy the previous owners of a key hold, while ownership settles after a change. */
  private Future<Void> fetchFromPrevious(String space, String key) {
    List<Future<JsonObject>> asked = new ArrayList<>();
    JsonObject body = new JsonObject().put("from", self).put("s", space).put("k", key);
    for (String owner : owners(previous, space, key)) {
      String addr = core.addressOf(owner);
      if (!owner.equals(self) && members.contains(owner) && addr != null) {
        asked.add(core.post(addr, "fetch", body, timeoutMillis).onSuccess(answer -> {
          JsonObject entry = answer.getJsonObject("entry");
          if (entry != null) {
            store.offer(space, key, entryOf(entry, "entry"));
          }
        }));
      }
    }
    return Future.join(asked).mapEmpty();
  }

  private JsonObject onFetchAnswer(String space, String key) {
    DataStore.Entry entry = store.raw(space, key);
    return entry == null ? new JsonObject() : new JsonObject().put("entry", entryJson(space, key, entry));
  }

  private Future<JsonObject> onFetch(JsonObject body) {
    Checks.text(body, "from");
    return Future.succeededFuture(onFetchAnswer(Checks.text(body, "s"), key(body, "k")));
  }

  private Future<JsonObject> onCopy(JsonObject body) {
    Checks.text(body, "from");
    JsonArray entries = Checks.array(body, "entries");
    List<DataStore.Located> taken = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      Object value = entries.getValue(i);
      if (!(value instanceof JsonObject)) {
        throw new IllegalArgumentException("entries[" + i + "]: not an object");
      }
      JsonObject json = (JsonObject) value;
      taken.add(new DataStore.Located(json.getString("s"), json.getString("k"), entryOf(json, "entries[" + i + "]")));
    }
    boolean locks = false;
    for (DataStore.Located located : taken) {
      if (store.offer(located.space(), located.key(), located.entry()) && located.space().startsWith("l:")) {
        locks = true;
      }
    }
    if (locks) {
      freeLocksOfDeparted();
    }
    return Future.succeededFuture(new JsonObject().put("taken", taken.size()));
  }

  private JsonObject onScan(JsonObject body) {
    String space = Checks.text(body, "s");
    Object clear = body.getValue("clear");
    if (!(clear instanceof Boolean)) {
      throw new IllegalArgumentException("clear: true or false is required");
    }
    long now = System.currentTimeMillis();
    JsonArray entries = new JsonArray();
    for (Map.Entry<String, DataStore.Entry> held : new ArrayList<>(store.space(space).entrySet())) {
      if ((Boolean) clear) {
        if (held.getValue().value() != null) {
          store.write(space, held.getKey(), null, 0, now, null, null);
        }
      } else if (held.getValue().live(now) && owners(sharder, space, held.getKey()).get(0).equals(self)) {
        entries.add(entryJson(space, held.getKey(), held.getValue()));
      }
    }
    return new JsonObject().put("entries", entries);
  }

  /** Applies one operation as the key's first owner; answers once the backups have the result. */
  private Future<JsonObject> apply(JsonObject body) {
    String space = body.getString("s");
    String key = body.getString("k");
    String op = body.getString("op");
    String id = body.getString("id");
    long now = System.currentTimeMillis();
    DataStore.Entry raw = store.raw(space, key);
    if (id != null && raw != null && id.equals(raw.op())) {
      return Future.succeededFuture(raw.answer() == null ? new JsonObject() : raw.answer().copy());
    }
    DataStore.Entry current = raw != null && raw.live(now) ? raw : null;
    byte[] value = current == null ? null : current.value();
    JsonObject answer = new JsonObject();
    switch (op) {
      case "get":
        return Future.succeededFuture(withValue(answer, value));
      case "put":
        // No request id kept: a retried put writes the same value again (see the class javadoc).
        return write(space, key, bytes(body, "v"), ttl(body), now, null, answer);
      case "putIfAbsent":
        if (value != null) {
          return Future.succeededFuture(withValue(answer, value));
        }
        return write(space, key, bytes(body, "v"), ttl(body), now, id, answer);
      case "remove":
        if (value == null) {
          return Future.succeededFuture(answer);
        }
        return write(space, key, null, 0, now, id, withValue(answer, value));
      case "removeIfPresent":
        if (value == null || !Arrays.equals(value, bytes(body, "v"))) {
          return Future.succeededFuture(answer.put("r", false));
        }
        return write(space, key, null, 0, now, id, answer.put("r", true));
      case "replace":
        if (value == null) {
          return Future.succeededFuture(answer);
        }
        return write(space, key, bytes(body, "v"), ttl(body), now, id, withValue(answer, value));
      case "replaceIfPresent":
        if (value == null || !Arrays.equals(value, bytes(body, "old"))) {
          return Future.succeededFuture(answer.put("r", false));
        }
        return write(space, key, bytes(body, "v"), ttl(body), now, id, answer.put("r", true));
      case "counterGet":
        return Future.succeededFuture(answer.put("n", counterValue(value)));
      case "counterAdd": {
        long before = counterValue(value);
        long delta = number(body, "delta");
        long after = before + delta;
        answer.put("n", Boolean.TRUE.equals(body.getValue("returnNew")) ? after : before);
        return write(space, key, counterBytes(after), 0, now, id, answer);
      }
      case "counterCas": {
        long expected = number(body, "expect");
        long update = number(body, "update");
        if (counterValue(value) != expected) {
          return Future.succeededFuture(answer.put("r", false));
        }
        return write(space, key, counterBytes(update), 0, now, id, answer.put("r", true));
      }
      case "lock":
        return lock(space, key, body, value, now);
      case "unlock":
        return unlock(space, key, Checks.text(body, "lockId"), value, now);
      default:
        throw new IllegalArgumentException("op: \"" + op + "\" is not an operation");
    }
  }

  private Future<JsonObject> write(String space, String key, byte[] value, long ttl, long now, String id,
      JsonObject answer) {
    DataStore.Entry entry = store.write(space, key, value, ttl, now, id, answer);
    return replicate(space, key, entry).map(answer);
  }

  private static JsonObject withValue(JsonObject answer, byte[] value) {
    return value == null ? answer : answer.put("v", Base64.getEncoder().encodeToString(value));
  }

  private static long ttl(JsonObject body) {
    return body.containsKey("ttl") ? Checks.nonNegative(body, "ttl") : 0;
  }

  private static long number(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof Number) || value instanceof Double || value instanceof Float) {
      throw new IllegalArgumentException(field + ": a whole number is required");
    }
    return ((Number) value).longValue();
  }

  static byte[] bytes(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String)) {
      throw new IllegalArgumentException(field + ": Base64 text is required");
    }
    try {
      return Base64.getDecoder().decode((String) value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": not Base64: " + e.getMessage(), e);
    }
  }

  /** A key: its bytes in canonical Base64 (as the sharder hashes the text, and the store holds the bytes). */
  private static String key(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (!(value instanceof String) || ((String) value).length() > Checks.MAX_TEXT) {
      throw new IllegalArgumentException(field + ": a text of at most " + Checks.MAX_TEXT + " characters is required");
    }
    String key = (String) value;
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(key);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": not Base64: " + e.getMessage(), e);
    }
    if (!Base64.getEncoder().encodeToString(bytes).equals(key)) {
      throw new IllegalArgumentException(field + ": not canonical Base64 (padded, no line breaks)");
    }
    return key;
  }

  private static long counterValue(byte[] value) {
    if (value == null) {
      return 0;
    }
    if (value.length != 8) {
      throw new IllegalStateException("a counter's value has " + value.length + " bytes");
    }
    return io.vertx.core.buffer.Buffer.buffer(value).getLong(0);
  }

  private static byte[] counterBytes(long value) {
    return io.vertx.core.buffer.Buffer.buffer(8).appendLong(value).getBytes();
  }

  // ---------------------------------------------------------------------------------------------------
  // Locks: the holder is the lock's entry (a lock id: node + "|" + unique part), waiters wait here

  private static final class Waiter {
    final String lockId;
    final String node;
    Promise<JsonObject> promise;
    long timer = -1;

    Waiter(String lockId, String node, Promise<JsonObject> promise) {
      this.lockId = lockId;
      this.node = node;
      this.promise = promise;
    }
  }

  /** Publishes how many waiters there are, for the gauge (read on other threads). */
  private void recount() {
    int n = 0;
    for (ArrayDeque<Waiter> queue : waiters.values()) {
      n += queue.size();
    }
    waiting = n;
  }

  static String nodeOf(String lockId) {
    int bar = lockId.lastIndexOf('|');
    return bar < 0 ? lockId : lockId.substring(0, bar);
  }

  private Future<JsonObject> lock(String space, String key, JsonObject body, byte[] holder, long now) {
    String lockId = Checks.text(body, "lockId");
    long timeout = Checks.nonNegative(body, "timeout");
    if (holder == null) {
      return grant(space, key, lockId, now);
    }
    String held = new String(holder, StandardCharsets.UTF_8);
    if (held.equals(lockId)) {
      return Future.succeededFuture(new JsonObject().put("granted", true));
    }
    if (timeout == 0) {
      return Future.succeededFuture(new JsonObject().put("granted", false));
    }
    ArrayDeque<Waiter> queue = waiters.computeIfAbsent(space, s -> new ArrayDeque<>());
    for (Waiter waiting : queue) {
      if (waiting.lockId.equals(lockId)) {
        // The same waiter asking again (its request broke): it keeps its place.
        Promise<JsonObject> broken = waiting.promise;
        waiting.promise = Promise.promise();
        broken.tryComplete(new JsonObject().put("moved", true));
        return waiting.promise.future();
      }
    }
    Waiter waiter = new Waiter(lockId, nodeOf(lockId), Promise.promise());
    queue.add(waiter);
    if (!waiter.node.equals(nodeOf(held))) {
      revoke(space, held);
    }
    waiter.promise.future().onComplete(done -> recount());
    recount();
    waiter.timer = own.setTimer(timeout, id -> {
      ArrayDeque<Waiter> still = waiters.get(space);
      if (still != null && still.remove(waiter)) {
        if (still.isEmpty()) {
          waiters.remove(space);
        }
        waiter.promise.tryComplete(new JsonObject().put("granted", false));
      }
    });
    return waiter.promise.future();
  }

  private Future<JsonObject> grant(String space, String key, String lockId, long now) {
    JsonObject granted = new JsonObject().put("granted", true);
    if (wantedByOthers(space, lockId)) {
      // The new holder gives it back at its next release instead of passing it to its own callers.
      granted.put("wanted", true);
      revoked.put(space, lockId);
    }
    return write(space, key, lockId.getBytes(StandardCharsets.UTF_8), 0, now, null, null).map(granted);
  }

  private Future<JsonObject> unlock(String space, String key, String lockId, byte[] holder, long now) {
    JsonObject done = new JsonObject().put("released", true);
    if (holder != null && new String(holder, StandardCharsets.UTF_8).equals(lockId)) {
      return passOn(space, key, now).map(done);
    }
    ArrayDeque<Waiter> queue = waiters.get(space);
    if (queue != null) {
      queue.removeIf(waiter -> {
        if (waiter.lockId.equals(lockId)) {
          own.cancelTimer(waiter.timer);
          waiter.promise.tryComplete(new JsonObject().put("granted", false));
          return true;
        }
        return false;
      });
      if (queue.isEmpty()) {
        waiters.remove(space);
      }
      recount();
    }
    return Future.succeededFuture(done.put("released", false));
  }

  /** Gives the lock to the first waiter still a member (once the backups know), or frees it. */
  private Future<Void> passOn(String space, String key, long now) {
    ArrayDeque<Waiter> queue = waiters.get(space);
    Waiter next = null;
    while (queue != null && !queue.isEmpty()) {
      Waiter candidate = queue.poll();
      own.cancelTimer(candidate.timer);
      if (members.contains(candidate.node) && !candidate.promise.future().isComplete()) {
        next = candidate;
        break;
      }
      candidate.promise.tryComplete(new JsonObject().put("moved", true));
    }
    if (queue != null && queue.isEmpty()) {
      waiters.remove(space);
    }
    if (next == null) {
      revoked.remove(space);
      return write(space, key, null, 0, now, null, null).mapEmpty();
    }
    Waiter chosen = next;
    return grant(space, key, chosen.lockId, now).onComplete(done -> chosen.promise.tryComplete(
        done.succeeded() ? done.result() : new JsonObject().put("moved", true))).mapEmpty();
  }

  /** Whether a node other than the holder's waits for the lock. */
  private boolean wantedByOthers(String space, String lockId) {
    ArrayDeque<Waiter> queue = waiters.get(space);
    if (queue != null) {
      String node = nodeOf(lockId);
      for (Waiter waiter : queue) {
        if (!waiter.node.equals(node)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Tells the holder's node that another node waits (see {@link NodeLocks}), once per hold; again after a failure
   * while the holder and a waiter remain.
   */
  private void revoke(String space, String holder) {
    if (holder.equals(revoked.get(space)) || stopped) {
      return;
    }
    revoked.put(space, holder);
    String node = nodeOf(holder);
    String addr = core.addressOf(node);
    if (addr == null || !members.contains(node)) {
      return;
    }
    JsonObject body = new JsonObject().put("from", self).put("s", space).put("lockId", holder);
    Future<JsonObject> told = node.equals(self) ? Future.succeededFuture(core.locks().onRevoke(space, holder))
        : core.post(addr, "revoke", body, timeoutMillis);
    told.onSuccess(answer -> {
      // The node had the lock free (or no longer has it): it is given back with this answer.
      if (Boolean.TRUE.equals(answer.getValue("released"))) {
        DataStore.Entry entry = store.live(space, "", System.currentTimeMillis());
        if (!stopped && entry != null && holder.equals(new String(entry.value(), StandardCharsets.UTF_8))
            && owners(sharder, space, "").get(0).equals(self)) {
          passOn(space, "", System.currentTimeMillis());
        }
      }
    });
    told.onFailure(failure -> {
      LOG.log(Level.DEBUG, "shared data: telling " + node + " that " + space + " is wanted failed: "
          + failure.getMessage());
      revoked.remove(space, holder);
      own.setTimer(500, id -> {
        DataStore.Entry entry = store.live(space, "", System.currentTimeMillis());
        if (entry != null && holder.equals(new String(entry.value(), StandardCharsets.UTF_8))
            && wantedByOthers(space, holder)) {
          revoke(space, holder);
        }
      });
    });
  }

  /** Frees the locks this node owns first whose holder's node is no longer a member. */
  private void freeLocksOfDeparted() {
    long now = System.currentTimeMillis();
    for (DataStore.Located located : store.allIn("l:")) {
      if (!located.entry().live(now)) {
        continue;
      }
      String holder = nodeOf(new String(located.entry().value(), StandardCharsets.UTF_8));
      if (!members.contains(holder) && owners(sharder, located.space(), located.key()).get(0).equals(self)) {
        LOG.log(Level.DEBUG, "shared data: " + located.space() + " freed: its holder " + holder + " is gone");
        passOn(located.space(), located.key(), now);
      }
    }
  }
}
