package io.ckit;

import io.ckit.gossip.GossipOptions;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Real nodes on loopback for tests: each with an h2c server of its own on a free port. */
final class TestNodes implements AutoCloseable {

  final Vertx vertx;
  private final List<Node> nodes = new ArrayList<>();

  TestNodes(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Fast gossip: probes every 200 ms, gossip every 50 ms, push/pull every 5 s. */
  static GossipOptions fastGossip() {
    return GossipOptions.local()
        .setProbeInterval(Duration.ofMillis(200))
        .setProbeTimeout(Duration.ofMillis(100))
        .setGossipInterval(Duration.ofMillis(50))
        .setStreamTimeout(Duration.ofSeconds(2))
        .setPushPullInterval(Duration.ofSeconds(5));
  }

  static NodeOptions options(String name) {
    return new NodeOptions()
        .setName(name)
        .setListen("127.0.0.1:0")
        .setAdvertiseAddress("127.0.0.1:0")
        .setGossip(fastGossip())
        .setLeaveTimeout(Duration.ofSeconds(2));
  }

  /** A node, created (not started); stopped when this closes. */
  Node create(NodeOptions options) {
    Node node = Node.create(vertx, options);
    nodes.add(node);
    return node;
  }

  Node create(String name) {
    return create(options(name));
  }

  /** A started node that joined the given ones. */
  Node start(String name, Node... join) {
    return start(options(name), join);
  }

  /** A started node that joined the given ones. */
  Node start(NodeOptions options, Node... join) {
    Node node = create(options);
    await(node.start(addresses(join)));
    return node;
  }

  /**
   * Fast gossip that never probes: a node that goes away without a word is never found out, so a test that
   * sees it removed has seen its leave message.
   */
  static NodeOptions withoutFailureDetection(String name) {
    return options(name).setGossip(fastGossip().setProbeInterval(Duration.ofHours(1)));
  }

  static List<String> addresses(Node... nodes) {
    List<String> addresses = new ArrayList<>();
    for (Node node : nodes) {
      addresses.add(node.advertiseAddress());
    }
    return addresses;
  }

  @Override
  public void close() {
    List<Future<Void>> stops = new ArrayList<>();
    nodes.forEach(node -> stops.add(node.stop()));
    await(Future.join(stops).mapEmpty());
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits (polling every 20 ms on a Vert.x timer) until the condition holds; fails after the timeout. */
  static void waitFor(Vertx vertx, String what, long timeoutMillis, BooleanSupplier condition) {
    Promise<Void> done = Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    poll(vertx, condition, deadline, done);
    try {
      done.future().toCompletionStage().toCompletableFuture().get(timeoutMillis + 10_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what, e);
    }
  }

  private static void poll(Vertx vertx, BooleanSupplier condition, long deadline, Promise<Void> done) {
    if (condition.getAsBoolean()) {
      done.complete();
    } else if (System.nanoTime() > deadline) {
      done.fail("condition not met");
    } else {
      vertx.setTimer(20, id -> poll(vertx, condition, deadline, done));
    }
  }

  /** The state a node sees a peer in, or null if it does not know the peer. */
  static PeerState stateOf(Node node, String peer) {
    for (Peer p : node.peers()) {
      if (p.name().equals(peer)) {
        return p.state();
      }
    }
    return null;
  }

  static void waitPeerState(Vertx vertx, Node node, String peer, PeerState state) {
    waitFor(vertx, node.name() + " to see " + peer + " as " + state, 30_000,
        () -> stateOf(node, peer) == state);
  }
}
