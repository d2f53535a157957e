package io.ckit.gossip.sim;

import io.ckit.gossip.GossipOptions;
import io.ckit.gossip.sim.SimCluster.SimNode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Locale;

/**
 * How fast simulated clusters of Go ckit's timing converge, and what it costs (a benchmark, not a test):
 *
 * <ol>
 *   <li>a join storm: the first node starts alone, the other N - 1 start at random moments within {@code
 *       --spread} and each joins through {@code --join-peers} random nodes already started (what a headless
 *       service's DNS answer gives; {@code --join seed}: all through the first node instead); time from the
 *       last start until every node sees every node;
 *   <li>then one broadcast in the converged cluster: a newcomer joins through one random member; time until
 *       all N see it (one piece of news spreading by gossip, what Serf's convergence model estimates: ~2.6 s
 *       for 10,000 nodes at 200 ms and fanout 3);
 *   <li>with {@code --steady S}: after a minute's settling, what each node sends in S simulated seconds.
 * </ol>
 *
 * <p>{@code --max-packet-bytes} is the packet budget senders fill (Go ckit's 10 MiB by default; memberlist's
 * LAN budget is 1400). Prints progress every 10 wall seconds, then per size: simulated and wall seconds,
 * packets, streams and bytes sent per node, the largest packet, and the heap (live after the storm, and the
 * pools' peaks); {@code --wall-limit S} gives up on a storm after S wall seconds and says how far it got;
 * {@code --histogram K}: the K classes holding most of the live heap after the storm. Run with {@code ./mvnw
 * -Pharness verify -Dharness.args="1000,2000 --max-packet-bytes 1400"}.
 */
public final class ConvergenceBenchmark {

  private static final String USAGE = "usage: ConvergenceBenchmark [NODES,...] [--nodes N,...] "
      + "[--max-packet-bytes B] [--join random|seed] [--join-peers K] [--spread MILLIS] [--steady SECONDS] "
      + "[--deadline SECONDS] [--seed S] [--histogram TOP-CLASSES] "
      + "[--wall-limit SECONDS]";

  private String sizes = "1000";
  private int maxPacketBytes = GossipOptions.ckit().getMaxPacketBytes();
  private boolean joinRandom = true;
  private int joinPeers = 5;
  private long spreadMillis = 5_000;
  private long steadySeconds;
  private long deadlineSeconds = 1_800;
  private long seed = -1;
  private int histogram;
  private long wallLimitSeconds;

  private ConvergenceBenchmark() {}

  public static void main(String[] args) {
    ConvergenceBenchmark benchmark = new ConvergenceBenchmark();
    try {
      benchmark.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
    }
    for (String size : benchmark.sizes.split(",")) {
      benchmark.run(Integer.parseInt(size.trim()));
    }
  }

  private void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        sizes = checkSizes("nodes", arg);
        continue;
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException(arg + ": a value is missing");
      }
      String value = args[++i];
      switch (arg) {
        case "--nodes" -> sizes = checkSizes(arg, value);
        case "--max-packet-bytes" -> maxPacketBytes = (int) number(arg, value, 512, Integer.MAX_VALUE);
        case "--join" -> {
          if (!value.equals("random") && !value.equals("seed")) {
            throw new IllegalArgumentException("--join: \"" + value + "\" is neither random nor seed");
          }
          joinRandom = value.equals("random");
        }
        case "--join-peers" -> joinPeers = (int) number(arg, value, 1, 1_000);
        case "--spread" -> spreadMillis = number(arg, value, 0, 3_600_000);
        case "--steady" -> steadySeconds = number(arg, value, 0, 86_400);
        case "--deadline" -> deadlineSeconds = number(arg, value, 1, 86_400);
        case "--seed" -> seed = number(arg, value, 0, Long.MAX_VALUE);
        case "--histogram" -> histogram = (int) number(arg, value, 0, 1_000);
        case "--wall-limit" -> wallLimitSeconds = number(arg, value, 0, 86_400);
        default -> throw new IllegalArgumentException(arg + ": unknown option");
      }
    }
  }

  private static String checkSizes(String option, String value) {
    for (String size : value.split(",")) {
      number(option, size.trim(), 2, 1_000_000);
    }
    return value;
  }

  private static long number(String option, String value, long min, long max) {
    long parsed;
    try {
      parsed = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": \"" + value + "\" is not a whole number");
    }
    if (parsed < min || parsed > max) {
      throw new IllegalArgumentException(option + ": " + value + " is not between " + min + " and " + max);
    }
    return parsed;
  }

  private void run(int n) {
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    System.out.printf(Locale.ROOT, "== %d nodes, packets of at most %d bytes, join %s, started within %d ms%n", n,
        maxPacketBytes, joinRandom ? "through " + joinPeers + " random started nodes" : "through the first node",
        spreadMillis);
    long wallStart = System.nanoTime();
    long cpuStart = threadCpu();
    GossipOptions options = GossipOptions.ckit().setMaxPacketBytes(maxPacketBytes);
    SimCluster cluster = new SimCluster(seed < 0 ? n : seed, name -> options);
    List<SimNode> nodes = cluster.addNodes(n);
    long joined = joinRandom ? cluster.scheduleJoinStorm(spreadMillis, joinPeers)
        : cluster.startAllJoiningThrough(nodes.get(0), spreadMillis);
    Progress progress = new Progress(cluster, wallStart, cpuStart, wallLimitSeconds);
    cluster.simulation.runUntil(() -> progress.outOfTime() || cluster.simulation.now() >= joined
        && cluster.converged(), joined + deadlineSeconds * 1000, 50);
    boolean converged = cluster.simulation.now() >= joined && cluster.converged();
    double convergeSeconds = Math.max(0, cluster.simulation.now() - joined) / 1000.0;
    double convergeWall = seconds(wallStart);
    Sent storm = Sent.of(cluster, nodes);
    System.gc();
    long liveHeap = heapUsed();
    System.out.printf(Locale.ROOT, "join storm: %s %.2f simulated s after the last start (%.1f wall s, %.1f CPU s"
        + " of the simulation's thread, %d events); live heap %s%n", converged ? "converged" : "NOT converged",
        convergeSeconds, convergeWall, (threadCpu() - cpuStart) / 1e9, cluster.simulation.eventsRun(), mib(liveHeap));
    System.out.println("  sent per node: " + storm.perNode(n));
    if (histogram > 0) {
      printHistogram(histogram);
    }
    if (!converged) {
      System.out.println("  " + progress.line());
      return;
    }

    // One broadcast in the converged cluster: a newcomer joins through a random member.
    long newsWall = System.nanoTime();
    SimNode newcomer = cluster.add();
    long newsStart = cluster.simulation.now();
    newcomer.start();
    newcomer.join(nodes.get(n / 2));
    boolean spread = cluster.simulation.runUntil(() -> nodes.stream().allMatch(node ->
        node.visible.contains(newcomer.name)), newsStart + 120_000, 10);
    System.out.printf(Locale.ROOT, "broadcast: a newcomer's alive reached %s in %.2f simulated s (%.1f wall s)%n",
        spread ? "all " + n : "NOT all", (cluster.simulation.now() - newsStart) / 1000.0, seconds(newsWall));

    if (steadySeconds > 0) {
      cluster.simulation.runFor(60_000);
      Sent before = Sent.of(cluster, nodes);
      cluster.simulation.runFor(steadySeconds * 1000);
      Sent during = Sent.of(cluster, nodes).minus(before);
      System.out.printf(Locale.ROOT, "steady (%d s after a minute's settling), per node per second: %.1f packets,"
          + " %.0f packet bytes, %.3f streams, %.0f stream bytes; all converged: %s%n", steadySeconds,
          during.packets / (double) n / steadySeconds, during.packetBytes / (double) n / steadySeconds,
          during.streams / (double) n / steadySeconds, during.streamBytes / (double) n / steadySeconds,
          cluster.converged());
    }
    System.out.printf(Locale.ROOT, "heap: peak of the pools %s; wall in all %.1f s%n", mib(heapPeak()),
        seconds(wallStart));
  }

  /** Prints a line every 10 wall seconds while the storm runs, and stops it at the wall-time limit. */
  private static final class Progress {
    private final SimCluster cluster;
    private final long wallStart;
    private final long wallLimitSeconds;
    private final long cpuStart;
    private long lastPrint = System.nanoTime();

    Progress(SimCluster cluster, long wallStart, long cpuStart, long wallLimitSeconds) {
      this.cluster = cluster;
      this.wallStart = wallStart;
      this.cpuStart = cpuStart;
      this.wallLimitSeconds = wallLimitSeconds;
    }

    /** Whether the wall-time limit (if any) has passed; prints progress on the way. */
    boolean outOfTime() {
      if (System.nanoTime() - lastPrint > 10_000_000_000L) {
        lastPrint = System.nanoTime();
        System.out.println("  " + line());
      }
      return wallLimitSeconds > 0 && seconds(wallStart) > wallLimitSeconds;
    }

    /** How far the storm is: nodes that see everyone, and the share of all N x N member views filled. */
    String line() {
      long views = 0;
      for (SimNode node : cluster.nodes()) {
        views += node.visible.size();
      }
      double n = cluster.nodes().size();
      return String.format(Locale.ROOT, "%.1f simulated s, %.0f wall s (%.0f CPU s): %d of %.0f nodes see everyone,"
          + " %.1f%% of views filled, %d events, heap %s", cluster.simulation.now() / 1000.0, seconds(wallStart),
          (threadCpu() - cpuStart) / 1e9, cluster.convergedNodes(), n, 100 * views / (n * n),
          cluster.simulation.eventsRun(), mib(heapUsed()));
    }
  }

  /** What a set of nodes sent in all. */
  private record Sent(long packets, long packetBytes, long streams, long streamBytes, int largestPacket) {

    static Sent of(SimCluster cluster, List<SimNode> nodes) {
      long packets = 0;
      long packetBytes = 0;
      long streams = 0;
      long streamBytes = 0;
      int largest = 0;
      for (SimNode node : nodes) {
        SimNetwork.Traffic traffic = cluster.network.traffic(node.address);
        packets += traffic.packets;
        packetBytes += traffic.packetBytes;
        streams += traffic.streams;
        streamBytes += traffic.streamBytes;
        largest = Math.max(largest, traffic.largestPacket);
      }
      return new Sent(packets, packetBytes, streams, streamBytes, largest);
    }

    Sent minus(Sent before) {
      return new Sent(packets - before.packets, packetBytes - before.packetBytes, streams - before.streams,
          streamBytes - before.streamBytes, largestPacket);
    }

    String perNode(int n) {
      return String.format(Locale.ROOT, "%d packets (%s), %d streams (%s); largest packet %d bytes",
          packets / n, kib(packetBytes / n), streams / n, kib(streamBytes / n), largestPacket);
    }
  }

  /** The classes that hold the most of the live heap (the JVM's GC.class_histogram). */
  private static void printHistogram(int top) {
    try {
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      text.toString().lines().limit(top + 3L).forEach(line -> System.out.println("  " + line));
    } catch (javax.management.JMException e) {
      System.out.println("  no class histogram: " + e);
    }
  }

  /**
   * CPU time of this thread (the whole simulation runs on it), in nanoseconds: unlike wall time, it does not
   * grow when other programs share the machine's cores.
   */
  private static long threadCpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static long heapUsed() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  /** The sum of the heap pools' peaks: an upper bound of the peak heap (the pools peak at different times). */
  private static long heapPeak() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
  }

  private static String kib(long bytes) {
    return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
  }
}
