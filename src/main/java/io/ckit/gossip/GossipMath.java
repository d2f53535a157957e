package io.ckit.gossip;

/**
 * memberlist's rules as pure functions: the timing math of suspicion, retransmission and push/pull, and the
 * incarnation rules that decide which news about a member wins. Durations are in milliseconds.
 */
public final class GossipMath {

  /** Members beyond which the push/pull interval grows: doubled at 33, tripled at 65... */
  public static final int PUSH_PULL_SCALE_THRESHOLD = 32;

  private static final long UINT32_MASK = 0xFFFF_FFFFL;

  private GossipMath() {}

  /**
   * The least time a suspect has to refute before it is declared dead: {@code suspicionMult *
   * max(1, log10(max(1, n))) * probeInterval}, with the node scale kept to three decimals as Go does.
   */
  public static long suspicionTimeout(int suspicionMult, int n, long probeIntervalMillis) {
    double nodeScale = Math.max(1.0, Math.log10(Math.max(1.0, n)));
    return suspicionMult * (long) (nodeScale * 1000) * probeIntervalMillis / 1000;
  }

  /**
   * How many independent confirmations shorten a suspicion to its minimum: {@code suspicionMult - 2}, or 0
   * when fewer than that many other members could confirm.
   */
  public static int suspicionConfirmationsWanted(int suspicionMult, int n) {
    int k = suspicionMult - 2;
    return n - 2 < k ? 0 : k;
  }

  /**
   * The time left on a suspicion after {@code confirmations} of the {@code wanted} confirmations arrived,
   * {@code elapsed} milliseconds after it started: the timeout falls from max towards min with the log of
   * the confirmations, {@code max - (max - min) * log(c + 1) / log(k + 1)}, floored to whole milliseconds
   * and never below min. May be negative (time is up).
   */
  public static long remainingSuspicionTime(int confirmations, int wanted, long elapsedMillis, long minMillis,
      long maxMillis) {
    double fraction = Math.log(confirmations + 1.0) / Math.log(wanted + 1.0);
    double raw = maxMillis / 1000.0 - fraction * (maxMillis / 1000.0 - minMillis / 1000.0);
    long timeout = (long) Math.floor(1000.0 * raw);
    if (timeout < minMillis) {
      timeout = minMillis;
    }
    return timeout - elapsedMillis;
  }

  /** How many times each broadcast is sent: {@code retransmitMult * ceil(log10(n + 1))}. */
  public static int retransmitLimit(int retransmitMult, int n) {
    return retransmitMult * (int) Math.ceil(Math.log10(n + 1));
  }

  /**
   * The push/pull interval for n members: unchanged up to 32, then multiplied by {@code
   * ceil(log2(n) - log2(32)) + 1}.
   */
  public static long pushPullInterval(long intervalMillis, int n) {
    if (n <= PUSH_PULL_SCALE_THRESHOLD) {
      return intervalMillis;
    }
    double multiplier = Math.ceil(Math.log(n) / Math.log(2) - Math.log(PUSH_PULL_SCALE_THRESHOLD) / Math.log(2))
        + 1.0;
    return (long) multiplier * intervalMillis;
  }

  /** Whether an alive about another known member replaces what we know: only a newer incarnation does. */
  public static boolean aliveSupersedes(long incoming, long known) {
    return incoming > known;
  }

  /** Whether a suspect or dead claim applies: at the incarnation we know, or a newer one. */
  public static boolean accusationApplies(long incoming, long known) {
    return incoming >= known;
  }

  /**
   * The incarnation a member announces to refute an accusation: one past both its own counter and the
   * incarnation it was accused at (32-bit, wrapping as Go's counter does).
   */
  public static long refutingIncarnation(long counter, long accused) {
    long next = (counter + 1) & UINT32_MASK;
    return accused >= next ? (accused + 1) & UINT32_MASK : next;
  }

  /**
   * Lifeguard's change to local health after a failed probe: one for each nack that was expected but did
   * not come, or one when no nack was expected.
   */
  public static int awarenessDeltaAfterFailedProbe(int expectedNacks, int nacksReceived) {
    if (expectedNacks == 0) {
      return 1;
    }
    return Math.max(0, expectedNacks - nacksReceived);
  }
}
