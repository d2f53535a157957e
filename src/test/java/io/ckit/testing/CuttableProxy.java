package io.ckit.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A TCP proxy on loopback in front of a node's server, which a test can cut: for every connection (closing the
 * ones it has and refusing new ones), or only for connections from some source IPs (with {@link
 * SourceBoundTransport}, each side of a partition dials from an IP of its own), or whose connections it can
 * blackhole: keep them open and pass nothing on them any more, as a network that drops every packet does.
 */
public final class CuttableProxy {

  private final Vertx vertx;
  /** Open inbound connections and the source IP of each. */
  private final Map<NetSocket, String> open = new ConcurrentHashMap<>();
  /** Inbound connections that pass nothing any more, either way. */
  private final Set<NetSocket> blackholed = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile long holdMillis;
  private volatile int target;
  private volatile Predicate<String> refused = source -> false;
  private int port;

  private CuttableProxy(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A proxy listening on a free port of 127.0.0.1; give it its target before it is used. */
  public static CuttableProxy start(Vertx vertx) throws Exception {
    CuttableProxy proxy = new CuttableProxy(vertx);
    NetServer server = vertx.createNetServer().connectHandler(proxy::accept);
    proxy.port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .actualPort();
    return proxy;
  }

  /** The proxy's port. */
  public int port() {
    return port;
  }

  /** The port on 127.0.0.1 the proxy forwards to. */
  public CuttableProxy target(int targetPort) {
    this.target = targetPort;
    return this;
  }

  /** Cuts every connection (true), or lets every one through again (false). */
  public void cut(boolean cut) {
    refuse(cut ? source -> true : source -> false);
  }

  /** Cuts the connections from these source IPs only (none: heals). */
  public void cutFrom(Set<String> sources) {
    Set<String> copy = Set.copyOf(sources);
    refuse(copy::contains);
  }

  /**
   * Stops passing bytes, either way, on every connection open now, without closing them: what arrives is
   * dropped. Connections opened later pass as before.
   */
  public void blackholeOpenConnections() {
    blackholed.addAll(open.keySet());
  }

  /**
   * Holds what the target sends on each new connection for this long before passing it on, as a slow network or
   * a slow handshake does (an HTTP/2 client's connection is ready only once the server's SETTINGS arrive).
   */
  public CuttableProxy holdNewConnections(long millis) {
    this.holdMillis = millis;
    return this;
  }

  /** Connections accepted and passed on so far. */
  public int accepted() {
    return accepted.get();
  }

  /** Connections open now. */
  public int open() {
    return open.size();
  }

  private void refuse(Predicate<String> sources) {
    refused = sources;
    open.forEach((socket, source) -> {
      if (sources.test(source)) {
        socket.close();
      }
    });
  }

  private void accept(NetSocket inbound) {
    String source = inbound.remoteAddress().host();
    if (refused.test(source)) {
      inbound.close();
      return;
    }
    inbound.pause();
    vertx.createNetClient().connect(target, "127.0.0.1").onComplete(connected -> {
      if (connected.failed() || refused.test(source)) {
        inbound.close();
        if (connected.succeeded()) {
          connected.result().close();
        }
        return;
      }
      NetSocket outbound = connected.result();
      open.put(inbound, source);
      accepted.incrementAndGet();
      inbound.closeHandler(closed -> {
        open.remove(inbound);
        blackholed.remove(inbound);
        outbound.close();
      });
      outbound.closeHandler(closed -> inbound.close());
      inbound.handler(bytes -> {
        if (!blackholed.contains(inbound)) {
          outbound.write(bytes);
        }
      });
      outbound.handler(bytes -> {
        if (!blackholed.contains(inbound)) {
          inbound.write(bytes);
        }
      });
      long hold = holdMillis;
      if (hold > 0) {
        outbound.pause();
        vertx.setTimer(hold, passed -> outbound.resume());
      }
      inbound.resume();
    });
  }
}
