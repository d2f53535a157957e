package io.ckit.shard.impl;

import java.util.Arrays;

/** A stable sort of (64-bit key, int value) pairs by unsigned key, used to lay tokens on the hash circle. */
final class RadixSort {

  private static final int DIGIT_BITS = 8;
  private static final int RADIX = 1 << DIGIT_BITS;

  private RadixSort() {}

  /**
   * Sorts {@code keys} as unsigned numbers and moves {@code values} with them. Equal keys keep their input
   * order, so pairs generated in ascending value order come out ordered by (key, value), the order Go ckit
   * gives its tokens.
   */
  static void sort(long[] keys, int[] values) {
    int size = keys.length;
    if (size < 2) {
      return;
    }
    long[] keyBuffer = new long[size];
    int[] valueBuffer = new int[size];
    long[] fromKeys = keys;
    int[] fromValues = values;
    long[] toKeys = keyBuffer;
    int[] toValues = valueBuffer;
    int[] counts = new int[RADIX];
    for (int shift = 0; shift < Long.SIZE; shift += DIGIT_BITS) {
      Arrays.fill(counts, 0);
      for (long key : fromKeys) {
        counts[(int) (key >>> shift) & (RADIX - 1)]++;
      }
      if (counts[(int) (fromKeys[0] >>> shift) & (RADIX - 1)] == size) {
        continue; // every key has the same digit here: this pass would not move anything
      }
      int position = 0;
      for (int digit = 0; digit < RADIX; digit++) {
        int count = counts[digit];
        counts[digit] = position;
        position += count;
      }
      for (int i = 0; i < size; i++) {
        int slot = counts[(int) (fromKeys[i] >>> shift) & (RADIX - 1)]++;
        toKeys[slot] = fromKeys[i];
        toValues[slot] = fromValues[i];
      }
      long[] swapKeys = fromKeys;
      fromKeys = toKeys;
      toKeys = swapKeys;
      int[] swapValues = fromValues;
      fromValues = toValues;
      toValues = swapValues;
    }
    if (fromKeys != keys) {
      System.arraycopy(fromKeys, 0, keys, 0, size);
      System.arraycopy(fromValues, 0, values, 0, size);
    }
  }
}
