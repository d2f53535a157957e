package io.ckit.gossip.sim;

import io.ckit.gossip.Memberlist;
import io.ckit.gossip.StreamChannel;
import io.ckit.gossip.Transport;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A simulated network between engines: packets and stream frames arrive after a latency (base plus random
 * jitter), packets are lost with a configurable probability, and partitions (by sets of addresses) or
 * crashed hosts drop everything across them. Streams are reliable and ordered, like TCP, until a partition
 * or crash silently swallows them. Seeded, so a run repeats exactly.
 */
public final class SimNetwork {

  private final Simulation simulation;
  private final SplittableRandom random;
  private final Map<String, Memberlist> hosts = new HashMap<>();
  private final Set<String> down = new HashSet<>();
  private final Map<String, Integer> sides = new HashMap<>();
  private long latencyMillis = 1;
  private long jitterMillis = 1;
  private double packetLoss;
  private final Map<String, Traffic> traffic = new HashMap<>();

  public SimNetwork(Simulation simulation, long seed) {
    this.simulation = simulation;
    this.random = new SplittableRandom(seed);
  }

  /** What one host sent. */
  public static final class Traffic {
    public long packets;
    public long packetBytes;
    public long streams;
    public long streamBytes;
  }

  public SimNetwork latency(long baseMillis, long jitterMillis) {
    this.latencyMillis = baseMillis;
    this.jitterMillis = jitterMillis;
    return this;
  }

  /** The share of packets lost (0 to 1); stream frames are never lost, only partitioned away. */
  public SimNetwork packetLoss(double loss) {
    this.packetLoss = loss;
    return this;
  }

  /** Attaches an engine at an address, and returns the transport it should use. */
  public Transport attach(String address) {
    traffic.put(address, new Traffic());
    return new SimTransport(address);
  }

  /** Registers the engine that receives what is sent to the address. */
  public void bind(String address, Memberlist engine) {
    hosts.put(address, engine);
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
    if (down.contains(from) || down.contains(to) || !hosts.containsKey(to)) {
      return false;
    }
    Integer a = sides.get(from);
    Integer b = sides.get(to);
    return a == null || b == null || a.equals(b);
  }

  private long delay() {
    return latencyMillis + (jitterMillis > 0 ? random.nextLong(jitterMillis + 1) : 0);
  }

  private final class SimTransport implements Transport {
    private final String address;

    SimTransport(String address) {
      this.address = address;
    }

    @Override
    public void sendPacket(String to, byte[] packet) {
      Traffic sent = traffic.get(address);
      sent.packets++;
      sent.packetBytes += packet.length;
      if (!reachable(address, to) || (packetLoss > 0 && random.nextDouble() < packetLoss)) {
        return;
      }
      simulation.after(delay(), () -> {
        if (reachable(address, to)) {
          hosts.get(to).receivePacket(packet, address);
        }
      });
    }

    @Override
    public Future<StreamChannel> openStream(String to, long timeoutMillis) {
      Promise<StreamChannel> opened = Promise.promise();
      traffic.get(address).streams++;
      if (!reachable(address, to)) {
        simulation.after(timeoutMillis, () -> opened.tryFail("dial tcp " + to + ": i/o timeout"));
        return opened.future();
      }
      SimStream client = new SimStream(address, to);
      SimStream server = new SimStream(to, address);
      client.peer = server;
      server.peer = client;
      simulation.after(delay(), () -> {
        if (!reachable(address, to)) {
          simulation.after(timeoutMillis, () -> opened.tryFail("dial tcp " + to + ": i/o timeout"));
          return;
        }
        hosts.get(to).acceptStream(server);
        simulation.after(delay(), () -> opened.tryComplete(client));
      });
      return opened.future();
    }
  }

  /** One end of a simulated stream. */
  private final class SimStream implements StreamChannel {
    private final String local;
    private final String remote;
    SimStream peer;
    private Consumer<byte[]> data = bytes -> {};
    private Runnable end = () -> {};
    private boolean closed;
    private boolean ended;
    private long lastArrival;

    SimStream(String local, String remote) {
      this.local = local;
      this.remote = remote;
    }

    @Override
    public void write(byte[] bytes) {
      if (closed) {
        return;
      }
      Traffic sent = traffic.get(local);
      sent.streamBytes += bytes.length;
      deliver(() -> {
        if (!peer.closed) {
          peer.data.accept(bytes);
        }
      });
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      deliver(() -> {
        if (!peer.ended) {
          peer.ended = true;
          peer.end.run();
        }
      });
    }

    /** Delivers in order after the latency, unless the path is cut by then. */
    private void deliver(Runnable arrival) {
      lastArrival = Math.max(lastArrival, simulation.now() + delay());
      simulation.at(lastArrival, () -> {
        if (reachable(local, remote)) {
          arrival.run();
        }
      });
    }

    @Override
    public void handler(Consumer<byte[]> data) {
      this.data = data;
    }

    @Override
    public void endHandler(Runnable end) {
      this.end = end;
    }

    @Override
    public void exceptionHandler(Consumer<Throwable> failure) {
      // A simulated stream never fails; it goes quiet when the network is cut.
    }

    @Override
    public String remoteAddress() {
      return remote;
    }
  }
}
