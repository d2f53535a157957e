package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.gossip.sim.SimCluster;
import io.ckit.gossip.sim.SimCluster.SimNode;
import io.ckit.wire.MemberState;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole clusters of engines in the deterministic simulator, with Go ckit's settings (probe every 5 s,
 * gossip every 200 ms to 3), 1-2 ms links. Each run is seeded and repeats exactly.
 */
class SimulatedClusterTest {

  @ParameterizedTest(name = "{0} nodes")
  @ValueSource(ints = {3, 50, 1000})
  void nodesJoinThroughOneSeedAndConverge(int size) {
    SimCluster cluster = SimCluster.ckit(size);
    cluster.addNodes(size);
    long joined = cluster.startAllJoiningThrough(cluster.node(0), 1_000);
    assertThat(cluster.simulation.runUntil(cluster::converged, joined + 60_000, 10)).isTrue();
    System.out.printf("%d nodes converged %.2f simulated s after the last join%n", size,
        (cluster.simulation.now() - joined) / 1000.0);
    assertThat(cluster.nodes().subList(1, size)).allSatisfy(node -> assertThat(node.lastJoin.result()).isEqualTo(1));
  }

  @Test
  void aCrashedNodeIsDeclaredDeadByAllWithinTheSuspicionBounds() {
    SimCluster cluster = SimCluster.ckit(7);
    List<SimNode> nodes = cluster.addNodes(20);
    long joined = cluster.startAllJoiningThrough(nodes.get(0), 1_000);
    assertThat(cluster.simulation.runUntil(cluster::converged, joined + 60_000, 10)).isTrue();

    SimNode victim = nodes.get(7);
    long crashed = cluster.simulation.now();
    victim.crash();
    List<SimNode> survivors = cluster.running();
    assertThat(cluster.simulation.runUntil(() -> survivors.stream()
        .allMatch(node -> node.stateOf(victim) == MemberState.DEAD), crashed + 600_000, 100)).isTrue();
    long detected = cluster.simulation.now() - crashed;

    // Nobody may declare it dead before the shortest suspicion, nor later than a full probe round (every
    // survivor probes it once in 19 intervals), the longest suspicion and some gossip.
    long probe = 5_000;
    long minSuspicion = GossipMath.suspicionTimeout(4, 20, probe);
    long maxSuspicion = 6 * minSuspicion;
    System.out.printf("crash of 1 in 20 nodes: all saw it dead after %.1f simulated s (suspicion %d..%d s)%n",
        detected / 1000.0, minSuspicion / 1000, maxSuspicion / 1000);
    assertThat(detected).isBetween(minSuspicion, 19 * probe + maxSuspicion);
    assertThat(survivors).allSatisfy(node -> assertThat(node.visible).doesNotContain(victim.name).hasSize(19));
  }

  @Test
  void aLeavingNodeIsSeenAsLeftWithinAFewGossipRounds() {
    SimCluster cluster = SimCluster.ckit(11);
    List<SimNode> nodes = cluster.addNodes(20);
    long joined = cluster.startAllJoiningThrough(nodes.get(0), 1_000);
    assertThat(cluster.simulation.runUntil(cluster::converged, joined + 60_000, 10)).isTrue();

    SimNode leaving = nodes.get(3);
    long start = cluster.simulation.now();
    boolean[] leaveCompleted = {false};
    leaving.leave().onSuccess(nothing -> leaveCompleted[0] = true);
    List<SimNode> others = nodes.stream().filter(node -> node != leaving).toList();
    assertThat(cluster.simulation.runUntil(() -> others.stream()
        .allMatch(node -> node.stateOf(leaving) == MemberState.LEFT), start + 10_000, 10)).isTrue();
    System.out.printf("leave of 1 in 20 nodes: all saw it left after %.2f simulated s%n",
        (cluster.simulation.now() - start) / 1000.0);
    assertThat(cluster.simulation.now() - start).isLessThan(2_000);
    cluster.simulation.runFor(5_000);
    assertThat(leaveCompleted[0]).as("the leave completes once its broadcast went out").isTrue();
  }

  @Test
  void aSuspectedButAliveNodeRefutesAndStaysAlive() {
    SimCluster cluster = SimCluster.ckit(5);
    List<SimNode> nodes = cluster.addNodes(20);
    long joined = cluster.startAllJoiningThrough(nodes.get(0), 1_000);
    assertThat(cluster.simulation.runUntil(cluster::converged, joined + 60_000, 10)).isTrue();

    // Cut one node off for 15 s: long enough to be probed and suspected, shorter than any suspicion.
    SimNode isolated = nodes.get(5);
    Set<String> rest = nodes.stream().filter(node -> node != isolated).map(node -> node.address)
        .collect(Collectors.toSet());
    cluster.network.partition(Set.of(isolated.address), rest);
    cluster.simulation.runFor(15_000);
    long suspicions = nodes.stream().filter(node -> node != isolated).mapToLong(node -> node.engine.stats().suspicions())
        .sum();
    assertThat(suspicions).as("someone suspected the isolated node").isPositive();
    cluster.network.heal();
    cluster.simulation.runFor(60_000);

    assertThat(isolated.engine.stats().refutations()).isPositive();
    assertThat(nodes).allSatisfy(node -> {
      assertThat(node.stateOf(isolated)).isEqualTo(MemberState.ALIVE);
      assertThat(node.engine.member(isolated.name).incarnation()).isGreaterThan(1);
      assertThat(node.engine.stats().deathsDeclared()).isZero();
    });
    assertThat(cluster.converged()).isTrue();
  }

  @Test
  void withTwentyPercentPacketLossAHundredNodesDeclareNoLiveNodeDeadInTenMinutes() {
    SimCluster cluster = SimCluster.ckit(20);
    List<SimNode> nodes = cluster.addNodes(100);
    long joined = cluster.startAllJoiningThrough(nodes.get(0), 1_000);
    assertThat(cluster.simulation.runUntil(cluster::converged, joined + 60_000, 10)).isTrue();

    cluster.network.packetLoss(0.20);
    long[] falseDeaths = {0};
    long start = cluster.simulation.now();
    while (cluster.simulation.now() < start + 600_000) {
      cluster.simulation.runFor(1_000);
      falseDeaths[0] = nodes.stream().filter(node -> node.visible.size() < 100).count();
      if (falseDeaths[0] > 0) {
        break;
      }
    }
    long suspicions = nodes.stream().mapToLong(node -> node.engine.stats().suspicions()).sum();
    long deaths = nodes.stream().mapToLong(node -> node.engine.stats().deathsDeclared()).sum();
    long failedProbes = nodes.stream().mapToLong(node -> node.engine.stats().failedProbes()).sum();
    long probes = nodes.stream().mapToLong(node -> node.engine.stats().probes()).sum();
    long refutations = nodes.stream().mapToLong(node -> node.engine.stats().refutations()).sum();
    System.out.printf("20%% loss, 100 nodes, 10 simulated min: %d probes, %d failed and raised a false"
        + " suspicion (%d suspicions counted over all nodes), %d refutations, %d live nodes declared dead%n",
        probes, failedProbes, suspicions, refutations, deaths);
    assertThat(falseDeaths[0]).isZero();
    assertThat(deaths).isZero();
  }

  @Test
  void aPartitionMakesEachSideDeclareTheOtherDeadAndJoiningAcrossTheHealedNetworkMergesThem() {
    SimCluster cluster = SimCluster.ckit(3);
    List<SimNode> nodes = cluster.addNodes(10);
    long joined = cluster.startAllJoiningThrough(nodes.get(0), 1_000);
    assertThat(cluster.simulation.runUntil(cluster::converged, joined + 60_000, 10)).isTrue();

    List<SimNode> left = nodes.subList(0, 5);
    List<SimNode> right = nodes.subList(5, 10);
    cluster.network.partition(addresses(left), addresses(right));
    long split = cluster.simulation.now();
    assertThat(cluster.simulation.runUntil(() -> left.stream().allMatch(node -> node.visible.size() == 5)
        && right.stream().allMatch(node -> node.visible.size() == 5), split + 600_000, 100)).isTrue();
    System.out.printf("partition 5|5: each side saw the other dead after %.1f simulated s%n",
        (cluster.simulation.now() - split) / 1000.0);
    assertThat(left).allSatisfy(node -> assertThat(node.visible).isEqualTo(names(left)));
    assertThat(right).allSatisfy(node -> assertThat(node.visible).isEqualTo(names(right)));

    cluster.network.heal();
    long healed = cluster.simulation.now();
    left.get(0).join(right.get(0));
    assertThat(cluster.simulation.runUntil(cluster::converged, healed + 120_000, 10)).isTrue();
    System.out.printf("after healing, one join merged the sides in %.2f simulated s%n",
        (cluster.simulation.now() - healed) / 1000.0);
    assertThat(left.get(0).lastJoin.result()).isEqualTo(1);
  }

  @Test
  void nodesWithDifferentLabelsNeverMerge() {
    SimCluster cluster = new SimCluster(9, name -> GossipOptions.ckit(),
        name -> Integer.parseInt(name.substring(5)) < 5 ? "alpha" : "beta");
    List<SimNode> nodes = cluster.addNodes(10);
    List<SimNode> alpha = nodes.subList(0, 5);
    List<SimNode> beta = nodes.subList(5, 10);
    alpha.forEach(SimNode::start);
    beta.forEach(SimNode::start);
    alpha.subList(1, 5).forEach(node -> node.join(alpha.get(0)));
    beta.subList(1, 5).forEach(node -> node.join(beta.get(0)));
    cluster.simulation.runFor(10_000);
    // Joining across labels fails: the other side drops the stream without answering.
    alpha.get(0).join(beta.get(0));
    beta.get(1).join(alpha.get(2));
    cluster.simulation.runFor(120_000);

    assertThat(alpha.get(0).lastJoin.failed()).isTrue();
    assertThat(beta.get(1).lastJoin.failed()).isTrue();
    assertThat(alpha).allSatisfy(node -> assertThat(node.visible).isEqualTo(names(alpha)));
    assertThat(beta).allSatisfy(node -> assertThat(node.visible).isEqualTo(names(beta)));
  }

  private static Set<String> addresses(List<SimNode> nodes) {
    return nodes.stream().map(node -> node.address).collect(Collectors.toSet());
  }

  private static Set<String> names(List<SimNode> nodes) {
    return new HashSet<>(nodes.stream().map(node -> node.name).toList());
  }
}
