package io.ckit.impl;

import io.ckit.MembershipEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;

/**
 * The last hour's membership events as one node saw them, oldest first, in a bounded ring: past {@code
 * capacity} the oldest event goes (a flapping member cannot grow it without bound), and events older than
 * {@code maxAge} go when the next one comes or the log is read.
 *
 * <p>Concurrency: confined to the node's context; {@link #snapshot()} returns an immutable copy for anyone.
 */
final class MembershipEventLog {

  /** How many events are kept at most. */
  static final int DEFAULT_CAPACITY = 1000;
  /** How long an event is kept. */
  static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);

  private final int capacity;
  private final Duration maxAge;
  private final Supplier<Instant> clock;
  private final ArrayDeque<MembershipEvent> events = new ArrayDeque<>();

  MembershipEventLog(int capacity, Duration maxAge, Supplier<Instant> clock) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
    }
    this.capacity = capacity;
    this.maxAge = maxAge;
    this.clock = clock;
  }

  /** Records an event, timed now. */
  void add(MembershipEvent.Type type, String member, long incarnation, String detail) {
    Instant now = clock.get();
    expire(now);
    if (events.size() == capacity) {
      events.removeFirst();
    }
    events.addLast(new MembershipEvent(now, type, member, incarnation, detail));
  }

  /** The events kept, oldest first; immutable. */
  List<MembershipEvent> snapshot() {
    expire(clock.get());
    return List.copyOf(events);
  }

  private void expire(Instant now) {
    Instant oldest = now.minus(maxAge);
    while (!events.isEmpty() && events.peekFirst().time().isBefore(oldest)) {
      events.removeFirst();
    }
  }
}
