package io.ckit.bench;

import io.ckit.bench.BenchCluster.Member;
import io.ckit.bench.Probe.Answer;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * N runnable nodes on loopback, watched only through their HTTP endpoints ({@code /api/v1/peers},
 * {@code /metrics}, {@code /ready}, with Vert.x's WebClient) and their OS processes ({@code /proc}, {@code ss},
 * signals, a host's standard input), so the same measurements apply to any implementation's nodes.
 *
 * <p>{@code --mode processes}: one JVM per node ({@code java <jvm-args> -jar target/ckit-vertx.jar});
 * {@code --mode jvm}: every node in one child JVM ({@link NodeHost}), or spread round robin over {@code --hosts}
 * of them, each node with its own server and port on its host's Vert.x instance, deployed one after another
 * in each host. Scenarios, in the order given:
 *
 * <ul>
 *   <li>{@code converge}: seconds from the last start (processes: the last process spawned, once the seed
 *       answers; jvm: the last node deployed) until every node sees N participants; --runs fresh clusters.
 *       Without it, the cluster still converges once before the other scenarios.
 *   <li>{@code steady}: after a settle period, --steady-seconds of per-node gossip payload, packets and
 *       stream messages sent ({@code /metrics}), TCP bytes sent ({@code ss}), CPU ({@code /proc/<pid>/stat}),
 *       RSS, descriptors, heap after a full GC (jvm; with a smaller baseline cluster for the slope), and the
 *       polls in which some node did not list all N as participants.
 *   <li>{@code kill}: SIGKILL (jvm: stop without leave) of one node per run; seconds until every survivor
 *       dropped it. {@code leave}: the same with SIGTERM (jvm: {@code Node.stop}). The node then restarts.
 *   <li>{@code ready}: one more node, a process of its own in both modes, joins the N; seconds from its
 *       process start until its {@code /ready} answers 200.
 * </ul>
 *
 * Options and how to run it: the README's "Benchmarks" section; how each figure is measured: BENCHMARKS.md.
 */
public final class ClusterBenchmark {

  private static final List<String> SCENARIOS = List.of("converge", "steady", "kill", "leave", "ready");
  private static final Map<String, String> DEFAULTS = defaults();

  private final String mode;
  private final int nodes;
  /** jvm mode: how many host JVMs share the nodes (member i in host i % hosts). */
  private final int hosts;
  private final int runs;
  private final List<String> scenarios;
  private final int steadySeconds;
  private final int settleSeconds;
  private final int pollSeconds;
  private final int baselineNodes;
  private final Path jar;
  private final List<String> jvmArgs;
  private final List<String> hostJvmArgs;
  private final List<String> nodeArgs;
  private final Path out;
  private final Path logs;
  private final Probe probe = new Probe();
  private final Report report = new Report();
  private BenchCluster cluster;
  /** jvm mode: heap after a full GC at the start of the steady window. */
  private Long heapAtNodes;

  private static Map<String, String> defaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("mode", "processes");
    defaults.put("nodes", "10");
    defaults.put("hosts", "1");
    defaults.put("runs", "5");
    defaults.put("scenarios", "converge,steady,kill,leave,ready");
    defaults.put("steady-seconds", "60");
    defaults.put("settle-seconds", "10");
    defaults.put("poll-seconds", "5");
    defaults.put("baseline-nodes", "");
    defaults.put("jar", "target/ckit-vertx.jar");
    defaults.put("jvm-args", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    defaults.put("host-jvm-args", "-Xmx2g -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    defaults.put("node-args", "");
    defaults.put("out", "target/cluster-benchmark.json");
    return defaults;
  }

  private ClusterBenchmark(Map<String, String> options) {
    mode = options.get("mode");
    if (!mode.equals("processes") && !mode.equals("jvm")) {
      throw new IllegalArgumentException("--mode: processes or jvm, not \"" + mode + "\"");
    }
    nodes = positive(options, "nodes", 2);
    hosts = positive(options, "hosts", 1);
    if (hosts > 1 && !mode.equals("jvm")) {
      throw new IllegalArgumentException("--hosts: only with --mode jvm (processes mode runs one process a node)");
    }
    if (hosts > nodes) {
      throw new IllegalArgumentException("--hosts: at most --nodes (" + nodes + "), not " + hosts);
    }
    runs = positive(options, "runs", 1);
    scenarios = List.of(options.get("scenarios").split(","));
    for (String scenario : scenarios) {
      if (!SCENARIOS.contains(scenario)) {
        throw new IllegalArgumentException("--scenarios: unknown scenario \"" + scenario + "\" (known: "
            + String.join(",", SCENARIOS) + ")");
      }
    }
    steadySeconds = positive(options, "steady-seconds", 1);
    settleSeconds = positive(options, "settle-seconds", 0);
    pollSeconds = positive(options, "poll-seconds", 1);
    String baseline = options.get("baseline-nodes");
    baselineNodes = baseline.isEmpty() ? Math.max(2, nodes / 2) : positive(options, "baseline-nodes", 0);
    if (baselineNodes >= nodes) {
      throw new IllegalArgumentException("--baseline-nodes: must be fewer than --nodes (" + nodes + "), or 0");
    }
    jar = Path.of(options.get("jar"));
    jvmArgs = words(options.get("jvm-args"));
    hostJvmArgs = words(options.get("host-jvm-args"));
    nodeArgs = words(options.get("node-args"));
    out = Path.of(options.get("out"));
    logs = out.toAbsolutePath().resolveSibling("cluster-benchmark-logs");
  }

  private static int positive(Map<String, String> options, String name, int least) {
    try {
      int value = Integer.parseInt(options.get(name));
      if (value < least) {
        throw new IllegalArgumentException("--" + name + ": at least " + least + ", not " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + ": not a whole number: \"" + options.get(name) + "\"");
    }
  }

  private static List<String> words(String text) {
    return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
  }

  public static void main(String[] args) throws Exception {
    ClusterBenchmark benchmark;
    try {
      benchmark = new ClusterBenchmark(parse(args));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("options (defaults): " + DEFAULTS.entrySet().stream()
          .map(option -> "--" + option.getKey() + " \"" + option.getValue() + "\"").collect(Collectors.joining(" ")));
      System.exit(2);
      return;
    }
    int status = 0;
    try {
      benchmark.run();
    } catch (Exception e) {
      System.err.println("cluster benchmark failed: " + e.getMessage() + " (node logs: " + benchmark.logs + ")");
      e.printStackTrace();
      status = 1;
    } finally {
      benchmark.close();
    }
    System.exit(status);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>(DEFAULTS);
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].replaceFirst("^--", "");
      if (!args[i].startsWith("--") || !DEFAULTS.containsKey(name)) {
        throw new IllegalArgumentException(args[i] + ": unknown option");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + ": needs a value");
      }
      options.put(name, args[i + 1]);
    }
    return options;
  }

  private void run() throws Exception {
    if (mode.equals("processes") || scenarios.contains("ready")) {
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("--jar: " + jar + " not found: build it with ./mvnw package -DskipTests");
      }
    }
    Files.createDirectories(logs);
    report.setting("mode", mode);
    report.setting("nodes", nodes);
    if (mode.equals("jvm")) {
      report.setting("hosts", hosts);
    }
    report.setting("runs", runs);
    report.setting("jvmArgs", String.join(" ", mode.equals("jvm") ? hostJvmArgs : jvmArgs));
    report.setting("nodeArgs", String.join(" ", nodeArgs));
    report.setting("machine", Runtime.getRuntime().availableProcessors() + " cores");
    report.setting("date", java.time.Instant.now().toString());
    System.out.printf(Locale.ROOT, "%d nodes, %s mode%s (%s), scenarios %s; node logs in %s%n", nodes, mode,
        hostsText(), String.join(" ", mode.equals("jvm") ? hostJvmArgs : jvmArgs), String.join(",", scenarios),
        logs);

    converge();
    for (String scenario : scenarios) {
      switch (scenario) {
        case "steady" -> steady();
        case "kill" -> departures("kill", true);
        case "leave" -> departures("leave", false);
        case "ready" -> ready();
        default -> { }
      }
    }
    if (scenarios.contains("steady") && mode.equals("jvm") && baselineNodes > 0) {
      heapBaseline();
    }
    report.print();
    Files.createDirectories(out.toAbsolutePath().getParent());
    report.write(out);
    System.out.println();
    System.out.println("figures written to " + out);
  }

  /** jvm mode: ", K hosts" (", 1 host"); nothing in processes mode. */
  private String hostsText() {
    return mode.equals("jvm") ? ", " + hosts + (hosts == 1 ? " host" : " hosts") : "";
  }

  /** jvm mode: --hosts host JVMs, for the baseline cluster too (so the hosts' fixed heap cancels in the slope). */
  private BenchCluster newCluster(String prefix, int count) throws Exception {
    List<Member> members = BenchCluster.members(prefix, count);
    return mode.equals("jvm")
        ? new JvmCluster(members, nodeArgs, logs, hostJvmArgs, prefix + "-host", hosts)
        : new ProcessCluster(members, nodeArgs, logs, jar, jvmArgs);
  }

  /** Fresh clusters, --runs of them if converge is a scenario (else one); the last one stays up. */
  private void converge() throws Exception {
    int count = scenarios.contains("converge") ? runs : 1;
    List<Double> seconds = new ArrayList<>();
    List<Double> medianNode = new ArrayList<>();
    List<Double> allAnswering = new ArrayList<>();
    List<Double> peakDescriptors = new ArrayList<>();
    for (int run = 0; run < count; run++) {
      if (cluster != null) {
        cluster.close();
      }
      cluster = newCluster("node", nodes);
      long lastStart = cluster.startAll(probe);
      Agreement agreement = waitForParticipants(cluster.members, Math.max(120, nodes * 3));
      double took = seconds(agreement.lastAgreed() - lastStart);
      List<Double> each = agreement.agreed().values().stream().map(at -> seconds(at - lastStart)).toList();
      double answering = seconds(agreement.answered().values().stream().mapToLong(Long::longValue).max()
          .orElse(lastStart) - lastStart);
      String last = agreement.agreed().entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey()
          .name();
      seconds.add(took);
      medianNode.add(Report.median(each));
      allAnswering.add(answering);
      peakDescriptors.add((double) agreement.peakDescriptors());
      System.out.printf(Locale.ROOT, "converge run %d: every node sees %d participants %.2f s after the last %s"
          + " (median node %.2f s; last %s; every node answering after %.2f s; at most %d descriptors in a"
          + " process)%n", run + 1, nodes, took, mode.equals("jvm") ? "node deployed" : "process start",
          Report.median(each), last, answering, agreement.peakDescriptors());
    }
    if (scenarios.contains("converge")) {
      report.title("converge", "converge: from the last " + (mode.equals("jvm") ? "node deployed" : "process start")
          + " until every node sees " + nodes + " participants");
      report.add("converge", "seconds", "every node sees all as participant", "s", seconds, "runs");
      report.add("converge", "medianNodeSeconds", "the median node sees all as participant", "s", medianNode,
          "runs");
      report.add("converge", "answeringSeconds", "every node answers /api/v1/peers", "s", allAnswering, "runs");
      report.add("converge", "peakDescriptors", "peak open descriptors in one process", "fds",
          peakDescriptors, "runs");
    }
  }

  /**
   * When each member first answered {@code /api/v1/peers} at all, and when it first listed every member as
   * participant ({@link System#nanoTime()}).
   */
  private record Agreement(Map<Member, Long> answered, Map<Member, Long> agreed, long peakDescriptors) {
    long lastAgreed() {
      return agreed.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    }
  }

  /** Waits until every member lists every member as participant. */
  private Agreement waitForParticipants(List<Member> all, long timeoutSeconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    List<Member> waiting = new ArrayList<>(all);
    Map<Member, Long> answered = new HashMap<>();
    Map<Member, Long> agreed = new HashMap<>();
    long peakDescriptors = 0;
    long nextDescriptorSample = 0;
    long lateAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    Set<Member> reportedLate = new HashSet<>();
    while (!waiting.isEmpty()) {
      if (System.nanoTime() >= nextDescriptorSample) {
        peakDescriptors = Math.max(peakDescriptors, mostDescriptors());
        nextDescriptorSample = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no agreement on " + all.size() + " participants after " + timeoutSeconds
            + " s: still waiting for " + waiting.stream().map(Member::name).toList());
      }
      boolean late = System.nanoTime() >= lateAt;
      for (Map.Entry<Member, Answer<JsonArray>> answer : probe.peersOfAll(waiting).entrySet()) {
        if (answer.getValue().body() != null) {
          answered.putIfAbsent(answer.getKey(), answer.getValue().nanos());
        }
        if (late && answer.getValue().body() != null && !Probe.allParticipants(answer.getValue().body(), all)
            && reportedLate.add(answer.getKey())) {
          // Stragglers: what a node still lacks 10 s in (a missing member, or one it has seen in another state).
          System.out.printf(Locale.ROOT, "  after 10 s, %s still sees %s%n", answer.getKey().name(),
              describeMissing(answer.getValue().body(), all));
        }
        if (Probe.allParticipants(answer.getValue().body(), all)) {
          agreed.put(answer.getKey(), answer.getValue().nanos());
          waiting.remove(answer.getKey());
        }
      }
      if (!waiting.isEmpty()) {
        Thread.sleep(Probe.POLL_MILLIS);
      }
    }
    return new Agreement(answered, agreed, Math.max(peakDescriptors, mostDescriptors()));
  }

  /** The most open descriptors any one of the cluster's processes has now. */
  private long mostDescriptors() {
    long most = 0;
    for (ProcessHandle process : cluster.processes()) {
      try {
        most = Math.max(most, OsStats.openDescriptors(process.pid()));
      } catch (java.io.IOException e) {
        // The process exited between the listing and the count.
      }
    }
    return most;
  }

  private static final String TX_BYTES = "cluster_transport_tx_bytes_total";
  private static final String STREAM_TX_BYTES = "cluster_transport_stream_tx_bytes_total";
  private static final String TX_PACKETS = "cluster_transport_tx_packets_total";
  private static final String STREAM_TX_PACKETS = "cluster_transport_stream_tx_packets_total";

  /** Costs per node over --steady-seconds of a converged, settled cluster; and false suspicions. */
  private void steady() throws Exception {
    List<Member> members = cluster.members;
    System.out.printf(Locale.ROOT, "steady: settling for %d s%n", settleSeconds);
    Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
    OptionalLong heap = cluster.heapAfterGc();
    long ticksPerSecond = OsStats.clockTicks();
    long self = ProcessHandle.current().pid();
    Map<Member, Map<String, Double>> metrics0 = probe.metricsOfAll(members);
    Map<Long, Long> cpu0 = cpu();
    TcpSentMeter tcpSent = new TcpSentMeter(cpu0.keySet(), self);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(steadySeconds);
    System.out.printf(Locale.ROOT, "steady: measuring for %d s, every node's peers polled every %d s%n",
        steadySeconds, pollSeconds);
    int polls = 0;
    int incomplete = 0;
    List<String> examples = new ArrayList<>();
    long nextProgress = start + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      long pollStart = System.nanoTime();
      for (Map.Entry<Member, Answer<JsonArray>> answer : probe.peersOfAll(members).entrySet()) {
        polls++;
        JsonArray peers = answer.getValue().body();
        if (!Probe.allParticipants(peers, members)) {
          incomplete++;
          if (examples.size() < 5) {
            examples.add(String.format(Locale.ROOT, "%.1f s: %s saw %s", seconds(pollStart - start),
                answer.getKey().name(), peers == null ? "no answer" : describeMissing(peers, members)));
          }
        }
      }
      tcpSent.sample();
      if (System.nanoTime() > nextProgress) {
        System.out.printf(Locale.ROOT, "  steady %.0f s: %d polls, %d without all %d participants%n",
            seconds(System.nanoTime() - start), polls, incomplete, members.size());
        nextProgress += TimeUnit.SECONDS.toNanos(10);
      }
      long sleep = TimeUnit.NANOSECONDS.toMillis(Math.min(end, pollStart + TimeUnit.SECONDS.toNanos(pollSeconds))
          - System.nanoTime());
      if (sleep > 0) {
        Thread.sleep(sleep);
      }
    }
    Map<Member, Map<String, Double>> metrics1 = probe.metricsOfAll(members);
    Map<Long, Long> cpu1 = cpu();
    tcpSent.sample();
    Map<Long, Long> tcpBytes = tcpSent.sent();
    double secs = (System.nanoTime() - start) / 1e9;

    List<Double> payload = new ArrayList<>();
    List<Double> packets = new ArrayList<>();
    List<Double> streamMessages = new ArrayList<>();
    for (Member member : members) {
      Map<String, Double> before = metrics0.get(member);
      Map<String, Double> after = metrics1.get(member);
      if (before == null || after == null) {
        continue;
      }
      for (String name : List.of(TX_BYTES, STREAM_TX_BYTES, TX_PACKETS, STREAM_TX_PACKETS)) {
        if (!after.containsKey(name)) {
          throw new IllegalStateException(member.name() + "'s /metrics has no " + name);
        }
      }
      payload.add((delta(before, after, TX_BYTES) + delta(before, after, STREAM_TX_BYTES)) / secs);
      packets.add(delta(before, after, TX_PACKETS) / secs * 60);
      streamMessages.add(delta(before, after, STREAM_TX_PACKETS) / secs * 60);
    }
    // Per process: its CPU (% of a core) and TCP bytes per second over the window.
    List<Double> tcp = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    List<Double> rss = new ArrayList<>();
    List<Double> fds = new ArrayList<>();
    for (long pid : cpu1.keySet()) {
      if (!cpu0.containsKey(pid)) {
        continue;
      }
      cpu.add((cpu1.get(pid) - cpu0.get(pid)) / (double) ticksPerSecond / secs * 100);
      tcp.add(tcpBytes.getOrDefault(pid, 0L) / secs);
      rss.add(OsStats.rssBytes(pid) / 1e6);
      fds.add((double) OsStats.openDescriptors(pid));
    }
    String per = "processes";
    String scenario = "steady";
    if (!cluster.processPerMember()) {
      // The hosts share the nodes: per node is the hosts' sum over N (a host holds N/K nodes, give or take one).
      // Each host's own figures stay in the JSON.
      report.note(scenario, "cpuPercentPerHost", new JsonArray(new ArrayList<>(cpu)));
      report.note(scenario, "tcpBytesPerSecondPerHost", new JsonArray(new ArrayList<>(tcp)));
      cpu = List.of(cpu.stream().mapToDouble(Double::doubleValue).sum() / nodes);
      tcp = List.of(tcp.stream().mapToDouble(Double::doubleValue).sum() / nodes);
      per = (cpu1.size() == 1 ? "host" : cpu1.size() + " hosts' sum") + " ÷ " + nodes + " nodes";
    }
    report.title(scenario, String.format(Locale.ROOT, "steady: %d nodes (%s mode%s), %.0f s after %d s settling",
        nodes, mode, hostsText(), secs, settleSeconds));
    report.add(scenario, "payloadBytesPerSecond", "gossip payload sent per node", "B/s", payload, "nodes");
    report.add(scenario, "packetsPerMinute", "packets sent per node", "/min", packets, "nodes");
    report.add(scenario, "streamMessagesPerMinute", "stream messages sent per node", "/min", streamMessages,
        "nodes");
    report.add(scenario, "tcpBytesPerSecond", "TCP bytes sent per node", "B/s", tcp, per);
    report.note(scenario, "tcpSockets", new io.vertx.core.json.JsonObject().put("openAtEnd", tcpSent.openNow())
        .put("openedDuringWindow", tcpSent.opened()).put("closedDuringWindow", tcpSent.closed()));
    report.add(scenario, "cpuPercent", "CPU per node", "% of a core", cpu, per);
    report.add(scenario, "rssMegabytes", "RSS per process", "MB", rss, "processes");
    report.add(scenario, "openDescriptors", "open file descriptors per process", "fds", fds, "processes");
    if (heap.isPresent()) {
      report.add(scenario, "heapMegabytes", "heap after full GC, " + nodes + " nodes", "MB",
          List.of(heap.getAsLong() / 1e6), hostsHeap());
      report.add(scenario, "heapPerNodeMegabytes", "heap after full GC ÷ nodes", "MB",
          List.of(heap.getAsLong() / 1e6 / nodes), hostsHeap());
      heapAtNodes = heap.getAsLong();
    }
    report.add(scenario, "incompletePolls", "polls without all N participants", "polls",
        List.of((double) incomplete), "of " + polls + " (" + members.size() + " nodes × " + (polls / members.size())
        + " rounds)");
    report.note(scenario, "polls", polls);
    report.note(scenario, "incompletePollExamples", new JsonArray(new ArrayList<>(examples)));
    report.note(scenario, "seconds", secs);
    System.out.printf(Locale.ROOT, "steady: %d of %d polls without all %d participants%s; node-to-node TCP sockets:"
        + " %d open, %d opened and %d closed during the window%n", incomplete, polls, members.size(),
        examples.isEmpty() ? "" : " " + examples, tcpSent.openNow(), tcpSent.opened(), tcpSent.closed());
  }

  private Map<Long, Long> cpu() throws Exception {
    Map<Long, Long> ticks = new HashMap<>();
    for (ProcessHandle process : cluster.processes()) {
      ticks.put(process.pid(), OsStats.cpuTicks(process.pid()));
    }
    return ticks;
  }

  private static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
    return after.getOrDefault(name, 0.0) - before.getOrDefault(name, 0.0);
  }

  private static String describeMissing(JsonArray peers, List<Member> members) {
    List<String> wrong = new ArrayList<>();
    for (Member member : members) {
      String state = Probe.stateOf(peers, member.name());
      if (!"participant".equals(state)) {
        wrong.add(member.name() + "=" + (state == null ? "missing" : state));
      }
    }
    return peers.size() + " peers" + (wrong.isEmpty() ? "" : ", " + String.join(", ", wrong));
  }

  /** Stops one node per run (kill: no leave) and times its removal by every survivor; then restarts it. */
  private void departures(String scenario, boolean kill) throws Exception {
    List<Member> members = cluster.members;
    Member seed = members.get(0);
    List<Double> removed = new ArrayList<>();
    List<Double> firstRemoved = new ArrayList<>();
    List<Double> terminating = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      Member victim = members.get(1 + run % (members.size() - 1));
      List<Member> survivors = members.stream().filter(member -> member != victim).toList();
      long start = System.nanoTime();
      if (kill) {
        cluster.kill(victim);
      } else {
        cluster.leave(victim);
      }
      Map<Member, Long> sawTerminating = new HashMap<>();
      Map<Member, Long> gone = new HashMap<>();
      long deadline = start + TimeUnit.SECONDS.toNanos(kill ? 300 : 60);
      while (gone.size() < survivors.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(scenario + ": survivors still list " + victim.name() + " after "
              + (kill ? 300 : 60) + " s");
        }
        List<Member> asking = survivors.stream().filter(member -> !gone.containsKey(member)).toList();
        for (Map.Entry<Member, Answer<JsonArray>> answer : probe.peersOfAll(asking).entrySet()) {
          JsonArray peers = answer.getValue().body();
          if (peers == null) {
            continue;
          }
          String state = Probe.stateOf(peers, victim.name());
          long at = answer.getValue().nanos();
          if (state == null) {
            gone.put(answer.getKey(), at);
            sawTerminating.putIfAbsent(answer.getKey(), at);
          } else if (state.equals("terminating")) {
            sawTerminating.putIfAbsent(answer.getKey(), at);
          }
        }
        Thread.sleep(Probe.POLL_MILLIS);
      }
      double all = seconds(gone.values().stream().mapToLong(Long::longValue).max().orElseThrow() - start);
      double first = seconds(gone.values().stream().mapToLong(Long::longValue).min().orElseThrow() - start);
      removed.add(all);
      firstRemoved.add(first);
      String line = String.format(Locale.ROOT, "%s run %d: %s removed by every survivor after %.2f s (first %.2f s)",
          scenario, run + 1, victim.name(), all, first);
      if (!kill) {
        double seen = seconds(sawTerminating.values().stream().mapToLong(Long::longValue).max().orElseThrow()
            - start);
        terminating.add(seen);
        line += String.format(Locale.ROOT, "; terminating or gone at every survivor after %.2f s", seen);
      }
      System.out.println(line);
      String stopped = cluster.awaitStopped(victim);
      System.out.printf(Locale.ROOT, "  %s: %s; restarting it%n", victim.name(), stopped);
      cluster.start(victim, seed);
      waitForParticipants(members, Math.max(180, nodes * 3));
    }
    String how = kill ? (mode.equals("jvm") ? "stop without leave" : "SIGKILL")
        : (mode.equals("jvm") ? "shutdown (terminating, leave)" : "SIGTERM");
    report.title(scenario, scenario + ": " + how + " of one node; until every survivor dropped it");
    report.add(scenario, "removedSeconds", "every survivor dropped it", "s", removed, "runs");
    report.add(scenario, "firstRemovedSeconds", "the first survivor dropped it", "s", firstRemoved, "runs");
    if (!kill) {
      report.add(scenario, "terminatingSeenSeconds", "every survivor saw it terminating or gone", "s", terminating,
          "runs");
    }
  }

  /** One more node, a process of its own, joins the N: seconds from its process start to /ready 200. */
  private void ready() throws Exception {
    Member seed = cluster.members.get(0);
    List<Double> seconds = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      Member extra = new Member(String.format(Locale.ROOT, "ready-%02d", run), BenchCluster.freePort());
      long start = System.nanoTime();
      Process process = ProcessCluster.spawn(jar, jvmArgs, cluster.flags(extra, seed), logs, extra.name());
      long deadline = start + TimeUnit.SECONDS.toNanos(120);
      long readyAt;
      try {
        while (probe.readyStatus(extra) != 200) {
          if (System.nanoTime() > deadline || !process.isAlive()) {
            throw new IllegalStateException("ready: " + extra.name() + " not ready after 120 s"
                + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
          }
          Thread.sleep(Probe.POLL_MILLIS);
        }
        readyAt = System.nanoTime();
      } finally {
        process.destroy();
      }
      seconds.add(seconds(readyAt - start));
      System.out.printf(Locale.ROOT, "ready run %d: %s ready %.2f s after its process started%n", run + 1,
          extra.name(), seconds(readyAt - start));
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      awaitGone(extra, cluster.members);
    }
    report.title("ready", "ready: one more node joins " + nodes + " (its own process: " + String.join(" ", jvmArgs)
        + "); from process start to /ready 200");
    report.add("ready", "seconds", "process start to /ready 200", "s", seconds, "runs");
  }

  private void awaitGone(Member left, List<Member> members) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    List<Member> waiting = new ArrayList<>(members);
    while (!waiting.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(left.name() + " still listed by "
            + waiting.stream().map(Member::name).toList());
      }
      for (Map.Entry<Member, Answer<JsonArray>> answer : probe.peersOfAll(waiting).entrySet()) {
        JsonArray peers = answer.getValue().body();
        if (peers != null && Probe.stateOf(peers, left.name()) == null) {
          waiting.remove(answer.getKey());
        }
      }
      Thread.sleep(Probe.POLL_MILLIS);
    }
  }

  /**
   * jvm mode: heap after a full GC with --baseline-nodes in fresh hosts (as many as --hosts, round robin; a host
   * may hold none), for the marginal heap per node.
   */
  private void heapBaseline() throws Exception {
    System.out.printf(Locale.ROOT, "heap baseline: %d nodes in %s, settling %d s%n", baselineNodes,
        hosts == 1 ? "a fresh host" : hosts + " fresh hosts", settleSeconds);
    long heapBaseline;
    try (BenchCluster baseline = newCluster("base", baselineNodes)) {
      baseline.startAll(probe);
      waitForParticipants(baseline.members, Math.max(120, baselineNodes * 3));
      Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
      heapBaseline = baseline.heapAfterGc().orElseThrow();
    }
    report.add("steady", "heapBaselineMegabytes", "heap after full GC, " + baselineNodes + " nodes", "MB",
        List.of(heapBaseline / 1e6), hostsHeap());
    if (heapAtNodes != null) {
      double slope = (heapAtNodes - heapBaseline) / (double) (nodes - baselineNodes) / 1e6;
      report.add("steady", "marginalHeapPerNodeMegabytes", "marginal heap per node, " + baselineNodes + " to "
          + nodes + " nodes", "MB", List.of(slope), "slope");
    }
  }

  /** Over what a heap figure is taken: the host, or the sum over the hosts. */
  private String hostsHeap() {
    return hosts == 1 ? "host" : "sum of " + hosts + " hosts";
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e7) / 100.0;
  }

  private void close() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } catch (Exception e) {
      System.err.println("closing the cluster: " + e);
    }
    probe.close();
  }
}
