package io.ckit.gossip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.IntSupplier;

/**
 * memberlist's {@code TransmitLimitedQueue}: messages waiting to be piggy-backed on gossip, each sent up to
 * {@code retransmitMult * ceil(log10(n + 1))} times. Messages sent fewest times go first; among those the
 * longer, then the newer. A message queued under a name replaces (and finishes) the one queued under the
 * same name in O(1), so only the latest news about a member travels. A message is finished, and its
 * callback run, when it reaches its transmit limit, is replaced, or the queue is reset.
 *
 * <p>Concurrency: not thread-safe; used on the engine's thread.
 */
public final class BroadcastQueue {

  /** Fewest transmits first, then longest, then newest. */
  private static final Comparator<Entry> ORDER = (a, b) -> {
    if (a.transmits != b.transmits) {
      return a.transmits < b.transmits ? -1 : 1;
    }
    if (a.length != b.length) {
      return a.length > b.length ? -1 : 1;
    }
    return Long.compare(b.id, a.id);
  };

  private final int retransmitMult;
  private final IntSupplier numNodes;
  private final TreeSet<Entry> entries = new TreeSet<>(ORDER);
  private final Map<String, Entry> byName = new HashMap<>();
  private long lastId;

  /**
   * @param retransmitMult the retransmission multiplier
   * @param numNodes the current number of members, read when packing
   */
  public BroadcastQueue(int retransmitMult, IntSupplier numNodes) {
    this.retransmitMult = retransmitMult;
    this.numNodes = numNodes;
  }

  /**
   * Queues a message.
   *
   * @param name what the message is about (a member's name); a queued message with the same name is
   *     finished and dropped. Null for a message nothing replaces.
   * @param onFinished run once when the message has been sent its last time or was replaced; may be null
   */
  public void queue(String name, byte[] message, Runnable onFinished) {
    lastId = lastId == Long.MAX_VALUE ? 1 : lastId + 1;
    Entry entry = new Entry(0, message.length, lastId, name, message, onFinished);
    if (name != null) {
      Entry old = byName.remove(name);
      if (old != null) {
        entries.remove(old);
        old.finish();
      }
      byName.put(name, entry);
    }
    entries.add(entry);
  }

  /**
   * Takes the messages to send in one packet: as many as fit in {@code limit} bytes, counting {@code
   * overhead} bytes for each, fewest-sent first and the largest that fits at each step. Each message taken
   * counts one transmission; those that reach the limit are finished and leave the queue.
   */
  public List<byte[]> getBroadcasts(int overhead, int limit) {
    if (entries.isEmpty()) {
      return List.of();
    }
    int transmitLimit = GossipMath.retransmitLimit(retransmitMult, numNodes.getAsInt());
    List<byte[]> toSend = new ArrayList<>();
    List<Entry> reinsert = new ArrayList<>();
    long bytesUsed = 0;
    int transmits = entries.first().transmits;
    int maxTransmits = entries.last().transmits;
    while (transmits <= maxTransmits) {
      long free = limit - bytesUsed - overhead;
      if (free <= 0) {
        break;
      }
      // The first entry at this transmit count whose length fits: entries of equal transmits are ordered
      // longest first, so this is the longest that fits (the newest among equals).
      Entry fits = entries.ceiling(new Entry(transmits, free, Long.MAX_VALUE, null, null, null));
      if (fits == null || fits.transmits != transmits) {
        transmits++;
        continue;
      }
      entries.remove(fits);
      toSend.add(fits.message);
      bytesUsed += overhead + fits.message.length;
      if (fits.transmits + 1 >= transmitLimit) {
        if (fits.name != null) {
          byName.remove(fits.name);
        }
        fits.finish();
      } else {
        fits.transmits++;
        reinsert.add(fits);
      }
    }
    // Entries sent but not finished stay in byName while out of the set; they go back with one more transmit.
    entries.addAll(reinsert);
    if (entries.isEmpty()) {
      lastId = 0;
    }
    return toSend;
  }

  /** How many messages are queued. */
  public int size() {
    return entries.size();
  }

  /** Finishes and drops every message. */
  public void reset() {
    List<Entry> all = new ArrayList<>(entries);
    entries.clear();
    byName.clear();
    lastId = 0;
    all.forEach(Entry::finish);
  }

  /** Finishes and drops the most-sent messages until at most {@code maxRetain} are left. */
  public void prune(int maxRetain) {
    while (entries.size() > maxRetain) {
      Entry last = entries.pollLast();
      if (last.name != null) {
        byName.remove(last.name);
      }
      last.finish();
    }
  }

  private static final class Entry {
    /** Changed only while the entry is out of the sorted set. */
    int transmits;
    final long length;
    final long id;
    final String name;
    final byte[] message;
    final Runnable onFinished;

    Entry(int transmits, long length, long id, String name, byte[] message, Runnable onFinished) {
      this.transmits = transmits;
      this.length = length;
      this.id = id;
      this.name = name;
      this.message = message;
      this.onFinished = onFinished;
    }

    void finish() {
      if (onFinished != null) {
        onFinished.run();
      }
    }
  }
}
