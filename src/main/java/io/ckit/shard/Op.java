package io.ckit.shard;

/** What a lookup's owners will be used for; it decides which peers are eligible owners. */
public enum Op {

  /** Read-only use: participants and terminating peers may own the key. */
  READ,

  /** Read or write use: only participants may own the key. */
  READ_WRITE
}
