/**
 * The membership engine: SWIM with Lifeguard, as hashicorp/memberlist v0.5.3 runs it for Go ckit, written
 * as a state machine for one event loop.
 *
 * <p>{@link io.ckit.gossip.Memberlist} takes packets and streams from a {@link io.ckit.gossip.Transport},
 * timers from a {@link io.ckit.gossip.Scheduler} and calls from the layer above, and answers with packets,
 * streams and {@link io.ckit.gossip.GossipDelegate} events. It never blocks, holds no locks and does not
 * know whether it runs over HTTP/2, in memory or in the test tree's simulator (virtual time, simulated
 * latency, loss and partitions). {@link io.ckit.gossip.GossipOptions} holds every timing (presets: ckit,
 * LAN, WAN, local); {@link io.ckit.gossip.GossipMath} holds memberlist's rules as pure functions; {@link
 * io.ckit.gossip.BroadcastQueue} is memberlist's transmit-limited queue, which the node layer also uses for
 * its own broadcasts.
 */
package io.ckit.gossip;
