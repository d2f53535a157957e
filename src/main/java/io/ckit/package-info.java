/**
 * ckit's cluster API for Vert.x: {@link io.ckit.Node} (created with {@link io.ckit.NodeOptions}, or deployed
 * as a {@link io.ckit.NodeVerticle}) gossips membership over HTTP/2 with its peers, tracks each peer's state
 * (viewer, participant, terminating) with Lamport-clocked state messages, keeps a sharder in step, and tells
 * {@link io.ckit.Observer}s, the event bus ({@code <prefix>.peers}) and the shard lookup service ({@code
 * <prefix>.shard}, see {@link io.ckit.shard.ShardService}) about changes. Its gossip can be encrypted
 * ({@link io.ckit.EncryptionOptions}), its keys rotated while it runs. {@link io.ckit.Advertise} picks an
 * address to advertise from network interface names.
 *
 * <p>Layers below: {@code io.ckit.gossip} (the SWIM/Lifeguard engine), {@code io.ckit.transport} (HTTP/2),
 * {@code io.ckit.wire} (codecs), {@code io.ckit.shard} (sharders), {@code io.ckit.metrics} (Micrometer
 * meters), {@code io.ckit.config} (what the options classes share: durations, JSON values, bounds);
 * {@code io.ckit.impl} holds the node's implementation.
 */
package io.ckit;
