package io.ckit.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every cluster-manager node's entries as this node knows them, and which of them are visible: a node's entries
 * count while it is a member (in ckit's view, marked as a cluster manager) and has not left; they are dropped
 * when it dies or leaves, and what that node's run sends afterwards is refused.
 *
 * <p>Every change returns the addresses whose visible registrations may have changed, for the registration
 * listener. Concurrency: owned by the cluster manager's context; not thread-safe.
 */
final class EntryStore {

  /** What became of a batch of changes from a node. */
  enum Result { APPLIED, ALREADY_HAD, GAP, GONE }

  private final NodeEntries own;
  private final Map<String, NodeEntries> entries = new HashMap<>();
  private final Map<String, String> departed = new HashMap<>();
  private Set<String> members;
  private final Map<String, Long> pendingSince = new HashMap<>();

  EntryStore(NodeEntries own) {
    this.own = own;
    entries.put(own.name, own);
    members = Set.of(own.name);
  }

  NodeEntries own() {
    return own;
  }

  NodeEntries get(String name) {
    return entries.get(name);
  }

  Set<String> members() {
    return members;
  }

  /**
   * The registrations for an address of every node whose entries are held: a node's entries count from the
   * moment it delivers them (it is alive: it just spoke), even before ckit's gossip has shown it to this node as
   * a member; they go when it dies or leaves, or when ckit has not shown it within {@link #expireNonMembers}'s
   * limit.
   */
  List<RegistrationInfo> visible(String address) {
    List<RegistrationInfo> list = new ArrayList<>();
    for (NodeEntries node : entries.values()) {
      Set<RegistrationInfo> set = node.registrations.get(address);
      if (set != null) {
        list.addAll(set);
      }
    }
    return list;
  }

  /** A node's NodeInfo, or null. */
  NodeInfo info(String name) {
    NodeEntries node = entries.get(name);
    return node == null ? null : node.info;
  }

  int totalRegistrations() {
    int count = 0;
    for (NodeEntries node : entries.values()) {
      count += node.registrationCount();
    }
    return count;
  }

  /** Drops the entries of nodes that ckit has not shown as members for {@code maxNanos} since they came. */
  void expireNonMembers(long now, long maxNanos, Set<String> touched) {
    for (String name : new ArrayList<>(entries.keySet())) {
      if (members.contains(name)) {
        pendingSince.remove(name);
        continue;
      }
      long since = pendingSince.computeIfAbsent(name, n -> now);
      if (now - since >= maxNanos) {
        NodeEntries held = entries.remove(name);
        pendingSince.remove(name);
        departed.put(name, held.run);
        touched.addAll(held.registrations.keySet());
      }
    }
  }

  /** Applies a batch of changes (versions base+1 .. version) of a node's run, when it follows what is held. */
  Result apply(String from, String run, long base, long version, JsonArray ops, Set<String> touched) {
    if (run.equals(departed.get(from))) {
      return Result.GONE;
    }
    NodeEntries node = entries.get(from);
    if (node != null && node.run.equals(run)) {
      if (node.version >= version) {
        return Result.ALREADY_HAD;
      }
      if (node.version != base) {
        return Result.GAP;
      }
    } else if (base != 0) {
      return Result.GAP;
    } else {
      Set<String> old = node == null ? Set.of() : node.registrations.keySet();
      touched.addAll(old);
      node = new NodeEntries(from, run);
      entries.put(from, node);
    }
    for (int i = 0; i < ops.size(); i++) {
      String address = node.apply(ops.getJsonObject(i));
      if (address != null) {
        touched.add(address);
      }
    }
    node.version = version;
    return Result.APPLIED;
  }

  /** Takes a node's whole entries when they are newer than (or another run than) what is held. */
  boolean replace(NodeEntries incoming, Set<String> touched) {
    if (incoming.name.equals(own.name) || incoming.run.equals(departed.get(incoming.name))) {
      return false;
    }
    NodeEntries held = entries.get(incoming.name);
    if (held != null && held.run.equals(incoming.run) && held.version >= incoming.version) {
      return false;
    }
    entries.put(incoming.name, incoming);
    touched.addAll(changedAddresses(held, incoming));
    return true;
  }

  /** A node said it leaves: its entries go, and its run is refused from now on. */
  void depart(String name, String run, Set<String> touched) {
    if (name.equals(own.name)) {
      return;
    }
    departed.put(name, run);
    NodeEntries held = entries.get(name);
    if (held != null && held.run.equals(run)) {
      entries.remove(name);
      touched.addAll(held.registrations.keySet());
    }
  }

  /** Whether this run of a node is refused (it left, died, or was dropped). */
  boolean refuses(String name, String run) {
    return run.equals(departed.get(name));
  }

  /** Whether a node has said it leaves (it stays a ckit member until its leave is gossiped). */
  boolean departed(String name) {
    NodeEntries held = entries.get(name);
    return held == null && departed.containsKey(name);
  }

  /**
   * The new member set (this node included); entries of nodes that are no longer members are dropped and
   * their runs refused.
   */
  void members(Set<String> next, Set<String> added, Set<String> removed, Set<String> touched) {
    for (String name : members) {
      if (!next.contains(name)) {
        removed.add(name);
      }
    }
    for (String name : next) {
      if (!members.contains(name)) {
        added.add(name);
      }
    }
    members = Collections.unmodifiableSet(new HashSet<>(next));
    for (String name : removed) {
      NodeEntries held = entries.remove(name);
      if (held != null) {
        departed.put(name, held.run);
        touched.addAll(held.registrations.keySet());
      }
    }
    for (String name : added) {
      NodeEntries held = entries.get(name);
      if (held != null) {
        touched.addAll(held.registrations.keySet());
      } else {
        departed.remove(name);
      }
    }
  }

  /** Lets a member's run in again (it answered a fetch itself after another member reported it gone). */
  void readmit(String name) {
    departed.remove(name);
  }

  private static Set<String> changedAddresses(NodeEntries before, NodeEntries after) {
    Set<String> changed = new HashSet<>();
    if (before == null) {
      changed.addAll(after.registrations.keySet());
      return changed;
    }
    Set<String> all = new HashSet<>(before.registrations.keySet());
    all.addAll(after.registrations.keySet());
    for (String address : all) {
      if (!before.registrations.getOrDefault(address, Set.of())
          .equals(after.registrations.getOrDefault(address, Set.of()))) {
        changed.add(address);
      }
    }
    return changed;
  }

  JsonObject describe() {
    return new JsonObject().put("members", new JsonArray(new ArrayList<>(members)))
        .put("departed", new JsonObject(new HashMap<>(departed)));
  }
}
