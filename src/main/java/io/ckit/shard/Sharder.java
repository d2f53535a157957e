package io.ckit.shard;

import io.ckit.peer.Peer;
import java.util.Collection;

/**
 * Decides which peers own a key, by consistent hashing over the peers' names. Every node that gives the
 * same peers to the same kind of sharder computes the same owners, with no coordination, and the owners are
 * the ones Go ckit computes.
 *
 * <p>Viewers never own keys; participants own keys for every {@link Op}; terminating peers own keys for
 * {@link Op#READ} only.
 *
 * <p>Concurrency: {@link #lookup} and {@link #peers} may run on any thread while another thread calls
 * {@link #setPeers}; each sees either the whole old peer set or the whole new one. The cost of a change is
 * paid in {@code setPeers}, never in {@code lookup}.
 */
public interface Sharder extends ReadOnlySharder {

  /**
   * Replaces the peer set. Viewers are accepted and ignored.
   *
   * @throws IllegalArgumentException if two peers have the same name
   */
  void setPeers(Collection<Peer> peers);
}
