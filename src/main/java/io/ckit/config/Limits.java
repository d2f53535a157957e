package io.ckit.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds options' setters check, so that a bad value fails where it is set, with a message naming the
 * option ({@code maxQueuedPackets must be at least 1, got 0}), rather than later inside the node.
 */
public final class Limits {

  private Limits() {}

  public static int atLeast(int value, int minimum, String name) {
    if (value < minimum) {
      throw new IllegalArgumentException(name + " must be at least " + minimum + ", got " + value);
    }
    return value;
  }

  public static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }

  public static Duration notNegative(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, got " + value);
    }
    return value;
  }
}
