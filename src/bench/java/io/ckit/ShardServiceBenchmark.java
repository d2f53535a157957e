package io.ckit;

import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.Op;
import io.ckit.shard.ShardService;
import io.ckit.shard.ReadOnlySharder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Event-bus shard lookups per second, asked by another verticle through {@link ShardService}'s typed
 * client, next to a bare event-bus echo on the same bus (a consumer that replies with the request), and the
 * direct in-process lookup. A 3-node cluster of participants (ring:256) on loopback; 64 requests in flight.
 *
 * <p>Run: {@code ./mvnw -Pharness verify -Dharness.class=io.ckit.ShardServiceBenchmark -Dharness.args=}
 */
public final class ShardServiceBenchmark {

  private static final int IN_FLIGHT = 64;
  private static final long ROUND_NANOS = TimeUnit.SECONDS.toNanos(5);

  private ShardServiceBenchmark() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    TestNodes nodes = new TestNodes(vertx);
    try {
      Node a = nodes.start("node-a");
      Node b = nodes.start("node-b", a);
      Node c = nodes.start("node-c", a);
      for (Node node : new Node[] {a, b, c}) {
        TestNodes.await(node.changeState(PeerState.PARTICIPANT));
      }
      TestNodes.waitFor(vertx, "three participants", 20_000, () -> a.sharder().peers().size() == 3);
      TestNodes.await(vertx.deployVerticle(new VerticleBase() {
        @Override
        public Future<?> start() {
          return vertx.eventBus().<JsonObject>consumer("bench.echo", message -> message.reply(message.body()))
              .completion();
        }
      }));
      String shardAddress = a.options().getShardAddress();
      Client client = new Client(shardAddress);
      TestNodes.await(vertx.deployVerticle(client));

      for (int round = 0; round < 5; round++) {
        double echo = TestNodes.await(client.run(() -> client.echo()));
        double lookups = TestNodes.await(client.run(() -> client.lookup()));
        double json = TestNodes.await(client.run(() -> client.jsonLookup()));
        double batch = TestNodes.await(client.run(() -> client.batch())) * 100;
        System.out.printf(Locale.ROOT, "round %d: echo %.0f req/s; typed lookup %.0f req/s (%.0f%% of echo);"
            + " JSON lookup %.0f req/s (%.0f%%); batches of 100 keys %.0f keys/s%n", round + 1, echo, lookups,
            100 * lookups / echo, json, 100 * json / echo, batch);
      }
      ReadOnlySharder sharder = a.sharder();
      Key[] keys = new Key[1024];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = Key.ofString("key-" + i);
      }
      for (int round = 0; round < 3; round++) {
        long start = System.nanoTime();
        long count = 0;
        int sink = 0;
        while (System.nanoTime() - start < ROUND_NANOS) {
          for (int i = 0; i < 1000; i++) {
            sink += sharder.lookup(keys[i & 1023], 1, Op.READ_WRITE).size();
          }
          count += 1000;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "direct lookup (in process): %.0f lookups/s, %.0f ns each (%d)%n",
            count / seconds, seconds * 1e9 / count, sink & 1);
      }
    } finally {
      nodes.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Another verticle: keeps {@link #IN_FLIGHT} requests going for one round, then reports requests/s. */
  private static final class Client extends VerticleBase {

    private final String address;
    private ShardService shards;
    private int counter;

    Client(String address) {
      this.address = address;
    }

    @Override
    public Future<?> start() {
      shards = ShardService.createProxy(vertx, address);
      return Future.succeededFuture();
    }

    Future<?> echo() {
      return vertx.eventBus().request("bench.echo", new JsonObject().put("key", "key-" + (counter++ & 1023))
          .put("n", 1).put("op", "readwrite"));
    }

    Future<?> lookup() {
      return shards.lookup("key-" + (counter++ & 1023), 1, Op.READ_WRITE);
    }

    Future<?> jsonLookup() {
      return vertx.eventBus().request(address, new JsonObject().put("key", "key-" + (counter++ & 1023))
          .put("n", 1).put("op", "readwrite"));
    }

    Future<?> batch() {
      java.util.List<String> keys = new java.util.ArrayList<>(100);
      for (int i = 0; i < 100; i++) {
        keys.add("key-" + (counter++ & 1023));
      }
      return shards.lookupAll(keys, 1, Op.READ_WRITE);
    }

    Future<Double> run(Supplier<Future<?>> request) {
      Promise<Double> result = Promise.promise();
      context.runOnContext(nothing -> {
        long start = System.nanoTime();
        long[] done = {0};
        int[] running = {IN_FLIGHT};
        for (int lane = 0; lane < IN_FLIGHT; lane++) {
          loop(request, start, done, running, result);
        }
      });
      return result.future();
    }

    private void loop(Supplier<Future<?>> request, long start, long[] done, int[] running, Promise<Double> result) {
      if (System.nanoTime() - start >= ROUND_NANOS) {
        if (--running[0] == 0) {
          result.complete(done[0] / ((System.nanoTime() - start) / 1e9));
        }
        return;
      }
      request.get().onComplete(reply -> {
        if (reply.failed()) {
          result.tryFail(reply.cause());
          return;
        }
        done[0]++;
        loop(request, start, done, running, result);
      });
    }
  }
}
