package io.ckit;

import static io.ckit.TestNodes.await;
import static io.ckit.TestNodes.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.peer.PeerState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The values a node's {@code /metrics} shows, read from the Prometheus text after garbage collections. */
@ExtendWith(VertxExtension.class)
class NodeMetricsTest {

  private Vertx vertx;
  private TestNodes nodes;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    nodes = new TestNodes(vertx);
  }

  @AfterEach
  void tearDown() {
    nodes.close();
  }

  @Test
  void nodeGaugesReadTheNodesValuesAfterGarbageCollection() {
    Node a = nodes.start("node-a");
    Node b = nodes.start("node-b", a);
    Node c = nodes.start("node-c", a);
    await(a.changeState(PeerState.PARTICIPANT));
    waitFor(vertx, "a to see three peers", 30_000, () -> a.peers().size() == 3);
    waitFor(vertx, "b and c to see a as participant", 30_000,
        () -> TestNodes.stateOf(b, "node-a") == PeerState.PARTICIPANT
            && TestNodes.stateOf(c, "node-a") == PeerState.PARTICIPANT);
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    PrometheusMeterRegistry registry = (PrometheusMeterRegistry) a.meterRegistry();
    // The alive-peers gauge follows the engine on a timer: wait for it, then read every value at once.
    waitFor(vertx, "the alive peers gauge to count three", 30_000,
        () -> value(registry.scrape(), "cluster_node_gossip_alive_peers") == 3);
    String scrape = registry.scrape();
    assertThat(value(scrape, "cluster_node_gossip_alive_peers")).isEqualTo(3.0);
    assertThat(value(scrape, "cluster_node_gossip_health_score")).isEqualTo(0.0);
    assertThat(value(scrape, "cluster_node_gossip_proto_version")).isEqualTo(2.0);
    double lamport = value(scrape, "cluster_node_lamport_time");
    assertThat(lamport).isGreaterThanOrEqualTo(1.0).isLessThanOrEqualTo(a.lamportTime());
    assertThat(value(scrape, "cluster_node_info", "state=\"participant\"")).isEqualTo(1.0);
    assertThat(value(scrape, "cluster_node_peers", "state=\"participant\"")).isEqualTo(1.0);
    assertThat(value(scrape, "cluster_node_peers", "state=\"viewer\"")).isEqualTo(2.0);
    assertThat(value(scrape, "cluster_node_peers", "state=\"terminating\"")).isEqualTo(0.0);
    assertThat(value(scrape, "cluster_node_update_observers")).isEqualTo(0.0);
    assertThat(value(scrape, "cluster_node_updating")).isEqualTo(0.0);

    // The Lamport time follows the node's clock after another state change.
    await(a.changeState(PeerState.TERMINATING));
    long after = a.lamportTime();
    assertThat((double) after).isGreaterThan(lamport);
    System.gc();
    // Gossip from the others may advance the clock meanwhile: the gauge reads between the two readings.
    double scraped = value(registry.scrape(), "cluster_node_lamport_time");
    assertThat(scraped).isBetween((double) after, (double) a.lamportTime());
  }

  /** The value of the one sample of a metric (whose labels contain {@code label}, if given). */
  static double value(String scrape, String name, String... label) {
    Pattern sample = Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher matcher = sample.matcher(scrape);
    Double found = null;
    while (matcher.find()) {
      if (label.length == 0 || matcher.group(1).contains(label[0])) {
        assertThat(found).as("one sample of %s%s", name, label.length == 0 ? "" : label[0]).isNull();
        found = Double.parseDouble(matcher.group(2));
      }
    }
    assertThat(found).as("a sample of %s in\n%s", name, scrape).isNotNull();
    return found;
  }
}
