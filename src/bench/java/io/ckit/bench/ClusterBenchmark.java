package io.ckit.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * N runnable nodes ({@code target/ckit-vertx.jar}), each a JVM of its own on loopback with ckit's default
 * timing, watched only through their HTTP endpoints ({@code /api/v1/peers}) and signalled as OS processes.
 *
 * <ul>
 *   <li>{@code converge}: the seed starts; once it is ready the other N−1 start at once; seconds from the last
 *       process start until every node sees N participants.
 *   <li>{@code leave}: SIGTERM to one node (not the seed); seconds until every survivor has removed it (and
 *       until every survivor saw it terminating). The node then restarts and the cluster converges again.
 *   <li>{@code kill}: the same with SIGKILL: seconds until failure detection made every survivor drop it.
 * </ul>
 *
 * <pre>
 * ./mvnw -Pharness verify -Dharness.class=io.ckit.bench.ClusterBenchmark \
 *     -Dharness.args="--nodes 10 --runs 5 --scenarios converge,leave"
 * </pre>
 *
 * Options: {@code --nodes N}, {@code --runs R}, {@code --scenarios converge,leave,kill}, {@code --jar PATH},
 * {@code --jvm-args "..."} (default {@code -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}), {@code
 * --out FILE} (JSON, default {@code target/cluster-benchmark.json}). Prints a table; writes every figure as
 * JSON.
 */
public final class ClusterBenchmark {

  private static final long POLL_MILLIS = 20;

  private final int nodes;
  private final int runs;
  private final List<String> scenarios;
  private final Path jar;
  private final List<String> jvmArgs;
  private final Path out;
  private final Path logs;
  private final Vertx vertx = Vertx.vertx();
  private final WebClient web;
  private final List<Member> members = new ArrayList<>();
  private final JsonObject results = new JsonObject();

  private ClusterBenchmark(Map<String, String> options) {
    nodes = Integer.parseInt(options.getOrDefault("nodes", "10"));
    runs = Integer.parseInt(options.getOrDefault("runs", "5"));
    scenarios = List.of(options.getOrDefault("scenarios", "converge,leave").split(","));
    jar = Path.of(options.getOrDefault("jar", "target/ckit-vertx.jar"));
    jvmArgs = List.of(options.getOrDefault("jvm-args", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1")
        .trim().split("\\s+"));
    out = Path.of(options.getOrDefault("out", "target/cluster-benchmark.json"));
    logs = out.resolveSibling("cluster-benchmark-logs");
    web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2_000).setIdleTimeout(10));
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    ClusterBenchmark benchmark = new ClusterBenchmark(options);
    try {
      benchmark.run();
    } finally {
      benchmark.close();
    }
    System.exit(0);
  }

  private void run() throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " not found: build it with ./mvnw package -DskipTests");
    }
    Files.createDirectories(logs);
    results.put("nodes", nodes).put("runs", runs).put("jvmArgs", String.join(" ", jvmArgs))
        .put("machine", Runtime.getRuntime().availableProcessors() + " cores");
    System.out.printf(Locale.ROOT, "%d nodes, %s, ckit timing%n", nodes, String.join(" ", jvmArgs));
    for (int i = 0; i < nodes; i++) {
      members.add(new Member(String.format(Locale.ROOT, "node-%02d", i), freePort()));
    }
    double converge = converge();
    results.put("convergeSeconds", converge);
    System.out.printf(Locale.ROOT, "converge: every node sees %d participants %.2f s after the last start%n",
        nodes, converge);
    for (String scenario : scenarios) {
      switch (scenario) {
        case "converge" -> { }
        case "leave" -> departures("leave", false);
        case "kill" -> departures("kill", true);
        default -> throw new IllegalArgumentException("unknown scenario " + scenario);
      }
    }
    Files.writeString(out, results.encodePrettily());
    System.out.println("figures written to " + out);
  }

  /** Starts the seed, then every other node at once; seconds from the last start to full agreement. */
  private double converge() throws Exception {
    Member seed = members.get(0);
    seed.start(null);
    waitUntil("the seed to answer", 60_000, () -> peers(seed) != null);
    long lastStart = 0;
    for (Member member : members.subList(1, members.size())) {
      member.start(seed);
      lastStart = System.nanoTime();
    }
    return seconds(waitForParticipants(members, 120_000) - lastStart);
  }

  /** Stops one node per run (SIGTERM, or SIGKILL) and times its removal everywhere. */
  private void departures(String name, boolean kill) throws Exception {
    JsonArray removed = new JsonArray();
    JsonArray terminating = new JsonArray();
    for (int run = 0; run < runs; run++) {
      Member victim = members.get(1 + run % (members.size() - 1));
      List<Member> survivors = members.stream().filter(member -> member != victim).toList();
      long start = System.nanoTime();
      if (kill) {
        victim.process.destroyForcibly();
      } else {
        victim.process.destroy();
      }
      Map<Member, Long> sawTerminating = new LinkedHashMap<>();
      Map<Member, Long> gone = new LinkedHashMap<>();
      long deadline = start + TimeUnit.SECONDS.toNanos(kill ? 180 : 60);
      while (gone.size() < survivors.size()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(name + ": survivors still list " + victim.name + " after the deadline");
        }
        for (Member survivor : survivors) {
          if (gone.containsKey(survivor)) {
            continue;
          }
          JsonArray peers = peers(survivor);
          long now = System.nanoTime();
          if (peers == null) {
            continue;
          }
          String state = stateOf(peers, victim.name);
          if (state == null) {
            gone.put(survivor, now);
            sawTerminating.putIfAbsent(survivor, now);
          } else if (state.equals("terminating")) {
            sawTerminating.putIfAbsent(survivor, now);
          }
        }
        Thread.sleep(POLL_MILLIS);
      }
      double all = seconds(gone.values().stream().mapToLong(Long::longValue).max().orElseThrow() - start);
      double first = seconds(gone.values().stream().mapToLong(Long::longValue).min().orElseThrow() - start);
      removed.add(all);
      String line = String.format(Locale.ROOT, "%s run %d: %s removed by every survivor after %.2f s (first %.2f s)",
          name, run + 1, victim.name, all, first);
      if (!kill) {
        double seen = seconds(sawTerminating.values().stream().mapToLong(Long::longValue).max().orElseThrow()
            - start);
        terminating.add(seen);
        line += String.format(Locale.ROOT, "; seen terminating or gone by all after %.2f s", seen);
      }
      System.out.println(line);
      victim.process.waitFor(30, TimeUnit.SECONDS);
      System.out.printf(Locale.ROOT, "  %s exited with %d; restarting it%n", victim.name, victim.process.exitValue());
      victim.start(members.get(0));
      waitForParticipants(members, 120_000);
    }
    double[] sorted = removed.stream().mapToDouble(value -> ((Number) value).doubleValue()).sorted().toArray();
    JsonObject summary = new JsonObject().put("removedSeconds", removed)
        .put("median", sorted[sorted.length / 2]).put("min", sorted[0]).put("max", sorted[sorted.length - 1]);
    if (!kill) {
      summary.put("terminatingSeenSeconds", terminating);
    }
    results.put(name, summary);
    System.out.printf(Locale.ROOT, "%s: every survivor removed the node after median %.2f s (%.2f–%.2f s, %d runs)%n",
        name, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], runs);
  }

  /** Waits until every member lists every member as participant; returns when that was first seen. */
  private long waitForParticipants(List<Member> all, long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Predicate<JsonArray> complete = peers -> peers.size() == all.size() && peers.stream()
        .allMatch(peer -> "participant".equals(((JsonObject) peer).getString("state")));
    List<Member> waiting = new ArrayList<>(all);
    long last = 0;
    while (!waiting.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no agreement on " + all.size() + " participants: still waiting for "
            + waiting.stream().map(member -> member.name).toList());
      }
      for (Member member : List.copyOf(waiting)) {
        JsonArray peers = peers(member);
        if (peers != null && complete.test(peers)) {
          last = System.nanoTime();
          waiting.remove(member);
        }
      }
      if (!waiting.isEmpty()) {
        Thread.sleep(POLL_MILLIS);
      }
    }
    return last;
  }

  /** A node's {@code /api/v1/peers}, or null if it does not answer. */
  private JsonArray peers(Member member) {
    try {
      return web.get(member.port, "127.0.0.1", "/api/v1/peers").timeout(2_000).send()
          .map(response -> response.statusCode() == 200 ? response.bodyAsJsonArray() : null)
          .otherwise((JsonArray) null)
          .await();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String stateOf(JsonArray peers, String name) {
    for (Object peer : peers) {
      JsonObject json = (JsonObject) peer;
      if (name.equals(json.getString("name"))) {
        return json.getString("state");
      }
    }
    return null;
  }

  private static void waitUntil(String what, long timeoutMillis, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  private void close() {
    for (Member member : members) {
      if (member.process != null) {
        member.process.destroyForcibly();
      }
    }
    Future.await(vertx.close());
  }

  private static double seconds(long nanos) {
    return Math.round(nanos / 1e7) / 100.0;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** One node: its name, its port, its process. */
  private final class Member {
    final String name;
    final int port;
    Process process;

    Member(String name, int port) {
      this.name = name;
      this.port = port;
    }

    void start(Member join) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmArgs);
      command.addAll(Arrays.asList("-jar", jar.toString(), "--name", name, "--listen", "127.0.0.1:" + port,
          "--log-level", "warn"));
      if (join != null) {
        command.addAll(List.of("--join", "127.0.0.1:" + join.port));
      }
      File log = logs.resolve(name + ".log").toFile();
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
      Files.writeString(logs.resolve(name + ".command"), String.join(" ", command) + "\n", StandardCharsets.UTF_8);
    }
  }
}
