package io.ckit;

import static io.ckit.TestNodes.await;
import static io.ckit.TestNodes.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.gossip.HostPort;
import io.ckit.peer.Peer;
import io.ckit.testing.TestDns;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Join addresses found by DNS, on real nodes: a DNS server the test runs on loopback is the only one their
 * Vert.x instance asks.
 */
class DiscoveryTest {

  private final TestDns dns = TestDns.start();
  private final Vertx vertx = Vertx.vertx(dns.vertxOptions(List.of(), 1));
  private final TestNodes nodes = new TestNodes(vertx);

  @AfterEach
  void tearDown() throws Exception {
    nodes.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    dns.close();
  }

  @Test
  void threeNodesJoinThroughTheAddressRecordsOfOneName() throws IOException {
    // As behind a Kubernetes headless service: one name, one port, an address per node (a loopback IP each).
    List<String> ips = List.of("127.77.3.1", "127.77.3.2", "127.77.3.3");
    int port = portFreeOn(ips);
    String join = "dns+nodes.ckit.test:" + port;
    List<Node> started = new ArrayList<>();
    for (int i = 0; i < ips.size(); i++) {
      // Each node is listed once it runs; the first one finds only itself, which starts a cluster.
      dns.address("nodes.ckit.test", ips.get(i));
      Node node = nodes.create(TestNodes.options("node-" + i).setListen(ips.get(i) + ":" + port)
          .setAdvertiseAddress(ips.get(i) + ":" + port));
      await(node.start(List.of(join)));
      started.add(node);
    }
    for (Node node : started) {
      waitFor(vertx, node.name() + " to see all three", 30_000, () -> node.peers().size() == 3);
      assertThat(node.peers()).extracting(Peer::addr).containsExactlyInAnyOrder(ips.get(0) + ":" + port,
          ips.get(1) + ":" + port, ips.get(2) + ":" + port);
    }
  }

  @Test
  void threeNodesJoinThroughSrvRecords() {
    List<Node> started = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Node node = nodes.create("node-" + i);
      await(node.start(List.of()));
      // Each node is listed (target and port) once it runs.
      String target = "node-" + i + ".ckit.test";
      dns.address(target, "127.0.0.1").srv("_ckit._tcp.nodes.ckit.test", target,
          HostPort.parse(node.advertiseAddress()).port());
      await(node.start(List.of("dnssrv+_ckit._tcp.nodes.ckit.test")));
      started.add(node);
    }
    for (Node node : started) {
      waitFor(vertx, node.name() + " to see all three", 30_000, () -> node.peers().size() == 3);
    }
  }

  @Test
  void aRecordThatAppearsLaterIsJoinedAtTheNextRejoin() {
    Duration rejoin = Duration.ofSeconds(1);
    Node a = nodes.create(TestNodes.options("node-a").setJoin(new JoinOptions().setRejoinInterval(rejoin)));
    await(a.start(List.of()));
    dns.address("node-a.ckit.test", "127.0.0.1")
        .srv("_ckit._tcp.nodes.ckit.test", "node-a.ckit.test", HostPort.parse(a.advertiseAddress()).port());
    await(a.start(List.of("dnssrv+_ckit._tcp.nodes.ckit.test")));
    // A node a was never told about, in a cluster of its own.
    Node b = nodes.start("node-b");
    assertThat(a.peers()).hasSize(1);

    int asked = dns.queries();
    waitFor(vertx, "a to look the name up again", 30_000, () -> dns.queries() > asked);
    assertThat(a.peers()).hasSize(1);
    long listed = System.nanoTime();
    dns.address("node-b.ckit.test", "127.0.0.1")
        .srv("_ckit._tcp.nodes.ckit.test", "node-b.ckit.test", HostPort.parse(b.advertiseAddress()).port());
    waitFor(vertx, "a and b to see each other", 30_000, () -> a.peers().size() == 2 && b.peers().size() == 2);
    assertThat(Duration.ofNanos(System.nanoTime() - listed)).isLessThan(rejoin.plusSeconds(5));
  }

  @Test
  void aJoinTriesAtMostMaxJoinPeersOfTheResolvedAddresses() {
    // Ten listeners that are no ckit nodes: they count the connections made to them and close each one.
    Map<Integer, AtomicInteger> connections = new ConcurrentHashMap<>();
    for (int i = 0; i < 10; i++) {
      AtomicInteger count = new AtomicInteger();
      NetServer server = await(vertx.createNetServer().connectHandler(socket -> {
        count.incrementAndGet();
        socket.close();
      }).listen(0, "127.0.0.1"));
      connections.put(server.actualPort(), count);
      dns.address("target-" + i + ".ckit.test", "127.0.0.1")
          .srv("_ckit._tcp.many.ckit.test", "target-" + i + ".ckit.test", server.actualPort());
    }
    Node node = nodes.create(TestNodes.options("joiner").setJoin(new JoinOptions().setMaxJoinPeers(3)));

    assertThatThrownBy(() -> await(node.start(List.of("dnssrv+_ckit._tcp.many.ckit.test"))))
        .hasMessageStartingWith("failed to join memberlist: ");
    assertThat(connections.values().stream().filter(count -> count.get() > 0).count()).isEqualTo(3);
    assertThat(connections.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(3);

    // Again: another random three, at most.
    assertThatThrownBy(() -> await(node.start(List.of("dnssrv+_ckit._tcp.many.ckit.test"))));
    assertThat(connections.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(6);
  }

  @Test
  void aNameThatDoesNotResolveFailsTheJoinSayingSo() {
    Node node = nodes.create("node-a");
    assertThatThrownBy(() -> await(node.start(List.of("dns+missing.ckit.test:7946"))))
        .hasMessageStartingWith("cannot resolve dns+missing.ckit.test:7946: ");
    // One name that resolves is enough.
    Node b = nodes.start("node-b");
    dns.address("b.ckit.test", "127.0.0.1");
    await(node.start(List.of("dns+missing.ckit.test:7946",
        "dns+b.ckit.test:" + HostPort.parse(b.advertiseAddress()).port())));
    waitFor(vertx, "the node to see b", 30_000, () -> node.peers().size() == 2);
  }

  /** A port no listener has on any of the IPs (checked by binding each). */
  private static int portFreeOn(List<String> ips) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      int port;
      try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getByName(ips.get(0)))) {
        port = first.getLocalPort();
      }
      boolean free = true;
      for (String ip : ips) {
        try (ServerSocket socket = new ServerSocket()) {
          socket.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return port;
      }
    }
    throw new IOException("no port free on all of " + ips);
  }
}
