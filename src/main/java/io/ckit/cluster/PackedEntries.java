package io.ckit.cluster;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The entries of one space of a {@link DataStore}, packed: each entry is one record of bytes inside a chunk of
 * records, and an index of {@code int} slots (open addressing, linear probing) points at the records by key.
 * No object per entry: what an entry costs is its key and value bytes, a flags byte, two lengths, its version,
 * its expiry only when it has one, and its index slot.
 *
 * <p>Record: {@code flags(1) keyLength(varint) key version(8) [expiresAt(8)] [valueLength(varint) value]
 * [opLength(varint) op answerLength(varint) answer]}; the bracketed parts are there when {@code flags} says so.
 * A replaced or removed record is marked dead in place and its bytes counted as its chunk's garbage; once a
 * chunk that is no longer written to is half garbage, its live records move to the chunk being written and
 * the chunk is released. That bounds the work of a write (at most one chunk moved) and the garbage (about
 * half of what is held, at worst). Records longer than a chunk get a chunk of their own.
 *
 * <p>Why not a map of objects: a {@code HashMap} node, a key object, an entry object and a value array cost
 * about 120 bytes per entry beyond the key and value bytes; this layout costs about 17 (see BENCHMARKS.md).
 *
 * <p>Concurrency: not thread-safe; confined to its {@link DataStore}'s owner.
 */
final class PackedEntries {

  /** Size of a full chunk; records are addressed by chunk index and an offset below it. */
  static final int CHUNK = 1 << 16;
  private static final int FIRST_CHUNK = 256;
  private static final int MAX_CHUNKS = 1 << 15;
  private static final int MIN_SLOTS = 8;

  private static final int TOMBSTONE = 1;
  private static final int EXPIRES = 2;
  private static final int OP = 4;
  private static final int DEAD = 8;

  private byte[][] chunks = new byte[4][];
  /** Bytes written into each chunk. */
  private int[] used = new int[4];
  /** Bytes of dead records in each chunk. */
  private int[] garbage = new int[4];
  private int chunkCount;
  /** The chunk records are appended to; -1 before the first. */
  private int head = -1;
  /** Slots: a record's address + 1 ({@code chunk << 16 | offset}), 0 for empty. */
  private int[] slots = new int[MIN_SLOTS];
  private int size;
  private int expiring;
  private long liveBytes;

  /** Entries held (tombstones and expired entries included). */
  int size() {
    return size;
  }

  /** Entries held with an expiry (tombstones included): none means nothing to sweep. */
  int expiring() {
    return expiring;
  }

  /** Bytes held in chunks (live records, garbage and unused chunk tails) and in the index. */
  long heldBytes() {
    long bytes = (long) slots.length * 4;
    for (int c = 0; c < chunkCount; c++) {
      if (chunks[c] != null) {
        bytes += chunks[c].length;
      }
    }
    return bytes;
  }

  /** Bytes of live records. */
  long liveBytes() {
    return liveBytes;
  }

  /** The entry under a key, or null. */
  DataStore.Entry get(byte[] key) {
    int slot = find(key, hash(key, 0, key.length));
    return slot < 0 ? null : entryAt(slots[slot] - 1);
  }

  /** The version held under a key, or -1 when nothing is held. */
  long version(byte[] key) {
    int slot = find(key, hash(key, 0, key.length));
    if (slot < 0) {
      return -1;
    }
    int address = slots[slot] - 1;
    byte[] chunk = chunks[address >>> 16];
    int at = address & 0xffff;
    int keyLength = readVarint(chunk, at + 1);
    return readLong(chunk, at + 1 + varintSize(keyLength) + keyLength);
  }

  /** Puts an entry under a key, replacing what is there; true when the key is new. */
  boolean put(byte[] key, DataStore.Entry entry) {
    int hash = hash(key, 0, key.length);
    int slot = find(key, hash);
    byte[] op = entry.op() == null ? null : entry.op().getBytes(StandardCharsets.UTF_8);
    byte[] answer = entry.op() == null || entry.answer() == null ? null
        : entry.answer().encode().getBytes(StandardCharsets.UTF_8);
    int address = append(key, entry, op, answer);
    if (slot >= 0) {
      kill(slots[slot] - 1);
      slots[slot] = address + 1;
      compactIfWorthIt();
      return false;
    }
    if ((size + 1) * 5L > slots.length * 4L) {
      resize((size + 1) * 2);
    }
    slots[emptySlotFor(hash)] = address + 1;
    size++;
    return true;
  }

  /** Removes the entry under a key; true when there was one. */
  boolean remove(byte[] key) {
    int slot = find(key, hash(key, 0, key.length));
    if (slot < 0) {
      return false;
    }
    kill(slots[slot] - 1);
    deleteSlot(slot);
    size--;
    if (size * 5L < slots.length && slots.length > MIN_SLOTS) {
      resize(size * 2);
    }
    compactIfWorthIt();
    return true;
  }

  /** Keys (copies) of the entries whose expiry is at or before {@code now}. */
  List<byte[]> expired(long now) {
    List<byte[]> keys = new ArrayList<>();
    if (expiring == 0) {
      return keys;
    }
    forEachRecord((chunk, at) -> {
      if ((chunk[at] & EXPIRES) != 0) {
        int keyLength = readVarint(chunk, at + 1);
        int keyAt = at + 1 + varintSize(keyLength);
        if (readLong(chunk, keyAt + keyLength + 8) <= now) {
          keys.add(Arrays.copyOfRange(chunk, keyAt, keyAt + keyLength));
        }
      }
    });
    return keys;
  }

  /** Every entry with its key (copies), in no particular order; the table must not change meanwhile. */
  void forEach(BiConsumer<byte[], DataStore.Entry> action) {
    forEachRecord((chunk, at) -> {
      int keyLength = readVarint(chunk, at + 1);
      int keyAt = at + 1 + varintSize(keyLength);
      action.accept(Arrays.copyOfRange(chunk, keyAt, keyAt + keyLength), entryAt(chunk, at));
    });
  }

  /** What {@link #forEachHeader} gives of an entry: its key (a copy), version and expiry. */
  interface HeaderVisitor {
    void visit(byte[] key, long version, long expiresAt);
  }

  /** Every entry's key, version and expiry, values not copied; the table must not change meanwhile. */
  void forEachHeader(HeaderVisitor visitor) {
    forEachRecord((chunk, at) -> {
      int keyLength = readVarint(chunk, at + 1);
      int keyAt = at + 1 + varintSize(keyLength);
      int versionAt = keyAt + keyLength;
      long expiresAt = (chunk[at] & EXPIRES) != 0 ? readLong(chunk, versionAt + 8) : 0;
      visitor.visit(Arrays.copyOfRange(chunk, keyAt, versionAt), readLong(chunk, versionAt), expiresAt);
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Records

  private interface RecordVisitor {
    void visit(byte[] chunk, int at);
  }

  private void forEachRecord(RecordVisitor visitor) {
    for (int c = 0; c < chunkCount; c++) {
      byte[] chunk = chunks[c];
      if (chunk == null) {
        continue;
      }
      for (int at = 0; at < used[c]; at += recordLength(chunk, at)) {
        if ((chunk[at] & DEAD) == 0) {
          visitor.visit(chunk, at);
        }
      }
    }
  }

  private DataStore.Entry entryAt(int address) {
    return entryAt(chunks[address >>> 16], address & 0xffff);
  }

  private static DataStore.Entry entryAt(byte[] chunk, int at) {
    int flags = chunk[at];
    int keyLength = readVarint(chunk, at + 1);
    int p = at + 1 + varintSize(keyLength) + keyLength;
    long version = readLong(chunk, p);
    p += 8;
    long expiresAt = 0;
    if ((flags & EXPIRES) != 0) {
      expiresAt = readLong(chunk, p);
      p += 8;
    }
    byte[] value = null;
    if ((flags & TOMBSTONE) == 0) {
      int valueLength = readVarint(chunk, p);
      p += varintSize(valueLength);
      value = Arrays.copyOfRange(chunk, p, p + valueLength);
      p += valueLength;
    }
    String op = null;
    JsonObject answer = null;
    if ((flags & OP) != 0) {
      int opLength = readVarint(chunk, p);
      p += varintSize(opLength);
      op = new String(chunk, p, opLength, StandardCharsets.UTF_8);
      p += opLength;
      int answerLength = readVarint(chunk, p);
      p += varintSize(answerLength);
      if (answerLength > 0) {
        answer = new JsonObject(new String(chunk, p, answerLength, StandardCharsets.UTF_8));
      }
    }
    return new DataStore.Entry(value, expiresAt, version, op, answer);
  }

  private static int recordLength(byte[] chunk, int at) {
    int flags = chunk[at];
    int keyLength = readVarint(chunk, at + 1);
    int p = at + 1 + varintSize(keyLength) + keyLength + 8;
    if ((flags & EXPIRES) != 0) {
      p += 8;
    }
    if ((flags & TOMBSTONE) == 0) {
      int valueLength = readVarint(chunk, p);
      p += varintSize(valueLength) + valueLength;
    }
    if ((flags & OP) != 0) {
      int opLength = readVarint(chunk, p);
      p += varintSize(opLength) + opLength;
      int answerLength = readVarint(chunk, p);
      p += varintSize(answerLength) + answerLength;
    }
    return p - at;
  }

  private static int recordLength(byte[] key, DataStore.Entry entry, byte[] op, byte[] answer) {
    int length = 1 + varintSize(key.length) + key.length + 8;
    if (entry.expiresAt() != 0) {
      length += 8;
    }
    if (entry.value() != null) {
      length += varintSize(entry.value().length) + entry.value().length;
    }
    if (op != null) {
      int answerLength = answer == null ? 0 : answer.length;
      length += varintSize(op.length) + op.length + varintSize(answerLength) + answerLength;
    }
    return length;
  }

  /** Writes a record at the end of the head chunk (or a chunk of its own); returns its address. */
  private int append(byte[] key, DataStore.Entry entry, byte[] op, byte[] answer) {
    int length = recordLength(key, entry, op, answer);
    int chunkIndex;
    int at;
    if (length > CHUNK) {
      chunkIndex = newChunk(length);
      at = 0;
    } else {
      if (head < 0 || used[head] + length > chunks[head].length) {
        sealHead(length);
      }
      chunkIndex = head;
      at = used[head];
    }
    byte[] chunk = chunks[chunkIndex];
    int flags = (entry.value() == null ? TOMBSTONE : 0) | (entry.expiresAt() != 0 ? EXPIRES : 0)
        | (op != null ? OP : 0);
    int p = at;
    chunk[p++] = (byte) flags;
    p = writeVarint(chunk, p, key.length);
    System.arraycopy(key, 0, chunk, p, key.length);
    p += key.length;
    p = writeLong(chunk, p, entry.version());
    if (entry.expiresAt() != 0) {
      p = writeLong(chunk, p, entry.expiresAt());
      expiring++;
    }
    if (entry.value() != null) {
      p = writeVarint(chunk, p, entry.value().length);
      System.arraycopy(entry.value(), 0, chunk, p, entry.value().length);
      p += entry.value().length;
    }
    if (op != null) {
      p = writeVarint(chunk, p, op.length);
      System.arraycopy(op, 0, chunk, p, op.length);
      p += op.length;
      int answerLength = answer == null ? 0 : answer.length;
      p = writeVarint(chunk, p, answerLength);
      if (answer != null) {
        System.arraycopy(answer, 0, chunk, p, answerLength);
        p += answerLength;
      }
    }
    used[chunkIndex] = p;
    liveBytes += length;
    return chunkIndex << 16 | at;
  }

  /** Starts a new head chunk; the one it replaces is released or compacted if it is mostly garbage. */
  private void sealHead(int needed) {
    int sealed = head;
    head = newChunk(headSize(needed));
    if (sealed >= 0) {
      releaseOrCompact(sealed);
    }
  }

  /** A new head's size: a power of two from {@link #FIRST_CHUNK} to {@link #CHUNK}, growing with what is held. */
  private int headSize(int needed) {
    long want = Math.max(FIRST_CHUNK, Math.max(needed, liveBytes / 8));
    return (int) Math.min(CHUNK, Long.highestOneBit(want * 2 - 1));
  }

  private int newChunk(int length) {
    int index = -1;
    for (int c = 0; c < chunkCount; c++) {
      if (chunks[c] == null) {
        index = c;
        break;
      }
    }
    if (index < 0) {
      if (chunkCount == MAX_CHUNKS) {
        throw new IllegalStateException("a shared-data space cannot hold more than " + MAX_CHUNKS + " chunks");
      }
      if (chunkCount == chunks.length) {
        int grown = Math.min(MAX_CHUNKS, chunks.length * 2);
        chunks = Arrays.copyOf(chunks, grown);
        used = Arrays.copyOf(used, grown);
        garbage = Arrays.copyOf(garbage, grown);
      }
      index = chunkCount++;
    }
    chunks[index] = new byte[length];
    used[index] = 0;
    garbage[index] = 0;
    return index;
  }

  /** Marks a record dead and counts its bytes as its chunk's garbage. */
  private void kill(int address) {
    int c = address >>> 16;
    int at = address & 0xffff;
    byte[] chunk = chunks[c];
    if ((chunk[at] & EXPIRES) != 0) {
      expiring--;
    }
    chunk[at] |= DEAD;
    int length = recordLength(chunk, at);
    garbage[c] += length;
    liveBytes -= length;
    pending = c;
  }

  /** The chunk a record was last killed in: checked once the index points at the record's successor. */
  private int pending = -1;

  private void compactIfWorthIt() {
    int c = pending;
    pending = -1;
    if (c >= 0 && c != head && chunks[c] != null) {
      releaseOrCompact(c);
    }
  }

  /** Releases a chunk that holds only garbage; moves the live records out of one that is half garbage. */
  private void releaseOrCompact(int c) {
    if (garbage[c] == used[c]) {
      release(c);
      return;
    }
    if (garbage[c] * 2L < used[c]) {
      return;
    }
    byte[] chunk = chunks[c];
    for (int at = 0; at < used[c]; ) {
      int length = recordLength(chunk, at);
      if ((chunk[at] & DEAD) == 0) {
        move(c, at, length);
      }
      at += length;
    }
    release(c);
  }

  private void release(int c) {
    chunks[c] = null;
    used[c] = 0;
    garbage[c] = 0;
    if (c == head) {
      head = -1;
    }
    while (chunkCount > 0 && chunks[chunkCount - 1] == null) {
      chunkCount--;
    }
  }

  /** Copies a live record to the head chunk and points its slot there. */
  private void move(int c, int at, int length) {
    byte[] from = chunks[c];
    if (head < 0 || head == c || used[head] + length > chunks[head].length) {
      // No compaction from inside a compaction: a full head that is all garbage is only released.
      int sealed = head;
      head = newChunk(headSize(length));
      if (sealed >= 0 && sealed != c && garbage[sealed] == used[sealed]) {
        release(sealed);
      }
    }
    int to = used[head];
    System.arraycopy(from, at, chunks[head], to, length);
    used[head] = to + length;
    int keyLength = readVarint(from, at + 1);
    int keyAt = at + 1 + varintSize(keyLength);
    int oldAddress = c << 16 | at;
    int slot = hashSlot(hash(from, keyAt, keyLength));
    while (slots[slot] != oldAddress + 1) {
      if (slots[slot] == 0) {
        throw new IllegalStateException("a live record at " + oldAddress + " has no index slot");
      }
      slot = slot + 1 == slots.length ? 0 : slot + 1;
    }
    slots[slot] = (head << 16 | to) + 1;
  }

  // ---------------------------------------------------------------------------------------------------
  // Index

  /** The slot holding this key, or -1. */
  private int find(byte[] key, int hash) {
    for (int slot = hashSlot(hash); ; slot = slot + 1 == slots.length ? 0 : slot + 1) {
      int held = slots[slot];
      if (held == 0) {
        return -1;
      }
      int address = held - 1;
      byte[] chunk = chunks[address >>> 16];
      int at = address & 0xffff;
      int keyLength = readVarint(chunk, at + 1);
      int keyAt = at + 1 + varintSize(keyLength);
      if (keyLength == key.length && Arrays.equals(chunk, keyAt, keyAt + keyLength, key, 0, key.length)) {
        return slot;
      }
    }
  }

  private int emptySlotFor(int hash) {
    int slot = hashSlot(hash);
    while (slots[slot] != 0) {
      slot = slot + 1 == slots.length ? 0 : slot + 1;
    }
    return slot;
  }

  /** Empties a slot, moving later slots of the same probe run back so that every key stays findable. */
  private void deleteSlot(int slot) {
    int hole = slot;
    for (int next = hole + 1 == slots.length ? 0 : hole + 1; slots[next] != 0;
        next = next + 1 == slots.length ? 0 : next + 1) {
      int home = hashSlot(hashAt(slots[next] - 1));
      // The entry at next may fill the hole unless its home lies cyclically in (hole, next].
      boolean stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!stays) {
        slots[hole] = slots[next];
        hole = next;
      }
    }
    slots[hole] = 0;
  }

  private void resize(int capacity) {
    int[] old = slots;
    slots = new int[Math.max(MIN_SLOTS, capacity)];
    for (int held : old) {
      if (held != 0) {
        slots[emptySlotFor(hashAt(held - 1))] = held;
      }
    }
  }

  private int hashAt(int address) {
    byte[] chunk = chunks[address >>> 16];
    int at = address & 0xffff;
    int keyLength = readVarint(chunk, at + 1);
    return hash(chunk, at + 1 + varintSize(keyLength), keyLength);
  }

  /** Maps a hash onto the slots by multiplication: any table size, no power of two needed. */
  private int hashSlot(int hash) {
    return (int) (((hash & 0xffffffffL) * slots.length) >>> 32);
  }

  /** The bytes' polynomial hash, then mixed (Murmur3's finalizer) so that similar keys spread. */
  static int hash(byte[] bytes, int from, int length) {
    int h = 1;
    for (int i = from; i < from + length; i++) {
      h = 31 * h + bytes[i];
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  // ---------------------------------------------------------------------------------------------------
  // Numbers

  private static int varintSize(int value) {
    int size = 1;
    while ((value >>>= 7) != 0) {
      size++;
    }
    return size;
  }

  private static int writeVarint(byte[] to, int at, int value) {
    while ((value & ~0x7f) != 0) {
      to[at++] = (byte) (value & 0x7f | 0x80);
      value >>>= 7;
    }
    to[at++] = (byte) value;
    return at;
  }

  private static int readVarint(byte[] from, int at) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      byte b = from[at++];
      value |= (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
  }

  private static int writeLong(byte[] to, int at, long value) {
    for (int shift = 56; shift >= 0; shift -= 8) {
      to[at++] = (byte) (value >>> shift);
    }
    return at;
  }

  private static long readLong(byte[] from, int at) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = value << 8 | (from[at + i] & 0xff);
    }
    return value;
  }
}
