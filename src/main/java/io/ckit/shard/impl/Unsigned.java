package io.ckit.shard.impl;

/**
 * Unsigned 64-bit comparisons as one signed comparison each. {@link Long#compareUnsigned} returns a
 * three-way result that JDK 17's JIT turns into branches, which random hash values mispredict.
 */
final class Unsigned {

  private Unsigned() {}

  static boolean less(long a, long b) {
    return (a ^ Long.MIN_VALUE) < (b ^ Long.MIN_VALUE);
  }

  static boolean lessOrEqual(long a, long b) {
    return (a ^ Long.MIN_VALUE) <= (b ^ Long.MIN_VALUE);
  }
}
