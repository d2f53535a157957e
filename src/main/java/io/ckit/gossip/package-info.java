/**
 * The membership engine: SWIM with Lifeguard, as hashicorp/memberlist v0.5.3 runs it for Go ckit, written
 * as a state machine for one event loop.
 *
 * <p>{@link io.ckit.gossip.Memberlist} takes packets and streams from a {@link io.ckit.gossip.Transport},
 * timers from a {@link io.ckit.gossip.Scheduler} and calls from the layer above, and answers with packets,
 * streams and {@link io.ckit.gossip.GossipDelegate} events. It never blocks, holds no locks and does not
 * know whether it runs over HTTP/2, in memory or in the test tree's simulator (virtual time, simulated
 * latency, loss and partitions). It is given who it is ({@link io.ckit.gossip.MemberIdentity}: name, address,
 * label) and how to run ({@link io.ckit.gossip.GossipOptions}: every timing; presets ckit, LAN, WAN, local);
 * {@link io.ckit.gossip.GossipMath} holds memberlist's rules as pure functions; {@link
 * io.ckit.gossip.BroadcastQueue} is memberlist's transmit-limited queue, which the node layer also uses for
 * its own broadcasts.
 *
 * <p>Behind the {@code Memberlist} façade the engine is split by protocol, one package-private room each:
 *
 * <ul>
 *   <li>{@code EngineContext}: what the rooms share: options, codecs, transport, table, queue, counters;
 *   <li>{@code MemberTable}: the member map and probe order, reaping, random choice of members;
 *   <li>{@code MembershipRules}: alive, suspect and dead news, refutation, suspicion timers, the leave;
 *   <li>{@code FailureDetector}: the probe loop, indirect probes, ack and nack handlers, local health;
 *   <li>{@code Gossiper}: gossip rounds, packing broadcasts into compounds, every packet out;
 *   <li>{@code PacketHandler}: every packet in, decoded and handed to the detector or the rules;
 *   <li>{@code PushPullSync}: join, periodic push/pull, both sides of a stream, the protocol-version check;
 *   <li>{@code StreamReader}: reads the one message a stream carries, within its deadline;
 *   <li>{@code NodeState}, {@code Suspicion}, {@code Awareness}: a member's record, a suspicion, local health.
 * </ul>
 */
package io.ckit.gossip;
