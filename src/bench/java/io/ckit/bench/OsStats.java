package io.ckit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What Linux says about a process: CPU time and resident memory from {@code /proc/<pid>/stat} and
 * {@code status}, open descriptors from {@code /proc/<pid>/fd}, and TCP bytes sent from {@code ss -tinp}.
 */
final class OsStats {

  private static final Pattern PID = Pattern.compile("pid=(\\d+)");
  private static final Pattern BYTES_SENT = Pattern.compile("\\bbytes_sent:(\\d+)");

  private OsStats() {
  }

  /** Clock ticks per second, the unit of {@code utime} and {@code stime}. */
  static long clockTicks() throws IOException, InterruptedException {
    String out = run(List.of("getconf", "CLK_TCK")).trim();
    return out.isEmpty() ? 100 : Long.parseLong(out);
  }

  /** The process's CPU time so far, user plus system, in clock ticks (fields 14 and 15 of its stat). */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** Resident set size, bytes ({@code VmRSS}). */
  static long rssBytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid + "/status");
  }

  /** Open file descriptors (entries of {@code /proc/<pid>/fd}). */
  static long openDescriptors(long pid) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    }
  }

  /** One open TCP socket of a process, as {@code ss} shows it, with the bytes sent on it so far. */
  record Socket(long pid, String local, String peer, long sent) {
    String key() {
      return pid + " " + local + " " + peer;
    }
  }

  /**
   * The open TCP sockets of the given processes ({@code ss -tinpH}, with {@code bytes_sent}). Sockets whose
   * other end is one of {@code excludedPid}'s (the benchmark's own HTTP requests to the nodes) are left out,
   * so only node-to-node traffic counts.
   */
  static List<Socket> tcpSockets(Set<Long> pids, long excludedPid) throws IOException, InterruptedException {
    List<Socket> sockets = new ArrayList<>();
    String local = null;
    String peer = null;
    long pid = -1;
    for (String line : run(List.of("ss", "-tinpH")).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (!Character.isWhitespace(line.charAt(0))) {
        String[] fields = line.trim().split("\\s+");
        local = fields.length > 4 ? plain(fields[3]) : null;
        peer = fields.length > 4 ? plain(fields[4]) : null;
        Matcher matcher = PID.matcher(line);
        pid = matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
        continue;
      }
      Matcher sent = BYTES_SENT.matcher(line);
      if (local != null && pid >= 0) {
        sockets.add(new Socket(pid, local, peer, sent.find() ? Long.parseLong(sent.group(1)) : 0));
        local = null;
      }
    }
    Set<String> excluded = new HashSet<>();
    for (Socket socket : sockets) {
      if (socket.pid() == excludedPid) {
        excluded.add(socket.local());
      }
    }
    return sockets.stream().filter(socket -> pids.contains(socket.pid()) && !excluded.contains(socket.peer()))
        .toList();
  }

  /** {@code [::ffff:127.0.0.1]:7946} (an IPv4 peer of a dual-stack socket) as {@code 127.0.0.1:7946}. */
  private static String plain(String address) {
    return address.startsWith("[::ffff:") ? address.substring(8).replaceFirst("]", "") : address;
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + new String(out, StandardCharsets.UTF_8));
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
