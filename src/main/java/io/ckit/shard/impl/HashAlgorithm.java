package io.ckit.shard.impl;

/** Builds {@link HashTable}s of one consistent-hashing algorithm. */
interface HashAlgorithm {

  /**
   * Builds the table for these nodes.
   *
   * @param names the nodes' names, distinct and in {@link NameOrder}
   * @param utf8Names the same names as UTF-8 bytes, the form that is hashed
   * @param previous a table this algorithm built before, whose per-node work may be reused, or null
   */
  HashTable build(String[] names, byte[][] utf8Names, HashTable previous);
}
