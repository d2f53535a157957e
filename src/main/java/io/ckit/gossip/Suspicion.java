package io.ckit.gossip;

import java.util.HashSet;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Lifeguard's suspicion timer for one suspect member (memberlist's {@code suspicion}): it starts at the
 * maximum timeout and shrinks towards the minimum as independent members confirm the suspicion, so a
 * member that many see failing is declared dead sooner. Engine thread only.
 */
final class Suspicion {

  private final Scheduler scheduler;
  private final int wanted;
  private final long minMillis;
  private final long maxMillis;
  private final long start;
  private final Set<String> confirmations = new HashSet<>();
  private final IntConsumer onTimeout;
  private int confirmed;
  private Scheduler.Timer timer;

  /**
   * @param from the member that raised the suspicion; its own later claims do not count as confirmations
   * @param wanted the confirmations that bring the timeout down to {@code min}
   * @param onTimeout called with the number of confirmations when the time is up
   */
  Suspicion(Scheduler scheduler, String from, int wanted, long minMillis, long maxMillis, IntConsumer onTimeout) {
    this.scheduler = scheduler;
    this.wanted = wanted;
    this.minMillis = minMillis;
    this.maxMillis = maxMillis;
    this.onTimeout = onTimeout;
    this.start = scheduler.nowMillis();
    confirmations.add(from);
    timer = scheduler.schedule(wanted < 1 ? minMillis : maxMillis, this::expire);
  }

  /**
   * Counts another member's suspicion of the same member, shortening the timeout.
   *
   * @return whether it was a new, independent confirmation (and so worth gossiping on)
   */
  boolean confirm(String from) {
    if (confirmed >= wanted || !confirmations.add(from)) {
      return false;
    }
    confirmed++;
    long remaining = GossipMath.remainingSuspicionTime(confirmed, wanted, scheduler.nowMillis() - start,
        minMillis, maxMillis);
    if (timer != null) {
      timer.cancel();
      timer = scheduler.schedule(Math.max(0, remaining), this::expire);
    }
    return true;
  }

  /** Stops the timer: the member refuted, died or was forgotten. */
  void cancel() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void expire() {
    timer = null;
    onTimeout.accept(confirmed);
  }
}
