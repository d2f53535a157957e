/**
 * The consistent-hash tables behind {@link io.ckit.shard.Sharder}: ring, rendezvous and multiprobe, each a
 * {@code HashAlgorithm} that builds immutable {@code HashTable}s over names in Go's order, and {@link
 * io.ckit.shard.impl.ChashSharder}, which keeps one table for reads and one for writes and publishes them
 * together. Not API: use {@link io.ckit.shard.Sharders}.
 */
package io.ckit.shard.impl;
