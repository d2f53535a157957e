package io.ckit.transport;

import io.ckit.impl.ContextScheduler;
import io.ckit.gossip.GossipDelegate;
import io.ckit.gossip.Member;
import io.ckit.gossip.MemberIdentity;
import io.ckit.gossip.Memberlist;
import io.ckit.transport.MemoryNetwork.MemoryTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Engines on their own Vert.x contexts, connected in memory: the same engine, no sockets. */
@ExtendWith(VertxExtension.class)
class MemoryNetworkTest {

  @Test
  void threeEnginesOnTheirOwnContextsConvergeInMemory(Vertx vertx, VertxTestContext test) {
    MemoryNetwork network = new MemoryNetwork();
    List<Node> nodes = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      nodes.add(new Node(vertx, network, name));
    }
    Future.all(nodes.stream().map(Node::start).toList())
        .compose(started -> nodes.get(1).join(nodes.get(0)))
        .compose(joined -> nodes.get(2).join(nodes.get(0)))
        .compose(joined -> TestNode.until(vertx, () -> nodes.stream().allMatch(node -> node.visible.size() == 3),
            30_000))
        .compose(converged -> {
          // A node whose endpoint is gone is declared dead by the others.
          network.detach(nodes.get(2).address);
          return nodes.get(2).call(() -> {
            nodes.get(2).engine.shutdown();
            return null;
          });
        })
        .compose(stopped -> TestNode.until(vertx, () -> nodes.subList(0, 2).stream()
            .allMatch(node -> node.visible.size() == 2), 30_000))
        .onComplete(test.succeedingThenComplete());
  }

  private static final class Node implements GossipDelegate {
    final Context context;
    final String name;
    final String address;
    final MemoryTransport transport;
    final Set<String> visible = ConcurrentHashMap.newKeySet();
    Memberlist engine;

    Node(Vertx vertx, MemoryNetwork network, String name) {
      this.context = vertx.getOrCreateContext();
      this.name = name;
      this.address = "127.0.0." + (name.charAt(0) - 'a' + 1) + ":7946";
      this.transport = network.attach(address, context, ContextScheduler.create(context));
    }

    Future<Void> start() {
      return call(() -> {
        engine = new Memberlist(new MemberIdentity(name, address, ""), TestNode.fastGossip(), transport,
            ContextScheduler.create(context), this, new SplittableRandom(name.hashCode()));
        transport.bind(engine);
        engine.start();
        return null;
      });
    }

    Future<Integer> join(Node other) {
      Promise<Integer> joined = Promise.promise();
      context.runOnContext(nothing -> engine.join(List.of(other.address)).onComplete(joined));
      return joined.future();
    }

    <T> Future<T> call(java.util.function.Supplier<T> action) {
      Promise<T> result = Promise.promise();
      context.runOnContext(nothing -> result.complete(action.get()));
      return result.future();
    }

    @Override
    public void notifyJoin(Member member) {
      visible.add(member.name());
    }

    @Override
    public void notifyLeave(Member member) {
      visible.remove(member.name());
    }
  }
}
