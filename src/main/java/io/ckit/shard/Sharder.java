package io.ckit.shard;

import io.ckit.peer.Peer;
import java.util.Collection;
import java.util.List;

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
public interface Sharder {

  /**
   * Returns the {@code n} owners of a key, best first, for the given use. The same key, peer set and {@code
   * n} always give the same owners in the same order; the first {@code n - 1} owners for {@code n} are the
   * owners for {@code n - 1}.
   *
   * @return an immutable list of exactly {@code n} distinct peers (empty when {@code n} is 0)
   * @throws NotEnoughNodesException if fewer than {@code n} peers are eligible for {@code op}
   * @throws IllegalArgumentException if {@code n} is negative
   */
  List<Peer> lookup(Key key, int n, Op op);

  /** The peers that may own keys (participants and terminating peers), sorted by name; immutable. */
  List<Peer> peers();

  /**
   * Replaces the peer set. Viewers are accepted and ignored.
   *
   * @throws IllegalArgumentException if two peers have the same name
   */
  void setPeers(Collection<Peer> peers);
}
