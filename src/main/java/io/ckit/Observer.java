package io.ckit;

import io.ckit.peer.Peer;
import java.util.List;

/**
 * Told when the cluster changes: a peer joins or leaves, or a peer's state changes (ckit's {@code
 * Observer}).
 *
 * <p>Observers of a node run one after another, in the order they were registered, on a thread of the
 * node's own (never on the event loop that runs gossip). A slow observer does not hold gossip up: the
 * changes that happen meanwhile are coalesced, and every observer is next called with the newest set only.
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
