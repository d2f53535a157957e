package io.ckit.cluster;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The shared data one node holds, as owner or backup: entries of byte values under a space (a map, a counter
 * or a lock: {@code m:name}, {@code c:name}, {@code l:name}) and a key (the key's bytes in Base64).
 *
 * <p>Each entry carries a version, {@code max(previous + 1, wall-clock microseconds)}, so copies that meet
 * after a hand-over settle on the newest write ({@link #offer}). A removal leaves a tombstone for {@code
 * tombstoneMillis}, so an older copy handed over late does not bring a removed key back. An entry with a time
 * to live is gone, everywhere, at its absolute expiry time. An entry also keeps the id of the request that
 * wrote it and that request's answer, so a retried request is answered, not applied twice.
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

  private final Map<String, Map<String, Entry>> spaces = new HashMap<>();
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
    Map<String, Entry> entries = spaces.get(space);
    return entries == null ? null : entries.get(key);
  }

  /** Writes a value (null: removes) as the owner; returns the new entry. */
  Entry write(String space, String key, byte[] value, long ttlMillis, long now, String op, JsonObject answer) {
    Entry previous = raw(space, key);
    long version = Math.max(previous == null ? 0 : previous.version + 1, now * 1000);
    long expiresAt = value == null ? now + tombstoneMillis : ttlMillis > 0 ? now + ttlMillis : 0;
    // Most answers are empty (a put's): not kept, to keep an entry small.
    Entry entry = new Entry(value, expiresAt, version, op, answer == null || answer.isEmpty() ? null : answer);
    put(space, key, entry);
    return entry;
  }

  /** Takes a copy from another node when it is newer than what is held; true when taken. */
  boolean offer(String space, String key, Entry entry) {
    Entry held = raw(space, key);
    if (held != null && held.version >= entry.version) {
      return false;
    }
    put(space, key, entry);
    return true;
  }

  private void put(String space, String key, Entry entry) {
    if (spaces.computeIfAbsent(space, s -> new HashMap<>()).put(key, entry) == null) {
      size++;
    }
  }

  /** Drops an entry if it is still {@code expected} (a hand-over finished and the node no longer owns it). */
  void dropIfSame(String space, String key, Entry expected) {
    Map<String, Entry> entries = spaces.get(space);
    if (entries != null && entries.get(key) == expected) {
      entries.remove(key);
      size--;
      if (entries.isEmpty()) {
        spaces.remove(space);
      }
    }
  }

  /** Drops expired entries and old tombstones; returns how many went. */
  int sweep(long now) {
    int dropped = 0;
    for (Iterator<Map<String, Entry>> spaceIt = spaces.values().iterator(); spaceIt.hasNext(); ) {
      Map<String, Entry> entries = spaceIt.next();
      for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
        Entry entry = it.next();
        if (entry.expiresAt != 0 && entry.expiresAt <= now) {
          it.remove();
          dropped++;
        }
      }
      if (entries.isEmpty()) {
        spaceIt.remove();
      }
    }
    size -= dropped;
    return dropped;
  }

  /** The entries of one space, tombstones and expired ones included. */
  Map<String, Entry> space(String space) {
    Map<String, Entry> entries = spaces.get(space);
    return entries == null ? Map.of() : entries;
  }

  /** A snapshot of every entry held. */
  List<Located> all() {
    List<Located> all = new ArrayList<>(size);
    spaces.forEach((space, entries) -> entries.forEach((key, entry) -> all.add(new Located(space, key, entry))));
    return all;
  }

  /** Entries held, tombstones included. */
  int size() {
    return size;
  }
}
