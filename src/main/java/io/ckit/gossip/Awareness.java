package io.ckit.gossip;

/**
 * Lifeguard's local health (memberlist's {@code awareness}): a score from 0 (healthy) to {@code max - 1}
 * that rises when this node misses acks or must refute accusations and falls with each successful probe.
 * The probe interval is stretched by {@code score + 1}: a struggling node probes, and so accuses, less
 * often. Engine thread only.
 */
final class Awareness {

  private final int max;
  private int score;

  Awareness(int max) {
    this.max = max;
  }

  void apply(int delta) {
    score = Math.max(0, Math.min(max - 1, score + delta));
  }

  int score() {
    return score;
  }

  long scale(long timeoutMillis) {
    return timeoutMillis * (score + 1);
  }
}
