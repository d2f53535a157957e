package io.ckit.faults;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy that delays every byte, each way: what one side sends is written to the other side a fixed
 * delay after it arrived, in order. A node advertises its proxy's address, so every byte to the node crosses
 * the proxy (this kernel has no netem). It listens on an address of the root namespace and dials the node
 * from that same address, so packets from the proxy into a host are not the control address's and
 * nftables' loss rules apply to them.
 *
 * <p>Concurrency: each connection's two directions run on the event loop of the inbound socket's context; the
 * delayed chunks of a direction sit in a queue drained by one timer at a time.
 */
final class DelayProxy {

  /** A direction holds at most this many bytes in its queue before it stops reading its source. */
  private static final int MAX_QUEUED_BYTES = 1 << 20;

  private final Vertx vertx;
  private final long delayNanos;
  private final String address;
  private final int port;
  private final String targetHost;
  private final int targetPort;
  private final NetClient client;
  private final AtomicLong connections = new AtomicLong();
  private NetServer server;

  private DelayProxy(Vertx vertx, Duration delay, String address, int port, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.delayNanos = delay.toNanos();
    this.address = address;
    this.port = port;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient(new NetClientOptions().setLocalAddress(address).setConnectTimeout(5_000));
  }

  /** Listens on {@code address:port} and forwards to {@code targetHost:targetPort}. */
  static DelayProxy start(Vertx vertx, Duration delay, String address, int port, String targetHost,
      int targetPort) throws Exception {
    DelayProxy proxy = new DelayProxy(vertx, delay, address, port, targetHost, targetPort);
    proxy.server = vertx.createNetServer().connectHandler(proxy::accept);
    proxy.server.listen(port, address).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return proxy;
  }

  String address() {
    return address + ":" + port;
  }

  /** Connections accepted so far. */
  long connections() {
    return connections.get();
  }

  void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void accept(NetSocket inbound) {
    connections.incrementAndGet();
    inbound.pause();
    client.connect(targetPort, targetHost).onComplete(connected -> {
      if (connected.failed()) {
        inbound.close();
        return;
      }
      NetSocket outbound = connected.result();
      new Direction(inbound, outbound);
      new Direction(outbound, inbound);
      inbound.resume();
    });
  }

  /** One way of a connection: chunks read from {@code from} are written to {@code to} after the delay. */
  private final class Direction {
    private final NetSocket from;
    private final NetSocket to;
    private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean timerSet;
    private boolean fromEnded;

    Direction(NetSocket from, NetSocket to) {
      this.from = from;
      this.to = to;
      from.handler(this::received);
      from.endHandler(end -> {
        fromEnded = true;
        drainOrClose();
      });
      from.exceptionHandler(failure -> to.close());
      to.drainHandler(drained -> from.resume());
    }

    private void received(Buffer data) {
      queue.add(new Chunk(System.nanoTime() + delayNanos, data));
      queuedBytes += data.length();
      if (queuedBytes > MAX_QUEUED_BYTES) {
        from.pause();
      }
      schedule();
    }

    private void schedule() {
      if (timerSet || queue.isEmpty()) {
        return;
      }
      timerSet = true;
      long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(queue.peek().due() - System.nanoTime()));
      vertx.setTimer(waitMillis, id -> {
        timerSet = false;
        drainOrClose();
      });
    }

    private void drainOrClose() {
      long now = System.nanoTime();
      while (!queue.isEmpty() && queue.peek().due() - now <= 0) {
        Chunk chunk = queue.poll();
        queuedBytes -= chunk.data().length();
        to.write(chunk.data());
      }
      if (to.writeQueueFull() || queuedBytes > MAX_QUEUED_BYTES) {
        from.pause();
      } else if (!fromEnded) {
        from.resume();
      }
      if (queue.isEmpty() && fromEnded) {
        to.close();
        return;
      }
      schedule();
    }
  }

  private record Chunk(long due, Buffer data) {}
}
