package io.ckit.transport;

import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.User;
import io.ckit.wire.ByteString;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.PacketCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two engines with the HTTP/2 transport on loopback (a benchmark, not a test): packets per second one way,
 * push/pull exchanges per second, and the bytes on the wire for one ping and its ack, HTTP/2 framing
 * included, counted by TCP proxies between the nodes. Run with {@code ./mvnw -Pharness verify
 * -Dharness.class=io.ckit.transport.TransportBenchmark}.
 */
public final class TransportBenchmark {

  private TransportBenchmark() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      run(vertx);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void run(Vertx vertx) throws Exception {
    TestNode a = await(TestNode.start(vertx, "a", TestNode.fastGossip().setProbeInterval(java.time.Duration.ofHours(1))
        .setProbeTimeout(java.time.Duration.ofMinutes(1)), new TransportOptions()));
    TestNode b = await(TestNode.start(vertx, "b", TestNode.fastGossip().setProbeInterval(java.time.Duration.ofHours(1))
        .setProbeTimeout(java.time.Duration.ofMinutes(1)), new TransportOptions()));
    MessageCodec messages = new MessageCodec();
    PacketCodec packets = PacketCodec.ckit(messages, "");

    // Packets one way: user messages, which the receiver hands to its delegate and answers with nothing.
    byte[] user = packets.encode(new User(ByteString.ofUtf8("a ckit state broadcast of about 40 bytes")), false);
    for (int round = 0; round < 3; round++) {
      int count = 100_000;
      long before = await(b.call(() -> b.engine.stats().packetsReceived()));
      long start = System.nanoTime();
      await(a.call(() -> {
        sendPaced(vertx, a, b.address, user, count);
        return null;
      }));
      await(TestNode.until(vertx, () -> b.engine.stats().packetsReceived() >= before + count, 120_000));
      double seconds = (System.nanoTime() - start) / 1e9;
      double dropped = a.registry.get("cluster.transport.tx.packets.dropped").counter().count();
      System.out.printf(Locale.ROOT, "packets (%d bytes each, h2c, one connection): %.0f packets/s"
          + " (%.0f dropped so far)%n", user.length, count / seconds, dropped);
    }

    // Push/pull: joins, 16 at a time.
    for (int round = 0; round < 3; round++) {
      int lanes = 16;
      int count = 5_008; // a multiple of the lanes
      long start = System.nanoTime();
      List<Future<Integer>> joins = new ArrayList<>();
      Promise<Void> all = Promise.promise();
      AtomicLong done = new AtomicLong();
      a.context.runOnContext(nothing -> {
        for (int lane = 0; lane < lanes; lane++) {
          joinLoop(a, b, count / lanes, done, all, count);
        }
      });
      await(all.future());
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "push/pull exchanges (2 members, 16 at a time): %.0f per s%n", count / seconds);
    }

    // Bytes on the wire for ping + ack, through counting proxies.
    AtomicLong toB = new AtomicLong();
    AtomicLong toA = new AtomicLong();
    int proxyB = await(proxy(vertx, b.server.actualPort(), toB));
    int proxyA = await(proxy(vertx, a.server.actualPort(), toA));
    String viaProxyA = "127.0.0.1:" + proxyA;
    byte[] ping = packets.encode(new Ping(1, "b", ByteString.fromHex("7f000001"), proxyA, "a"), false);
    for (int i = 0; i < 200; i++) {
      long acks = await(a.call(() -> a.engine.stats().packetsReceived()));
      await(a.call(() -> {
        a.transport.sendPacket("127.0.0.1:" + proxyB, ping);
        return null;
      }));
      await(TestNode.until(vertx, () -> a.engine.stats().packetsReceived() > acks, 5_000));
      if (i == 99) {
        toB.set(0);
        toA.set(0);
      }
    }
    byte[] ack = packets.encode(new AckResp(1, ByteString.EMPTY), false);
    System.out.printf(Locale.ROOT, "ping + ack round trip on the wire (steady state, %d + %d bytes of memberlist"
        + " packets): %d bytes on a's connection to b, %d on b's connection to a (both directions each),"
        + " %d in all%n", ping.length, ack.length, toB.get() / 100, toA.get() / 100, (toB.get() + toA.get()) / 100);
    System.out.println("(addresses: b answers to " + viaProxyA + ")");
  }

  /**
   * Sends as fast as the transport takes packets: tops the sender's outgoing queue up to 800 (its limit is
   * 1000, past which it drops the oldest) every millisecond, so nothing is dropped and nothing waits idle.
   */
  private static void sendPaced(Vertx vertx, TestNode from, String to, byte[] packet, int remaining) {
    double queued = from.registry.get("cluster.transport.tx.packet.queue.length").gauge().value();
    int batch = (int) Math.min(remaining, Math.max(0, 800 - queued));
    for (int i = 0; i < batch; i++) {
      from.transport.sendPacket(to, packet);
    }
    if (remaining > batch) {
      vertx.setTimer(1, id -> sendPaced(vertx, from, to, packet, remaining - batch));
    }
  }

  private static void joinLoop(TestNode a, TestNode b, int left, AtomicLong done, Promise<Void> all, int total) {
    if (left == 0) {
      return;
    }
    a.engine.join(List.of(b.address)).onComplete(joined -> {
      if (done.incrementAndGet() == total) {
        all.tryComplete();
      }
      joinLoop(a, b, left - 1, done, all, total);
    });
  }

  private static Future<Integer> proxy(Vertx vertx, int targetPort, AtomicLong counter) {
    NetServer server = vertx.createNetServer().connectHandler(inbound -> {
      inbound.pause();
      vertx.createNetClient().connect(targetPort, "127.0.0.1").onSuccess(outbound -> {
        pipe(inbound, outbound, counter);
        pipe(outbound, inbound, counter);
        inbound.resume();
      });
    });
    return server.listen(0, "127.0.0.1").map(NetServer::actualPort);
  }

  private static void pipe(NetSocket from, NetSocket to, AtomicLong counter) {
    from.handler(buffer -> {
      counter.addAndGet(buffer.length());
      to.write(buffer);
    });
    from.closeHandler(closed -> to.close());
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
  }
}
