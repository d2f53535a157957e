package io.ckit.shard;

import java.util.Objects;

/**
 * One arc of a ring sharder's hash circle: the keys from {@code first} to {@code last} (unsigned 64-bit values,
 * both included) whose first owner is {@code owner}. {@link Sharders#ringArcs} gives a ring's arcs.
 *
 * @param owner the name of the peer that owns the arc's keys first
 * @param first the arc's first key
 * @param last  the arc's last key (unsigned, at or after {@code first})
 */
public record RingArc(String owner, long first, long last) {

  private static final double TWO_TO_64 = 0x1p64;

  public RingArc {
    Objects.requireNonNull(owner, "owner");
  }

  /** Where the arc starts, as a fraction of the circle (0 to 1). */
  public double startFraction() {
    return unsigned(first) / TWO_TO_64;
  }

  /** Where the arc ends, as a fraction of the circle (0 to 1): just after its last key. */
  public double endFraction() {
    return (unsigned(last) + 1) / TWO_TO_64;
  }

  private static double unsigned(long value) {
    double high = (double) (value >>> 1) * 2.0;
    return high + (value & 1);
  }
}
