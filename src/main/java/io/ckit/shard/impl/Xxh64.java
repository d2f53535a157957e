package io.ckit.shard.impl;

import com.dynatrace.hash4j.hashing.HashStream64;
import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;

/**
 * xxHash64 with seed 0, the hash behind every ckit key and token (Go's {@code cespare/xxhash/v2}), computed
 * by hash4j.
 */
public final class Xxh64 {

  private static final Hasher64 HASHER = Hashing.xxh64();

  private Xxh64() {}

  /** The hash of a byte array. */
  public static long hash(byte[] bytes) {
    return HASHER.hashBytesToLong(bytes);
  }

  /** A new incremental hash; {@code getAsLong()} does not disturb it, so more bytes may follow. */
  public static HashStream64 newStream() {
    return HASHER.hashStream();
  }

  /**
   * The hash of the lowercase hexadecimal text of {@code value} read as unsigned, without leading zeros:
   * Go's {@code xxhash.Sum64(strconv.AppendUint(nil, value, 16))}, which multiprobe uses to derive its probe
   * keys. Sixteen-digit values (15 in 16 random ones) are hashed without allocating.
   */
  public static long hashHex(long value) {
    int digits = value == 0 ? 1 : (67 - Long.numberOfLeadingZeros(value)) >> 2;
    if (digits == 16) {
      // The 16 text bytes as two little-endian words: the first holds the 8 most significant digits.
      return HASHER.hashLongLongToLong(hexWord((int) (value >>> 32)), hexWord((int) value));
    }
    byte[] text = new byte[digits];
    for (int i = digits - 1; i >= 0; i--) {
      text[i] = hexDigit((int) value & 0xF);
      value >>>= 4;
    }
    return HASHER.hashBytesToLong(text);
  }

  /** The eight hex digits of {@code bits}, most significant first, packed as a little-endian word. */
  private static long hexWord(int bits) {
    // Spread nibble i of bits into byte i, eight bytes wide.
    long nibbles = bits & 0xFFFF_FFFFL;
    nibbles = (nibbles | nibbles << 16) & 0x0000_FFFF_0000_FFFFL;
    nibbles = (nibbles | nibbles << 8) & 0x00FF_00FF_00FF_00FFL;
    nibbles = (nibbles | nibbles << 4) & 0x0F0F_0F0F_0F0F_0F0FL;
    // Every byte to its ASCII digit: '0' + nibble, plus 39 more to reach 'a'..'f' for nibbles above 9.
    long aboveNine = ((nibbles + 0x0606_0606_0606_0606L) >>> 4) & 0x0101_0101_0101_0101L;
    long ascii = nibbles + 0x3030_3030_3030_3030L + aboveNine * 39;
    // Most significant digit first in memory order.
    return Long.reverseBytes(ascii);
  }

  private static byte hexDigit(int nibble) {
    return (byte) (nibble < 10 ? '0' + nibble : 'a' - 10 + nibble);
  }
}
