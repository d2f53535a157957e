package io.ckit.shard.impl;

import java.util.Arrays;

/**
 * Tokens on the unsigned 64-bit hash circle, each owned by a node, sorted by (token, owner index) as Go ckit
 * sorts them.
 *
 * <p>Finding the first token at or after a key goes through a bucket index on the key's top bits instead of
 * a binary search: one table read and, on average, about one comparison, so a lookup costs two memory
 * reads however many tokens there are, where a binary search over a ring of 256k tokens costs eighteen
 * dependent ones and mispredicts half its branches.
 */
final class TokenCircle {

  /** At most 2^20 buckets (4 MiB), reached at a million tokens. */
  private static final int MAX_BUCKET_BITS = 20;

  private final long[] tokens;
  private final int[] owners;
  private final int shift;
  /** {@code bucketStarts[j]}: the index of the first token whose top bits are {@code >= j}. */
  private final int[] bucketStarts;

  /**
   * Sorts tokens onto a circle.
   *
   * @param tokens tokens, generated in ascending owner order (ties then keep that order); taken over
   * @param owners the owner index of each token; taken over
   */
  static TokenCircle sort(long[] tokens, int[] owners) {
    RadixSort.sort(tokens, owners);
    return new TokenCircle(tokens, owners);
  }

  /**
   * A circle of tokens already sorted by (unsigned token, owner).
   *
   * @param tokens the sorted tokens; taken over
   * @param owners the owner index of each token; taken over
   */
  static TokenCircle sorted(long[] tokens, int[] owners) {
    return new TokenCircle(tokens, owners);
  }

  private TokenCircle(long[] tokens, int[] owners) {
    this.tokens = tokens;
    this.owners = owners;
    // Between one and two tokens a bucket (the largest power of two not above the token count): a lookup
    // compares about one token, and the index costs 2 to 4 bytes a token, a fifth of the circle's memory.
    // At least one bit: a shift of 64 would shift by nothing.
    int floorLog2 = 31 - Integer.numberOfLeadingZeros(Math.max(1, tokens.length));
    int bits = Math.max(1, Math.min(MAX_BUCKET_BITS, floorLog2));
    this.shift = Long.SIZE - bits;
    int buckets = 1 << bits;
    this.bucketStarts = new int[buckets + 1];
    int bucket = 0;
    for (int index = 0; index < tokens.length; index++) {
      int tokenBucket = (int) (tokens[index] >>> shift);
      while (bucket <= tokenBucket) {
        bucketStarts[bucket++] = index;
      }
    }
    Arrays.fill(bucketStarts, bucket, buckets + 1, tokens.length);
  }

  int size() {
    return tokens.length;
  }

  long token(int index) {
    return tokens[index];
  }

  int owner(int index) {
    return owners[index];
  }

  /** The index of the first token at or after {@code key}; {@link #size()} when every token is before it. */
  int ceiling(long key) {
    int bucket = (int) (key >>> shift);
    int index = bucketStarts[bucket];
    int end = bucketStarts[bucket + 1];
    // Tokens in earlier buckets are below the key and those in later ones above it: only this bucket's
    // tokens need comparing.
    while (index < end && Unsigned.less(tokens[index], key)) {
      index++;
    }
    return index;
  }
}
