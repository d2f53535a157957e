package io.ckit.shard.impl;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.Sharder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Sharder} over one consistent-hash algorithm, as ckit's {@code chasher}: one table of readable
 * peers (participants and terminating) and one of writable peers (participants), rebuilt together by {@link
 * #setPeers} and published as one immutable snapshot.
 */
public final class ChashSharder implements Sharder {

  private static final Comparator<Peer> BY_NAME = Comparator.comparing(Peer::name, NameOrder.INSTANCE);

  private final String description;
  private final HashAlgorithm algorithm;
  private volatile Snapshot snapshot;

  private ChashSharder(String description, HashAlgorithm algorithm) {
    this.description = description;
    this.algorithm = algorithm;
    this.snapshot = build(new Peer[0], null);
  }

  /** Ring hashing with {@code numTokens} tokens a node; the caller has checked the count. */
  public static ChashSharder ring(int numTokens) {
    return new ChashSharder("ring:" + numTokens, new RingHash(numTokens));
  }

  /** Rendezvous (highest random weight) hashing. */
  public static ChashSharder rendezvous() {
    return new ChashSharder("rendezvous", new RendezvousHash());
  }

  /** Multi-probe consistent hashing. */
  public static ChashSharder multiprobe() {
    return new ChashSharder("multiprobe", new MultiprobeHash());
  }

  @Override
  public List<Peer> lookup(Key key, int n, Op op) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(op, "op");
    if (n < 0) {
      throw new IllegalArgumentException("number of owners must not be negative, got " + n);
    }
    Snapshot current = snapshot;
    Group group = op == Op.READ ? current.read : current.readWrite;
    if (n > group.table.size()) {
      throw new NotEnoughNodesException(n, group.table.size());
    }
    if (n == 0) {
      return List.of();
    }
    return new OwnerList(group.peers, group.table.owners(key.bits(), n));
  }

  @Override
  public List<Peer> peers() {
    return snapshot.peers;
  }

  @Override
  public void setPeers(Collection<Peer> peers) {
    Objects.requireNonNull(peers, "peers");
    Peer[] sorted = peers.toArray(new Peer[0]);
    for (Peer peer : sorted) {
      Objects.requireNonNull(peer, "peers must not contain null");
    }
    Arrays.sort(sorted, BY_NAME);
    for (int i = 1; i < sorted.length; i++) {
      if (sorted[i].name().equals(sorted[i - 1].name())) {
        throw new IllegalArgumentException("duplicate peer name \"" + sorted[i].name() + "\"");
      }
    }
    snapshot = build(sorted, snapshot);
  }

  /** The algorithm and its parameters, in the form {@link io.ckit.shard.Sharders#parse} reads. */
  @Override
  public String toString() {
    return description;
  }

  /** Builds the tables for a new peer set, reusing what the algorithm can of the previous snapshot's. */
  private Snapshot build(Peer[] sortedPeers, Snapshot previous) {
    List<Peer> readable = new ArrayList<>(sortedPeers.length);
    List<Peer> writable = new ArrayList<>(sortedPeers.length);
    for (Peer peer : sortedPeers) {
      if (peer.state() == PeerState.PARTICIPANT) {
        readable.add(peer);
        writable.add(peer);
      } else if (peer.state() == PeerState.TERMINATING) {
        readable.add(peer);
      }
    }
    Group read = group(readable, previous == null ? null : previous.read.table);
    // Writable peers are a subset of readable ones: with no terminating peer (the usual case) they are the
    // same set and share one table; otherwise the read table holds all the work the write table can reuse.
    Group readWrite = writable.size() == readable.size() ? read : group(writable, read.table);
    return new Snapshot(List.copyOf(readable), read, readWrite);
  }

  private Group group(List<Peer> members, HashTable previous) {
    Peer[] peers = members.toArray(new Peer[0]);
    String[] names = new String[peers.length];
    byte[][] utf8Names = new byte[peers.length][];
    for (int i = 0; i < peers.length; i++) {
      names[i] = peers[i].name();
      utf8Names[i] = names[i].getBytes(StandardCharsets.UTF_8);
    }
    return new Group(peers, algorithm.build(names, utf8Names, previous));
  }

  /** The peers eligible for one {@link Op}, in name order, and their table. */
  private record Group(Peer[] peers, HashTable table) {}

  private record Snapshot(List<Peer> peers, Group read, Group readWrite) {}
}
