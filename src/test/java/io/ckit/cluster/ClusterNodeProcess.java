package io.ckit.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A clustered Vert.x on the ckit cluster manager in a JVM of its own, for tests that need a peer they can
 * pause (SIGSTOP) or kill: its options are the JSON of its one argument; it registers a consumer on {@code
 * ping} that answers {@code pong}, prints {@code READY <node id> <advertise address>}, and exits when its
 * standard input closes (so it never outlives the test that started it).
 */
public final class ClusterNodeProcess {

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private String nodeId;
  private String address;

  private ClusterNodeProcess(Process process) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "cluster-node-process-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the process and waits (up to 60 s) until its clustered Vert.x is up. */
  static ClusterNodeProcess start(CkitClusterOptions options) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    command.addAll(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-classpath",
        System.getProperty("java.class.path"), ClusterNodeProcess.class.getName(), options.toJson().encode()));
    ClusterNodeProcess node = new ClusterNodeProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = node.lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("READY ")) {
        String[] parts = line.split(" ");
        node.nodeId = parts[1];
        node.address = parts[2];
        return node;
      }
      if (!node.process.isAlive() && node.lines.isEmpty()) {
        break;
      }
    }
    node.kill();
    throw new AssertionError("the cluster node process did not start within 60 s");
  }

  String nodeId() {
    return nodeId;
  }

  String address() {
    return address;
  }

  long pid() {
    return process.pid();
  }

  /** Pauses (SIGSTOP) or resumes (SIGCONT) the process: a peer that is up but answers nothing. */
  void signal(String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  /** Kills the process (SIGKILL, which also ends a paused one) and waits for it to end. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    CkitClusterManager manager = new CkitClusterManager(new CkitClusterOptions(new JsonObject(args[0])));
    Vertx vertx = Vertx.builder().withClusterManager(manager).buildClustered().await();
    vertx.eventBus().consumer("ping", message -> message.reply("pong")).completion().await();
    System.out.println("READY " + manager.getNodeId() + " " + manager.advertiseAddress());
    System.out.flush();
    while (System.in.read() >= 0) {
      // runs until the parent closes the pipe
    }
    vertx.close().await();
    System.exit(0);
  }
}
