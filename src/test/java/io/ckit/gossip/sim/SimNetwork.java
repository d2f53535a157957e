package io.ckit.gossip.sim;

import io.ckit.gossip.Memberlist;
import io.ckit.gossip.Transport;
import io.ckit.transport.MemoryNetwork;
import io.ckit.transport.MemoryNetwork.Kind;
import io.ckit.transport.MemoryNetwork.MemoryTransport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.WeakHashMap;
import java.util.concurrent.Executor;

/**
 * The in-memory transport ({@link MemoryNetwork}) on virtual time, with simulated links: everything arrives
 * after a latency (base plus random jitter), packets are lost with a configurable probability, and
 * partitions (by sets of addresses) or crashed hosts drop everything across them. Streams are reliable and
 * ordered, like TCP, until a partition or crash silently swallows them. Seeded, so a run repeats exactly.
 */
public final class SimNetwork implements MemoryNetwork.Conditions {

  private final Simulation simulation;
  private final SplittableRandom random;
  private final MemoryNetwork network = new MemoryNetwork(this);
  private final Map<String, MemoryTransport> transports = new HashMap<>();
  private final Set<String> down = new HashSet<>();
  private final Map<String, Integer> sides = new HashMap<>();
  private final Map<Object, Long> lastArrival = new WeakHashMap<>();
  private final Map<String, Traffic> traffic = new HashMap<>();
  private long latencyMillis = 1;
  private long jitterMillis = 1;
  private double packetLoss;

  public SimNetwork(Simulation simulation, long seed) {
    this.simulation = simulation;
    this.random = new SplittableRandom(seed);
  }

  /** What one host sent. */
  public static final class Traffic {
    public long packets;
    public long packetBytes;
    /** The largest packet, in bytes as sent (label, checksum, compression and encryption included). */
    public int largestPacket;
    public long streams;
    public long streamBytes;
  }

  public SimNetwork latency(long baseMillis, long jitterMillis) {
    this.latencyMillis = baseMillis;
    this.jitterMillis = jitterMillis;
    return this;
  }

  /** The share of packets lost (0 to 1); stream traffic is never lost, only partitioned away. */
  public SimNetwork packetLoss(double loss) {
    this.packetLoss = loss;
    return this;
  }

  /** Attaches a host at an address, and returns the transport its engine should use. */
  public Transport attach(String address) {
    traffic.put(address, new Traffic());
    MemoryTransport transport = network.attach(address, Runnable::run, simulation.scheduler());
    transports.put(address, transport);
    return transport;
  }

  /** Registers the engine that receives what is sent to the address. */
  public void bind(String address, Memberlist engine) {
    transports.get(address).bind(engine);
  }

  /** The host stops receiving and sending (a crash, or a pulled cable). */
  public void crash(String address) {
    down.add(address);
  }

  /** Splits the network: hosts in different groups cannot reach each other; others are unaffected. */
  @SafeVarargs
  public final void partition(Set<String>... groups) {
    sides.clear();
    for (int i = 0; i < groups.length; i++) {
      for (String address : groups[i]) {
        sides.put(address, i);
      }
    }
  }

  /** Ends every partition. */
  public void heal() {
    sides.clear();
  }

  public Traffic traffic(String address) {
    return traffic.get(address);
  }

  private boolean reachable(String from, String to) {
    if (down.contains(from) || down.contains(to)) {
      return false;
    }
    Integer a = sides.get(from);
    Integer b = sides.get(to);
    return a == null || b == null || a.equals(b);
  }

  @Override
  public void deliver(String from, String to, Kind kind, int bytes, Object stream, Executor target,
      Runnable arrival) {
    Traffic sent = traffic.get(from);
    switch (kind) {
      case PACKET -> {
        sent.packets++;
        sent.packetBytes += bytes;
        sent.largestPacket = Math.max(sent.largestPacket, bytes);
      }
      case DIAL -> sent.streams++;
      case DATA -> sent.streamBytes += bytes;
      default -> { }
    }
    if (!reachable(from, to) || (kind == Kind.PACKET && packetLoss > 0 && random.nextDouble() < packetLoss)) {
      return;
    }
    long at = simulation.now() + latencyMillis + (jitterMillis > 0 ? random.nextLong(jitterMillis + 1) : 0);
    if (stream != null) {
      at = Math.max(at, lastArrival.getOrDefault(stream, 0L));
      lastArrival.put(stream, at);
    }
    simulation.at(at, () -> {
      if (reachable(from, to)) {
        target.execute(arrival);
      }
    });
  }
}
