package io.ckit;

import static io.ckit.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.gossip.HostPort;
import io.ckit.testing.CuttableProxy;
import io.ckit.testing.Poll;
import io.ckit.testing.SourceBoundTransport;
import io.ckit.testing.TestDns;
import io.ckit.transport.HttpTransport;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The node's rejoin ({@link JoinOptions#getRejoinInterval()}): it costs nothing in a healthy cluster, and it
 * merges a partition long enough for both sides to forget each other.
 */
class NodeRejoinTest {

  /** How long the healthy cluster is watched: 30 s by default, {@code -Dckit.rejoin.quietSeconds=180} for 3 min. */
  private static final int QUIET_SECONDS = Integer.getInteger("ckit.rejoin.quietSeconds", 30);

  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES) // beyond the default 2 min, for the opt-in run; each wait is bounded
  void inAHealthyClusterRejoinSendsNoPushPull() throws Exception {
    TestDns dns = TestDns.start();
    Vertx vertx = Vertx.vertx(dns.vertxOptions(List.of(), 1));
    TestNodes nodes = new TestNodes(vertx);
    String service = "_ckit._tcp.nodes.ckit.test";
    try {
      List<Node> started = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        // No periodic push/pull: every push/pull counted below is a join's.
        Node node = nodes.create(TestNodes.options("node-" + i)
            // Probes patient enough that a busy machine does not make a member look dead (and rejoined).
            .setGossip(TestNodes.fastGossip().setPushPullInterval(Duration.ZERO)
                .setProbeInterval(Duration.ofSeconds(2)).setProbeTimeout(Duration.ofSeconds(1)))
            .setJoin(new JoinOptions().setRejoinInterval(Duration.ofSeconds(1))));
        await(node.start(List.of()));
        dns.address("node-" + i + ".ckit.test", "127.0.0.1")
            .srv(service, "node-" + i + ".ckit.test", HostPort.parse(node.advertiseAddress()).port());
        await(node.start(List.of("dnssrv+" + service)));
        started.add(node);
      }
      TestNodes.waitFor(vertx, "every node to see ten", 60_000,
          () -> started.stream().allMatch(node -> node.peers().size() == 10));
      double joined = streamPackets(started);
      // The instrument works: the joins were push/pulls, and it counted them.
      assertThat(joined).isPositive();

      // Every rejoin asks for the SRV records (one question a node a second); wait for that many rounds.
      int asked = dns.queries(service);
      TestNodes.waitFor(vertx, QUIET_SECONDS + " s of rejoins", (QUIET_SECONDS + 60) * 1000L,
          () -> dns.queries(service) >= asked + 10 * QUIET_SECONDS);
      assertThat(streamPackets(started)).as("stream packets sent after the cluster formed").isEqualTo(joined);
      assertThat(started).allSatisfy(node -> assertThat(node.peers()).hasSize(10));
    } finally {
      nodes.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      dns.close();
    }
  }

  @Test
  void anAddressThatNeverBecomesAMembersCostsOnePushPullPerInterval() throws Exception {
    // A load balancer's address in front of node a (a Service's virtual IP): b joins through it, and a is a
    // member at its own address, so the balancer's address is missing at every rejoin.
    TestDns dns = TestDns.start();
    Vertx vertx = Vertx.vertx(dns.vertxOptions(List.of(), 1));
    Vertx proxies = Vertx.vertx();
    TestNodes nodes = new TestNodes(vertx);
    Duration interval = Duration.ofMillis(500);
    try {
      Node a = nodes.start(TestNodes.options("node-a").setGossip(TestNodes.fastGossip()
          .setPushPullInterval(Duration.ZERO)));
      CuttableProxy vip = CuttableProxy.start(proxies).target(HostPort.parse(a.advertiseAddress()).port());
      dns.address("vip.ckit.test", "127.0.0.1");
      Node b = nodes.create(TestNodes.options("node-b").setGossip(TestNodes.fastGossip()
          .setPushPullInterval(Duration.ZERO)).setJoin(new JoinOptions().setRejoinInterval(interval)));
      await(b.start(List.of("dns+vip.ckit.test:" + vip.port())));
      // b starts every push/pull there is (a never does): its stream packets count them.
      double perPushPull = streamPackets(List.of(b));
      assertThat(perPushPull).isPositive();

      double before = streamPackets(List.of(b));
      long start = System.nanoTime();
      // Every rejoin resolves the balancer's name again: watch ten rounds go by at the DNS server.
      int asked = dns.queries("vip.ckit.test");
      TestNodes.waitFor(vertx, "ten rejoin rounds", 30_000, () -> dns.queries("vip.ckit.test") >= asked + 10);
      double pushPulls = (streamPackets(List.of(b)) - before) / perPushPull;
      long elapsed = System.nanoTime() - start;
      assertThat(pushPulls).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(elapsed / interval.toNanos() + 1);
      assertThat(a.peers()).hasSize(2);
      assertThat(b.peers()).hasSize(2);
    } finally {
      nodes.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      proxies.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      dns.close();
    }
  }

  @Test
  void aFiveFiveSplitMergesThroughRetainedMembersWhenOneSideListsNoSeedOfTheOther() throws Exception {
    // Each side dials from an IP of its own, so the proxies in front of every node can cut the traffic
    // between the sides only. Side b lists a seed of side a but never rejoins; side a lists nothing of side b:
    // only a's memory of b's members (the retention window) can bring the sides together again.
    Vertx proxies = Vertx.vertx();
    Vertx sideA = SourceBoundTransport.vertx("127.77.1.1");
    Vertx sideB = SourceBoundTransport.vertx("127.77.2.1");
    Duration rejoin = Duration.ofSeconds(2);
    List<Node> a = new ArrayList<>();
    List<Node> b = new ArrayList<>();
    List<CuttableProxy> aProxies = new ArrayList<>();
    List<CuttableProxy> bProxies = new ArrayList<>();
    List<HttpServer> servers = new ArrayList<>();
    try {
      String seed = null;
      for (int i = 0; i < 5; i++) {
        CuttableProxy proxy = CuttableProxy.start(proxies);
        NodeOptions options = partitionOptions("a" + i, proxy.port()).setJoin(new JoinOptions()
            .setRejoinInterval(rejoin));
        Node node = startBehind(sideA, options, proxy, servers, seed == null ? List.of() : List.of(seed));
        seed = seed == null ? node.advertiseAddress() : seed;
        a.add(node);
        aProxies.add(proxy);
      }
      for (int i = 0; i < 5; i++) {
        CuttableProxy proxy = CuttableProxy.start(proxies);
        b.add(startBehind(sideB, partitionOptions("b" + i, proxy.port()), proxy, servers, List.of(seed)));
        bProxies.add(proxy);
      }
      List<Node> all = new ArrayList<>(a);
      all.addAll(b);
      Poll.until("all ten nodes to see each other", () -> all.stream().allMatch(node -> node.peers().size() == 10));

      aProxies.forEach(proxy -> proxy.cutFrom(Set.of("127.77.2.1")));
      bProxies.forEach(proxy -> proxy.cutFrom(Set.of("127.77.1.1")));
      Poll.until("each side to forget the other", () -> all.stream().allMatch(node -> node.peers().size() == 5));

      long healed = System.nanoTime();
      aProxies.forEach(proxy -> proxy.cutFrom(Set.of()));
      bProxies.forEach(proxy -> proxy.cutFrom(Set.of()));
      Poll.until("the sides to merge", () -> all.stream().allMatch(node -> node.peers().size() == 10));
      Duration merged = Duration.ofNanos(System.nanoTime() - healed);
      System.out.println("5|5 split merged " + merged.toMillis() + " ms after healing (rejoin interval " + rejoin + ")");
      assertThat(merged).isLessThan(rejoin.plusSeconds(5));
    } finally {
      List<Future<Void>> stops = new ArrayList<>();
      a.forEach(node -> stops.add(node.stop()));
      b.forEach(node -> stops.add(node.stop()));
      Future.join(stops).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      for (Vertx vertx : List.of(sideA, sideB, proxies)) {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Fast gossip that forgets a dead member at once, advertising the proxy's port. */
  private static NodeOptions partitionOptions(String name, int proxyPort) {
    return TestNodes.options(name).setListen(null).setAdvertiseAddress("127.0.0.1:" + proxyPort)
        .setGossip(TestNodes.fastGossip().setGossipToTheDeadTime(Duration.ZERO));
  }

  /** A node on the side's Vert.x instance, served by a server of the test's own behind the proxy. */
  private static Node startBehind(Vertx side, NodeOptions options, CuttableProxy proxy, List<HttpServer> servers,
      List<String> join) {
    Node node = Node.create(side, options);
    HttpServer server = await(side.createHttpServer(HttpTransport.serverOptions(options.getTransport()))
        .requestHandler(node.transportHandler()).listen(0, "127.0.0.1"));
    servers.add(server);
    proxy.target(server.actualPort());
    await(node.start(join));
    return node;
  }

  private static double streamPackets(List<Node> nodes) {
    double sum = 0;
    for (Node node : nodes) {
      Counter counter = node.meterRegistry().find("cluster.transport.stream.tx.packets").counter();
      sum += counter == null ? 0 : counter.count();
    }
    return sum;
  }
}
