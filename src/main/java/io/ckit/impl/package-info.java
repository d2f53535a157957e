/**
 * The node's implementation, a room per job:
 * <ul>
 *   <li>{@link io.ckit.impl.NodeImpl}: the lifecycle (start, stop, changeState), the engine, transport and
 *       event-bus consumers, and the engine's delegate, which hands each job to the rooms below;
 *   <li>{@link io.ckit.impl.PeerStates}: ckit's state gossip as plain Java: the state message of every peer, the
 *       peer table, this node's state, and the rules for messages, refutations and push/pull state;
 *   <li>{@link io.ckit.impl.LamportClock}: ckit's Lamport clock;
 *   <li>{@link io.ckit.impl.PeerPublisher}: the peer table to sorted snapshot, sharder, peer gauges, observers
 *       and the event bus, once per event-loop turn;
 *   <li>{@link io.ckit.impl.ObserverDispatcher}: calls observers on the contexts that registered them;
 *   <li>{@link io.ckit.impl.ContextScheduler}: the engine's timers on the node's context;
 *   <li>{@link io.ckit.impl.MembershipEventLog}: the last hour's membership events, a bounded ring.
 * </ul>
 * Everything a node holds is confined to the node's context; only immutable snapshots and volatile values are
 * read elsewhere.
 */
package io.ckit.impl;
