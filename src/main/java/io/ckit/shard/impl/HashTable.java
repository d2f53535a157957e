package io.ckit.shard.impl;

/**
 * An immutable consistent-hash table over a fixed list of node names (given in {@link NameOrder}); safe to
 * read from any thread. Owners are returned as indices into that list.
 */
interface HashTable {

  /** How many nodes the table holds. */
  int size();

  /**
   * The owners of {@code key}, best first, as indices into the node list.
   *
   * @param n how many owners; the caller guarantees {@code 0 < n <= size()}
   */
  int[] owners(long key, int n);
}
