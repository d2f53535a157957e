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
