package io.ckit.shard;

import io.ckit.shard.impl.Xxh64;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The hash of a sharded object: an unsigned 64-bit value held in a {@code long}. Keys with equal bits have
 * equal owners. {@link #toString()} renders the bits as an unsigned decimal, the form ckit prints.
 *
 * @param bits the key's 64 bits, read as unsigned
 */
public record Key(long bits) implements Comparable<Key> {

  /**
   * The key of a string: xxHash64 with seed 0 of its UTF-8 bytes, the same value as ckit's {@code
   * shard.StringKey}.
   */
  public static Key ofString(String s) {
    Objects.requireNonNull(s, "s");
    return new Key(Xxh64.hash(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** The key of raw bytes: xxHash64 with seed 0, as if they were written to a new {@link KeyBuilder}. */
  public static Key ofBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return new Key(Xxh64.hash(bytes));
  }

  /**
   * Parses the unsigned decimal form that {@link #toString()} prints.
   *
   * @throws IllegalArgumentException if the text is not an unsigned 64-bit decimal number
   */
  public static Key parse(String unsignedDecimal) {
    Objects.requireNonNull(unsignedDecimal, "unsignedDecimal");
    try {
      return new Key(Long.parseUnsignedLong(unsignedDecimal));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "not an unsigned 64-bit decimal key: \"" + unsignedDecimal + "\"", e);
    }
  }

  /** Orders keys as unsigned numbers, the order of the hash ring. */
  @Override
  public int compareTo(Key other) {
    return Long.compareUnsigned(bits, other.bits);
  }

  /** The key as an unsigned decimal number. */
  @Override
  public String toString() {
    return Long.toUnsignedString(bits);
  }
}
