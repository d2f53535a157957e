package io.ckit.shard.impl;

import com.dynatrace.hash4j.hashing.HashStream64;

/**
 * Ring hashing as Go ckit does it: each node places {@code numTokens} tokens on the circle, token {@code t}
 * being the hash of the node's name followed by the bytes {@code 0, 1, ..., t} (each truncated to a byte);
 * the owners of a key are the distinct nodes met walking clockwise from the key.
 */
final class RingHash implements HashAlgorithm {

  private final int numTokens;

  RingHash(int numTokens) {
    this.numTokens = numTokens;
  }

  @Override
  public HashTable build(String[] names, byte[][] utf8Names) {
    int count = Math.multiplyExact(names.length, numTokens);
    long[] tokens = new long[count];
    int[] owners = new int[count];
    HashStream64 stream = Xxh64.newStream();
    int next = 0;
    for (int node = 0; node < names.length; node++) {
      stream.reset().putBytes(utf8Names[node]);
      for (int t = 0; t < numTokens; t++) {
        tokens[next] = stream.putByte((byte) t).getAsLong();
        owners[next] = node;
        next++;
      }
    }
    return new Table(names.length, new TokenCircle(tokens, owners));
  }

  private static final class Table implements HashTable {

    /** Above this many owners, seen owners are tracked in a bit set rather than by scanning the result. */
    private static final int SCAN_LIMIT = 32;

    private final int nodes;
    private final TokenCircle circle;

    Table(int nodes, TokenCircle circle) {
      this.nodes = nodes;
      this.circle = circle;
    }

    @Override
    public int size() {
      return nodes;
    }

    @Override
    public int[] owners(long key, int n) {
      int size = circle.size();
      int index = circle.ceiling(key);
      if (index == size) {
        index = 0;
      }
      int[] result = new int[n];
      long[] seen = n > SCAN_LIMIT ? new long[(nodes + 63) >>> 6] : null;
      int found = 0;
      while (true) {
        int owner = circle.owner(index);
        if (seen == null ? !contains(result, found, owner) : markNew(seen, owner)) {
          result[found++] = owner;
          if (found == n) {
            return result;
          }
        }
        index = index + 1 == size ? 0 : index + 1;
      }
    }

    private static boolean contains(int[] values, int count, int value) {
      for (int i = 0; i < count; i++) {
        if (values[i] == value) {
          return true;
        }
      }
      return false;
    }

    private static boolean markNew(long[] bits, int value) {
      long mask = 1L << value;
      int word = value >>> 6;
      if ((bits[word] & mask) != 0) {
        return false;
      }
      bits[word] |= mask;
      return true;
    }
  }
}
