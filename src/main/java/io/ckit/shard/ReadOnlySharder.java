package io.ckit.shard;

import io.ckit.peer.Peer;
import java.util.List;

/**
 * The owners of keys, as a node's sharder answers them ({@code Node.sharder()}): lookups only, since the node
 * keeps the peer set in step with the cluster itself.
 *
 * <p>Concurrency: callable from any thread; each call sees one whole peer set.
 */
public interface ReadOnlySharder {

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
}
