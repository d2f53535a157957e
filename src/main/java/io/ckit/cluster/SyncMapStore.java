package io.ckit.cluster;

import io.ckit.shard.impl.Xxh64;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * This node's copy of every sync map: for each key the newest write it knows (a value, or a removal kept as a
 * tombstone), versioned by a Lamport clock and the writer's name, so that copies that saw the same writes in any
 * order hold the same thing ({@link #newer}). Each map also has a digest of its live entries, which
 * anti-entropy compares between members, and a concurrent view of its live entries that the {@link SyncMap}
 * facade reads from any thread.
 *
 * <p>Tombstones are kept for {@link #TOMBSTONE_RETENTION_NANOS}: a member that missed a removal and comes back
 * after that (a partition that long) brings the removed entry back.
 *
 * <p>Concurrency: owned by the cluster manager's context, which alone writes the views; other threads only
 * read the views.
 */
final class SyncMapStore {

  /** How long a removal is remembered, so that a member that missed it does not bring the entry back. */
  static final long TOMBSTONE_RETENTION_NANOS = TimeUnit.HOURS.toNanos(1);

  /**
   * One write: a key's new value, or its removal ({@code value == null}), with its version. {@code key} and
   * {@code value} are {@link SyncMapCodec}'s text; {@code decodedKey} and {@code decodedValue} what it reads.
   */
  record Entry(String map, String key, String value, long clock, String origin, Object decodedKey,
      Object decodedValue) {

    JsonObject toJson() {
      JsonObject json = new JsonObject().put("m", map).put("k", key).put("c", clock).put("o", origin);
      if (value != null) {
        json.put("v", value);
      }
      return json;
    }

    /**
     * Reads and checks one entry from a member.
     *
     * @throws IllegalArgumentException naming the field that is wrong
     */
    static Entry fromJson(Object item, String where) {
      if (!(item instanceof JsonObject)) {
        throw new IllegalArgumentException(where + ": not an object");
      }
      JsonObject json = (JsonObject) item;
      try {
        String map = Checks.text(json, "m");
        String key = Checks.text(json, "k");
        long clock = Checks.nonNegative(json, "c");
        String origin = Checks.text(json, "o");
        Object rawValue = json.getValue("v");
        if (rawValue != null && !(rawValue instanceof String)) {
          throw new IllegalArgumentException("v: a text is required");
        }
        String value = (String) rawValue;
        Object decodedKey = decode(key, "k");
        if (decodedKey instanceof byte[]) {
          throw new IllegalArgumentException("k: byte[] keys are not supported");
        }
        if (!SyncMapCodec.encode(decodedKey, "key").equals(key)) {
          // Two texts for one key would give two entries the view cannot tell apart.
          throw new IllegalArgumentException("k: not in canonical form");
        }
        Object decodedValue = value == null ? null : decode(value, "v");
        return new Entry(map, key, value, clock, origin, decodedKey, decodedValue);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + "." + e.getMessage(), e);
      }
    }

    private static Object decode(String text, String field) {
      try {
        return SyncMapCodec.decode(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
      }
    }
  }

  /** What is held for a key: the newest write, and when it was taken if it is a removal. */
  private record Held(Entry entry, long removedAt) {}

  private static final class MapState {
    final Map<String, Held> entries = new HashMap<>();
    final ConcurrentHashMap<Object, Object> view = new ConcurrentHashMap<>();
    long digest;
  }

  private final String self;
  private final Map<String, MapState> maps = new HashMap<>();
  private long clock;
  /** Counts for the gauges, which read them from other threads. */
  private volatile int live;
  private volatile int removed;

  SyncMapStore(String self) {
    this.self = self;
  }

  /**
   * The conflict rule: a write wins over another when its clock is higher, or, on equal clocks, when its
   * writer's name sorts after the other's. Every copy applies the same rule, so copies converge.
   */
  static boolean newer(long clock, String origin, long heldClock, String heldOrigin) {
    return clock != heldClock ? clock > heldClock : origin.compareTo(heldOrigin) > 0;
  }

  /** The live entries of a map, for the facade: written only here, read from any thread. */
  Map<Object, Object> view(String map) {
    return state(map).view;
  }

  /** A write made on this node: the next clock, applied at once. */
  Entry write(String map, String key, Object decodedKey, String value, Object decodedValue, long now) {
    clock++;
    Entry entry = new Entry(map, key, value, clock, self, decodedKey, decodedValue);
    merge(entry, now);
    return entry;
  }

  /** Takes a write when it is newer than what is held for its key; returns whether it was taken. */
  boolean merge(Entry entry, long now) {
    clock = Math.max(clock, entry.clock());
    MapState state = state(entry.map());
    Held held = state.entries.get(entry.key());
    if (held != null && !newer(entry.clock(), entry.origin(), held.entry().clock(), held.entry().origin())) {
      return false;
    }
    if (held != null) {
      if (held.entry().value() != null) {
        state.digest -= hash(held.entry());
        live--;
      } else {
        removed--;
      }
    }
    state.entries.put(entry.key(), new Held(entry, entry.value() == null ? now : 0));
    if (entry.value() == null) {
      state.view.remove(entry.decodedKey());
      removed++;
    } else {
      state.digest += hash(entry);
      state.view.put(entry.decodedKey(), entry.decodedValue());
      live++;
    }
    return true;
  }

  /** Each map's digest: the sum of its live entries' hashes (0 for an empty or unknown map). */
  Map<String, Long> digests() {
    Map<String, Long> digests = new HashMap<>();
    maps.forEach((name, state) -> digests.put(name, state.digest));
    return digests;
  }

  long digest(String map) {
    MapState state = maps.get(map);
    return state == null ? 0 : state.digest;
  }

  /** Every entry of a map, tombstones included. */
  List<Entry> entries(String map) {
    MapState state = maps.get(map);
    List<Entry> list = new ArrayList<>();
    if (state != null) {
      state.entries.values().forEach(held -> list.add(held.entry()));
    }
    return list;
  }

  /** Every entry of a map by its key text, tombstones included (a copy). */
  Map<String, Entry> byKey(String map) {
    MapState state = maps.get(map);
    Map<String, Entry> copy = new HashMap<>();
    if (state != null) {
      state.entries.forEach((key, held) -> copy.put(key, held.entry()));
    }
    return copy;
  }

  /** Forgets removals older than {@link #TOMBSTONE_RETENTION_NANOS}. */
  void purge(long now) {
    for (MapState state : maps.values()) {
      Iterator<Held> it = state.entries.values().iterator();
      while (it.hasNext()) {
        Held held = it.next();
        if (held.entry().value() == null && now - held.removedAt() > TOMBSTONE_RETENTION_NANOS) {
          it.remove();
          removed--;
        }
      }
    }
  }

  /** Live entries in all maps; safe from any thread. */
  int liveEntries() {
    return live;
  }

  /** Removals remembered in all maps; safe from any thread. */
  int tombstones() {
    return removed;
  }

  private MapState state(String map) {
    return maps.computeIfAbsent(map, m -> new MapState());
  }

  private static long hash(Entry entry) {
    return Xxh64.hash((entry.key() + '\n' + entry.clock() + '\n' + entry.origin()).getBytes(StandardCharsets.UTF_8));
  }
}
