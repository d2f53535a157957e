/**
 * Consistent-hash ownership of keys, with the same answers as Go ckit's {@code shard} package.
 *
 * <p>A {@link io.ckit.shard.Key} is the xxHash64 of an object's identity ({@link io.ckit.shard.Key#ofString},
 * {@link io.ckit.shard.KeyBuilder}). A {@link io.ckit.shard.Sharder}, made by {@link io.ckit.shard.Sharders}
 * (ring, rendezvous, multiprobe), maps a key to its owners among the peers given to it; viewers never own,
 * terminating peers own for {@link io.ckit.shard.Op#READ} only. Results, order included, are bit-identical to
 * Go ckit's for the same peers, which the reference vectors captured from a Go node check.
 */
package io.ckit.shard;
