package io.ckit.faults;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Hosts of the fault suite's own, on this machine: one network namespace per host, each with a veth pair to a
 * bridge that lives in a namespace of its own, and a veth from the root namespace to that bridge, so the test
 * JVM reaches every host. Addresses are in 10.231.0.0/16: the test JVM (the "control" address) is
 * {@value #CONTROL}, host {@code i} (from 1) is {@code 10.231.0.(10+i)}, and {@link #addRootAddress} adds
 * more addresses on the root side (the delay proxies' 10.231.1.x).
 *
 * <p>Names start with {@code ckf<pid>-} (the test JVM's pid), so that a run removes what it made, and the
 * {@linkplain #sweepLeftovers() sweep} at start removes what runs whose JVM is gone (killed, say) left behind.
 * {@link #close()} removes every namespace and veth (deleting a namespace deletes its ends of the veth pairs,
 * and so their peers); a JVM shutdown hook does the same if the test never gets to close. One fault-suite
 * network exists on the machine at a time: the addresses are the same for every run, so the constructor
 * waits for a file lock that the previous run holds.
 *
 * <p>Faults: {@link #partition} and {@link #loss} add nftables rules in the hosts' own namespaces (input
 * chain, so packets from the control address are never dropped and the test keeps watching);
 * {@link #linkDown}/{@link #linkUp} take a host's interface down and up.
 *
 * <p>Needs root, {@code ip} and {@code nft}. {@link #createOrSkip} skips the test with the reason when the
 * machine refuses, or fails it when the environment variable {@code CKIT_REQUIRE_NETNS} is set (CI sets it).
 */
final class NetnsHosts implements AutoCloseable {

  static final String CONTROL = "10.231.0.1";
  static final String PREFIX = "ckf";
  private static final String NFT_TABLE = "ckitfaults";
  private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "ckit-faults-netns.lock");
  private static final Pattern OURS = Pattern.compile("^" + PREFIX + "(\\d+)-(\\S+)");

  private final String runPrefix;
  private final List<String> hosts = new ArrayList<>();
  private final List<Process> processes = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Thread shutdownHook;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private boolean closed;

  /**
   * Builds the bridge and {@code count} hosts; on a machine that cannot, the test is skipped (or fails under
   * {@code CKIT_REQUIRE_NETNS}) with the reason.
   */
  static NetnsHosts createOrSkip(int count) {
    String refusal = refusal();
    if (refusal == null) {
      try {
        return new NetnsHosts(count);
      } catch (Exception e) {
        refusal = "cannot build network namespaces: " + e.getMessage();
      }
    }
    String message = refusal + " (the fault suite needs root, ip and nft; .ci/run installs iproute2 and nftables)";
    if (System.getenv("CKIT_REQUIRE_NETNS") != null) {
      throw new AssertionError("CKIT_REQUIRE_NETNS is set, but " + message);
    }
    // Said here too: surefire reports a class skipped in @BeforeAll as no tests run, without the reason.
    System.out.println("[faults] " + message + "; skipping (set CKIT_REQUIRE_NETNS=1 to fail instead)");
    Assumptions.abort(message + "; skipping (set CKIT_REQUIRE_NETNS=1 to fail instead)");
    throw new AssertionError("unreachable");
  }

  /** Why this machine cannot run the suite, or null when it can (root, ip, nft). */
  private static String refusal() {
    try {
      String uid = run(List.of("id", "-u")).trim();
      if (!uid.equals("0")) {
        return "not root (uid " + uid + ")";
      }
      run(List.of("ip", "-V"));
      run(List.of("nft", "--version"));
      return null;
    } catch (Exception e) {
      return e.getMessage();
    }
  }

  private NetnsHosts(int count) throws Exception {
    runPrefix = PREFIX + ProcessHandle.current().pid() + "-";
    lockChannel = FileChannel.open(LOCK, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE);
    lock = acquireLock(lockChannel);
    shutdownHook = new Thread(this::removeAll, "netns-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      List<String> swept = sweepLeftovers();
      if (!swept.isEmpty()) {
        System.out.println("[faults] removed what an earlier run left: " + swept);
      }
      String bridgeNs = bridgeNamespace();
      ip("netns", "add", bridgeNs);
      ip("-n", bridgeNs, "link", "add", "br0", "type", "bridge");
      ip("-n", bridgeNs, "link", "set", "br0", "up");
      ip("link", "add", rootLink(), "type", "veth", "peer", "name", "h0", "netns", bridgeNs);
      ip("-n", bridgeNs, "link", "set", "h0", "master", "br0", "up");
      ip("addr", "add", CONTROL + "/16", "dev", rootLink());
      ip("link", "set", rootLink(), "up");
      for (int i = 1; i <= count; i++) {
        addHost();
      }
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  private static FileLock acquireLock(FileChannel channel) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
    boolean said = false;
    while (true) {
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("another fault-suite run has held " + LOCK + " for 20 minutes");
      }
      if (!said) {
        System.out.println("[faults] waiting for another fault-suite run to release " + LOCK);
        said = true;
      }
      TimeUnit.SECONDS.sleep(1);
    }
  }

  /** Adds one more host; returns its number (from 1). */
  int addHost() throws IOException {
    int host = hosts.size() + 1;
    if (host > 200) {
      throw new IllegalStateException("at most 200 hosts");
    }
    String ns = namespace(host);
    ip("netns", "add", ns);
    hosts.add(ns);
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "p" + host, "netns", bridgeNamespace());
    ip("-n", bridgeNamespace(), "link", "set", "p" + host, "master", "br0", "up");
    ip("-n", ns, "addr", "add", address(host) + "/16", "dev", "eth0");
    ip("-n", ns, "link", "set", "eth0", "up");
    // Each host filters its own input: one table, one chain, rules added and flushed by the faults below.
    nft(host, "add table inet " + NFT_TABLE);
    nft(host, "add chain inet " + NFT_TABLE + " input { type filter hook input priority 0; policy accept; }");
    return host;
  }

  int count() {
    return hosts.size();
  }

  /** Host {@code i}'s namespace. */
  String namespace(int host) {
    return runPrefix + "n" + host;
  }

  /** Host {@code i}'s address (10.231.0.(10+i)). */
  static String address(int host) {
    return "10.231.0." + (10 + host);
  }

  /** Adds an address (/16) on the root namespace's side of the bridge, for a listener of the test JVM. */
  void addRootAddress(String address) throws IOException {
    ip("addr", "add", address + "/16", "dev", rootLink());
  }

  /** A command line prefix that runs a program inside host {@code i}'s namespace (ip execs it: same pid). */
  List<String> exec(int host) {
    return List.of("ip", "netns", "exec", namespace(host));
  }

  /** The namespace a process runs in, as {@code ip netns identify} names it ("" for the root namespace). */
  static String namespaceOf(long pid) throws IOException {
    return run(List.of("ip", "netns", "identify", Long.toString(pid))).trim();
  }

  /**
   * Drops every packet between the two groups of hosts (both ways: each host drops what the other group
   * sends it).
   */
  void partition(Collection<Integer> left, Collection<Integer> right) throws IOException {
    dropFrom(left, right);
    dropFrom(right, left);
  }

  private void dropFrom(Collection<Integer> receivers, Collection<Integer> senders) throws IOException {
    String set = senders.stream().map(NetnsHosts::address).collect(Collectors.joining(", ", "{ ", " }"));
    for (int host : receivers) {
      nft(host, "add rule inet " + NFT_TABLE + " input ip saddr " + set + " counter drop");
    }
  }

  /**
   * Every host drops this share of the packets it receives from anyone but the control address (nftables'
   * {@code numgen random}); a packet between two hosts (or through a proxy to a host) crosses one such drop.
   */
  void loss(int percent) throws IOException {
    if (percent < 1 || percent > 99) {
      throw new IllegalArgumentException("percent: " + percent + " is not in 1..99");
    }
    for (int host = 1; host <= hosts.size(); host++) {
      nft(host, "add rule inet " + NFT_TABLE + " input ip saddr != " + CONTROL + " numgen random mod 100 < "
          + percent + " counter drop");
    }
  }

  /** Removes every rule that {@link #partition} and {@link #loss} added. */
  void heal() throws IOException {
    for (int host = 1; host <= hosts.size(); host++) {
      nft(host, "flush chain inet " + NFT_TABLE + " input");
    }
  }

  /** The rules now in host {@code i}'s chain, as nft lists them. */
  String rules(int host) throws IOException {
    return nft(host, "list chain inet " + NFT_TABLE + " input");
  }

  /** The packets host {@code i}'s rules have dropped so far (their counters, summed). */
  long dropped(int host) throws IOException {
    Matcher counter = Pattern.compile("counter packets (\\d+)").matcher(rules(host));
    long dropped = 0;
    while (counter.find()) {
      dropped += Long.parseLong(counter.group(1));
    }
    return dropped;
  }

  void linkDown(int host) throws IOException {
    ip("-n", namespace(host), "link", "set", "eth0", "down");
  }

  void linkUp(int host) throws IOException {
    ip("-n", namespace(host), "link", "set", "eth0", "up");
  }

  private String nft(int host, String command) throws IOException {
    List<String> line = new ArrayList<>(exec(host));
    line.add("nft");
    line.addAll(List.of(command.split(" ")));
    return run(line);
  }

  private String bridgeNamespace() {
    return runPrefix + "br";
  }

  private String rootLink() {
    return runPrefix + "h";
  }

  /**
   * Removes namespaces and root-side veths that earlier runs of the suite left (their JVM no longer runs), and
   * kills the processes still running in those namespaces (that run's nodes).
   */
  static List<String> sweepLeftovers() throws IOException {
    List<String> removed = new ArrayList<>();
    for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
      Matcher ours = OURS.matcher(line.trim());
      if (ours.find() && !alive(ours.group(1))) {
        String ns = PREFIX + ours.group(1) + "-" + ours.group(2);
        // Node processes of a run whose JVM was killed outlive it in their namespaces.
        for (String pid : run(List.of("ip", "netns", "pids", ns)).split("\\s+")) {
          if (!pid.isEmpty()) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
        quietly(List.of("ip", "netns", "del", ns));
        removed.add(ns);
      }
    }
    for (String line : run(List.of("ip", "-o", "link", "show")).split("\n")) {
      String[] fields = line.split(":\\s+");
      if (fields.length > 1) {
        Matcher ours = OURS.matcher(fields[1].replaceAll("@.*", ""));
        if (ours.find() && !alive(ours.group(1))) {
          String link = PREFIX + ours.group(1) + "-" + ours.group(2);
          quietly(List.of("ip", "link", "del", link));
          removed.add(link);
        }
      }
    }
    return removed;
  }

  private static boolean alive(String pid) {
    return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Names of this run's namespaces that exist now (for tests of the clean-up). */
  List<String> existingNamespaces() throws IOException {
    List<String> ours = new ArrayList<>();
    for (String line : run(List.of("ip", "netns", "list")).split("\n")) {
      String name = line.trim().split("\\s+")[0];
      if (name.startsWith(runPrefix)) {
        ours.add(name);
      }
    }
    return ours;
  }

  String runPrefix() {
    return runPrefix;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    removeAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // Already in the hook.
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // The lock goes with the JVM anyway.
    }
  }

  /** A process running in one of the hosts: killed when the hosts go, even from the shutdown hook. */
  void track(Process process) {
    processes.add(process);
  }

  private void removeAll() {
    for (Process process : processes) {
      process.destroyForcibly();
    }
    for (Process process : processes) {
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String ns : hosts) {
      quietly(List.of("ip", "netns", "del", ns));
    }
    quietly(List.of("ip", "netns", "del", bridgeNamespace()));
    quietly(List.of("ip", "link", "del", rootLink()));
  }

  private static void ip(String... args) throws IOException {
    List<String> line = new ArrayList<>();
    line.add("ip");
    line.addAll(List.of(args));
    run(line);
  }

  private static void quietly(List<String> command) {
    try {
      run(command);
    } catch (IOException e) {
      // Already gone.
    }
  }

  /** Runs a command to its end; its standard output, or an IOException with its error output. */
  static String run(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + ": no exit within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", command) + ": interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + ": exit " + process.exitValue() + ": "
          + new String(err, StandardCharsets.UTF_8).trim());
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  static Path reportDirectory() throws IOException {
    return Files.createDirectories(Path.of("target", "faults"));
  }
}
