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
 *   <li>{@link io.ckit.impl.ObserverDispatcher}: calls observers on the contexts that registered them, no more
 *       often than the minimum interval;
 *   <li>{@link io.ckit.impl.ClusterSizeWait}: readiness by cluster size, Alloy's wait-for-size;
 *   <li>{@link io.ckit.impl.ContextScheduler}: the engine's timers on the node's context;
 *   <li>{@link io.ckit.impl.Joiner}: joins through a random few resolved addresses, and rejoins only what is
 *       missing (unmatched addresses, members that died or left within the retention window);
 *   <li>{@link io.ckit.impl.JoinAddressResolver} and {@link io.ckit.impl.ResolvConf}: {@code host:port},
 *       {@code dns+} and {@code dnssrv+} join addresses, resolved without blocking through the search list;
 *   <li>{@link io.ckit.impl.JoinLoop}: for the verticle and the runnable node: joining in the background with
 *       backoff, the move to the configured state once joined, joined by a peer, or carried on alone;
 *   <li>{@link io.ckit.impl.NodeKeyring}: the gossip keyring from the options or a key file it follows, rotated
 *       through the node, handed to the engine at every change;
 *   <li>{@link io.ckit.impl.MembershipEventLog}: the last hour's membership events, a bounded ring.
 * </ul>
 * Everything a node holds is confined to the node's context; only immutable snapshots and volatile values are
 * read elsewhere.
 */
package io.ckit.impl;
