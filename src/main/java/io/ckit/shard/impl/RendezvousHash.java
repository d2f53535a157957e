package io.ckit.shard.impl;

/**
 * Rendezvous (highest random weight) hashing as Go ckit does it: every node scores a key with {@code
 * xorshift-multiply(key ^ hash(name))}; the owners are the nodes with the lowest scores, ties going to the
 * name that sorts first. Go sorts all N scores per lookup; this keeps only the best {@code n} while scanning.
 */
final class RendezvousHash implements HashAlgorithm {

  @Override
  public HashTable build(String[] names, byte[][] utf8Names, HashTable previous) {
    long[] nameHashes = new long[names.length];
    for (int i = 0; i < names.length; i++) {
      nameHashes[i] = Xxh64.hash(utf8Names[i]);
    }
    return new Table(nameHashes);
  }

  /** Vigna's xorshift64* output step, as ckit's {@code xorshiftMult64}. */
  static long score(long key, long nameHash) {
    long x = key ^ nameHash;
    x ^= x >>> 12;
    x ^= x << 25;
    x ^= x >>> 27;
    return x * 2685821657736338717L;
  }

  private static final class Table implements HashTable {

    private final long[] nameHashes;

    Table(long[] nameHashes) {
      this.nameHashes = nameHashes;
    }

    @Override
    public int size() {
      return nameHashes.length;
    }

    @Override
    public int[] owners(long key, int n) {
      // best holds node indices ordered by (score, index); nodes are scanned in index order, so a node
      // whose score equals one already kept ranks after it and is kept only if there is room.
      int[] best = new int[n];
      int kept = 0;
      long worst = 0;
      for (int node = 0; node < nameHashes.length; node++) {
        long score = score(key, nameHashes[node]);
        if (kept == n) {
          if (!Unsigned.less(score, worst)) {
            continue;
          }
          kept--;
        }
        int position = insertionPoint(best, kept, key, score);
        System.arraycopy(best, position, best, position + 1, kept - position);
        best[position] = node;
        kept++;
        if (kept == n) {
          worst = score(key, nameHashes[best[n - 1]]);
        }
      }
      return best;
    }

    /** The first position among {@code best[0..kept)} whose score is above {@code score}. */
    private int insertionPoint(int[] best, int kept, long key, long score) {
      int low = 0;
      int high = kept;
      while (low < high) {
        int middle = (low + high) >>> 1;
        if (Unsigned.lessOrEqual(score(key, nameHashes[best[middle]]), score)) {
          low = middle + 1;
        } else {
          high = middle;
        }
      }
      return low;
    }
  }
}
