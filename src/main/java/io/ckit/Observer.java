package io.ckit;

import io.ckit.peer.Peer;
import java.util.List;

/**
 * Told when the cluster changes: a peer joins or leaves, or a peer's state changes (ckit's {@code
 * Observer}).
 *
 * <p>An observer runs where Vert.x runs any handler: on the context that registered it (a verticle's observer
 * on the verticle's event loop, so it may touch the verticle's state), or, when it was registered from
 * outside any Vert.x context, on a worker thread, one call at a time. Like any handler on an event loop, an
 * observer must not block there; it may block on a worker. The observers of a node are called one after
 * another, in the order they were registered. A slow observer builds no backlog: the changes that happen
 * meanwhile are coalesced, and every observer is next called with the newest set only. The node's own gossip
 * runs in tasks of its own, so it stays on time even when an observer shares its event loop, unless the
 * observer blocks. An observer registered by a verticle is unregistered when the verticle is undeployed.
 */
@FunctionalInterface
public interface Observer {

  /**
   * The peer set changed.
   *
   * @param peers every known peer, sorted by name, this node included (an immutable list)
   * @return true to stay registered, false to be removed
   */
  boolean peersChanged(List<Peer> peers);
}
