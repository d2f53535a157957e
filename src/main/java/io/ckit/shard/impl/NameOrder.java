package io.ckit.shard.impl;

import java.util.Comparator;

/**
 * Orders names the way Go compares strings: by their UTF-8 bytes, which is Unicode code point order. Java's
 * {@link String#compareTo} compares UTF-16 units instead and disagrees when a character above U+FFFF meets
 * one in U+E000..U+FFFF; sharding must agree with Go, so names are always sorted with this order.
 */
public final class NameOrder implements Comparator<String> {

  public static final NameOrder INSTANCE = new NameOrder();

  private NameOrder() {}

  @Override
  public int compare(String a, String b) {
    int length = Math.min(a.length(), b.length());
    for (int i = 0; i < length; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return codePointRank(x) - codePointRank(y);
      }
    }
    return a.length() - b.length();
  }

  /** Moves surrogates above U+E000..U+FFFF so that UTF-16 units compare in code point order. */
  private static int codePointRank(char c) {
    if (c < 0xD800) {
      return c;
    }
    return c >= 0xE000 ? c - 0x800 : c + 0x2000;
  }
}
