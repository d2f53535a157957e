package io.ckit.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.impl.ContextScheduler;
import io.ckit.gossip.StreamChannel;
import io.ckit.gossip.GossipDelegate;
import io.ckit.gossip.GossipOptions;
import io.ckit.gossip.MemberIdentity;
import io.ckit.gossip.Memberlist;
import io.ckit.testing.CuttableProxy;
import io.ckit.testing.ReferenceVectors;
import io.ckit.wire.ByteString;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.Message;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.PacketCodec;
import io.ckit.wire.StreamCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Engines talking over real HTTP/2 servers on loopback. */
@ExtendWith(VertxExtension.class)
class HttpTransportTest {

  private static final HexFormat HEX = HexFormat.of();

  /** Clients the test makes; held here because Vert.x closes a client once nothing refers to it. */
  private final List<HttpClientAgent> clients = new ArrayList<>();

  private HttpClientAgent h2c(Vertx vertx) {
    return client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  private HttpClientAgent client(Vertx vertx, HttpClientOptions options) {
    HttpClientAgent client = vertx.createHttpClient(options);
    clients.add(client);
    return client;
  }

  private static Future<HttpClientResponse> post(HttpClientAgent client, TestNode node, String path,
      String contentType, Buffer body) {
    return post(client, node.address, path, contentType, body);
  }

  private static Future<HttpClientResponse> post(HttpClientAgent client, String address, String path,
      String contentType, Buffer body) {
    String[] hostPort = address.split(":");
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(hostPort[0])
            .setPort(Integer.parseInt(hostPort[1])).setURI(path).putHeader("Content-Type", contentType))
        .compose(request -> request.send(body));
  }

  @Test
  void twoEnginesExchangePacketsAndStreamsOverH2c(Vertx vertx, VertxTestContext test) {
    List<TestNode> nodes = new ArrayList<>();
    TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions())
        .compose(a -> {
          nodes.add(a);
          return TestNode.start(vertx, "b", TestNode.fastGossip(), new TransportOptions());
        })
        .compose(b -> {
          nodes.add(b);
          return b.join(nodes.get(0));
        })
        .compose(joined -> {
          test.verify(() -> assertThat(joined).isEqualTo(1));
          return TestNode.until(vertx, () -> nodes.stream().allMatch(node -> node.visible.size() == 2), 30_000);
        })
        .compose(converged -> TestNode.until(vertx, () ->
            nodes.get(0).registry.get("cluster.transport.rx.packets").counter().count() > 0
                && nodes.get(0).registry.get("cluster.transport.streams").gauge().value() == 0, 30_000))
        .onComplete(test.succeedingThenComplete());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2c", "tls", "mutual tls"})
  @Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
  void threeEnginesConverge(String security, Vertx vertx, VertxTestContext test) {
    // A join is a stream dial: on a loaded machine the JVM's first TLS handshakes took longer than the fast
    // preset's 2 s stream timeout ("dial ...: i/o timeout"). The timeout is not what this test is about.
    GossipOptions gossip = TestNode.fastGossip().setStreamTimeout(Duration.ofSeconds(15));
    TransportOptions transport = new TransportOptions();
    if (!security.equals("h2c")) {
      SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
      transport.setSsl(true).setVerifyHost(false).setKeyCertOptions(certificate.keyCertOptions())
          .setTrustOptions(certificate.trustOptions())
          .setClientAuth(security.equals("mutual tls") ? ClientAuth.REQUIRED : ClientAuth.NONE);
    }
    List<TestNode> nodes = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String name : List.of("a", "b", "c")) {
      chain = chain.compose(previous -> TestNode.start(vertx, name, gossip, transport))
          .map(node -> {
            nodes.add(node);
            return null;
          });
    }
    chain.compose(started -> nodes.get(1).join(nodes.get(0)))
        .compose(joined -> nodes.get(2).join(nodes.get(1)))
        .compose(joined -> TestNode.until(vertx, () -> nodes.stream().allMatch(node -> node.visible.size() == 3),
            60_000))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void refusalsCarryCkitsStatusCodes(Vertx vertx, VertxTestContext test) throws Exception {
    TestNode node = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions().setMaxFrameBytes(4096))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    HttpClientAgent http2 = h2c(vertx);
    HttpClientAgent http1 = client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1));
    Buffer ping = FrameCodec.encode(new MessageCodec().encode(new Ping(1, "a", null, 0, "")));
    String[] hostPort = node.address.split(":");
    Future<Integer> overHttp1 = http1.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(hostPort[0])
            .setPort(Integer.parseInt(hostPort[1])).setURI(HttpTransport.MESSAGE_PATH)
            .putHeader("Content-Type", HttpTransport.CONTENT_TYPE))
        .compose(request -> request.send(ping)).map(HttpClientResponse::statusCode);
    Future<Integer> wrongType = post(http2, node, HttpTransport.MESSAGE_PATH, "text/plain", ping)
        .map(HttpClientResponse::statusCode);
    Future<Integer> badMagic = post(http2, node, HttpTransport.MESSAGE_PATH, HttpTransport.CONTENT_TYPE,
        Buffer.buffer(HEX.parseHex("ab0001ff"))).map(HttpClientResponse::statusCode);
    Future<Integer> cutMidFrame = post(http2, node, HttpTransport.MESSAGE_PATH, HttpTransport.CONTENT_TYPE,
        ping.getBuffer(0, ping.length() - 2)).map(HttpClientResponse::statusCode);
    Future<Integer> fine = post(http2, node, HttpTransport.MESSAGE_PATH, HttpTransport.CONTENT_TYPE,
        ping.copy().appendBuffer(ping)).map(HttpClientResponse::statusCode);
    Future<Integer> unknownPath = post(http2, node, "/api/v1/ckit/transport/other", HttpTransport.CONTENT_TYPE,
        ping).map(HttpClientResponse::statusCode);
    // A frame announcing more than the maximum is refused from its header, before the body is sent.
    Future<Integer> tooLong = http2.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(hostPort[0])
            .setPort(Integer.parseInt(hostPort[1])).setURI(HttpTransport.MESSAGE_PATH)
            .putHeader("Content-Type", HttpTransport.CONTENT_TYPE))
        .compose(request -> {
          request.setChunked(true);
          request.write(Buffer.buffer(HEX.parseHex("cd7fffffff0102")));
          return request.response();
        })
        .map(HttpClientResponse::statusCode);
    Future.all(List.of(overHttp1, wrongType, badMagic, cutMidFrame, fine, unknownPath, tooLong))
        .compose(done -> {
          test.verify(() -> {
            assertThat(overHttp1.result()).isEqualTo(505);
            assertThat(wrongType.result()).isEqualTo(400);
            assertThat(badMagic.result()).isEqualTo(400);
            assertThat(cutMidFrame.result()).isEqualTo(400);
            assertThat(fine.result()).isEqualTo(200);
            assertThat(unknownPath.result()).isEqualTo(404);
            assertThat(tooLong.result()).isEqualTo(400);
          });
          return node.transport.close();
        })
        .compose(closed -> post(http2, node, HttpTransport.MESSAGE_PATH, HttpTransport.CONTENT_TYPE, ping))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(503);
          test.completeNow();
        })));
  }

  @Test
  void aThousandConcurrentPacketsTravelOverOneConnection(Vertx vertx, VertxTestContext test) throws Exception {
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger connections = new AtomicInteger();
    TestNode b = TestNode.start(vertx, "b", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    int port = serverFor(vertx, b, connection -> connections.incrementAndGet());
    byte[] packet = PacketCodec.ckit(new MessageCodec(), "").encode(new Ping(7, "someone-else", null, 0, ""), false);
    long before = b.call(() -> b.engine.stats().packetsReceived()).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    a.call(() -> {
      for (int i = 0; i < 1000; i++) {
        a.transport.sendPacket("127.0.0.1:" + port, packet);
      }
      return null;
    }).compose(sent -> TestNode.until(vertx, () -> b.engine.stats().packetsReceived() >= before + 1000, 30_000))
        .onComplete(test.succeeding(received -> test.verify(() -> {
          assertThat(connections.get()).isEqualTo(1);
          assertThat(a.registry.get("cluster.transport.tx.packets").counter().count()).isGreaterThanOrEqualTo(1000);
          assertThat(a.registry.get("cluster.transport.tx.packets.dropped").counter().count()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void aConnectionIsKeptWhileInUseAndClosedOnceIdleForTheIdleTimeout(Vertx vertx, VertxTestContext test)
      throws Exception {
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(),
        new TransportOptions().setIdleConnectionTimeout(Duration.ofSeconds(2)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestNode b = TestNode.start(vertx, "b", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger opened = new AtomicInteger();
    AtomicLong closedAt = new AtomicLong();
    int port = serverFor(vertx, b, connection -> {
      opened.incrementAndGet();
      connection.closeHandler(closed -> closedAt.set(System.nanoTime()));
    });
    byte[] packet = PacketCodec.ckit(new MessageCodec(), "").encode(new Ping(7, "someone-else", null, 0, ""), false);
    long before = b.call(() -> b.engine.stats().packetsReceived()).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    // A packet every 500 ms for 4 s: longer in all than the idle timeout, but never idle for it.
    AtomicInteger sent = new AtomicInteger();
    AtomicLong lastSent = new AtomicLong();
    vertx.setPeriodic(500, id -> {
      if (sent.get() == 8) {
        vertx.cancelTimer(id);
        return;
      }
      a.call(() -> {
        a.transport.sendPacket("127.0.0.1:" + port, packet);
        return null;
      });
      lastSent.set(System.nanoTime());
      sent.incrementAndGet();
    });
    TestNode.until(vertx, () -> b.engine.stats().packetsReceived() >= before + 8, 30_000)
        .compose(received -> TestNode.until(vertx, () -> closedAt.get() != 0, 30_000))
        .onComplete(test.succeeding(closed -> test.verify(() -> {
          assertThat(opened.get()).isEqualTo(1);
          assertThat(closedAt.get() - lastSent.get()).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(2));
          test.completeNow();
        })));
  }

  @Test
  void aPeerThatStopsAnsweringDoesNotStallPacketsToOthers(Vertx vertx, VertxTestContext test) throws Exception {
    // Packets to the silent server never time out during the test: if they held the others up, b would
    // never get its packets.
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(),
        new TransportOptions().setPacketTimeout(Duration.ofMinutes(10)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestNode b = TestNode.start(vertx, "b", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // A server that takes requests and never answers them.
    HttpServer silent = vertx.createHttpServer(HttpTransport.serverOptions(new TransportOptions()))
        .requestHandler(request -> { })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    byte[] packet = PacketCodec.ckit(new MessageCodec(), "").encode(new Ping(7, "someone-else", null, 0, ""), false);
    long before = b.call(() -> b.engine.stats().packetsReceived()).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    a.call(() -> {
      for (int i = 0; i < 500; i++) {
        a.transport.sendPacket("127.0.0.1:" + silent.actualPort(), packet);
      }
      for (int i = 0; i < 20; i++) {
        a.transport.sendPacket(b.address, packet);
      }
      return null;
    }).compose(sent -> TestNode.until(vertx, () -> b.engine.stats().packetsReceived() >= before + 20, 30_000))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void aPeersPacketQueueIsDroppedOnceNothingIsQueuedOrInFlight(Vertx vertx, VertxTestContext test) throws Exception {
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // Pods come and go with new IPs: 200 addresses, each sent to once, all gone (closed ports).
    List<ServerSocket> sockets = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
    }
    List<Integer> closedPorts = new ArrayList<>();
    for (ServerSocket socket : sockets) {
      closedPorts.add(socket.getLocalPort());
      socket.close();
    }
    byte[] packet = PacketCodec.ckit(new MessageCodec(), "").encode(new Ping(7, "someone-else", null, 0, ""), false);
    a.call(() -> {
      closedPorts.forEach(port -> a.transport.sendPacket("127.0.0.1:" + port, packet));
      return a.registry.get("cluster.transport.tx.peer.queues").gauge().value();
    }).compose(queues -> {
      test.verify(() -> assertThat(queues).isEqualTo(200));
      return TestNode.until(vertx,
          () -> a.registry.get("cluster.transport.tx.packets.failed").counter().count() >= 200, 30_000);
    }).compose(failed -> TestNode.until(vertx,
            () -> a.registry.get("cluster.transport.tx.peer.queues").gauge().value() == 0, 30_000))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void packetsBeyondTheInboundLimitWaitAtTheSenderUntilTheEngineCatchesUp(Vertx vertx, VertxTestContext test)
      throws Exception {
    int limit = 64;
    int count = 2000;
    HeldEngine receiver = HeldEngine.start(vertx, new TransportOptions().setMaxInboundQueuedPackets(limit));
    Buffer body = Buffer.buffer();
    for (int i = 0; i < count; i++) {
      body.appendBuffer(FrameCodec.encode(PacketCodec.ckit(new MessageCodec(), "")
          .encode(new Message.User(HeldEngine.payload(i, 1000)), false)));
    }
    int mostInFlight = HeldEngine.framesPerWindow(body.length() / count);
    Gauge waiting = receiver.registry.get("cluster.transport.rx.packet.queue.length").gauge();
    AtomicInteger mostWaiting = new AtomicInteger();
    long sampler = vertx.setPeriodic(1, id -> mostWaiting.accumulateAndGet((int) waiting.value(), Math::max));
    receiver.hold();
    Future<Integer> status = post(h2c(vertx), receiver.address, HttpTransport.MESSAGE_PATH,
        HttpTransport.CONTENT_TYPE, body).map(HttpClientResponse::statusCode);
    TestNode.until(vertx, () -> waiting.value() >= limit, 30_000)
        .compose(reached -> TestNode.delay(vertx, 500))
        .compose(held -> {
          test.verify(() -> {
            assertThat(waiting.value()).as("waiting while the engine is held")
                .isLessThanOrEqualTo(limit + mostInFlight);
            assertThat(status.isComplete()).isFalse();
          });
          receiver.release();
          return status;
        })
        .compose(answered -> {
          test.verify(() -> assertThat(answered).isEqualTo(200));
          return TestNode.until(vertx, () -> receiver.messages.size() == count, 30_000);
        })
        .onComplete(test.succeeding(delivered -> test.verify(() -> {
          vertx.cancelTimer(sampler);
          assertThat(mostWaiting.get()).isLessThanOrEqualTo(limit + mostInFlight);
          assertThat(receiver.messages).as("every packet, once")
              .containsExactlyInAnyOrderElementsOf(IntStream.range(0, count).boxed().toList());
          assertThat(waiting.value()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void streamFramesBeyondTheInboundLimitWaitAtTheSenderUntilTheEngineCatchesUp(Vertx vertx, VertxTestContext test)
      throws Exception {
    int limit = 32;
    HeldEngine receiver = HeldEngine.start(vertx, new TransportOptions().setMaxInboundQueuedPackets(limit));
    byte[] state = new byte[300_000];
    new SplittableRandom(7).nextBytes(state);
    StreamCodec streams = StreamCodec.ckit(new MessageCodec(), "");
    byte[] pushPull = streams.encode(new PushPull(false, List.of(), ByteString.copyOf(state)));
    Counter read = receiver.registry.get("cluster.transport.stream.rx.packets").counter();
    receiver.hold();
    String[] hostPort = receiver.address.split(":");
    Future<Buffer> answer = h2c(vertx).request(new RequestOptions().setMethod(HttpMethod.POST).setHost(hostPort[0])
            .setPort(Integer.parseInt(hostPort[1])).setURI(HttpTransport.STREAM_PATH)
            .putHeader("Content-Type", HttpTransport.CONTENT_TYPE))
        .compose(request -> {
          request.setChunked(true);
          for (int offset = 0; offset < pushPull.length; offset += 1000) {
            request.write(FrameCodec.encode(Arrays.copyOfRange(pushPull, offset,
                Math.min(pushPull.length, offset + 1000))));
          }
          request.end();
          return request.response();
        })
        .compose(HttpClientResponse::body);
    TestNode.until(vertx, () -> read.count() >= limit, 30_000)
        .compose(reached -> TestNode.delay(vertx, 500))
        .compose(held -> {
          test.verify(() -> assertThat(read.count()).as("frames read while the engine is held")
              .isLessThanOrEqualTo(limit + HeldEngine.framesPerWindow(1003)));
          receiver.release();
          return answer;
        })
        .onComplete(test.succeeding(body -> test.verify(() -> {
          List<Buffer> frames = new ArrayList<>();
          FrameCodec.Decoder decoder = new FrameCodec.Decoder(1 << 20, frames::add);
          decoder.handle(body);
          decoder.end();
          byte[] first = frames.get(0).getBytes();
          assertThat(((Compress) streams.decode(first, 0, first.length).message()).inner())
              .isInstanceOf(PushPull.class);
          assertThat(receiver.mergedStates).as("the whole state, every frame in order")
              .containsExactly(ByteString.copyOf(state));
          test.completeNow();
        })));
  }

  @Test
  void aStreamDialThatTimesOutIsReset(Vertx vertx, VertxTestContext test) throws Exception {
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger resets = new AtomicInteger();
    // A peer that takes the stream and never answers.
    HttpServer silent = vertx.createHttpServer(HttpTransport.serverOptions(new TransportOptions()))
        .requestHandler(request -> countResets(request, resets))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Promise<StreamChannel> dialled = Promise.promise();
    a.context.runOnContext(nothing -> a.transport.openStream("127.0.0.1:" + silent.actualPort(), 300)
        .onComplete(dialled));
    dialled.future()
        .recover(failed -> {
          test.verify(() -> assertThat(failed).hasMessageEndingWith(": i/o timeout"));
          return Future.succeededFuture();
        })
        .compose(timedOut -> TestNode.until(vertx, () -> resets.get() == 1, 30_000))
        .onComplete(test.succeeding(reset -> test.verify(() -> {
          assertThat(dialled.future().failed()).isTrue();
          assertThat(a.registry.get("cluster.transport.streams").gauge().value()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void aStreamDialThatTimesOutClosesItsConnectionSoTheNextDialOpensANewOne(Vertx vertx, VertxTestContext test)
      throws Exception {
    // A cut-off peer's TCP connection retransmits with a growing backoff and would carry the next dial long
    // after the network healed: a dial that times out gives the connection up.
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger connections = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    // A peer that takes streams and never answers them.
    HttpServer silent = vertx.createHttpServer(HttpTransport.serverOptions(new TransportOptions()))
        .connectionHandler(connection -> {
          connections.incrementAndGet();
          connection.closeHandler(gone -> closed.incrementAndGet());
        })
        .requestHandler(request -> { })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String address = "127.0.0.1:" + silent.actualPort();
    Promise<StreamChannel> first = Promise.promise();
    a.context.runOnContext(nothing -> a.transport.openStream(address, 300).onComplete(first));
    first.future()
        .transform(failed -> TestNode.until(vertx, () -> closed.get() == 1, 10_000))
        .compose(gone -> {
          Promise<StreamChannel> second = Promise.promise();
          a.context.runOnContext(nothing -> a.transport.openStream(address, 300).onComplete(second));
          return second.future().transform(failed -> Future.succeededFuture(failed.failed()));
        })
        .compose(secondFailed -> TestNode.until(vertx, () -> closed.get() == 2, 10_000).map(secondFailed))
        .onComplete(test.succeeding(secondFailed -> test.verify(() -> {
          assertThat(first.future().cause()).hasMessageEndingWith(": i/o timeout");
          assertThat(secondFailed).isTrue();
          assertThat(connections.get()).as("connections opened: one per dial").isEqualTo(2);
          test.completeNow();
        })));
  }

  @Test
  void aStreamDialThatTimesOutWhileItsConnectionIsOpeningKeepsTheConnectionForTheNextDial(Vertx vertx,
      VertxTestContext test) throws Exception {
    // On a loaded machine a TLS handshake took longer than the stream timeout: when each timed-out dial closed
    // the connection as soon as it was ready, every join started the handshake again, and none got through.
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestNode b = TestNode.start(vertx, "b", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    // b's SETTINGS, which make a's connection ready, arrive 1 s after each connect.
    CuttableProxy proxy = CuttableProxy.start(vertx).target(Integer.parseInt(b.address.split(":")[1]))
        .holdNewConnections(1_000);
    String viaProxy = "127.0.0.1:" + proxy.port();
    Promise<StreamChannel> first = Promise.promise();
    a.context.runOnContext(nothing -> a.transport.openStream(viaProxy, 200).onComplete(first));
    first.future()
        .transform(timedOut -> {
          test.verify(() -> assertThat(timedOut.cause()).hasMessageEndingWith(": i/o timeout"));
          Promise<StreamChannel> second = Promise.promise();
          a.context.runOnContext(nothing -> a.transport.openStream(viaProxy, 20_000).onComplete(second));
          return second.future();
        })
        .onComplete(test.succeeding(stream -> test.verify(() -> {
          assertThat(proxy.accepted()).as("connections opened: the first dial's, kept for the second").isEqualTo(1);
          a.context.runOnContext(nothing -> stream.close());
          test.completeNow();
        })));
  }

  @Test
  void aConnectionThatAnswersNeitherRequestsNorAPingIsClosedAndPacketsGoOnANewOne(Vertx vertx, VertxTestContext test)
      throws Exception {
    // A network cut leaves the connection open: TCP retransmits into the void with a growing backoff, and
    // without a check every packet would keep going onto it long after the network healed. Here a proxy keeps
    // the connection open and passes nothing on it; the packet timeout is too long to rescue anything.
    long pingTimeout = 300;
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions()
            .setPacketTimeout(Duration.ofMinutes(10)).setPingTimeout(Duration.ofMillis(pingTimeout)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestNode b = TestNode.start(vertx, "b", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    CuttableProxy proxy = CuttableProxy.start(vertx).target(Integer.parseInt(b.address.split(":")[1]));
    String viaProxy = "127.0.0.1:" + proxy.port();
    byte[] packet = PacketCodec.ckit(new MessageCodec(), "").encode(new Ping(7, "someone-else", null, 0, ""), false);
    AtomicLong cutAt = new AtomicLong();
    AtomicLong receivedBeforeCut = new AtomicLong();
    long[] sender = {-1};
    a.call(() -> {
      a.transport.sendPacket(viaProxy, packet);
      return null;
    })
        .compose(sent -> TestNode.until(vertx, () -> b.engine.stats().packetsReceived() >= 1, 30_000))
        .compose(first -> {
          proxy.blackholeOpenConnections();
          receivedBeforeCut.set(b.engine.stats().packetsReceived());
          cutAt.set(System.nanoTime());
          // A packet every 50 ms, as a node probing and gossiping to the peer sends them.
          return a.call(() -> sender[0] = vertx.setPeriodic(50, tick -> a.transport.sendPacket(viaProxy, packet)));
        })
        .compose(sending -> TestNode.until(vertx,
            () -> b.engine.stats().packetsReceived() > receivedBeforeCut.get(), 30_000))
        .onComplete(test.succeeding(through -> test.verify(() -> {
          long millis = (System.nanoTime() - cutAt.get()) / 1_000_000;
          vertx.cancelTimer(sender[0]);
          System.out.printf("packets went through again %d ms after the connection was blackholed (ping timeout "
              + "%d ms)%n", millis, pingTimeout);
          assertThat(proxy.accepted()).as("connections: the blackholed one, then a new one").isEqualTo(2);
          assertThat(a.registry.get("cluster.transport.unresponsive.connections").counter().count()).isEqualTo(1);
          // Unanswered for the timeout, then a PING unanswered for the timeout: well within 20 of them under load.
          assertThat(millis).isGreaterThanOrEqualTo(2 * pingTimeout).isLessThan(20 * pingTimeout);
          test.completeNow();
        })));
  }

  @Test
  void aPeerThatLeavesRequestsUnansweredButAnswersPingsKeepsItsConnection(Vertx vertx, VertxTestContext test)
      throws Exception {
    // A peer whose backlog holds request bodies back is slow, not gone: its connection is kept.
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions()
            .setPacketTimeout(Duration.ofMinutes(10)).setPingTimeout(Duration.ofMillis(200)))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger connections = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    AtomicInteger pings = new AtomicInteger();
    HttpServer silent = vertx.createHttpServer(HttpTransport.serverOptions(new TransportOptions()))
        .connectionHandler(connection -> {
          connections.incrementAndGet();
          connection.closeHandler(gone -> closed.incrementAndGet());
          connection.pingHandler(ping -> pings.incrementAndGet());
        })
        .requestHandler(request -> { })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    byte[] packet = PacketCodec.ckit(new MessageCodec(), "").encode(new Ping(7, "someone-else", null, 0, ""), false);
    a.call(() -> {
      for (int i = 0; i < 10; i++) {
        a.transport.sendPacket("127.0.0.1:" + silent.actualPort(), packet);
      }
      return null;
    })
        .compose(sent -> TestNode.until(vertx, () -> pings.get() >= 5, 30_000))
        .onComplete(test.succeeding(pinged -> test.verify(() -> {
          assertThat(connections.get()).isEqualTo(1);
          assertThat(closed.get()).isZero();
          assertThat(a.registry.get("cluster.transport.unresponsive.connections").counter().count()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void aStreamWhosePeerAnswersAndThenGoesQuietIsResetAfterTheTimeout(Vertx vertx, VertxTestContext test)
      throws Exception {
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip().setStreamTimeout(Duration.ofMillis(300)),
        new TransportOptions()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger resets = new AtomicInteger();
    // A peer that accepts the stream (200) and then neither sends nor ends.
    HttpServer quiet = vertx.createHttpServer(HttpTransport.serverOptions(new TransportOptions()))
        .requestHandler(request -> {
          countResets(request, resets);
          request.response().setStatusCode(200).setChunked(true)
              .putHeader("Content-Type", HttpTransport.CONTENT_TYPE).writeHead();
        })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Promise<Integer> joined = Promise.promise();
    a.context.runOnContext(nothing -> a.engine.join(List.of("127.0.0.1:" + quiet.actualPort())).onComplete(joined));
    Gauge streams = a.registry.get("cluster.transport.streams").gauge();
    joined.future()
        .recover(failed -> {
          test.verify(() -> assertThat(failed).hasMessageEndingWith(": i/o timeout"));
          return Future.succeededFuture();
        })
        .compose(timedOut -> TestNode.until(vertx, () -> resets.get() == 1, 30_000))
        .onComplete(test.succeeding(reset -> test.verify(() -> {
          assertThat(joined.future().failed()).isTrue();
          assertThat(streams.value()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void anAcceptedStreamWhosePeerNeverEndsIsResetAfterTheTimeout(Vertx vertx, VertxTestContext test)
      throws Exception {
    TestNode b = TestNode.start(vertx, "b", TestNode.fastGossip().setStreamTimeout(Duration.ofMillis(300)),
        new TransportOptions()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger resets = new AtomicInteger();
    String[] hostPort = b.address.split(":");
    Gauge streams = b.registry.get("cluster.transport.streams").gauge();
    // A peer that opens a stream and then neither sends nor ends it.
    h2c(vertx).request(new RequestOptions().setMethod(HttpMethod.POST).setHost(hostPort[0])
            .setPort(Integer.parseInt(hostPort[1])).setURI(HttpTransport.STREAM_PATH)
            .putHeader("Content-Type", HttpTransport.CONTENT_TYPE))
        .compose(request -> {
          request.exceptionHandler(e -> {
            if (e instanceof StreamResetException) {
              resets.incrementAndGet();
            }
          });
          request.setChunked(true).sendHead();
          return request.response();
        })
        .compose(response -> {
          test.verify(() -> assertThat(response.statusCode()).isEqualTo(200));
          return TestNode.until(vertx, () -> resets.get() == 1, 30_000);
        })
        .onComplete(test.succeeding(reset -> test.verify(() -> {
          assertThat(streams.value()).isZero();
          test.completeNow();
        })));
  }

  @Test
  void everyCapturedGoFrameIsAcceptedByTheServerRoute(Vertx vertx, VertxTestContext test) throws Exception {
    TestNode plain = TestNode.start(vertx, "node-a", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestNode prod = TestNode.start(vertx, "node-a", "prod", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    HttpClientAgent client = h2c(vertx);
    List<Future<Integer>> posts = new ArrayList<>();
    int[] packets = {0};
    for (String file : List.of("traffic-join-leave.jsonl", "traffic-label.jsonl")) {
      TestNode target = file.contains("label") ? prod : plain;
      ReferenceVectors.forEachLine("wire/" + file, record -> {
        if (record.containsKey("hex") && record.getString("endpoint").equals("message")
            && record.getString("dir").equals("tx")) {
          packets[0]++;
          posts.add(post(client, target, HttpTransport.MESSAGE_PATH, HttpTransport.CONTENT_TYPE,
              frame(record)).map(HttpClientResponse::statusCode));
        }
      });
    }
    Future.all(posts)
        .compose(done -> TestNode.until(vertx, () -> plain.engine.stats().packetsReceived()
            + prod.engine.stats().packetsReceived() >= packets[0], 30_000))
        .onComplete(test.succeeding(received -> test.verify(() -> {
          assertThat(posts).allSatisfy(post -> assertThat(post.result()).isEqualTo(200));
          assertThat(plain.engine.stats().packetsRejected()).isZero();
          assertThat(prod.engine.stats().packetsRejected()).isZero();
          assertThat(plain.registry.get("cluster.transport.rx.packets").counter().count())
              .as("each packet counted once").isEqualTo(plain.engine.stats().packetsReceived());
          test.completeNow();
        })));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"traffic-join-leave.jsonl", "traffic-label.jsonl", "traffic-label-mismatch.jsonl"})
  void everyCapturedGoStreamGetsAPushPullAnswer(String file, Vertx vertx, VertxTestContext test) throws Exception {
    String label = file.equals("traffic-join-leave.jsonl") ? "" : "prod";
    TestNode node = TestNode.start(vertx, "node-a", label, TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Map<String, List<JsonObject>> streams = new LinkedHashMap<>();
    ReferenceVectors.forEachLine("wire/" + file, record -> {
      if (record.containsKey("hex") && "stream".equals(record.getString("endpoint"))
          && "client".equals(record.getString("role")) && "tx".equals(record.getString("dir"))) {
        streams.computeIfAbsent(record.getString("stream_id"), id -> new ArrayList<>()).add(record);
      }
    });
    String[] hostPort = node.address.split(":");
    HttpClientAgent client = h2c(vertx);
    List<Future<Buffer>> answers = new ArrayList<>();
    for (List<JsonObject> frames : streams.values()) {
      answers.add(client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(hostPort[0])
              .setPort(Integer.parseInt(hostPort[1])).setURI(HttpTransport.STREAM_PATH)
              .putHeader("Content-Type", HttpTransport.CONTENT_TYPE))
          .compose(request -> {
            request.setChunked(true);
            frames.forEach(frame -> request.write(frame(frame)));
            request.end();
            return request.response();
          })
          .compose(response -> {
            test.verify(() -> assertThat(response.statusCode()).isEqualTo(200));
            return response.body();
          }));
    }
    Future.all(answers).onComplete(test.succeeding(done -> test.verify(() -> {
      assertThat(answers).isNotEmpty().allSatisfy(answer -> {
        List<Buffer> payloads = new ArrayList<>();
        FrameCodec.Decoder decoder = new FrameCodec.Decoder(1 << 20, payloads::add);
        decoder.handle(answer.result());
        decoder.end();
        // A compressed push/pull: what Go's node-a answered.
        assertThat(payloads).singleElement()
            .satisfies(payload -> assertThat(HEX.formatHex(payload.getBytes())).startsWith("0982a4416c676f00"));
      });
      test.completeNow();
    })));
  }

  @Test
  void metricsCarryCkitsNamesInPrometheusFormat(Vertx vertx, VertxTestContext test) throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TransportMetrics.create(prometheus, "prod");
    String scrape = prometheus.scrape();
    for (String name : List.of("cluster_transport_rx_packets_total", "cluster_transport_rx_bytes_total",
        "cluster_transport_tx_packets_total", "cluster_transport_tx_bytes_total",
        "cluster_transport_tx_packets_failed_total", "cluster_transport_streams",
        "cluster_transport_stream_rx_packets_total", "cluster_transport_stream_rx_bytes_total",
        "cluster_transport_stream_rx_packets_failed_total", "cluster_transport_stream_tx_packets_total",
        "cluster_transport_stream_tx_bytes_total", "cluster_transport_stream_tx_packets_failed_total",
        "cluster_transport_rx_packet_queue_length", "cluster_transport_tx_packet_queue_length",
        "cluster_transport_tx_peer_queues")) {
      assertThat(scrape).contains(name + "{cluster_name=\"prod\"}");
    }
    test.completeNow();
  }

  /** Counts the request's stream being reset; once the request has ended, only its response hears of it. */
  /** A server of its own, on a loopback port, for b's gossip routes; {@code onConnection} hears of each connection. */
  private static int serverFor(Vertx vertx, TestNode b, Handler<HttpConnection> onConnection) throws Exception {
    return vertx.createHttpServer(HttpTransport.serverOptions(new TransportOptions()))
        .connectionHandler(onConnection)
        .requestHandler(b.transport.requestHandler())
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
  }

  private static void countResets(HttpServerRequest request, AtomicInteger resets) {
    boolean[] reset = {false};
    Handler<Throwable> counter = e -> {
      if (e instanceof StreamResetException && !reset[0]) {
        reset[0] = true;
        resets.incrementAndGet();
      }
    };
    request.exceptionHandler(counter);
    request.response().exceptionHandler(counter);
  }

  private static Buffer frame(JsonObject record) {
    return FrameCodec.encode(HEX.parseHex(record.getString("hex")));
  }

  /**
   * An engine on a worker context that the test can hold up (a worker may block; an event loop must not),
   * with its transport served on an event loop; it records the user messages and states it receives.
   */
  private static final class HeldEngine implements GossipDelegate {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final Queue<Integer> messages = new ConcurrentLinkedQueue<>();
    final List<ByteString> mergedStates = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private Context context;
    String address;

    static HeldEngine start(Vertx vertx, TransportOptions options) throws Exception {
      HeldEngine held = new HeldEngine();
      Promise<Context> worker = Promise.promise();
      vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          worker.complete(context);
          return Future.succeededFuture();
        }
      }, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER));
      held.context = worker.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      HttpTransport transport = HttpTransport.create(vertx, held.context, options,
          TransportMetrics.create(held.registry, ""));
      transport.bind(new Memberlist(new MemberIdentity("held", "127.0.0.1:7946", ""), GossipOptions.local(),
          transport, ContextScheduler.create(held.context), held, new SplittableRandom(1)));
      HttpServer server = vertx.createHttpServer(HttpTransport.serverOptions(options))
          .requestHandler(transport.requestHandler())
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      held.address = "127.0.0.1:" + server.actualPort();
      return held;
    }

    /** A user message payload: its index, then random filler (which compression cannot shrink). */
    static ByteString payload(int index, int length) {
      byte[] filler = new byte[length - 4];
      new SplittableRandom(index).nextBytes(filler);
      return ByteString.copyOf(Buffer.buffer().appendInt(index).appendBytes(filler).getBytes());
    }

    /**
     * The most frames of the given size that can still arrive once a body is paused: what the sender may have
     * in flight, one HTTP/2 flow-control window (64 KiB by default); under load that much is read before the
     * pause takes effect.
     */
    static int framesPerWindow(int frameBytes) {
      return 65_535 / frameBytes + 1;
    }

    /** Holds up the engine's context until {@link #release}. */
    void hold() {
      context.runOnContext(nothing -> {
        try {
          released.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }

    void release() {
      released.countDown();
    }

    @Override
    public void notifyMessage(ByteString message) {
      messages.add(Buffer.buffer(message.toByteArray()).getInt(0));
    }

    @Override
    public void mergeRemoteState(ByteString state, boolean join) {
      mergedStates.add(state);
    }
  }
}
