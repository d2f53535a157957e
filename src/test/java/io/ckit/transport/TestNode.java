package io.ckit.transport;

import io.ckit.impl.ContextScheduler;
import io.ckit.gossip.GossipDelegate;
import io.ckit.gossip.GossipOptions;
import io.ckit.gossip.Member;
import io.ckit.gossip.MemberIdentity;
import io.ckit.gossip.Memberlist;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * An engine on its own Vert.x context with an {@link HttpTransport}, served by a real HTTP server on
 * 127.0.0.1 (on another context, as an application's server would be).
 */
final class TestNode implements GossipDelegate {

  final Vertx vertx;
  final Context context;
  final Context serverContext;
  final String name;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Set<String> visible = ConcurrentHashMap.newKeySet();
  HttpTransport transport;
  Memberlist engine;
  HttpServer server;
  String address;

  private TestNode(Vertx vertx, String name) {
    this.vertx = vertx;
    this.name = name;
    this.context = vertx.getOrCreateContext();
    this.serverContext = vertx.getOrCreateContext();
  }

  /** Fast timings: probes every 200 ms, gossip every 50 ms. */
  static GossipOptions fastGossip() {
    return GossipOptions.local()
        .setProbeInterval(Duration.ofMillis(200))
        .setProbeTimeout(Duration.ofMillis(100))
        .setGossipInterval(Duration.ofMillis(50))
        .setStreamTimeout(Duration.ofSeconds(2))
        .setPushPullInterval(Duration.ofSeconds(2));
  }

  static Future<TestNode> start(Vertx vertx, String name, GossipOptions gossip, TransportOptions transportOptions) {
    return start(vertx, name, "", gossip, transportOptions);
  }

  /** A node of a labelled cluster. */
  static Future<TestNode> start(Vertx vertx, String name, String label, GossipOptions gossip,
      TransportOptions transportOptions) {
    TestNode node = new TestNode(vertx, name);
    Promise<TestNode> started = Promise.promise();
    node.context.runOnContext(nothing -> {
      node.transport = HttpTransport.create(vertx, transportOptions,
          TransportMetrics.create(node.registry, label));
      node.listen(transportOptions).onComplete(listening -> node.context.runOnContext(onEngineContext -> {
        if (listening.failed()) {
          started.fail(listening.cause());
          return;
        }
        node.server = listening.result();
        node.address = "127.0.0.1:" + node.server.actualPort();
        node.engine = new Memberlist(new MemberIdentity(name, node.address, label), gossip, node.transport,
            ContextScheduler.create(node.context), node, new SplittableRandom(name.hashCode()));
        node.transport.bind(node.engine);
        node.engine.start();
        started.complete(node);
      }));
    });
    return started.future();
  }

  private Future<HttpServer> listen(TransportOptions options) {
    Promise<HttpServer> listening = Promise.promise();
    serverContext.runOnContext(nothing -> vertx.createHttpServer(HttpTransport.serverOptions(options))
        .requestHandler(transport.requestHandler())
        .listen(0, "127.0.0.1")
        .onComplete(listening));
    return listening.future();
  }

  /** Runs on the engine's context. */
  <T> Future<T> call(Supplier<T> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(nothing -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    return result.future();
  }

  Future<Integer> join(TestNode other) {
    Promise<Integer> joined = Promise.promise();
    context.runOnContext(nothing -> engine.join(List.of(other.address)).onComplete(joined));
    return joined.future();
  }

  Future<Void> close() {
    return call(() -> {
      engine.shutdown();
      return null;
    }).compose(nothing -> transport.close()).compose(nothing -> server.close());
  }

  @Override
  public void notifyJoin(Member member) {
    visible.add(member.name());
  }

  @Override
  public void notifyLeave(Member member) {
    visible.remove(member.name());
  }

  /** Completes after the delay. */
  static Future<Void> delay(Vertx vertx, long millis) {
    Promise<Void> done = Promise.promise();
    vertx.setTimer(millis, id -> done.complete());
    return done.future();
  }

  /** Completes when the condition holds, checking every 20 ms; fails after the timeout. */
  static Future<Void> until(Vertx vertx, Supplier<Boolean> condition, long timeoutMillis) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    vertx.setPeriodic(20, id -> {
      if (condition.get()) {
        vertx.cancelTimer(id);
        done.tryComplete();
      } else if (System.nanoTime() > deadline) {
        vertx.cancelTimer(id);
        done.tryFail("condition not met within " + timeoutMillis + " ms");
      }
    });
    return done.future();
  }
}
