package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.gossip.sim.SimCluster;
import io.ckit.gossip.sim.SimCluster.SimNode;
import io.ckit.wire.Crc;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A join storm in the simulator with memberlist's LAN packet budget (1,400 bytes) instead of Go ckit's 10 MiB:
 * senders fill packets only up to their budget, and the cluster still converges.
 */
class JoinStormTest {

  @Test
  void twoHundredNodesStartedWithinFiveSecondsConvergeInPacketsWithinTheBudget() {
    // Without compression a packet's size on the wire is the compound the budget bounds, plus the CRC header
    // toward protocol-5 members, which memberlist also leaves out of its budget.
    GossipOptions options = GossipOptions.ckit().setMaxPacketBytes(1400).setCompression(false);
    SimCluster cluster = new SimCluster(200, name -> options);
    List<SimNode> nodes = cluster.addNodes(200);
    long lastStart = cluster.startAllJoiningRandomPeers(5_000, 5);

    assertThat(cluster.simulation.runUntil(cluster::converged, lastStart + 60_000, 50)).isTrue();
    System.out.printf("a storm of 200 converged %.2f simulated s after the last start%n",
        (cluster.simulation.now() - lastStart) / 1000.0);
    assertThat(nodes.subList(1, nodes.size())).allSatisfy(node -> assertThat(node.lastJoin.result()).isPositive());
    int largest = nodes.stream().mapToInt(node -> cluster.network.traffic(node.address).largestPacket).max()
        .orElseThrow();
    // Full packets: the storm queued more news than one packet holds.
    assertThat(largest).isBetween(1300, 1400 + Crc.HEADER_BYTES);
  }
}
