package io.ckit.cluster;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared data one node holds, as owner or backup: entries of byte values under a space (a map, a counter
 * or a lock: {@code m:name}, {@code c:name}, {@code l:name}) and a key (the key's bytes; callers name them in
 * Base64, the store holds the bytes).
 *
 * <p>Each entry carries a version, {@code max(previous + 1, wall-clock microseconds)}, so copies that meet
 * after a hand-over settle on the newest write ({@link #offer}). A removal leaves a tombstone for {@code
 * tombstoneMillis}, so an older copy handed over late does not bring a removed key back. An entry with a time
 * to live is gone, everywhere, at its absolute expiry time. An entry written by a request that must not be
 * applied twice keeps that request's id and answer, so a retry is answered instead (see {@link DataService}).
 *
 * <p>Layout: each space's entries are packed records in {@link PackedEntries}, no object per entry; an
 * {@link Entry} is a copy built when one is read, so it stays valid whatever the store does next.
 *
 * <p>Concurrency: confined to the cluster manager's context.
 */
final class DataStore {

  /** One copy of a key: {@code value} null for a tombstone; {@code expiresAt} 0 for never (epoch millis). */
  record Entry(byte[] value, long expiresAt, long version, String op, JsonObject answer) {
    boolean live(long now) {
      return value != null && (expiresAt == 0 || expiresAt > now);
    }
  }

  /** One entry with its place, for iteration. */
  record Located(String space, String key, Entry entry) {}

  /** A key held, with its entry's version and expiry when listed: what a hand-over sends and later drops. */
  record Held(String space, String key, long version, long expiresAt) {}

  private final Map<String, PackedEntries> spaces = new HashMap<>();
  private final long tombstoneMillis;
  private int size;

  DataStore(long tombstoneMillis) {
    this.tombstoneMillis = tombstoneMillis;
  }

  /** The live entry, or null (absent, removed or expired). */
  Entry live(String space, String key, long now) {
    Entry entry = raw(space, key);
    return entry != null && entry.live(now) ? entry : null;
  }

  /** Whatever is held, tombstones and expired entries included. */
  Entry raw(String space, String key) {
    PackedEntries entries = spaces.get(space);
    return entries == null ? null : entries.get(keyBytes(key));
  }

  /** Writes a value (null: removes) as the owner; returns the new entry. */
  Entry write(String space, String key, byte[] value, long ttlMillis, long now, String op, JsonObject answer) {
    byte[] bytes = keyBytes(key);
    PackedEntries entries = spaces.get(space);
    long previous = entries == null ? -1 : entries.version(bytes);
    long version = Math.max(previous + 1, now * 1000);
    long expiresAt = value == null ? now + tombstoneMillis : ttlMillis > 0 ? now + ttlMillis : 0;
    // An empty answer is not kept: a retry is answered with an empty one all the same.
    Entry entry = new Entry(value, expiresAt, version, op, answer == null || answer.isEmpty() ? null : answer);
    put(space, bytes, entry);
    return entry;
  }

  /** Takes a copy from another node when it is newer than what is held; true when taken. */
  boolean offer(String space, String key, Entry entry) {
    byte[] bytes = keyBytes(key);
    PackedEntries entries = spaces.get(space);
    if (entries != null && entries.version(bytes) >= entry.version()) {
      return false;
    }
    put(space, bytes, entry);
    return true;
  }

  private void put(String space, byte[] key, Entry entry) {
    if (spaces.computeIfAbsent(space, s -> new PackedEntries()).put(key, entry)) {
      size++;
    }
  }

  /**
   * Drops an entry if it is still the {@code expected} copy (same version, expiry and value): a hand-over
   * finished and the node no longer owns it.
   */
  void dropIfSame(String space, String key, Entry expected) {
    PackedEntries entries = spaces.get(space);
    if (entries == null) {
      return;
    }
    byte[] bytes = keyBytes(key);
    Entry held = entries.get(bytes);
    if (held != null && held.version() == expected.version() && held.expiresAt() == expected.expiresAt()
        && Arrays.equals(held.value(), expected.value())) {
      remove(space, entries, bytes);
    }
  }

  /** Drops an entry if its version is still {@code version}. */
  void dropIfVersion(String space, String key, long version) {
    PackedEntries entries = spaces.get(space);
    if (entries != null) {
      byte[] bytes = keyBytes(key);
      if (entries.version(bytes) == version) {
        remove(space, entries, bytes);
      }
    }
  }

  private void remove(String space, PackedEntries entries, byte[] key) {
    if (entries.remove(key)) {
      size--;
      if (entries.size() == 0) {
        spaces.remove(space);
      }
    }
  }

  /** Drops expired entries and old tombstones; returns how many went. */
  int sweep(long now) {
    int dropped = 0;
    for (Map.Entry<String, PackedEntries> space : new ArrayList<>(spaces.entrySet())) {
      for (byte[] key : space.getValue().expired(now)) {
        remove(space.getKey(), space.getValue(), key);
        dropped++;
      }
    }
    return dropped;
  }

  /** A copy of the entries of one space, tombstones and expired ones included, by Base64 key. */
  Map<String, Entry> space(String space) {
    PackedEntries entries = spaces.get(space);
    if (entries == null) {
      return Map.of();
    }
    Map<String, Entry> copy = new HashMap<>(entries.size() * 2);
    entries.forEach((key, entry) -> copy.put(BASE64.encodeToString(key), entry));
    return copy;
  }

  /** A copy of the entries of the spaces whose names start with {@code prefix} ({@code l:}: the locks; "": all). */
  List<Located> allIn(String prefix) {
    List<Located> all = new ArrayList<>(prefix.isEmpty() ? size : 16);
    spaces.forEach((space, entries) -> {
      if (space.startsWith(prefix)) {
        entries.forEach((key, entry) -> all.add(new Located(space, BASE64.encodeToString(key), entry)));
      }
    });
    return all;
  }

  /** Every key held with its entry's version and expiry, without copying the values. */
  List<Held> held() {
    List<Held> held = new ArrayList<>(size);
    spaces.forEach((space, entries) -> entries.forEachHeader((key, version, expiresAt) ->
        held.add(new Held(space, BASE64.encodeToString(key), version, expiresAt))));
    return held;
  }

  /** Entries held, tombstones included. */
  int size() {
    return size;
  }

  /** Bytes the entries take: records, their chunks' garbage and unused tails, and the indexes. */
  long heldBytes() {
    long bytes = 0;
    for (PackedEntries entries : spaces.values()) {
      bytes += entries.heldBytes();
    }
    return bytes;
  }

  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  /** A key's bytes from its Base64 name; callers check names on the way in ({@link DataService}). */
  private static byte[] keyBytes(String key) {
    return Base64.getDecoder().decode(key);
  }
}
