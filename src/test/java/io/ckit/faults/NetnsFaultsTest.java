package io.ckit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The fault suite's short slice, in the default run: five runnable nodes, each an OS process in a network
 * namespace of its own, one cluster for the class; the scenarios run in order and each ends with the whole
 * cluster back. Timing is shortened only through the nodes' flags: gossip preset {@code local} (probe every
 * 1 s, suspicion from 3 s) and a rejoin every {@value #REJOIN_SECONDS} s. The table goes to standard out and
 * {@code target/faults/NetnsFaultsTest.md}.
 */
@Tag("faults")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetnsFaultsTest {

  private static final int NODES = 5;
  private static final int REJOIN_SECONDS = 2;
  private static final Duration DETECT_LIMIT = Duration.ofSeconds(60);
  private static final Duration RECOVER_LIMIT = Duration.ofSeconds(60);

  private Vertx vertx;
  private NetnsHosts hosts;
  private FaultCluster cluster;
  private ClusterWatch watch;
  private final FaultReport report = new FaultReport("NetnsFaultsTest: 5 nodes in network namespaces, "
      + "gossip preset local, rejoin every " + REJOIN_SECONDS + " s");

  @BeforeAll
  void startCluster() throws Exception {
    hosts = NetnsHosts.createOrSkip(NODES);
    vertx = Vertx.vertx();
    Path logs = NetnsHosts.reportDirectory().resolve("logs").resolve(getClass().getSimpleName());
    Path config = FaultCluster.writeConfig(logs, "gossip-local.json", "{\"gossip\": {\"preset\": \"local\"}}");
    cluster = new FaultCluster(hosts, logs, List.of("--config", config.toString(),
        "--rejoin-interval", REJOIN_SECONDS + "s"));
    watch = new ClusterWatch(vertx, NODES);
    report.run(watch, "start", "5 processes, each java in its own namespace; one cluster of 5 participants", row -> {
      long start = System.nanoTime();
      cluster.startAll();
      for (int host = 1; host <= NODES; host++) {
        assertThat(NetnsHosts.namespaceOf(cluster.pid(host))).isEqualTo(hosts.namespace(host));
      }
      row.recover(awaitWhole(start, Duration.ofSeconds(120)));
    });
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (hosts == null) {
      return;
    }
    try {
      report.write(getClass().getSimpleName());
    } finally {
      watch.close();
      cluster.close();
      hosts.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertThat(hosts.existingNamespaces()).as("namespaces left after close").isEmpty();
  }

  @Test
  @Order(1)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void killedNodeIsDroppedByEverySurvivorAndRejoinsWhenRestarted() throws Exception {
    int victim = 3;
    report.run(watch, "SIGKILL n3, restart it",
        "every survivor drops n3 (a dead event, no leave); restarted, it is a participant on all 5", row -> {
          restoreWholeCluster();
          long oldPid = cluster.pid(victim);
          Instant at = Instant.now();
          long fault = System.nanoTime();
          cluster.kill(victim);
          Set<Integer> survivors = cluster.running();
          row.detect(watch.await("every survivor drops n3", fault, survivors,
              (host, view) -> !view.lists(FaultCluster.name(victim)), DETECT_LIMIT));
          for (int survivor : survivors) {
            List<String> seen = typesAbout(survivor, victim, at);
            assertThat(seen).as("what n%d saw of n3", survivor).contains("dead").doesNotContain("leave");
          }
          long restart = System.nanoTime();
          cluster.start(victim);
          row.recover(awaitWhole(restart, RECOVER_LIMIT));
          row.note("pid " + oldPid + " killed, " + cluster.pid(victim) + " started");
        });
  }

  @Test
  @Order(2)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void stoppedNodeIsDeclaredDeadThenRefutesWhenContinued() throws Exception {
    int victim = 2;
    String name = FaultCluster.name(victim);
    report.run(watch, "SIGSTOP n2 past its suspicion timeout, SIGCONT",
        "every survivor declares n2 dead (some suspect it first) and drops it; continued, n2 refutes and is a "
            + "participant on all 5 again (same process)", row -> {
          restoreWholeCluster();
          long pid = cluster.pid(victim);
          Instant at = Instant.now();
          long fault = System.nanoTime();
          cluster.pause(victim);
          Set<Integer> survivors = cluster.running();
          row.detect(watch.await("every survivor drops the stopped n2", fault, survivors,
              (host, view) -> !view.lists(name), DETECT_LIMIT));
          // A survivor whose own suspicion had not run out may hear the dead message first: it takes the word of
          // the one whose did. So every survivor saw n2 dead, and some suspected it before.
          List<String> suspectedFirst = new java.util.ArrayList<>();
          for (int survivor : survivors) {
            List<String> seen = typesAbout(survivor, victim, at);
            assertThat(seen).as("what n%d saw of n2", survivor).contains("dead").doesNotContain("leave");
            int suspect = seen.indexOf("suspect");
            if (suspect >= 0 && suspect < seen.indexOf("dead")) {
              suspectedFirst.add(FaultCluster.name(survivor));
            }
            row.note("n" + survivor + " saw n2: " + seen);
          }
          assertThat(suspectedFirst).as("survivors that suspected n2 before it was declared dead").isNotEmpty();
          Instant resumedAt = Instant.now();
          long resume = System.nanoTime();
          cluster.resume(victim);
          row.recover(awaitWhole(resume, RECOVER_LIMIT));
          assertThat(cluster.pid(victim)).isEqualTo(pid);
          assertThat(cluster.alive(victim)).isTrue();
          List<String> own = typesAbout(victim, victim, resumedAt);
          assertThat(own).as("n2's own timeline after SIGCONT").contains("refute");
          row.note("n2's own events about itself after SIGCONT: " + own);
        });
  }

  @Test
  @Order(3)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void partitionTwoThreeHeals() throws Exception {
    Set<Integer> left = Set.of(1, 2);
    Set<Integer> right = Set.of(3, 4, 5);
    Duration healLimit = Duration.ofSeconds(REJOIN_SECONDS + 5);
    report.run(watch, "partition {n1,n2} | {n3,n4,n5} by nftables, heal",
        "each side drops the other and sees only itself; healed, one cluster of 5 participants within the "
            + "rejoin interval + 5 s (" + healLimit.toSeconds() + " s)", row -> {
          restoreWholeCluster();
          long fault = System.nanoTime();
          hosts.partition(left, right);
          row.detect(watch.await("each side sees only itself", fault, cluster.running(),
              (host, view) -> view.states().keySet().equals(names(left.contains(host) ? left : right)),
              Duration.ofSeconds(90)));
          long heal = System.nanoTime();
          hosts.heal();
          ClusterWatch.Timing healed = awaitWhole(heal, RECOVER_LIMIT);
          row.recover(healed);
          // A connection cut off by the partition is given up by the transport's PING check (transport.pingTimeout)
          // rather than left in TCP's retransmit backoff, so the first rejoin after the heal goes on a new one.
          row.note("healed in " + healed.all().toMillis() + " ms: the target of " + healLimit.toSeconds() + " s was "
              + (healed.all().compareTo(healLimit) <= 0 ? "met" : "MISSED"));
          assertThat(healed.all()).as("one cluster again after healing (rejoin interval + 5 s)")
              .isLessThanOrEqualTo(healLimit);
        });
  }

  /**
   * Each scenario starts from the whole cluster: whatever an earlier scenario that failed left (a node down or
   * stopped, a partition) is undone first.
   */
  private void restoreWholeCluster() throws Exception {
    hosts.heal();
    cluster.restore();
    awaitWhole(System.nanoTime(), RECOVER_LIMIT);
  }

  private ClusterWatch.Timing awaitWhole(long since, Duration limit) throws InterruptedException {
    return watch.awaitWhole(cluster, since, limit);
  }

  private List<String> typesAbout(int observer, int subject, Instant since) {
    return watch.typesAbout(observer, subject, since);
  }

  private static Set<String> names(Set<Integer> hosts) {
    return ClusterWatch.names(hosts);
  }
}
