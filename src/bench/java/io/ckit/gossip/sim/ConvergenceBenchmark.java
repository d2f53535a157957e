package io.ckit.gossip.sim;

import io.ckit.gossip.sim.SimCluster.SimNode;
import java.util.List;
import java.util.Locale;

/**
 * How fast simulated clusters of Go ckit's settings converge, and what it costs (a benchmark, not a test):
 *
 * <ol>
 *   <li>N nodes start within a second and join through one seed; time until every node sees every node;
 *   <li>then one more node joins the converged cluster; time until all N see it (one piece of news
 *       spreading by gossip, what Serf's convergence model estimates: ~2.6 s for 10,000 nodes at 200 ms
 *       and fanout 3).
 * </ol>
 *
 * <p>Prints simulated seconds, wall seconds, and packets and bytes sent per node. Run with {@code ./mvnw
 * -Pharness verify -Dharness.args=1000,2000}.
 */
public final class ConvergenceBenchmark {

  private ConvergenceBenchmark() {}

  public static void main(String[] args) {
    String sizes = args.length > 0 ? args[0] : "1000";
    System.out.printf("%8s %12s %10s %12s %12s %14s %14s%n", "nodes", "converge s", "wall s", "news s",
        "news wall s", "packets/node", "bytes/node");
    for (String size : sizes.split(",")) {
      run(Integer.parseInt(size.trim()));
    }
  }

  private static void run(int n) {
    long wallStart = System.nanoTime();
    SimCluster cluster = SimCluster.ckit(n);
    List<SimNode> nodes = cluster.addNodes(n);
    long joined = cluster.startAllJoiningThrough(nodes.get(0), 1_000);
    boolean converged = cluster.simulation.runUntil(cluster::converged, joined + 600_000, 50);
    double convergeSeconds = (cluster.simulation.now() - joined) / 1000.0;
    double convergeWall = (System.nanoTime() - wallStart) / 1e9;
    long packets = 0;
    long bytes = 0;
    for (SimNode node : nodes) {
      SimNetwork.Traffic traffic = cluster.network.traffic(node.address);
      packets += traffic.packets;
      bytes += traffic.packetBytes + traffic.streamBytes;
    }

    // One piece of news on the converged cluster: a newcomer joins through a random member.
    long newsWallStart = System.nanoTime();
    SimNode newcomer = cluster.add();
    long newsStart = cluster.simulation.now();
    newcomer.start();
    newcomer.join(nodes.get(n / 2));
    boolean spread = cluster.simulation.runUntil(() -> nodes.stream().allMatch(node ->
        node.visible.contains(newcomer.name)), newsStart + 120_000, 10);
    double newsSeconds = (cluster.simulation.now() - newsStart) / 1000.0;
    double newsWall = (System.nanoTime() - newsWallStart) / 1e9;

    System.out.printf(Locale.ROOT, "%8d %12s %10.1f %12s %12.1f %14d %14d%n", n,
        converged ? String.format(Locale.ROOT, "%.2f", convergeSeconds) : "no (" + convergeSeconds + ")",
        convergeWall, spread ? String.format(Locale.ROOT, "%.2f", newsSeconds) : "no", newsWall,
        packets / n, bytes / n);
  }
}
