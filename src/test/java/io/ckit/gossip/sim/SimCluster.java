package io.ckit.gossip.sim;

import io.ckit.gossip.GossipDelegate;
import io.ckit.gossip.GossipOptions;
import io.ckit.gossip.Member;
import io.ckit.gossip.MemberIdentity;
import io.ckit.gossip.Memberlist;
import io.ckit.wire.MemberState;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

  /** Whether every running node sees exactly the running nodes, all alive. */
  public boolean converged() {
    List<SimNode> running = running();
    for (SimNode node : running) {
      if (node.visible.size() != running.size()) {
        return false;
      }
    }
    for (SimNode node : running) {
      for (SimNode other : running) {
        if (!node.visible.contains(other.name)) {
          return false;
        }
      }
    }
    return true;
  }

  /** One engine, with a delegate that tracks which members it sees. */
  public final class SimNode implements GossipDelegate {
    public final String name;
    public final String address;
    public Memberlist engine;
    /** Members this node sees as alive or suspect, from its join and leave events. */
    public final Set<String> visible = new HashSet<>();
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
