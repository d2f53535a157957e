package io.ckit.bench;

import io.ckit.app.HostedNodeApp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One JVM hosting many runnable nodes on one Vert.x instance, each with its own HTTP server, port, routes
 * ({@code /api/v1/peers}, {@code /metrics}, {@code /ready}) and meters: the {@link ClusterBenchmark}'s
 * {@code --mode jvm}. It reads one command per line on standard input and answers each with one line on
 * standard output (node logs go to standard error):
 *
 * <pre>
 * start FLAG...   a runnable node from its flags (no spaces inside a value) -> "started NAME PORT"
 * leave NAME      what SIGTERM does: terminating, leave, close               -> "left NAME"
 * kill NAME       stop without leave: server and transport closed at once   -> "killed NAME"
 * heap            System.gc(), then the heap in use                         -> "heap BYTES NODES"
 * quit            exit at once (no leave)                                   -> "bye"
 * </pre>
 *
 * A command that fails answers {@code error COMMAND MESSAGE}. End of input is {@code quit}, so the host never
 * outlives the benchmark that started it.
 */
public final class NodeHost {

  private static final long COMMAND_SECONDS = 60;

  /** Netty's native transport as the runnable node uses it; {@code -Dbench.nativeTransport=false} for NIO. */
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(
      !"false".equals(System.getProperty("bench.nativeTransport"))));
  private final Map<String, HostedNodeApp> nodes = new LinkedHashMap<>();

  public static void main(String[] args) throws Exception {
    HostedNodeApp.configureLogging("host", args.length > 0 ? args[0] : "warn");
    NodeHost host = new NodeHost();
    System.err.println("host: " + (host.vertx.isNativeTransportEnabled() ? "native transport" : "NIO transport"));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      List<String> words = Arrays.stream(line.trim().split("\\s+")).filter(word -> !word.isEmpty()).toList();
      if (words.isEmpty()) {
        continue;
      }
      if (words.get(0).equals("quit")) {
        break;
      }
      String reply;
      try {
        reply = host.execute(words);
      } catch (Exception e) {
        Throwable cause = e.getCause() != null && e instanceof java.util.concurrent.ExecutionException
            ? e.getCause() : e;
        reply = "error " + words.get(0) + " " + String.valueOf(cause.getMessage()).replace('\n', ' ');
      }
      System.out.println(reply);
      System.out.flush();
    }
    System.out.println("bye");
    System.out.flush();
    // Abrupt on purpose, as a process exit is: no node leaves.
    Runtime.getRuntime().halt(0);
  }

  private String execute(List<String> words) throws Exception {
    String command = words.get(0);
    return switch (command) {
      case "start" -> start(words.subList(1, words.size()));
      case "leave" -> {
        await(take(words).shutdown());
        yield "left " + words.get(1);
      }
      case "kill" -> {
        await(take(words).halt());
        yield "killed " + words.get(1);
      }
      case "heap" -> {
        System.gc();
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        yield "heap " + used + " " + nodes.size();
      }
      default -> throw new IllegalArgumentException("unknown command (start, leave, kill, heap, quit)");
    };
  }

  private String start(List<String> flags) throws Exception {
    int at = flags.indexOf("--name");
    if (at < 0 || at + 1 >= flags.size()) {
      throw new IllegalArgumentException("--name is required");
    }
    String name = flags.get(at + 1);
    if (nodes.containsKey(name)) {
      throw new IllegalArgumentException("--name: " + name + " is running already");
    }
    HostedNodeApp node = await(HostedNodeApp.start(vertx, flags));
    for (Map.Entry<String, HostedNodeApp> other : nodes.entrySet()) {
      if (other.getValue().port() == node.port()) {
        // Vert.x shares one port between the servers of one instance: both nodes would get each other's traffic.
        await(node.halt());
        throw new IllegalArgumentException("--listen: port " + node.port() + " is " + other.getKey() + "'s");
      }
    }
    nodes.put(name, node);
    return "started " + name + " " + node.port();
  }

  private HostedNodeApp take(List<String> words) {
    if (words.size() != 2) {
      throw new IllegalArgumentException("expects one node name");
    }
    HostedNodeApp node = nodes.remove(words.get(1));
    if (node == null) {
      throw new IllegalArgumentException("no node " + words.get(1) + " (running: " + nodes.keySet() + ")");
    }
    return node;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(COMMAND_SECONDS, TimeUnit.SECONDS);
  }
}
