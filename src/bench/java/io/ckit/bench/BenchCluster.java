package io.ckit.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

/**
 * The nodes a {@link ClusterBenchmark} run starts and stops: one OS process each ({@link ProcessCluster}) or
 * many in each of K host JVMs ({@link JvmCluster}; one host by default). Either way a node is the runnable
 * node with its own server on a loopback port; the benchmark watches it only through that port and its
 * process.
 */
abstract class BenchCluster implements AutoCloseable {

  /** One node: its name and the loopback port its server listens on. */
  record Member(String name, int port) {
    String address() {
      return "127.0.0.1:" + port;
    }
  }

  final List<Member> members;
  final List<String> nodeFlags;
  final Path logs;

  BenchCluster(List<Member> members, List<String> nodeFlags, Path logs) {
    this.members = List.copyOf(members);
    this.nodeFlags = List.copyOf(nodeFlags);
    this.logs = logs;
  }

  /**
   * {@code count} members named {@code prefix-00...} on distinct free loopback ports: every port is held until
   * all are chosen, so none is handed out twice. (Two nodes given one port in one JVM would not fail: Vert.x
   * shares a server port between servers of one instance and spreads the requests over both.)
   */
  static List<Member> members(String prefix, int count) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Member> members = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(socket);
        members.add(new Member(String.format(Locale.ROOT, "%s-%02d", prefix, i), socket.getLocalPort()));
      }
      return members;
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The runnable node's flags for a member, joining {@code join} (none for the seed). */
  List<String> flags(Member member, Member join) {
    List<String> flags = new ArrayList<>(List.of("--name", member.name(), "--listen", member.address(),
        "--log-level", "warn"));
    if (join != null) {
      flags.addAll(List.of("--join", join.address()));
    }
    flags.addAll(nodeFlags);
    return flags;
  }

  /**
   * Starts the seed, then every other member joining it; returns {@link System#nanoTime()} of the last start
   * (processes: the last process spawned; one JVM: the last node deployed and listening).
   */
  abstract long startAll(Probe probe) throws Exception;

  /** Starts (or restarts) one member joining {@code join}. */
  abstract void start(Member member, Member join) throws Exception;

  /** Stops a member gracefully: SIGTERM, or the host's {@code leave}. Returns at once (processes). */
  abstract void leave(Member member) throws Exception;

  /** Stops a member without leave: SIGKILL, or the host's {@code kill}. */
  abstract void kill(Member member) throws Exception;

  /** Waits until a stopped member's process has exited (nothing to wait for in one JVM); its exit status. */
  abstract String awaitStopped(Member member) throws Exception;

  /** The live OS processes the members run in (one per member, or the hosts). */
  abstract List<ProcessHandle> processes();

  /**
   * Whether each of {@link #processes()} holds one member (else the hosts hold them all between them, and a
   * process's CPU and TCP bytes are shared by its members).
   */
  abstract boolean processPerMember();

  /** Heap in use after a full GC, summed over the hosts, where the benchmark can ask for one (jvm mode). */
  abstract OptionalLong heapAfterGc() throws Exception;

  static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }
}
