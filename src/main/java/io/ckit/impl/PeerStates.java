package io.ckit.impl;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.wire.LocalState;
import io.ckit.wire.StateMessage;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ckit's state gossip, as plain Java: the last state message of every node, the peer table (each member with the
 * state it last announced), this node's own state, and the rules of ckit's {@code handleStateMessage}, refutation,
 * {@code LocalState} and {@code MergeRemoteState}. It decides what a message means and what to gossip on; the
 * node encodes, queues and counts. Every change to the peer table is reported to {@code peersChanged}.
 *
 * <p>Concurrency: confined to the node's context (fields are plain maps, no locks); of what it holds only the
 * clock is read elsewhere.
 */
final class PeerStates {

  private static final System.Logger LOG = System.getLogger(PeerStates.class.getName());

  private final String self;
  private final LamportClock clock;
  private final Runnable peersChanged;
  private final Map<String, StateMessage> states = new HashMap<>();
  private final Map<String, Peer> peers = new HashMap<>();
  private PeerState local = PeerState.VIEWER;

  /**
   * @param self         this node's name
   * @param clock        the node's clock, ticked for this node's messages and moved by every one heard
   * @param peersChanged told (synchronously) whenever the peer table changed
   */
  PeerStates(String self, LamportClock clock, Runnable peersChanged) {
    this.self = self;
    this.clock = clock;
    this.peersChanged = peersChanged;
  }

  /** This node's own state. */
  PeerState local() {
    return local;
  }

  /** The peer table: every member as a peer, this node included once it has joined; a read-only view. */
  Collection<Peer> peers() {
    return Collections.unmodifiableCollection(peers.values());
  }

  /** The member of that name in the peer table, or null. */
  Peer peer(String name) {
    return peers.get(name);
  }

  /** How many members the peer table holds. */
  int size() {
    return peers.size();
  }

  /** The last state message about this node, or null before its first change of state. */
  StateMessage own() {
    return states.get(self);
  }

  /**
   * Moves this node to a state (the caller has checked the transition).
   *
   * @return the message that announces it, stamped with a new time
   */
  StateMessage changeLocal(PeerState to) {
    local = to;
    StateMessage message = new StateMessage(self, to, clock.tick());
    store(message);
    return message;
  }

  /**
   * Handles a state message from the cluster (ckit's handleStateMessage).
   *
   * @return the message to gossip on: the message itself if it is news, a newer message about this node if it
   *     was a stale or colliding one about this node (a refutation), or null if there is nothing to gossip
   */
  StateMessage handle(StateMessage message) {
    clock.observe(message.time());
    StateMessage current = states.get(message.nodeName());
    boolean aboutSelf = message.nodeName().equals(self);
    if (current != null && LamportClock.compare(message.time(), current.time()) <= 0) {
      if (aboutSelf && message.time() == current.time() && message.newState() != current.newState()) {
        return refute(message);
      }
      return null;
    }
    if (aboutSelf) {
      return refute(message);
    }
    LOG.log(Level.DEBUG, () -> "node " + self + " handling state message " + message);
    store(message);
    return message;
  }

  /** Replaces a message about this node that is not ours (from a previous run, say) with a newer true one. */
  private StateMessage refute(StateMessage message) {
    LOG.log(Level.DEBUG, () -> "node " + self + " got stale message about self: " + message);
    StateMessage truth = new StateMessage(self, local, clock.tick());
    store(truth);
    return truth;
  }

  private void store(StateMessage message) {
    states.put(message.nodeName(), message);
    Peer peer = peers.get(message.nodeName());
    if (peer != null && peer.state() != message.newState()) {
      peers.put(peer.name(), peer.withState(message.newState()));
      peersChanged.run();
    }
  }

  /**
   * What a push/pull sends (ckit's LocalState): the clock, and the state of every member of the peer table, a
   * viewer at time 0 for one whose state this node has not heard.
   */
  LocalState localState() {
    List<StateMessage> known = new ArrayList<>(peers.size());
    for (String peer : peers.keySet()) {
      StateMessage state = states.get(peer);
      known.add(state != null ? state : new StateMessage(peer, PeerState.VIEWER, 0));
    }
    return new LocalState(clock.now(), known);
  }

  /**
   * Merges what another member sent in a push/pull (ckit's MergeRemoteState): its clock is observed, each state
   * handled as a message, and the states of nodes that neither side knows as a member any more are forgotten.
   *
   * @return the messages to gossip on, in the order they were handled
   */
  List<StateMessage> merge(LocalState remote) {
    clock.observe(remote.currentTime());
    List<StateMessage> news = new ArrayList<>();
    Set<String> remoteNames = new HashSet<>();
    if (remote.nodeStates() != null) {
      for (StateMessage message : remote.nodeStates()) {
        remoteNames.add(message.nodeName());
        StateMessage onward = handle(message);
        if (onward != null) {
          news.add(onward);
        }
      }
    }
    states.keySet().removeIf(node -> !peers.containsKey(node) && !remoteNames.contains(node));
    return news;
  }

  /**
   * A member joined or was updated: it enters the peer table with the state last heard of it (viewer if none)
   * and the metadata it gossips.
   */
  void memberAlive(String name, String addr, Map<String, String> metadata) {
    StateMessage state = states.get(name);
    Peer peer = new Peer(name, addr, name.equals(self), state != null ? state.newState() : PeerState.VIEWER,
        metadata);
    if (!peer.equals(peers.put(name, peer))) {
      peersChanged.run();
    }
  }

  /**
   * A member died or left: it leaves the peer table. One that left for good also loses its state, so that a
   * restart comes back as a new viewer; a dead member may come back, so its state stays until a push/pull shows
   * that neither side knows it.
   */
  void memberGone(String name, boolean left) {
    if (peers.remove(name) != null) {
      peersChanged.run();
    }
    if (left) {
      states.remove(name);
    }
  }
}
