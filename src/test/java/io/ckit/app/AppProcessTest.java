package io.ckit.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.gossip.GossipOptions;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.testing.NodeEndpoints;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The runnable node in a child JVM: its HTTP endpoints, its one-line errors, its graceful SIGTERM. */
@ExtendWith(VertxExtension.class)
class AppProcessTest {

  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  private final List<Process> processes = new ArrayList<>();
  private final java.util.Map<BlockingQueue<String>, Path> logs = new ConcurrentHashMap<>();
  private final java.util.Map<Path, Integer> linesRead = new ConcurrentHashMap<>();
  private Vertx vertx;
  private NodeEndpoints endpoints;
  private Node peer;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    this.vertx = vertx;
    endpoints = new NodeEndpoints(vertx);
    peer = Node.create(vertx, new NodeOptions().setName("peer").setListen("127.0.0.1:0")
        .setAdvertiseAddress("127.0.0.1:0").setGossip(GossipOptions.ckit().setGossipInterval(Duration.ofMillis(50))));
    await(peer.start(List.of()));
    await(peer.changeState(PeerState.PARTICIPANT));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    await(peer.stop());
  }

  @Test
  void servesEndpointsAndLeavesOnSigterm() throws Exception {
    Set<String> statesSeen = ConcurrentHashMap.newKeySet();
    peer.observe(peers -> {
      peers.stream().filter(p -> p.name().equals("child")).forEach(p -> statesSeen.add(p.state().toString()));
      return true;
    });
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Process child = start(lines, "--name", "child", "--listen", "127.0.0.1:0", "--join", peer.advertiseAddress());
    int port = awaitPort(lines);
    String base = "127.0.0.1:" + port;

    waitFor("the child to be ready", () -> get(base, "/ready").status() == 200);
    JsonArray peers = new JsonArray(get(base, "/api/v1/peers").body());
    assertThat(peers.stream().map(p -> Peer.fromJson((JsonObject) p).name()).toList())
        .containsExactly("child", "peer");
    String metrics = get(base, "/metrics").body();
    assertThat(metrics).contains("cluster_node_info{cluster_name=\"\",state=\"participant\"}",
        "cluster_node_peers{", "cluster_node_gossip_received_events_total{", "cluster_node_lamport_time{",
        "cluster_transport_rx_packets_total{", "jvm_memory_used_bytes", "vertx_http_server_requests_total");
    JsonObject owners = new JsonObject(get(base, "/api/v1/owners?key=some-key&n=2&op=read").body());
    assertThat(owners.getJsonArray("owners")).hasSize(2);
    assertThat(get(base, "/api/v1/owners?key=k&n=3").status()).isEqualTo(503);
    assertThat(get(base, "/api/v1/owners?n=1").status()).isEqualTo(400);
    assertThat(get(base, "/").body()).contains("<title>ckit node</title>");
    // The gossip routes share the port and still refuse HTTP/1.1.
    assertThat(endpoints.post(base, "/api/v1/ckit/transport/message").status()).isEqualTo(505);
    waitFor("the peer to see the child", () -> peer.peers().size() == 2);

    child.destroy(); // SIGTERM
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isZero();
    waitFor("the peer to see the child leave", () -> peer.peers().size() == 1);
    assertThat(statesSeen).contains("participant", "terminating");
    readLogs();
    assertThat(String.join("\n", lines)).contains("node=child", "state terminating", "left the cluster", "stopped");
    // A clean run logs no warnings (the joined peer was up from the start).
    assertThat(lines).noneMatch(line -> line.contains(" WARNING ") || line.contains(" SEVERE "));
  }

  @Test
  void threeNodesFromTheReadmeCommandsAgreeOnOwners() throws Exception {
    // README: --name a --listen 127.0.0.1:7946; b and c --join a. Here on free ports.
    List<BlockingQueue<String>> outputs = List.of(new LinkedBlockingQueue<>(), new LinkedBlockingQueue<>(),
        new LinkedBlockingQueue<>());
    List<Process> children = new ArrayList<>();
    children.add(start(outputs.get(0), "--name", "a", "--listen", "127.0.0.1:0"));
    String a = "127.0.0.1:" + awaitPort(outputs.get(0));
    children.add(start(outputs.get(1), "--name", "b", "--listen", "127.0.0.1:0", "--join", a));
    children.add(start(outputs.get(2), "--name", "c", "--listen", "127.0.0.1:0", "--join", a));
    List<String> bases = List.of(a, "127.0.0.1:" + awaitPort(outputs.get(1)),
        "127.0.0.1:" + awaitPort(outputs.get(2)));
    waitFor("three ready nodes that each see three participants", () -> bases.stream().allMatch(base ->
        get(base, "/ready").status() == 200 && new JsonArray(get(base, "/api/v1/peers").body()).stream()
            .filter(p -> ((JsonObject) p).getString("state").equals("participant")).count() == 3));
    for (String key : List.of("some-key", "tenant-42", "scrape-target-7")) {
      List<List<String>> answers = new ArrayList<>();
      for (String base : bases) {
        JsonArray owners = new JsonObject(get(base, "/api/v1/owners?key=" + key + "&n=2").body())
            .getJsonArray("owners");
        answers.add(owners.stream().map(p -> ((JsonObject) p).getString("name")).toList());
      }
      assertThat(answers.get(0)).hasSize(2);
      assertThat(answers).as("owners of %s from a, b, c", key).containsOnly(answers.get(0));
    }
    for (Process child : children) {
      child.destroy();
    }
    for (Process child : children) {
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
    }
  }

  @Test
  void invalidOptionStopsStartupWithOneLine() throws Exception {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Process child = start(lines, "--name", "child", "--listen", "127.0.0.1:0", "--state", "leader");
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(2);
    readLogs();
    assertThat(new ArrayList<>(lines)).containsExactly(
        "ckit-vertx: --state: \"leader\" is neither viewer nor participant");
  }

  /** Starts the app in a child JVM; its output goes to a file under target/ whose lines land in {@code lines}. */
  private Process start(BlockingQueue<String> lines, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "-cp", System.getProperty("java.class.path"), "-Xmx256m", Main.class.getName()));
    command.addAll(List.of(args));
    Path log = Files.createDirectories(Path.of("target", "app-test")).resolve("child-" + System.nanoTime() + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    processes.add(process);
    logs.put(lines, log);
    return process;
  }

  /** Moves new lines of each child's log into its queue. */
  private void readLogs() {
    logs.forEach((lines, log) -> {
      try {
        List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        Integer seen = linesRead.getOrDefault(log, 0);
        lines.addAll(all.subList(Math.min(seen, all.size()), all.size()));
        linesRead.put(log, all.size());
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  private int awaitPort(BlockingQueue<String> lines) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      readLogs();
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line == null) {
        continue;
      }
      seen.add(line);
      Matcher matcher = LISTENING.matcher(line);
      if (matcher.find()) {
        lines.addAll(seen);
        return Integer.parseInt(matcher.group(1));
      }
    }
    throw new AssertionError("the child never said where it listens; it said: " + seen);
  }

  /** GET from a node at {@code host:port}, over the test's WebClient. */
  private NodeEndpoints.Reply get(String node, String path) {
    return endpoints.get(node, path);
  }

  private void waitFor(String what, java.util.function.BooleanSupplier condition) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    poll(condition, deadline, done);
    try {
      await(done.future());
    } catch (Exception e) {
      throw new AssertionError("timed out waiting for " + what, e);
    }
  }

  private void poll(java.util.function.BooleanSupplier condition, long deadline, io.vertx.core.Promise<Void> done) {
    vertx.executeBlocking(condition::getAsBoolean).onComplete(result -> {
      if (result.succeeded() && result.result()) {
        done.complete();
      } else if (System.nanoTime() > deadline) {
        done.fail("condition not met");
      } else {
        vertx.setTimer(100, id -> poll(condition, deadline, done));
      }
    });
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
