package io.ckit.faults;

import io.ckit.app.Main;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Runnable nodes ({@link Main}) as OS processes, one per {@linkplain NetnsHosts host}: node {@code i} is named
 * {@code n<i>}, listens on its host's address, port {@value #PORT}, advertises that address (or, with delay
 * proxies, its proxy's) and joins every other node's advertised address. Faults on processes: SIGKILL,
 * SIGSTOP and SIGCONT; a killed node can be started again with the same flags.
 *
 * <p>Used from the test thread only.
 */
final class FaultCluster implements AutoCloseable {

  static final int PORT = 7946;
  /** The JVM flags of every node process: small, and cheap on a shared 2-core machine. */
  static final List<String> JVM_FLAGS = List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Xss256k");

  private final NetnsHosts hosts;
  private final Path logs;
  private final List<String> nodeFlags;
  private final Map<Integer, Process> processes = new LinkedHashMap<>();
  private final Set<Integer> paused = new TreeSet<>();
  private final Map<Integer, DelayProxy> proxies = new LinkedHashMap<>();

  /**
   * @param hosts     one node per host
   * @param logs      where each node's output goes ({@code n<i>.log}, appended across restarts)
   * @param nodeFlags flags for every node besides name, listen, advertise and join (e.g. the gossip config)
   */
  FaultCluster(NetnsHosts hosts, Path logs, List<String> nodeFlags) throws IOException {
    this.hosts = hosts;
    this.logs = Files.createDirectories(logs);
    this.nodeFlags = List.copyOf(nodeFlags);
    // A run's logs only: a node's log collects its restarts within the run.
    try (var old = Files.newDirectoryStream(logs, "n*.log")) {
      for (Path log : old) {
        Files.delete(log);
      }
    }
  }

  /**
   * Puts a delay proxy in front of every node: node {@code i} advertises {@code 10.231.1.(10+i)}, a root
   * namespace address whose proxy forwards to the node after {@code delay}, each way. Call before starting.
   */
  void delayEveryLink(Vertx vertx, Duration delay) throws Exception {
    for (int host = 1; host <= hosts.count(); host++) {
      String address = "10.231.1." + (10 + host);
      hosts.addRootAddress(address);
      proxies.put(host, DelayProxy.start(vertx, delay, address, PORT, NetnsHosts.address(host), PORT));
    }
  }

  /** Writes a node config file (the JSON of {@code --config}) into {@code directory}; returns its path. */
  static Path writeConfig(Path directory, String name, String json) throws IOException {
    Path file = Files.createDirectories(directory).resolve(name);
    Files.writeString(file, json, StandardCharsets.UTF_8);
    return file;
  }

  int size() {
    return hosts.count();
  }

  static String name(int host) {
    return "n" + host;
  }

  /** Where the test reaches node {@code i}'s HTTP endpoints: its listen address. */
  static String endpoint(int host) {
    return NetnsHosts.address(host) + ":" + PORT;
  }

  /** Where the other nodes reach node {@code i}. */
  String advertised(int host) {
    DelayProxy proxy = proxies.get(host);
    return proxy != null ? proxy.address() : endpoint(host);
  }

  /** The delay proxies' accepted connections, summed (0 without proxies). */
  long proxiedConnections() {
    return proxies.values().stream().mapToLong(DelayProxy::connections).sum();
  }

  /** Starts every node at once. */
  void startAll() throws IOException, InterruptedException {
    for (int host = 1; host <= hosts.count(); host++) {
      start(host);
    }
  }

  /**
   * Starts node {@code i} in its namespace and checks that the process the test holds is the node's JVM
   * (ip execs java, so the pid is java's) and runs in that namespace.
   */
  void start(int host) throws IOException, InterruptedException {
    Process running = processes.get(host);
    if (running != null && running.isAlive()) {
      throw new IllegalStateException(name(host) + " is running");
    }
    List<String> join = new ArrayList<>();
    for (int other = 1; other <= hosts.count(); other++) {
      if (other != host) {
        join.add(advertised(other));
      }
    }
    List<String> command = new ArrayList<>(hosts.exec(host));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "--name", name(host), "--listen", endpoint(host), "--advertise", advertised(host),
        "--join", String.join(",", join)));
    command.addAll(nodeFlags);
    Path log = logs.resolve(name(host) + ".log");
    Files.writeString(log, "# " + String.join(" ", command).replace(System.getProperty("java.class.path"), "<cp>")
        + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    hosts.track(process);
    processes.put(host, process);
    paused.remove(host);
    checkIsJavaInNamespace(host, process);
  }

  private void checkIsJavaInNamespace(int host, Process process) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String command = "";
    while (System.nanoTime() < deadline && process.isAlive()) {
      command = process.info().command().orElse("");
      if (command.endsWith(File.separator + "java")) {
        String ns = NetnsHosts.namespaceOf(process.pid());
        if (!ns.equals(hosts.namespace(host))) {
          throw new IllegalStateException(name(host) + ": pid " + process.pid() + " runs in namespace \"" + ns
              + "\", not " + hosts.namespace(host));
        }
        return;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IllegalStateException(name(host) + ": pid " + process.pid() + " is " + (process.isAlive()
        ? "\"" + command + "\", not java, after 20 s" : "gone (exit " + process.exitValue() + "); see "
        + logs.resolve(name(host) + ".log")));
  }

  long pid(int host) {
    return processes.get(host).pid();
  }

  boolean alive(int host) {
    Process process = processes.get(host);
    return process != null && process.isAlive();
  }

  /** Nodes whose process runs and is not stopped. */
  Set<Integer> running() {
    Set<Integer> running = new TreeSet<>();
    processes.forEach((host, process) -> {
      if (process.isAlive() && !paused.contains(host)) {
        running.add(host);
      }
    });
    return running;
  }

  /** Continues every stopped node and starts every node that is not running (after a failed scenario). */
  void restore() throws IOException, InterruptedException {
    for (int host = 1; host <= hosts.count(); host++) {
      if (paused.contains(host) && alive(host)) {
        resume(host);
      } else if (!alive(host)) {
        start(host);
      }
    }
  }

  /** SIGKILL, and waits for the process to be gone. */
  void kill(int host) throws InterruptedException {
    Process process = processes.get(host);
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name(host) + " still runs 30 s after SIGKILL");
    }
    paused.remove(host);
  }

  /** SIGSTOP: the process stays, its threads stop; its sockets stay open. */
  void pause(int host) throws IOException {
    signal(host, "STOP");
    paused.add(host);
  }

  /** SIGCONT. */
  void resume(int host) throws IOException {
    signal(host, "CONT");
    paused.remove(host);
  }

  private void signal(int host, String signal) throws IOException {
    NetnsHosts.run(List.of("kill", "-" + signal, Long.toString(pid(host))));
  }

  /** The last lines of node {@code i}'s log, for a failure message. */
  String logTail(int host, int lines) {
    try {
      List<String> all = Files.readAllLines(logs.resolve(name(host) + ".log"), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    // SIGKILL ends a stopped process too.
    processes.values().forEach(Process::destroyForcibly);
    for (Process process : processes.values()) {
      process.waitFor(30, TimeUnit.SECONDS);
    }
    for (DelayProxy proxy : proxies.values()) {
      proxy.close();
    }
  }
}
