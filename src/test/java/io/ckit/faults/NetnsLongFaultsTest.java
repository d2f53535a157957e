package io.ckit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault suite's long runs in network namespaces, opt-in ({@code ./mvnw -Pfaults test}): a namespace's link
 * taken down and up; 20% packet loss and 100 ms delay on every link for {@code -Dckit.faults.lossMinutes}
 * (default 10) minutes with the {@code lan} preset, during which no live node may be declared dead; a 5|5
 * partition of 10 nodes, healed within the rejoin interval + 5 s. Each scenario runs on a cluster of its own;
 * the table goes to standard out and {@code target/faults/NetnsLongFaultsTest.md}.
 */
@Tag("faults-long")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetnsLongFaultsTest {

  private static final int REJOIN_SECONDS = 2;
  private static final Duration LIMIT = Duration.ofSeconds(120);
  private static final double LOSS_MINUTES = Double.parseDouble(System.getProperty("ckit.faults.lossMinutes", "10"));

  private Vertx vertx;
  private final FaultReport report = new FaultReport("NetnsLongFaultsTest: link down/up, loss and delay, "
      + "a 5|5 partition, in network namespaces");

  @BeforeAll
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      report.write(getClass().getSimpleName());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void aHostWhoseLinkGoesDownIsDroppedAndRejoinsWhenItComesBack() throws Exception {
    try (Setup setup = new Setup("link", 5, "{\"gossip\": {\"preset\": \"local\"}}",
        "--rejoin-interval", REJOIN_SECONDS + "s")) {
      int victim = 4;
      String name = FaultCluster.name(victim);
      Duration healLimit = Duration.ofSeconds(REJOIN_SECONDS + 5);
      report.run(setup.watch, "link of n4's namespace down, then up (5 nodes, local preset)",
          "every other node drops n4 (dead, no leave); link up, one cluster of 5 participants within the rejoin "
              + "interval + 5 s (" + healLimit.toSeconds() + " s)", row -> {
            setup.start(row);
            Instant at = Instant.now();
            long fault = System.nanoTime();
            setup.hosts.linkDown(victim);
            Set<Integer> others = setup.cluster.running();
            others.remove(victim);
            row.detect(setup.watch.await("every other node drops n4", fault, others,
                (host, view) -> !view.lists(name), LIMIT));
            for (int other : others) {
              assertThat(setup.watch.typesAbout(other, victim, at)).as("what n%d saw of n4", other)
                  .contains("dead").doesNotContain("leave");
            }
            long up = System.nanoTime();
            setup.hosts.linkUp(victim);
            ClusterWatch.Timing back = setup.watch.awaitWhole(setup.cluster, up, LIMIT);
            row.recover(back);
            assertThat(back.all()).as("one cluster again after the link came up").isLessThanOrEqualTo(healLimit);
          });
    }
  }

  @Test
  @Order(2)
  void underLossAndDelayNoLiveNodeIsDeclaredDead() throws Exception {
    try (Setup setup = new Setup("loss", 5, "{\"gossip\": {\"preset\": \"lan\"}}", "--rejoin-interval", "10s")) {
      Duration window = Duration.ofMillis((long) (LOSS_MINUTES * 60_000));
      setup.cluster.delayEveryLink(vertx, Duration.ofMillis(100));
      report.run(setup.watch, String.format(java.util.Locale.ROOT,
              "20%% loss and 100 ms delay each way on every link, %.1f min (5 nodes, lan preset)", LOSS_MINUTES),
          "no live node declared dead or left on any node (suspicions allowed, counted); every node lists the "
              + "others at their proxy addresses; one cluster at the end", row -> {
            setup.start(row);
            Set<Integer> all = setup.cluster.running();
            Map<Integer, ClusterWatch.View> views = setup.watch.views(all);
            for (ClusterWatch.View view : views.values()) {
              view.addrs().forEach((peer, addr) -> assertThat(addr).as("%s's address on n%d", peer, view.host())
                  .startsWith("10.231.1."));
            }
            Instant at = Instant.now();
            long fault = System.nanoTime();
            setup.hosts.loss(20);
            assertThat(setup.hosts.rules(1)).contains("numgen random mod 100 < 20");
            long end = fault + window.toNanos();
            long polls = 0;
            long incomplete = 0;
            Map<String, Long> firstIncomplete = new TreeMap<>();
            while (System.nanoTime() < end) {
              long round = System.nanoTime();
              Map<Integer, ClusterWatch.View> now = setup.watch.views(all);
              polls++;
              for (int host : all) {
                ClusterWatch.View view = now.get(host);
                if (view == null || !view.participants(ClusterWatch.names(all))) {
                  incomplete++;
                  firstIncomplete.putIfAbsent(view == null ? FaultCluster.name(host) + " did not answer"
                      : view.toString(), TimeUnit.NANOSECONDS.toSeconds(round - fault));
                }
              }
              TimeUnit.MILLISECONDS.sleep(Math.max(0, 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - round)));
            }
            Map<String, Integer> counts = new TreeMap<>();
            for (int host : all) {
              for (JsonObject event : setup.watch.events(host)) {
                if (!Instant.parse(event.getString("time")).isBefore(at)) {
                  counts.merge(event.getString("type"), 1, Integer::sum);
                }
              }
            }
            row.note("events on all nodes during the window: " + counts);
            row.note("peer polls (every node, every second): " + polls * all.size() + ", of which " + incomplete
                + " did not list all 5 as participants" + (firstIncomplete.isEmpty() ? ""
                : " (first few: " + firstIncomplete.entrySet().stream().limit(3)
                    .map(e -> e.getKey() + " at " + e.getValue() + " s").collect(Collectors.joining("; ")) + ")"));
            row.note("connections through the delay proxies: " + setup.cluster.proxiedConnections());
            long dropped = 0;
            for (int host : all) {
              dropped += setup.hosts.dropped(host);
            }
            row.note("packets the loss rules dropped: " + dropped);
            assertThat(dropped).as("packets dropped by the loss rules").isPositive();
            // The delay, seen from outside: GETs through n1's proxy (its own hops: 100 ms each way, 20% loss into
            // n1) against GETs straight to n1 (never dropped: they come from the control address).
            List<Long> proxied = new java.util.ArrayList<>();
            List<Long> direct = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
              Duration through = setup.watch.timeGet(setup.cluster.advertised(1), "/ready");
              Duration straight = setup.watch.timeGet(FaultCluster.endpoint(1), "/ready");
              proxied.add(through == null ? -1 : through.toMillis());
              direct.add(straight == null ? -1 : straight.toMillis());
            }
            row.note("GET /ready of n1 through its proxy, ms: " + sorted(proxied) + "; straight: " + sorted(direct));
            assertThat(proxied).as("GETs through the proxy take the delay both ways")
                .allMatch(ms -> ms < 0 || ms >= 200);
            assertThat(setup.cluster.proxiedConnections()).isPositive();
            setup.hosts.heal();
            row.recover(setup.watch.awaitWhole(setup.cluster, System.nanoTime(), LIMIT));
            assertThat(counts.getOrDefault("dead", 0)).as("live nodes declared dead").isZero();
            assertThat(counts.getOrDefault("leave", 0)).as("live nodes seen leaving").isZero();
          });
    }
  }

  @Test
  @Order(3)
  void aFiveFivePartitionOfTenNodesHealsWithinTheRejoinInterval() throws Exception {
    try (Setup setup = new Setup("partition", 10, "{\"gossip\": {\"preset\": \"local\"}}",
        "--rejoin-interval", REJOIN_SECONDS + "s")) {
      Set<Integer> left = IntStream.rangeClosed(1, 5).boxed().collect(Collectors.toCollection(LinkedHashSet::new));
      Set<Integer> right = IntStream.rangeClosed(6, 10).boxed().collect(Collectors.toCollection(LinkedHashSet::new));
      Duration healLimit = Duration.ofSeconds(REJOIN_SECONDS + 5);
      report.run(setup.watch, "partition n1-n5 | n6-n10 by nftables, heal (10 nodes, local preset)",
          "each side drops the other and sees only itself; healed, one cluster of 10 participants within the "
              + "rejoin interval + 5 s (" + healLimit.toSeconds() + " s)", row -> {
            setup.start(row);
            long fault = System.nanoTime();
            setup.hosts.partition(left, right);
            row.detect(setup.watch.await("each side sees only itself", fault, setup.cluster.running(),
                (host, view) -> view.states().keySet().equals(ClusterWatch.names(left.contains(host) ? left : right)),
                LIMIT));
            long heal = System.nanoTime();
            setup.hosts.heal();
            ClusterWatch.Timing healed = setup.watch.awaitWhole(setup.cluster, heal, LIMIT);
            row.recover(healed);
            assertThat(healed.all()).as("one cluster again after healing").isLessThanOrEqualTo(healLimit);
          });
    }
  }

  private static List<Long> sorted(List<Long> values) {
    return values.stream().sorted().toList();
  }

  /** One scenario's hosts, nodes and watch; all removed on close. */
  private final class Setup implements AutoCloseable {
    final NetnsHosts hosts;
    final FaultCluster cluster;
    final ClusterWatch watch;

    Setup(String name, int nodes, String config, String... flags) throws Exception {
      hosts = NetnsHosts.createOrSkip(nodes);
      try {
        Path logs = NetnsHosts.reportDirectory().resolve("logs").resolve(getClass().getEnclosingClass()
            .getSimpleName() + "-" + name);
        Path file = FaultCluster.writeConfig(logs, "gossip.json", config);
        List<String> nodeFlags = new java.util.ArrayList<>(List.of("--config", file.toString()));
        nodeFlags.addAll(List.of(flags));
        cluster = new FaultCluster(hosts, logs, nodeFlags);
        watch = new ClusterWatch(vertx, nodes);
      } catch (Exception e) {
        hosts.close();
        throw e;
      }
    }

    /** Starts every node and waits for one cluster; notes how long that took. */
    void start(FaultReport.Row row) throws Exception {
      long start = System.nanoTime();
      cluster.startAll();
      ClusterWatch.Timing formed = watch.awaitWhole(cluster, start, LIMIT);
      row.note("cluster formed " + ClusterWatch.seconds(formed.all()) + " after the processes started");
    }

    @Override
    public void close() throws Exception {
      try {
        watch.close();
        cluster.close();
      } finally {
        hosts.close();
      }
      assertThat(hosts.existingNamespaces()).as("namespaces left after close").isEmpty();
    }
  }
}
