package io.ckit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.app.Main;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.Op;
import io.ckit.shard.Sharder;
import io.ckit.shard.Sharders;
import io.ckit.testing.NodeEndpoints;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Churn: runnable-node processes on loopback are stopped (SIGTERM: terminating, leave), killed (SIGKILL) and
 * started again at random (seeded; {@code -Dckit.churn.seed=S} repeats a run), each action as soon as the one
 * before has taken effect (a started node answers {@code /ready}, a stopped one has exited); the last action
 * is a kill, so that agreeing always takes detecting a failure. Then every
 * running node must agree, over HTTP, on one alive set (its {@code /api/v1/peers}: exactly the running nodes,
 * all participants), on the owners of 10,000 keys ({@code /api/v1/owners/sample}: the same fingerprint, and
 * the one a ring sharder gives for that set here), and its observer's last notification
 * ({@code /api/v1/observer}) must be that set. Writes what it did to {@code target/faults/churn.md}.
 *
 * <p>The short slice (8 nodes, 45 s) runs by default; the long run (30 nodes, 5 min; {@code
 * -Dckit.churn.nodes}, {@code -Dckit.churn.seconds}) only with {@code ./mvnw -Pfaults test}.
 */
class ChurnTest {

  private static final Path OUT = Path.of("target", "faults");
  private static final List<String> JVM_FLAGS = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xss256k");
  private static final int SAMPLE_KEYS = 10_000;
  /** Whether this JVM has started target/faults/churn.md (each run appends its section). */
  private static boolean reportStarted;

  private final List<Node> nodes = new ArrayList<>();
  private final List<String> timeline = new ArrayList<>();
  private NodeEndpoints endpoints;
  private long startNanos;

  @AfterEach
  void killEverything() throws InterruptedException {
    for (Node node : nodes) {
      if (node.process != null) {
        node.process.destroyForcibly();
      }
    }
    for (Node node : nodes) {
      if (node.process != null) {
        node.process.waitFor(30, TimeUnit.SECONDS);
      }
    }
    if (endpoints != null) {
      endpoints.close();
    }
  }

  @Test
  @Tag("faults")
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void eightNodesAgreeAfter45SecondsOfChurn() throws Exception {
    churn("short", 8, Duration.ofSeconds(45), Duration.ofSeconds(90));
  }

  @Test
  @Tag("faults-long")
  @Timeout(value = 40, unit = TimeUnit.MINUTES)
  void thirtyNodesAgreeAfterMinutesOfChurn() throws Exception {
    churn("long", Integer.getInteger("ckit.churn.nodes", 30),
        Duration.ofSeconds(Long.getLong("ckit.churn.seconds", 300)), Duration.ofSeconds(240));
  }

  private void churn(String run, int count, Duration churn, Duration agreeWithin) throws Exception {
    long seed = Long.getLong("ckit.churn.seed", System.nanoTime());
    Random random = new Random(seed);
    System.out.printf("churn (%s): %d nodes, %d s, seed %d (-Dckit.churn.seed=%d repeats it)%n", run, count,
        churn.toSeconds(), seed, seed);
    Path logs = Files.createDirectories(OUT.resolve("churn-" + run));
    Path config = logs.resolve("node.json");
    // memberlist's local preset (probe every second), rejoin what is missing every 5 s.
    Files.writeString(config, "{\"gossip\": {\"preset\": \"local\"}, \"leaveTimeout\": \"2s\","
        + " \"rejoinInterval\": \"5s\", \"state\": \"participant\"}");
    endpoints = new NodeEndpoints();
    List<Integer> ports = freePorts(count);
    for (int i = 0; i < count; i++) {
      nodes.add(new Node(String.format("n%02d", i), "127.0.0.1:" + ports.get(i), logs));
    }
    startNanos = System.nanoTime();
    for (Node node : nodes) {
      node.start(joinList(node));
    }
    for (Node node : nodes) {
      waitFor(node.name + " to be ready", Duration.ofSeconds(120), () -> node.ready(endpoints));
    }
    note("all %d nodes ready", count);

    int starts = count;
    int stops = 0;
    int kills = 0;
    int minRunning = Math.max(3, count / 2);
    long churnEnd = System.nanoTime() + churn.toNanos();
    while (System.nanoTime() < churnEnd) {
      List<Node> running = nodes.stream().filter(Node::running).toList();
      List<Node> stopped = nodes.stream().filter(node -> !node.running()).toList();
      boolean takeOneDown = stopped.isEmpty() || running.size() > minRunning && random.nextBoolean();
      if (takeOneDown) {
        Node node = running.get(random.nextInt(running.size()));
        if (random.nextBoolean()) {
          node.process.destroy();
          assertThat(node.process.waitFor(60, TimeUnit.SECONDS)).as("%s exits on SIGTERM", node.name).isTrue();
          assertThat(node.process.exitValue()).as("%s's exit code after SIGTERM", node.name).isZero();
          stops++;
          note("stop %s (SIGTERM, left, exit 0)", node.name);
        } else {
          node.process.destroyForcibly();
          assertThat(node.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
          kills++;
          note("kill %s (SIGKILL)", node.name);
        }
        node.process = null;
      } else {
        Node node = stopped.get(random.nextInt(stopped.size()));
        node.start(joinList(node));
        waitFor(node.name + " to be ready again", Duration.ofSeconds(120), () -> node.ready(endpoints));
        starts++;
        note("start %s (ready)", node.name);
      }
    }
    // The churn ends with a kill, so that agreeing always takes detecting a failure too.
    List<Node> running = nodes.stream().filter(Node::running).toList();
    Node last = running.get(random.nextInt(running.size()));
    last.process.destroyForcibly();
    assertThat(last.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    last.process = null;
    kills++;
    note("kill %s (SIGKILL)", last.name);
    List<Node> alive = nodes.stream().filter(Node::running).toList();
    note("churn over: %d starts, %d stops, %d kills; %d nodes running", starts, stops, kills, alive.size());

    List<Peer> expected = alive.stream().map(node -> new Peer(node.name, node.address, false, PeerState.PARTICIPANT))
        .toList();
    String expectedFingerprint = fingerprint(expected);
    long agreeStart = System.nanoTime();
    String[] lastDisagreement = {""};
    try {
      waitFor("every running node to agree", agreeWithin, () -> {
        String disagreement = disagreement(alive, expected, expectedFingerprint);
        lastDisagreement[0] = disagreement;
        return disagreement == null;
      });
    } catch (AssertionError e) {
      report(run, count, churn, seed, starts, stops, kills, alive.size(), -1, lastDisagreement[0]);
      throw new AssertionError(e.getMessage() + "; last disagreement: " + lastDisagreement[0], e);
    }
    double agreeSeconds = (System.nanoTime() - agreeStart) / 1e9;
    note("all %d running nodes agree on the alive set, on the owners of %d keys (fingerprint %s) and in their"
        + " observers' last notification, %.1f s after the churn", alive.size(), SAMPLE_KEYS,
        expectedFingerprint.substring(0, 12), agreeSeconds);
    report(run, count, churn, seed, starts, stops, kills, alive.size(), agreeSeconds, null);
    assertThat(stops + kills).as("nodes taken down").isPositive();
    assertThat(starts).as("nodes started, the first %d included", count).isGreaterThan(count);
  }

  /** What keeps the running nodes from agreeing, or null when they all do. */
  private String disagreement(List<Node> alive, List<Peer> expected, String expectedFingerprint) {
    for (Node node : alive) {
      List<Peer> peers;
      JsonObject observer;
      JsonObject sample;
      try {
        peers = peerList(endpoints.get(node.address, "/api/v1/peers").jsonArray().stream()
            .map(p -> Peer.fromJson((JsonObject) p)).toList());
        observer = endpoints.get(node.address, "/api/v1/observer").json();
        sample = endpoints.get(node.address, "/api/v1/owners/sample?keys=" + SAMPLE_KEYS).json();
      } catch (IllegalStateException e) {
        return node.name + " does not answer: " + e.getMessage();
      }
      List<Peer> observed = peerList(observer.getJsonArray("peers").stream()
          .map(p -> Peer.fromJson((JsonObject) p)).toList());
      if (!peers.equals(expected)) {
        return node.name + " sees " + names(peers);
      }
      if (!observed.equals(expected)) {
        return node.name + "'s observer was last told " + names(observed);
      }
      if (!expectedFingerprint.equals(sample.getString("fingerprint"))) {
        return node.name + "'s owners of " + SAMPLE_KEYS + " keys differ: " + sample;
      }
    }
    return null;
  }

  /** The peers without the {@code isSelf} flag, which differs from node to node. */
  private static List<Peer> peerList(List<Peer> peers) {
    return peers.stream().map(p -> new Peer(p.name(), p.addr(), false, p.state())).toList();
  }

  private static String names(List<Peer> peers) {
    return peers.stream().map(p -> p.name() + "(" + p.state() + ")").toList().toString();
  }

  /**
   * The fingerprint {@code /api/v1/owners/sample?keys=10000} gives, computed here from a ring sharder (the
   * nodes' default, ring:256) over the expected set: SHA-256 of one line per key {@code key-i}, its owner.
   */
  private static String fingerprint(List<Peer> peers) throws Exception {
    Sharder ring = Sharders.ring(256);
    ring.setPeers(peers);
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    for (int i = 0; i < SAMPLE_KEYS; i++) {
      String owner = ring.lookup(Key.ofString("key-" + i), 1, Op.READ_WRITE).get(0).name();
      digest.update((owner + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private List<String> joinList(Node self) {
    return nodes.stream().filter(node -> node != self).map(node -> node.address).toList();
  }

  private void note(String format, Object... args) {
    String line = String.format("%6.1f s  ", (System.nanoTime() - startNanos) / 1e9) + String.format(format, args);
    timeline.add(line);
    System.out.println("churn: " + line);
  }

  private void report(String run, int count, Duration churn, long seed, int starts, int stops, int kills,
      int running, double agreeSeconds, String disagreement) throws IOException {
    StringBuilder md = new StringBuilder();
    if (!reportStarted) {
      md.append("# Churn\n\nWritten by io.ckit.faults.ChurnTest: runnable-node processes on loopback"
          + " (").append(String.join(" ", JVM_FLAGS)).append("), memberlist's local preset, rejoin every 5 s.\n");
    }
    md.append("\n## ").append(run).append(" run\n\n")
        .append("| nodes | churn | seed | starts | stops (SIGTERM) | kills (SIGKILL) | running at the end |"
            + " agreement after the churn |\n|---|---|---|---|---|---|---|---|\n")
        .append(String.format("| %d | %d s | %d | %d | %d | %d | %d | %s |%n", count, churn.toSeconds(), seed,
            starts, stops, kills, running, agreeSeconds < 0 ? "**none**: " + disagreement
                : String.format("%.1f s", agreeSeconds)))
        .append("\nAgreement: every running node's `/api/v1/peers` is exactly the running nodes, all participants;"
            + " its `/api/v1/observer` (its observer's last notification) is the same set; its"
            + " `/api/v1/owners/sample?keys=10000` fingerprint is the one a ring:256 sharder gives for the set.\n\n"
            + "```\n").append(String.join("\n", timeline)).append("\n```\n");
    Files.createDirectories(OUT);
    Files.writeString(OUT.resolve("churn.md"), md, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        reportStarted ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    reportStarted = true;
  }

  /** Polls the condition every 500 ms until it holds; fails after {@code within}. */
  private static void waitFor(String what, Duration within, Supplier<Boolean> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + within.toSeconds() + " s waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
  }

  private static List<Integer> freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }

  /** One member: its name and address stay; its process comes and goes. */
  private static final class Node {
    final String name;
    final String address;
    final Path log;
    Process process;

    Node(String name, String address, Path logs) {
      this.name = name;
      this.address = address;
      this.log = logs.resolve(name + ".log");
    }

    boolean running() {
      return process != null;
    }

    void start(List<String> join) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(JVM_FLAGS);
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
          "--config", log.resolveSibling("node.json").toString(), "--name", name, "--listen", address,
          "--join", String.join(",", join)));
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    boolean ready(NodeEndpoints endpoints) {
      return endpoints.status(address, "/ready") == 200;
    }
  }
}
