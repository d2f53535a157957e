package io.ckit.shard.impl;

/** Builds {@link HashTable}s of one consistent-hashing algorithm. */
interface HashAlgorithm {

  /**
   * Builds the table for these nodes.
   *
   * @param names the nodes' names, distinct and in {@link NameOrder}
   * @param utf8Names the same names as UTF-8 bytes, the form that is hashed
   */
  HashTable build(String[] names, byte[][] utf8Names);
}
