package io.ckit.gossip;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The members one engine tracks (memberlist's {@code nodeMap} and {@code nodes}): a map by name, and a list
 * in probe order. A new member goes to a random place in the list; each time the probe round comes back to
 * the start, members dead or left for longer than {@code gossipToTheDeadTime} are reaped and the order is
 * reshuffled. It also picks random members, for indirect probes, gossip and push/pull.
 *
 * <p>It decides nothing about a member's state: the membership rules change the {@link NodeState}s it
 * holds.
 *
 * <p>Concurrency: confined to the engine's thread, like the engine; no locks.
 */
final class MemberTable {

  private final RandomGenerator random;
  private final Scheduler scheduler;
  private final long gossipToTheDeadMillis;
  private final Map<String, NodeState> byName = new HashMap<>();
  /** Members in probe order; dead ones stay until reaped when the probe index wraps. */
  private final List<NodeState> nodes = new ArrayList<>();
  private final List<NodeState> readOnly = Collections.unmodifiableList(nodes);
  private int probeIndex;

  /**
   * @param random the engine's one source of randomness, so that a seeded run repeats
   * @param gossipToTheDeadMillis how long dead and left members are kept (and gossiped to) before reaping
   */
  MemberTable(RandomGenerator random, Scheduler scheduler, long gossipToTheDeadMillis) {
    this.random = random;
    this.scheduler = scheduler;
    this.gossipToTheDeadMillis = gossipToTheDeadMillis;
  }

  /** The member of that name, or null. */
  NodeState get(String name) {
    return byName.get(name);
  }

  /** How many members are tracked, dead and left ones included: the n of memberlist's timing math. */
  int size() {
    return nodes.size();
  }

  /** Every member tracked, dead and left ones included, in probe order; a read-only view. */
  List<NodeState> all() {
    return readOnly;
  }

  /** Adds a member not known before, at a random place in the probe order. */
  void add(NodeState node) {
    byName.put(node.name, node);
    int offset = nodes.isEmpty() ? 0 : random.nextInt(nodes.size());
    nodes.add(node);
    Collections.swap(nodes, offset, nodes.size() - 1);
  }

  /**
   * The next member to probe, round robin over the probe order, skipping this node and dead or left
   * members; when the round wraps, reaps and reshuffles first. Null when there is no one to probe.
   */
  NodeState nextToProbe(String self) {
    int checked = 0;
    while (checked < nodes.size()) {
      if (probeIndex >= nodes.size()) {
        reapAndShuffle();
        probeIndex = 0;
        checked++;
        continue;
      }
      NodeState node = nodes.get(probeIndex);
      probeIndex++;
      if (node.name.equals(self) || node.deadOrLeft()) {
        checked++;
        continue;
      }
      return node;
    }
    return null;
  }

  /** Drops members dead or left for longer than gossipToTheDeadTime, and reshuffles the probe order. */
  private void reapAndShuffle() {
    long now = scheduler.nowMillis();
    List<NodeState> kept = new ArrayList<>(nodes.size());
    for (NodeState node : nodes) {
      if (node.deadOrLeft() && now - node.stateChange > gossipToTheDeadMillis) {
        byName.remove(node.name);
      } else {
        kept.add(node);
      }
    }
    nodes.clear();
    nodes.addAll(kept);
    for (int i = nodes.size() - 1; i > 0; i--) {
      Collections.swap(nodes, i, random.nextInt(i + 1));
    }
  }

  /**
   * Up to k distinct random members the filter does not exclude, trying at most 3n times (so small
   * clusters are searched exhaustively and large ones quickly).
   */
  List<NodeState> kRandomNodes(int k, Predicate<NodeState> exclude) {
    int n = nodes.size();
    List<NodeState> chosen = new ArrayList<>(k);
    for (int i = 0; i < 3 * n && chosen.size() < k; i++) {
      NodeState node = nodes.get(random.nextInt(n));
      if (exclude.test(node) || chosen.contains(node)) {
        continue;
      }
      chosen.add(node);
    }
    return chosen;
  }

  /** The members that are alive or suspect (not dead, not left), this node included; in probe order. */
  List<Member> members() {
    List<Member> members = new ArrayList<>(nodes.size());
    for (NodeState node : nodes) {
      if (!node.deadOrLeft()) {
        members.add(node.snapshot());
      }
    }
    return members;
  }

  /** Every member tracked, dead and left ones not yet reaped included, in probe order. */
  List<MemberDetails> details() {
    long now = scheduler.nowMillis();
    List<MemberDetails> details = new ArrayList<>(nodes.size());
    for (NodeState node : nodes) {
      details.add(node.details(now));
    }
    return details;
  }

  /** Notes that a member was heard from just now (it answered a probe, or pinged); unknown names are ignored. */
  void heardFrom(String name) {
    NodeState node = byName.get(name);
    if (node != null) {
      node.lastHeard = scheduler.nowMillis();
    }
  }

  /** How many members are alive or suspect, this node included. */
  int numMembers() {
    int count = 0;
    for (NodeState node : nodes) {
      count += node.deadOrLeft() ? 0 : 1;
    }
    return count;
  }

  /** Whether any member besides {@code self} is alive or suspect. */
  boolean anyAliveBesides(String self) {
    for (NodeState node : nodes) {
      if (!node.deadOrLeft() && !node.name.equals(self)) {
        return true;
      }
    }
    return false;
  }
}
