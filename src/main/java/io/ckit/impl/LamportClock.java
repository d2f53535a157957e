package io.ckit.impl;

/**
 * ckit's Lamport clock ({@code lamport.Clock}): the node ticks it for every state message it makes and
 * observes the time of every one it hears, so its next message is newer than any it has seen. Times are
 * ckit's unsigned 64-bit values held in a {@code long}, so they are compared unsigned ({@link #compare}).
 *
 * <p>Concurrency: ticked and observed on the node's context only, so the read-modify-writes need no atomics;
 * the time is volatile so that other threads (metrics scrapes, {@code Node.lamportTime()}) read a recent value.
 */
final class LamportClock {

  private volatile long time;

  /** The current time; any thread. */
  long now() {
    return time;
  }

  /** Advances the clock and returns the new time: the time of a state message this node makes. */
  long tick() {
    long next = time + 1;
    time = next;
    return next;
  }

  /** Moves the clock past a time seen in a message, if it is not already past it. */
  void observe(long seen) {
    if (compare(seen, time) >= 0) {
      time = seen + 1;
    }
  }

  /** Orders two times as ckit's uint64s: negative, zero or positive as {@code a} is before, at or after {@code b}. */
  static int compare(long a, long b) {
    return Long.compareUnsigned(a, b);
  }
}
