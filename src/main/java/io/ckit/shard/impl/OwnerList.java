package io.ckit.shard.impl;

import io.ckit.peer.Peer;
import java.util.AbstractList;
import java.util.RandomAccess;

/** The immutable result of a lookup: a view of owner indices into a peer array that is never modified. */
final class OwnerList extends AbstractList<Peer> implements RandomAccess {

  private final Peer[] peers;
  private final int[] owners;

  OwnerList(Peer[] peers, int[] owners) {
    this.peers = peers;
    this.owners = owners;
  }

  @Override
  public Peer get(int index) {
    return peers[owners[index]];
  }

  @Override
  public int size() {
    return owners.length;
  }
}
