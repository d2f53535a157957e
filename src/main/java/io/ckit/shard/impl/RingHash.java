package io.ckit.shard.impl;

import com.dynatrace.hash4j.hashing.HashStream64;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Ring hashing as Go ckit does it: each node places {@code numTokens} tokens on the circle, token {@code t}
 * being the hash of the node's name followed by the bytes {@code 0, 1, ..., t} (each truncated to a byte);
 * the owners of a key are the distinct nodes met walking clockwise from the key.
 *
 * <p>A rebuild reuses the previous circle: the tokens of nodes that stay are already in order, so only the
 * nodes that join are hashed and sorted, then merged in. A membership change costs one pass over the
 * tokens rather than hashing and sorting all of them.
 */
final class RingHash implements HashAlgorithm {

  private final int numTokens;

  RingHash(int numTokens) {
    this.numTokens = numTokens;
  }

  @Override
  public HashTable build(String[] names, byte[][] utf8Names, HashTable previous) {
    Table old = previous instanceof Table table ? table : Table.EMPTY;
    Map<String, Integer> indexByName = new HashMap<>(names.length * 2);
    for (int node = 0; node < names.length; node++) {
      indexByName.put(names[node], node);
    }

    // Nodes of the old circle keep their relative (name) order, so its tokens, owners renumbered, stay sorted
    // by (token, owner).
    int[] renumber = new int[old.names.length];
    int kept = 0;
    for (int oldNode = 0; oldNode < old.names.length; oldNode++) {
      Integer node = indexByName.remove(old.names[oldNode]);
      renumber[oldNode] = node == null ? -1 : node;
      kept += node == null ? 0 : 1;
    }

    // What is left in indexByName joins now: hash and sort its tokens, generated in ascending owner order.
    int joining = names.length - kept;
    long[] freshTokens = new long[Math.multiplyExact(joining, numTokens)];
    int[] freshOwners = new int[freshTokens.length];
    HashStream64 stream = Xxh64.newStream();
    int next = 0;
    for (int node = 0; node < names.length; node++) {
      if (!indexByName.containsKey(names[node])) {
        continue;
      }
      tokens(stream, utf8Names[node], numTokens, freshTokens, next);
      Arrays.fill(freshOwners, next, next + numTokens, node);
      next += numTokens;
    }
    RadixSort.sort(freshTokens, freshOwners);

    return new Table(names, merge(old.circle, renumber, kept * numTokens, freshTokens, freshOwners));
  }

  /**
   * A node's tokens, as Go ckit places them: token {@code t} is the hash of the name's bytes followed by the
   * bytes {@code 0, 1, ..., t}, each truncated to a byte. Written to {@code out} from {@code offset}.
   */
  static void tokens(HashStream64 stream, byte[] utf8Name, int numTokens, long[] out, int offset) {
    stream.reset().putBytes(utf8Name);
    for (int t = 0; t < numTokens; t++) {
      out[offset + t] = stream.putByte((byte) t).getAsLong();
    }
  }

  /** Merges the renumbered surviving tokens of {@code old} with the sorted fresh ones. */
  private static TokenCircle merge(TokenCircle old, int[] renumber, int keptTokens, long[] freshTokens,
      int[] freshOwners) {
    long[] tokens = new long[keptTokens + freshTokens.length];
    int[] owners = new int[tokens.length];
    int fresh = 0;
    int out = 0;
    for (int i = 0; i < old.size(); i++) {
      int owner = renumber[old.owner(i)];
      if (owner < 0) {
        continue;
      }
      long token = old.token(i);
      while (fresh < freshTokens.length && precedes(freshTokens[fresh], freshOwners[fresh], token, owner)) {
        tokens[out] = freshTokens[fresh];
        owners[out++] = freshOwners[fresh++];
      }
      tokens[out] = token;
      owners[out++] = owner;
    }
    int rest = freshTokens.length - fresh;
    System.arraycopy(freshTokens, fresh, tokens, out, rest);
    System.arraycopy(freshOwners, fresh, owners, out, rest);
    return TokenCircle.sorted(tokens, owners);
  }

  private static boolean precedes(long token, int owner, long otherToken, int otherOwner) {
    return token == otherToken ? owner < otherOwner : Unsigned.less(token, otherToken);
  }

  private static final class Table implements HashTable {

    static final Table EMPTY = new Table(new String[0], TokenCircle.sorted(new long[0], new int[0]));

    /** Above this many owners, seen owners are tracked in a bit set rather than by scanning the result. */
    private static final int SCAN_LIMIT = 32;

    private final String[] names;
    private final TokenCircle circle;

    Table(String[] names, TokenCircle circle) {
      this.names = names;
      this.circle = circle;
    }

    @Override
    public int size() {
      return names.length;
    }

    @Override
    public int[] owners(long key, int n) {
      int size = circle.size();
      int index = circle.ceiling(key);
      if (index == size) {
        index = 0;
      }
      int[] result = new int[n];
      long[] seen = n > SCAN_LIMIT ? new long[(names.length + 63) >>> 6] : null;
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
