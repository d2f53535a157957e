package io.ckit.shard.impl;

/**
 * Tokens on the unsigned 64-bit hash circle, each owned by a node, sorted by (token, owner index) as Go ckit
 * sorts them. Tokens are stored with the sign bit flipped so that signed comparison is unsigned order.
 */
final class TokenCircle {

  private final long[] flippedTokens;
  private final int[] owners;

  /**
   * Sorts the given tokens onto the circle.
   *
   * @param tokens tokens, generated in ascending owner order (ties then keep that order)
   * @param owners the owner index of each token
   */
  TokenCircle(long[] tokens, int[] owners) {
    RadixSort.sort(tokens, owners);
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] ^= Long.MIN_VALUE;
    }
    this.flippedTokens = tokens;
    this.owners = owners;
  }

  int size() {
    return flippedTokens.length;
  }

  long token(int index) {
    return flippedTokens[index] ^ Long.MIN_VALUE;
  }

  int owner(int index) {
    return owners[index];
  }

  /** The index of the first token at or after {@code key}; {@link #size()} when every token is before it. */
  int ceiling(long key) {
    long target = key ^ Long.MIN_VALUE;
    int low = 0;
    int high = flippedTokens.length;
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (flippedTokens[middle] < target) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }
}
