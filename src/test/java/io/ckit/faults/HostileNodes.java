package io.ckit.faults;

import io.ckit.app.Main;
import io.ckit.testing.NodeEndpoints;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runnable nodes ({@link Main}) as child JVMs on loopback for the hostile-peer tests: each with its own log
 * file under {@code target/faults/hostile/}, a JSON config file, and the flags a small node runs with. Reads
 * the nodes' {@code /metrics}, {@code /api/v1/peers}, {@code /api/v1/status} and {@code /api/v1/events}
 * through {@link NodeEndpoints}. {@link #close()} kills every process it started (and only those).
 *
 * <p>Calls block the test thread: never call them on an event loop.
 */
final class HostileNodes implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  /** A node process and where it listens. */
  record NodeProcess(String name, Process process, String address, Path log) {}

  private final Path dir;
  private final NodeEndpoints http;
  /** For nodes that serve TLS and require a client certificate: a client with the operator's certificate. */
  private final Vertx tlsVertx;
  private final WebClient tlsClient;
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();

  HostileNodes(String run) throws IOException {
    this(run, null);
  }

  /**
   * @param clientCertificate the certificate (and key) to call TLS nodes' endpoints with, or null for nodes
   *     that serve plain h2c and HTTP/1.1
   */
  HostileNodes(String run, PemKeyCertOptions clientCertificate) throws IOException {
    this.dir = Path.of("target", "faults", "hostile", run);
    Files.createDirectories(dir);
    if (clientCertificate == null) {
      http = new NodeEndpoints();
      tlsVertx = null;
      tlsClient = null;
    } else {
      http = null;
      tlsVertx = Vertx.vertx();
      tlsClient = WebClient.create(tlsVertx, new WebClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false).setKeyCertOptions(clientCertificate).setConnectTimeout(5_000));
    }
  }

  /** GET {@code path} from a node, over TLS with the operator's certificate when the nodes serve TLS. */
  private NodeEndpoints.Reply get(String address, String path) {
    if (http != null) {
      return http.get(address, path);
    }
    try {
      return tlsClient.get(HostileClient.port(address), HostileClient.host(address), path).timeout(10_000).send()
          .map(answer -> new NodeEndpoints.Reply(answer.statusCode(), answer.bodyAsString() == null ? ""
              : answer.bodyAsString()))
          .toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("GET " + address + path + ": " + e, e);
    }
  }

  NodeProcess node(String name) {
    return nodes.get(name);
  }

  List<NodeProcess> all() {
    return new ArrayList<>(nodes.values());
  }

  /**
   * The nodes' gossip timing: memberlist's {@code local} preset, with a probe timeout of 1 s (not 200 ms) and
   * suspicion that lasts 10 s (not 3 s). These tests attack the routes, not the failure detector, and they run
   * on a machine that others load: at a load average of 20, the preset's own timing had a node's probes time
   * out and the others declare it dead without any attack (its event loop stalled for seconds), and the test
   * could not tell that from an attack's effect.
   */
  static final JsonObject GOSSIP = new JsonObject().put("preset", "local").put("probeTimeout", "1s")
      .put("suspicionMult", 10);

  /**
   * Starts a node with the gossip timing {@link #GOSSIP}, on a free loopback port, and waits until it listens.
   *
   * @param config more of the node's JSON config ({@code NodeOptions}' form), merged over the preset
   * @param flags more flags ({@code --join}, ...)
   */
  NodeProcess start(String name, JsonObject config, String... flags) throws Exception {
    JsonObject merged = new JsonObject().put("gossip", GOSSIP.copy()).mergeIn(config, true);
    Path configFile = dir.resolve(name + ".json");
    Files.writeString(configFile, merged.encodePrettily(), StandardCharsets.UTF_8);
    Path log = dir.resolve(name + ".log");
    Files.deleteIfExists(log);
    List<String> command = new ArrayList<>(List.of(
        System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--config", configFile.toString(), "--name", name, "--listen", "127.0.0.1:0"));
    command.addAll(List.of(flags));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    String[] port = {null};
    await(name + " to listen", 60, () -> {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ": " + read(log));
      }
      Matcher matcher = LISTENING.matcher(read(log));
      if (matcher.find()) {
        port[0] = matcher.group(1);
        return true;
      }
      return false;
    });
    NodeProcess node = new NodeProcess(name, process, "127.0.0.1:" + port[0], log);
    nodes.put(name, node);
    return node;
  }

  /** The node's log so far. */
  static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** The names of the participants {@code /api/v1/peers} of this node lists, or an empty set if it does not answer. */
  Set<String> participants(String node) {
    return peers(node, "participant");
  }

  /** The names of the peers of this node in a state ({@code participant}, {@code terminating}, ...). */
  Set<String> peers(String node, String state) {
    Set<String> names = new TreeSet<>();
    try {
      JsonArray peers = get(nodes.get(node).address(), "/api/v1/peers").jsonArray();
      for (Object peer : peers) {
        JsonObject json = (JsonObject) peer;
        if (state == null || state.equals(json.getString("state"))) {
          names.add(json.getString("name"));
        }
      }
    } catch (IllegalStateException e) {
      // not answering: no peers seen
    }
    return names;
  }

  /** Every node's view of a member, from {@code /api/v1/status}'s {@code members}, or null. */
  JsonObject member(String node, String member) {
    JsonArray members = get(nodes.get(node).address(), "/api/v1/status").json().getJsonArray("members");
    for (Object entry : members) {
      if (member.equals(((JsonObject) entry).getString("name"))) {
        return (JsonObject) entry;
      }
    }
    return null;
  }

  /** The node's Lamport time (from {@code /api/v1/status}). */
  long lamportTime(String node) {
    JsonObject status = get(nodes.get(node).address(), "/api/v1/status").json();
    return status.getLong("lamportTime");
  }

  /** The node's membership timeline, {@code [{time, type, member, incarnation, detail}]}. */
  JsonArray events(String node) {
    return get(nodes.get(node).address(), "/api/v1/events").json().getJsonArray("events");
  }

  /** The node's {@code /metrics}, parsed. */
  Metrics metrics(String node) {
    return new Metrics(get(nodes.get(node).address(), "/metrics").body());
  }

  /** Whether every node in {@code names} lists exactly {@code names} as participants. */
  boolean agree(Set<String> names) {
    for (String name : names) {
      if (!participants(name).equals(names)) {
        return false;
      }
    }
    return true;
  }

  /** Stops one node as an operator does (SIGTERM: terminating, leave) and forgets it. */
  void stop(String name) throws InterruptedException {
    NodeProcess node = nodes.remove(name);
    if (node != null) {
      node.process().destroy();
      if (!node.process().waitFor(30, TimeUnit.SECONDS)) {
        node.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Kills one node (SIGKILL) and forgets it. */
  void kill(String name) throws InterruptedException {
    NodeProcess node = nodes.remove(name);
    if (node != null) {
      node.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (NodeProcess node : nodes.values()) {
      node.process().destroyForcibly();
    }
    for (NodeProcess node : nodes.values()) {
      node.process().waitFor(10, TimeUnit.SECONDS);
    }
    nodes.clear();
    if (http != null) {
      http.close();
    } else {
      tlsClient.close();
      tlsVertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /** Polls a condition every 50 ms until it holds; fails after {@code seconds}. */
  static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  /** A Prometheus text exposition, read by metric name and labels. */
  static final class Metrics {
    private final String text;

    Metrics(String text) {
      this.text = text;
    }

    /**
     * The sample of {@code name} whose labels include every {@code labels} pair ({@code "reason", "frame"}), or 0
     * if there is none; several matching samples are summed.
     */
    double value(String name, String... labels) {
      double sum = 0;
      for (String line : text.split("\n")) {
        if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) {
          continue;
        }
        boolean matches = true;
        for (int i = 0; i < labels.length; i += 2) {
          if (!line.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
            matches = false;
          }
        }
        if (matches) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    }

    /** {@code cluster_transport_rx_rejected_total} for a reason. */
    double rejected(String reason) {
      return value("cluster_transport_rx_rejected_total", "reason", reason);
    }

    /** {@code cluster_node_gossip_received_events_total} for an event. */
    double event(String event) {
      return value("cluster_node_gossip_received_events_total", "event", event);
    }

    /** The heap in use: {@code jvm_memory_used_bytes{area="heap"}}, summed over its pools. */
    double heapUsed() {
      return value("jvm_memory_used_bytes", "area", "heap");
    }
  }
}
