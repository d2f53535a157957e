package io.ckit.wire;

/** Argument checks for the ranges of Go's unsigned fields. */
final class Checks {

  private Checks() {}

  static void uint32(long value, String name) {
    if (value < 0 || value > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(name + " must be within 0..4294967295, got " + value);
    }
  }

  static void port(int value, String name) {
    if (value < 0 || value > 0xFFFF) {
      throw new IllegalArgumentException(name + " must be within 0..65535, got " + value);
    }
  }
}
