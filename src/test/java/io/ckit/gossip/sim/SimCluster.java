package io.ckit.gossip.sim;

import io.ckit.gossip.GossipDelegate;
import io.ckit.gossip.GossipOptions;
import io.ckit.gossip.Member;
import io.ckit.gossip.MemberIdentity;
import io.ckit.gossip.Memberlist;
import io.ckit.wire.MemberState;
import io.vertx.core.Future;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A cluster of engines on a {@link SimNetwork}, in one thread on virtual time. Node i is named {@code
 * node-0000i} and reachable at a distinct 10.x.y.z address. Every engine gets its own seeded randomness.
 */
public final class SimCluster {

  public final Simulation simulation = new Simulation();
  public final SimNetwork network;
  private final SplittableRandom seeds;
  private final Function<String, GossipOptions> options;
  private final Function<String, String> labels;
  private final List<SimNode> nodes = new ArrayList<>();
  /** Each node's index by name, so that a node's view is a bit set (10,000 views of 10,000 fit in 13 MB). */
  private final Map<String, Integer> indexes = new HashMap<>();

  /** A cluster without a label. */
  public SimCluster(long seed, Function<String, GossipOptions> options) {
    this(seed, options, name -> "");
  }

  /**
   * @param options the settings of each node, given its name
   * @param labels the cluster label of each node, given its name
   */
  public SimCluster(long seed, Function<String, GossipOptions> options, Function<String, String> labels) {
    // -Dckit.sim.seedOffset=N reruns every simulation with other randomness, to check a test is no fluke.
    this.seeds = new SplittableRandom(seed + Long.getLong("ckit.sim.seedOffset", 0));
    this.network = new SimNetwork(simulation, seeds.nextLong());
    this.options = options;
    this.labels = labels;
  }

  /** A cluster whose nodes all run Go ckit's settings. */
  public static SimCluster ckit(long seed) {
    return new SimCluster(seed, name -> GossipOptions.ckit());
  }

  /** Adds (but does not start) a node. */
  public SimNode add() {
    int index = nodes.size();
    String name = String.format("node-%05d", index);
    String address = String.format("10.%d.%d.%d:7946", index >> 16 & 0xFF, index >> 8 & 0xFF, index & 0xFF);
    SimNode node = new SimNode(name, address);
    indexes.put(name, index);
    node.engine = new Memberlist(new MemberIdentity(name, address, labels.apply(name)), options.apply(name),
        network.attach(address), simulation.scheduler(), node, new SplittableRandom(seeds.nextLong()));
    network.bind(address, node.engine);
    nodes.add(node);
    return node;
  }

  public List<SimNode> addNodes(int count) {
    List<SimNode> added = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      added.add(add());
    }
    return added;
  }

  public SimNode node(int index) {
    return nodes.get(index);
  }

  public List<SimNode> nodes() {
    return nodes;
  }

  /** Nodes that have not crashed or stopped. */
  public List<SimNode> running() {
    return nodes.stream().filter(node -> node.running).toList();
  }

  /**
   * Starts the seed, then every other node at a random moment in the next {@code spreadMillis}, each joining
   * through the seed, and runs the simulation until the last of them has started.
   *
   * @return the moment the last node started and joined
   */
  public long startAllJoiningThrough(SimNode seed, long spreadMillis) {
    seed.start();
    long last = simulation.now();
    for (SimNode node : nodes) {
      if (node == seed) {
        continue;
      }
      long at = simulation.now() + (spreadMillis > 0 ? seeds.nextLong(spreadMillis) : 0);
      last = Math.max(last, at);
      simulation.at(at, () -> {
        node.start();
        node.join(seed);
      });
    }
    simulation.runUntil(last);
    return last;
  }

  /**
   * A join storm as a deployment sees it: the first node starts alone, every other node starts at a random
   * moment in the next {@code spreadMillis} and joins through up to {@code joinPeers} distinct random nodes
   * among those already started (what a headless service's DNS answer, cut to the node's {@code
   * --max-join-peers}, 5 by default, gives). Runs the simulation until the last of them has started.
   *
   * @return the moment the last node started and joined
   */
  public long startAllJoiningRandomPeers(long spreadMillis, int joinPeers) {
    long last = scheduleJoinStorm(spreadMillis, joinPeers);
    simulation.runUntil(last);
    return last;
  }

  /**
   * Schedules the join storm of {@link #startAllJoiningRandomPeers} without running it.
   *
   * @return the moment the last node will start and join
   */
  public long scheduleJoinStorm(long spreadMillis, int joinPeers) {
    List<SimNode> started = new ArrayList<>();
    nodes.get(0).start();
    started.add(nodes.get(0));
    long last = simulation.now();
    for (SimNode node : nodes.subList(1, nodes.size())) {
      long at = simulation.now() + (spreadMillis > 0 ? seeds.nextLong(spreadMillis) : 0);
      last = Math.max(last, at);
      simulation.at(at, () -> {
        List<String> peers = new ArrayList<>(joinPeers);
        for (int tries = 0; peers.size() < Math.min(joinPeers, started.size()) && tries < 10 * joinPeers; tries++) {
          String address = started.get(seeds.nextInt(started.size())).address;
          if (!peers.contains(address)) {
            peers.add(address);
          }
        }
        node.start();
        node.lastJoin = node.engine.join(peers);
        started.add(node);
      });
    }
    return last;
  }

  /** Whether every running node sees exactly the running nodes, all alive. */
  public boolean converged() {
    int running = 0;
    for (SimNode node : nodes) {
      running += node.running ? 1 : 0;
    }
    for (SimNode node : nodes) {
      if (node.running && node.visible.size() != running) {
        return false;
      }
    }
    return convergedNodes() == running;
  }

  /** How many running nodes see exactly the running nodes. */
  public int convergedNodes() {
    BitSet running = new BitSet(nodes.size());
    for (SimNode node : nodes) {
      if (node.running) {
        running.set(indexes.get(node.name));
      }
    }
    int count = 0;
    for (SimNode node : nodes) {
      if (node.running && node.visible.members.equals(running)) {
        count++;
      }
    }
    return count;
  }

  /** The names of the cluster's nodes one node sees, as a bit per node; other names are not kept. */
  public final class View extends AbstractSet<String> {
    private final BitSet members = new BitSet();
    private int size;

    @Override
    public boolean add(String name) {
      Integer index = indexes.get(name);
      if (index == null || members.get(index)) {
        return false;
      }
      members.set(index);
      size++;
      return true;
    }

    @Override
    public boolean remove(Object name) {
      Integer index = indexes.get(name);
      if (index == null || !members.get(index)) {
        return false;
      }
      members.clear(index);
      size--;
      return true;
    }

    @Override
    public boolean contains(Object name) {
      Integer index = indexes.get(name);
      return index != null && members.get(index);
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public Iterator<String> iterator() {
      return new Iterator<>() {
        private int next = members.nextSetBit(0);
        private int last = -1;

        @Override
        public boolean hasNext() {
          return next >= 0;
        }

        @Override
        public String next() {
          if (next < 0) {
            throw new NoSuchElementException();
          }
          last = next;
          next = members.nextSetBit(next + 1);
          return nodes.get(last).name;
        }

        @Override
        public void remove() {
          if (last < 0) {
            throw new IllegalStateException("next() has not been called");
          }
          members.clear(last);
          size--;
          last = -1;
        }
      };
    }
  }

  /** One engine, with a delegate that tracks which members it sees. */
  public final class SimNode implements GossipDelegate {
    public final String name;
    public final String address;
    public Memberlist engine;
    /** Members this node sees as alive or suspect, from its join and leave events. */
    public final View visible = new View();
    private boolean running;
    public Future<Integer> lastJoin;

    SimNode(String name, String address) {
      this.name = name;
      this.address = address;
    }

    public void start() {
      running = true;
      engine.start();
    }

    public Future<Integer> join(SimNode other) {
      lastJoin = engine.join(List.of(other.address));
      return lastJoin;
    }

    /** Crashes the node: it vanishes from the network without a word. */
    public void crash() {
      running = false;
      network.crash(address);
      engine.shutdown();
    }

    /** Leaves gracefully, then shuts down once the leave went out (or timed out). */
    public Future<Void> leave() {
      return engine.leave(5_000).onComplete(done -> {
        running = false;
        engine.shutdown();
        network.crash(address);
      });
    }

    /** This node's view of another member's state, or null if it does not know it. */
    public MemberState stateOf(SimNode other) {
      Member member = engine.member(other.name);
      return member == null ? null : member.state();
    }

    @Override
    public void notifyJoin(Member member) {
      visible.add(member.name());
    }

    @Override
    public void notifyLeave(Member member) {
      visible.remove(member.name());
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
