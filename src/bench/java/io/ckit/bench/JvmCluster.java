package io.ckit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The members in K child JVMs, each a {@link NodeHost} started as {@code java <host-jvm-args> -cp <this JVM's
 * class path> io.ckit.bench.NodeHost}, driven through its standard input, one command and one reply a line.
 * Member i lives in host i % K (round robin), so K hosts of N nodes hold N/K nodes each, give or take one.
 */
final class JvmCluster extends BenchCluster {

  private static final long REPLY_SECONDS = 90;

  /** One host JVM: its process, its command stream and its replies, in order. */
  private static final class Host {
    final String logName;
    final Process process;
    final Writer commands;
    final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    /** The reply a leave or kill sent without waiting still owes. */
    String pending;

    Host(List<String> command, Path logs, String logName) throws IOException {
      this.logName = logName;
      process = new ProcessBuilder(command)
          .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve(logName + ".log").toFile())).start();
      commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            // The JVM's own log lines (-Xlog's default output is standard out, e.g. JFR's "Recording 1
            // scheduled") are not replies.
            if (!line.startsWith("[")) {
              replies.add(line);
            }
          }
          replies.add("error host: the node host exited (see " + logName + ".log)");
        } catch (IOException e) {
          replies.add("error host: " + e.getMessage());
        }
      }, logName + "-replies");
      reader.setDaemon(true);
      reader.start();
    }

    void send(String line) throws IOException {
      commands.write(line + "\n");
      commands.flush();
    }

    /** The next reply, which must start with {@code expected}. */
    String reply(String line, String expected) throws Exception {
      String reply = replies.poll(REPLY_SECONDS, TimeUnit.SECONDS);
      if (reply == null) {
        throw new IllegalStateException(logName + ": no reply to \"" + line + "\" within " + REPLY_SECONDS + " s");
      }
      if (!reply.startsWith(expected + " ")) {
        throw new IllegalStateException(logName + ": \"" + line + "\" answered \"" + reply + "\"");
      }
      return reply;
    }

    String command(String line, String expected) throws Exception {
      send(line);
      return reply(line, expected);
    }
  }

  private final List<Host> hosts = new ArrayList<>();
  private final Map<String, Host> hostOf = new HashMap<>();

  /**
   * Starts {@code hostCount} host JVMs; their standard error goes to {@code logs/<logName>.log} (one host) or
   * {@code logs/<logName>-K.log}.
   */
  JvmCluster(List<Member> members, List<String> nodeFlags, Path logs, List<String> hostJvmArgs, String logName,
      int hostCount) throws IOException {
    super(members, nodeFlags, logs);
    if (hostCount < 1) {
      throw new IllegalArgumentException("--hosts: at least 1, not " + hostCount);
    }
    List<String> command = new ArrayList<>();
    command.add(java().toString());
    command.addAll(hostJvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeHost.class.getName(), "warn"));
    try {
      for (int k = 0; k < hostCount; k++) {
        hosts.add(new Host(command, logs, hostCount == 1 ? logName : logName + "-" + k));
      }
    } catch (IOException e) {
      hosts.forEach(host -> host.process.destroyForcibly());
      throw e;
    }
    for (int i = 0; i < this.members.size(); i++) {
      hostOf.put(this.members.get(i).name(), hosts.get(i % hostCount));
    }
  }

  private Host host(Member member) {
    Host host = hostOf.get(member.name());
    if (host == null) {
      throw new IllegalArgumentException("no host for " + member.name() + ": not a member of this cluster");
    }
    return host;
  }

  /**
   * The seed first; then the others in rounds of one member per host, each round's start commands sent to
   * their hosts at once and every reply awaited before the next round. So the hosts deploy in parallel, and
   * each host deploys its own nodes one after another, as one host does.
   */
  @Override
  long startAll(Probe probe) throws Exception {
    Member seed = members.get(0);
    start(seed, null);
    long last = System.nanoTime();
    List<Member> others = members.subList(1, members.size());
    for (int from = 0; from < others.size(); from += hosts.size()) {
      List<Member> round = others.subList(from, Math.min(others.size(), from + hosts.size()));
      List<String> lines = new ArrayList<>();
      for (Member member : round) {
        String line = startLine(member, seed);
        host(member).send(line);
        lines.add(line);
      }
      for (int i = 0; i < round.size(); i++) {
        host(round.get(i)).reply(lines.get(i), "started");
      }
      last = System.nanoTime();
    }
    return last;
  }

  private String startLine(Member member, Member join) {
    return "start " + String.join(" ", flags(member, join));
  }

  @Override
  void start(Member member, Member join) throws Exception {
    host(member).command(startLine(member, join), "started");
  }

  /** Sends {@code leave}; its reply (once the node has left and closed) is read by {@link #awaitStopped}. */
  @Override
  void leave(Member member) throws Exception {
    Host host = host(member);
    host.send("leave " + member.name());
    host.pending = "left";
  }

  /** Sends {@code kill}; its reply is read by {@link #awaitStopped}. */
  @Override
  void kill(Member member) throws Exception {
    Host host = host(member);
    host.send("kill " + member.name());
    host.pending = "killed";
  }

  @Override
  String awaitStopped(Member member) throws Exception {
    Host host = host(member);
    String expected = host.pending;
    host.pending = null;
    return expected == null ? "not stopping" : host.reply(expected + " " + member.name(), expected);
  }

  @Override
  List<ProcessHandle> processes() {
    return hosts.stream().map(host -> host.process).filter(Process::isAlive).map(Process::toHandle).toList();
  }

  @Override
  boolean processPerMember() {
    return false;
  }

  /** The heap in use after a full GC, summed over the hosts (asked all at once, so they collect in parallel). */
  @Override
  OptionalLong heapAfterGc() throws Exception {
    for (Host host : hosts) {
      host.send("heap");
    }
    long sum = 0;
    for (Host host : hosts) {
      sum += Long.parseLong(host.reply("heap", "heap").split(" ")[1]);
    }
    return OptionalLong.of(sum);
  }

  /** Sends {@code quit} to every host, then waits for each (forcibly after 30 s). */
  @Override
  public void close() throws Exception {
    for (Host host : hosts) {
      try {
        host.send("quit");
      } catch (IOException e) {
        // The host is gone already.
      }
    }
    for (Host host : hosts) {
      if (!host.process.waitFor(30, TimeUnit.SECONDS)) {
        host.process.destroyForcibly();
        host.process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
