package io.ckit.transport;

import io.ckit.gossip.TransportReceiver;
import io.ckit.gossip.Scheduler;
import io.ckit.gossip.StreamChannel;
import io.ckit.gossip.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Engines connected in memory, with no sockets (Go ckit's {@code memconn} role): packets and stream frames
 * are handed from one engine's thread to the other's. The engines cannot tell it from HTTP/2. Used by fast
 * tests, and, with {@link Conditions} that add latency, loss and partitions on virtual time, by the
 * simulator.
 *
 * <p>Concurrency: endpoints may live on different threads (Vert.x contexts); every delivery runs on the
 * receiving endpoint's executor.
 */
public final class MemoryNetwork {

  /** What travels between endpoints. */
  public enum Kind {
    /** A packet: may be lost. */
    PACKET,
    /** A stream being opened, or its acceptance travelling back. */
    DIAL,
    /** A frame written on a stream. */
    DATA,
    /** The end of one side of a stream. */
    END
  }

  /** What the links between endpoints do. */
  public interface Conditions {

    /**
     * Carries something from one endpoint to another: runs {@code arrival} on the target's executor, now or
     * later, or never (lost, unreachable). Stream traffic ({@code stream} not null) must arrive in order.
     *
     * @param bytes the size of a packet or frame (0 for dials and ends)
     * @param stream for stream traffic, an object identifying the stream; null for packets
     */
    void deliver(String from, String to, Kind kind, int bytes, Object stream, Executor target, Runnable arrival);
  }

  /** Every delivery at once, nothing lost. */
  public static final Conditions PERFECT =
      (from, to, kind, bytes, stream, target, arrival) -> target.execute(arrival);

  private final Conditions conditions;
  private final Map<String, MemoryTransport> endpoints = new ConcurrentHashMap<>();

  public MemoryNetwork() {
    this(PERFECT);
  }

  public MemoryNetwork(Conditions conditions) {
    this.conditions = Objects.requireNonNull(conditions, "conditions");
  }

  /**
   * An endpoint at an address whose engine runs on the given executor and scheduler (the scheduler sets
   * dial timeouts; it is only used on the engine's thread).
   */
  public MemoryTransport attach(String address, Executor executor, Scheduler scheduler) {
    MemoryTransport transport = new MemoryTransport(address, executor, scheduler);
    if (endpoints.putIfAbsent(address, transport) != null) {
      throw new IllegalArgumentException("address " + address + " is already attached");
    }
    return transport;
  }

  /** An endpoint whose engine runs on a Vert.x context. */
  public MemoryTransport attach(String address, Context context, Scheduler scheduler) {
    return attach(address, task -> context.runOnContext(nothing -> task.run()), scheduler);
  }

  /** The endpoint stops existing: sends to it are refused, as to a closed port. */
  public void detach(String address) {
    MemoryTransport transport = endpoints.remove(address);
    if (transport != null) {
      transport.closed = true;
    }
  }

  /** One engine's connection to the network. */
  public final class MemoryTransport implements Transport {
    private final String address;
    private final Executor executor;
    private final Scheduler scheduler;
    private volatile TransportReceiver engine;
    private volatile boolean closed;

    private MemoryTransport(String address, Executor executor, Scheduler scheduler) {
      this.address = address;
      this.executor = executor;
      this.scheduler = scheduler;
    }

    /** The engine that receives what is sent to this endpoint. */
    public void bind(TransportReceiver engine) {
      this.engine = engine;
    }

    public String address() {
      return address;
    }

    @Override
    public void sendPacket(String to, byte[] packet) {
      MemoryTransport target = endpoints.get(to);
      if (target == null || closed) {
        return;
      }
      byte[] copy = packet.clone();
      conditions.deliver(address, to, Kind.PACKET, copy.length, null, target.executor,
          () -> target.receive(copy, address));
    }

    private void receive(byte[] packet, String from) {
      TransportReceiver receiver = engine;
      if (receiver != null && !closed) {
        receiver.receivePacket(packet, from);
      }
    }

    @Override
    public Future<StreamChannel> openStream(String to, long timeoutMillis) {
      Promise<StreamChannel> opened = Promise.promise();
      MemoryTransport target = endpoints.get(to);
      if (target == null || closed) {
        scheduler.schedule(0, () -> opened.tryFail("dial " + to + ": connection refused"));
        return opened.future();
      }
      Scheduler.Timer timeout = scheduler.schedule(timeoutMillis,
          () -> opened.tryFail("dial " + to + ": i/o timeout"));
      Pipe pipe = new Pipe();
      End client = new End(pipe, this, target);
      End server = new End(pipe, target, this);
      client.peer = server;
      server.peer = client;
      conditions.deliver(address, to, Kind.DIAL, 0, pipe, target.executor, () -> {
        TransportReceiver receiver = target.engine;
        if (receiver == null || target.closed) {
          return;
        }
        receiver.acceptStream(server);
        conditions.deliver(to, address, Kind.DIAL, 0, pipe, executor, () -> {
          timeout.cancel();
          if (!opened.tryComplete(client)) {
            client.close();
          }
        });
      });
      return opened.future();
    }
  }

  /** What both ends of one stream share: its identity for ordering. */
  private static final class Pipe {}

  /** One end of an in-memory stream. Its handlers run on its own endpoint's executor. */
  private final class End implements StreamChannel {
    private final Pipe pipe;
    private final MemoryTransport local;
    private final MemoryTransport remote;
    End peer;
    private volatile Consumer<byte[]> data = bytes -> {};
    private volatile Runnable end = () -> {};
    private volatile boolean closed;
    private volatile boolean ended;

    End(Pipe pipe, MemoryTransport local, MemoryTransport remote) {
      this.pipe = pipe;
      this.local = local;
      this.remote = remote;
    }

    @Override
    public void write(byte[] bytes) {
      if (closed) {
        return;
      }
      byte[] copy = bytes.clone();
      conditions.deliver(local.address, remote.address, Kind.DATA, copy.length, pipe, remote.executor, () -> {
        if (!peer.closed) {
          peer.data.accept(copy);
        }
      });
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      conditions.deliver(local.address, remote.address, Kind.END, 0, pipe, remote.executor, () -> {
        if (!peer.ended) {
          peer.ended = true;
          peer.end.run();
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
      // An in-memory stream cannot fail; it only ends.
    }

    @Override
    public String remoteAddress() {
      return remote.address;
    }
  }
}
