package io.ckit.shard.impl;

/**
 * Multi-probe consistent hashing (Appleton and O'Reilly, arXiv:1505.00062) as Go ckit does it: one token per
 * node, the hash of its name; a key is probed 21 times at {@code h1 + k * h2}, where {@code h1} and {@code h2}
 * are hashes of the key's and of {@code h1}'s hexadecimal text; the first owner is the node whose token is
 * nearest to any probe, and further owners are the tokens that follow it.
 */
final class MultiprobeHash implements HashAlgorithm {

  private static final int PROBES = 21;

  @Override
  public HashTable build(String[] names, byte[][] utf8Names) {
    long[] tokens = new long[names.length];
    int[] owners = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      tokens[i] = Xxh64.hash(utf8Names[i]);
      owners[i] = i;
    }
    return new Table(new TokenCircle(tokens, owners));
  }

  private static final class Table implements HashTable {

    private final TokenCircle circle;

    Table(TokenCircle circle) {
      this.circle = circle;
    }

    @Override
    public int size() {
      return circle.size();
    }

    @Override
    public int[] owners(long key, int n) {
      long h1 = Xxh64.hashHex(key);
      long h2 = Xxh64.hashHex(h1);
      int closest = 0;
      long closestDistance = -1L; // unsigned maximum
      for (int k = 0; k < PROBES; k++) {
        long probe = h1 + k * h2;
        int index = nearest(probe);
        long distance = distance(circle.token(index), probe);
        if (Long.compareUnsigned(distance, closestDistance) < 0) {
          closest = index;
          closestDistance = distance;
        }
      }
      int size = circle.size();
      int[] result = new int[n];
      for (int i = 0; i < n; i++) {
        result[i] = circle.owner((closest + i) % size);
      }
      return result;
    }

    /**
     * The index of the token nearest to {@code probe} on the line (not around the circle), comparing only
     * the tokens either side of it, the earlier one winning a tie: ckit's {@code findClosest}.
     */
    private int nearest(long probe) {
      int size = circle.size();
      int after = circle.ceiling(probe);
      int before = after == 0 ? size - 1 : after - 1;
      if (after == size) {
        after = 0;
      }
      long distanceBefore = distance(circle.token(before), probe);
      long distanceAfter = distance(circle.token(after), probe);
      return Long.compareUnsigned(distanceBefore, distanceAfter) <= 0 ? before : after;
    }

    private static long distance(long a, long b) {
      return Long.compareUnsigned(a, b) < 0 ? b - a : a - b;
    }
  }
}
