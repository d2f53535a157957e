package io.ckit.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.testing.TestDns;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Join addresses resolved through a DNS server the test runs on loopback. */
class JoinAddressResolverTest {

  private final TestDns dns = TestDns.start();
  private Vertx vertx;

  @AfterEach
  void tearDown() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    dns.close();
  }

  private JoinAddressResolver.Resolution resolve(List<String> search, int ndots, String... addresses)
      throws Exception {
    vertx = Vertx.vertx(dns.vertxOptions(search, ndots));
    JoinAddressResolver resolver = new JoinAddressResolver(vertx);
    Future<JoinAddressResolver.Resolution> resolved = resolver.resolve(List.of(addresses), 7946);
    return resolved.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void ipAddressesStandForThemselves() throws Exception {
    JoinAddressResolver.Resolution resolution = resolve(List.of(), 1, "10.0.0.1:7000", "[fd00::1]:7000",
        "node-b/10.0.0.2", "10.0.0.1:7000");
    assertThat(resolution.addresses()).containsExactly("10.0.0.1:7000", "[fd00::1]:7000", "10.0.0.2:7946");
    assertThat(resolution.errors()).isEmpty();
  }

  @Test
  void namesStandForEveryAddressRecord() throws Exception {
    dns.address("peers.cluster.test", "10.0.0.1").address("peers.cluster.test", "10.0.0.2")
        .address("peers.cluster.test", "::1").address("seed.cluster.test", "10.0.0.9");
    JoinAddressResolver.Resolution resolution = resolve(List.of(), 1, "dns+peers.cluster.test:7000",
        "seed.cluster.test:7001");
    assertThat(resolution.addresses()).containsExactlyInAnyOrder("10.0.0.1:7000", "10.0.0.2:7000",
        "[::1]:7000", "10.0.0.9:7001");
  }

  @Test
  void srvRecordsGiveTargetsAndPorts() throws Exception {
    dns.srv("_ckit._tcp.peers.cluster.test", "node-a.cluster.test", 7001)
        .srv("_ckit._tcp.peers.cluster.test", "node-b.cluster.test", 7002)
        .address("node-a.cluster.test", "10.0.0.1").address("node-b.cluster.test", "10.0.0.2");
    JoinAddressResolver.Resolution resolution = resolve(List.of(), 1, "dnssrv+_ckit._tcp.peers.cluster.test");
    assertThat(resolution.addresses()).containsExactlyInAnyOrder("10.0.0.1:7001", "10.0.0.2:7002");
  }

  @Test
  void shortNamesGoThroughTheSearchListAsInAKubernetesPod() throws Exception {
    // A pod's resolv.conf: search <ns>.svc.cluster.local svc.cluster.local cluster.local, options ndots:5.
    List<String> search = List.of("team.svc.cluster.local", "svc.cluster.local", "cluster.local");
    dns.address("my-svc.team.svc.cluster.local", "10.1.0.1")
        .srv("_gossip._tcp.my-svc.team.svc.cluster.local", "pod-0.my-svc.team.svc.cluster.local.", 7946)
        .address("pod-0.my-svc.team.svc.cluster.local", "10.1.0.2");
    JoinAddressResolver.Resolution resolution = resolve(search, 5, "dns+my-svc:7946", "dnssrv+_gossip._tcp.my-svc");
    assertThat(resolution.addresses()).containsExactlyInAnyOrder("10.1.0.1:7946", "10.1.0.2:7946");
    assertThat(resolution.errors()).isEmpty();
  }

  @Test
  void aNameThatDoesNotResolveIsAnErrorAndTheOthersStillCount() throws Exception {
    dns.address("seed.cluster.test", "10.0.0.9");
    JoinAddressResolver.Resolution resolution = resolve(List.of(), 1, "dns+missing.cluster.test:7000",
        "dnssrv+_ckit._tcp.missing.cluster.test", "seed.cluster.test:7000", "no port:x");
    assertThat(resolution.addresses()).containsExactly("10.0.0.9:7000");
    assertThat(resolution.errors()).hasSize(3).allSatisfy(error -> assertThat(error).startsWith("cannot resolve "));
    assertThat(resolution.errors().get(0)).startsWith("cannot resolve dns+missing.cluster.test:7000: ");
  }

  @Test
  void resolvConfSearchListAndNdots() {
    ResolvConf conf = ResolvConf.parse("""
        # written by kubelet
        nameserver 10.96.0.10
        search team.svc.cluster.local svc.cluster.local cluster.local
        options ndots:5 timeout:2
        """);
    assertThat(conf).isEqualTo(new ResolvConf(List.of("team.svc.cluster.local", "svc.cluster.local",
        "cluster.local"), 5));
    assertThat(conf.candidates("my-svc")).containsExactly("my-svc.team.svc.cluster.local",
        "my-svc.svc.cluster.local", "my-svc.cluster.local", "my-svc");
    assertThat(conf.candidates("a.b.c.d.e.f")).startsWith("a.b.c.d.e.f");
    assertThat(conf.candidates("absolute.example.")).containsExactly("absolute.example.");
    assertThat(ResolvConf.parse("domain example.com\noptions ndots:x")).isEqualTo(
        new ResolvConf(List.of("example.com"), 1));
    assertThat(ResolvConf.parse("")).isEqualTo(ResolvConf.NONE);
  }
}
