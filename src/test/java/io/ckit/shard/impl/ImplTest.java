package io.ckit.shard.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The building blocks behind the sharders, each against a slow but obvious reference. */
class ImplTest {

  @Test
  void hexHashMatchesHashingGosHexText() {
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      long value = random.nextLong() >>> random.nextInt(64);
      assertThat(Xxh64.hashHex(value))
          .as("value %s", Long.toHexString(value))
          .isEqualTo(Xxh64.hash(Long.toHexString(value).getBytes(StandardCharsets.US_ASCII)));
    }
    for (long value : new long[] {0, 1, 0xF, 0x10, -1L, Long.MIN_VALUE, 0x0FFF_FFFF_FFFF_FFFFL}) {
      assertThat(Xxh64.hashHex(value))
          .isEqualTo(Xxh64.hash(Long.toHexString(value).getBytes(StandardCharsets.US_ASCII)));
    }
  }

  @Test
  void namesSortByUtf8BytesAsInGo() {
    Comparator<String> utf8 = (a, b) -> Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    String[] alphabet = {"a", "b", "z", "é", "α", "節", "\uE000", "\uFFFD", "\uFF21", "🚀", "𝔸", "-", "_", "0"};
    Random random = new Random(5);
    for (int i = 0; i < 20_000; i++) {
      String a = randomName(random, alphabet);
      String b = randomName(random, alphabet);
      assertThat(Integer.signum(NameOrder.INSTANCE.compare(a, b)))
          .as("%s vs %s", a, b)
          .isEqualTo(Integer.signum(utf8.compare(a, b)));
    }
    assertThat(NameOrder.INSTANCE.compare("\uFFFD", "🚀")).isNegative();
    assertThat("\uFFFD".compareTo("🚀")).as("Java's own order differs here").isPositive();
  }

  @Test
  void radixSortOrdersUnsignedAndKeepsTiesInInputOrder() {
    Random random = new Random(9);
    for (int size : new int[] {0, 1, 2, 3, 100, 5000}) {
      long[] keys = new long[size];
      int[] values = new int[size];
      for (int i = 0; i < size; i++) {
        keys[i] = random.nextInt(4) == 0 ? random.nextInt(8) - 4 : random.nextLong();
        values[i] = i;
      }
      long[][] expected = new long[size][];
      for (int i = 0; i < size; i++) {
        expected[i] = new long[] {keys[i], values[i]};
      }
      Arrays.sort(expected, (a, b) -> a[0] == b[0] ? Long.compare(a[1], b[1]) : Long.compareUnsigned(a[0], b[0]));
      RadixSort.sort(keys, values);
      for (int i = 0; i < size; i++) {
        assertThat(new long[] {keys[i], values[i]}).as("position %d of %d", i, size).isEqualTo(expected[i]);
      }
    }
  }

  @Test
  void bucketedCeilingFindsWhatABinarySearchFinds() {
    Random random = new Random(13);
    for (int size : new int[] {1, 2, 3, 10, 100, 1000, 70_000}) {
      long[] tokens = new long[size];
      int[] owners = new int[size];
      for (int i = 0; i < size; i++) {
        // Some clustered and some duplicate tokens, besides uniform ones, to crowd buckets.
        tokens[i] = switch (random.nextInt(4)) {
          case 0 -> random.nextInt(16);
          case 1 -> -1L - random.nextInt(16);
          case 2 -> tokens[Math.max(0, i - 1)];
          default -> random.nextLong();
        };
        owners[i] = i;
      }
      TokenCircle circle = TokenCircle.sort(tokens.clone(), owners);
      long[] sorted = new long[size];
      for (int i = 0; i < size; i++) {
        sorted[i] = circle.token(i);
      }
      for (int probe = 0; probe < 20_000; probe++) {
        long key = switch (probe % 3) {
          case 0 -> sorted[random.nextInt(size)] + random.nextInt(3) - 1;
          case 1 -> random.nextInt(32) - 16;
          default -> random.nextLong();
        };
        int expected = 0;
        while (expected < size && Long.compareUnsigned(sorted[expected], key) < 0) {
          expected++;
        }
        assertThat(circle.ceiling(key)).as("size %d key %s", size, Long.toUnsignedString(key)).isEqualTo(expected);
      }
    }
  }

  @Test
  void multiprobeMatchesAStraightPortOfCkitsSearch() {
    Random random = new Random(17);
    for (int size : new int[] {1, 2, 5, 40}) {
      String[] names = new String[size];
      byte[][] utf8 = new byte[size][];
      for (int i = 0; i < size; i++) {
        names[i] = "n" + i;
      }
      Arrays.sort(names, NameOrder.INSTANCE);
      long[] tokens = new long[size];
      int[] owners = new int[size];
      for (int i = 0; i < size; i++) {
        utf8[i] = names[i].getBytes(StandardCharsets.UTF_8);
        tokens[i] = Xxh64.hash(utf8[i]);
        owners[i] = i;
      }
      TokenCircle circle = TokenCircle.sort(tokens, owners);
      HashTable table = new MultiprobeHash().build(names, utf8, null);
      for (int i = 0; i < 5_000; i++) {
        long key = random.nextLong();
        assertThat(table.owners(key, 1)[0]).isEqualTo(circle.owner(straightPortClosest(circle, key)));
      }
    }
  }

  /** ckit's multiprobe Get, line by line, with a linear search: the reference for the optimized one. */
  private static int straightPortClosest(TokenCircle circle, long key) {
    long h1 = Xxh64.hash(Long.toHexString(key).getBytes(StandardCharsets.US_ASCII));
    long h2 = Xxh64.hash(Long.toHexString(h1).getBytes(StandardCharsets.US_ASCII));
    int size = circle.size();
    int closestIdx = 0;
    long closestDist = -1L;
    for (int k = 0; k < 21; k++) {
      long h = h1 + k * h2;
      int found = 0;
      while (found < size && Long.compareUnsigned(circle.token(found), h) < 0) {
        found++;
      }
      int idxA = found - 1 < 0 ? size - 1 : found - 1;
      int idxB = found % size;
      long distA = lineDistance(circle.token(idxA), h);
      long distB = lineDistance(circle.token(idxB), h);
      int idx = Long.compareUnsigned(distA, distB) <= 0 ? idxA : idxB;
      long dist = lineDistance(circle.token(idx), h);
      if (Long.compareUnsigned(dist, closestDist) < 0) {
        closestIdx = idx;
        closestDist = dist;
      }
    }
    return closestIdx;
  }

  private static long lineDistance(long a, long b) {
    return Long.compareUnsigned(a, b) < 0 ? b - a : a - b;
  }

  @Test
  void rendezvousScoreIsCkitsXorshiftMultiply() {
    // xorshiftMult64(1) worked by hand: 1 ^ 1<<25 = 0x2000001, then ^ >>>27 leaves it, then * the constant.
    assertThat(RendezvousHash.score(1, 0)).isEqualTo(0x2000001L * 2685821657736338717L);
    assertThat(RendezvousHash.score(0, 0)).isZero();
  }

  private static String randomName(Random random, String[] alphabet) {
    StringBuilder name = new StringBuilder();
    int length = random.nextInt(4);
    for (int i = 0; i < length; i++) {
      name.append(alphabet[random.nextInt(alphabet.length)]);
    }
    return name.toString();
  }
}
