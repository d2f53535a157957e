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
  public HashTable build(String[] names, byte[][] utf8Names, HashTable previous) {
    long[] tokens = new long[names.length];
    int[] owners = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      tokens[i] = Xxh64.hash(utf8Names[i]);
      owners[i] = i;
    }
    return new Table(TokenCircle.sort(tokens, owners));
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
      int size = circle.size();
      int closest = 0;
      long closestDistance = -1L; // unsigned maximum
      for (int k = 0; k < PROBES; k++) {
        long probe = h1 + k * h2;
        // ckit's findClosest: of the tokens either side of the probe, the nearer on the line (not around the
        // circle), the earlier one on a tie. Inside the circle the tokens bracket the probe, so each distance
        // is a plain difference; past either end both tokens lie on one side of it.
        int after = circle.ceiling(probe);
        int index;
        long distance;
        if (after != 0 && after != size) {
          long distanceBefore = probe - circle.token(after - 1);
          long distanceAfter = circle.token(after) - probe;
          boolean beforeWins = Unsigned.lessOrEqual(distanceBefore, distanceAfter);
          index = beforeWins ? after - 1 : after;
          distance = beforeWins ? distanceBefore : distanceAfter;
        } else if (after == size) {
          // Every token is below the probe: the last one is nearest.
          index = size - 1;
          distance = probe - circle.token(size - 1);
        } else {
          // Every token is at or above the probe: the first is nearest, unless the last equals it.
          long first = circle.token(0);
          index = first == circle.token(size - 1) ? size - 1 : 0;
          distance = first - probe;
        }
        if (Unsigned.less(distance, closestDistance)) {
          closest = index;
          closestDistance = distance;
        }
      }
      int[] result = new int[n];
      for (int i = 0; i < n; i++) {
        result[i] = circle.owner((closest + i) % size);
      }
      return result;
    }
  }
}
