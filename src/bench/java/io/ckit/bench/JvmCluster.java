package io.ckit.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Every member in one child JVM, a {@link NodeHost} started as {@code java <host-jvm-args> -cp <this JVM's
 * class path> io.ckit.bench.NodeHost}, driven through its standard input, one command and one reply a line.
 */
final class JvmCluster extends BenchCluster {

  private static final long REPLY_SECONDS = 90;

  private final Process host;
  private final Writer commands;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  /** The reply a leave or kill sent without waiting still owes. */
  private String pending;

  JvmCluster(List<Member> members, List<String> nodeFlags, Path logs, List<String> hostJvmArgs, String logName)
      throws IOException {
    super(members, nodeFlags, logs);
    List<String> command = new ArrayList<>();
    command.add(java().toString());
    command.addAll(hostJvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeHost.class.getName(), "warn"));
    host = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve(logName + ".log").toFile())).start();
    commands = new java.io.OutputStreamWriter(host.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(host.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          replies.add(line);
        }
        replies.add("error host: the node host exited (see " + logName + ".log)");
      } catch (IOException e) {
        replies.add("error host: " + e.getMessage());
      }
    }, "node-host-replies");
    reader.setDaemon(true);
    reader.start();
  }

  /** Sends one command and returns the host's reply, which must start with {@code expected}. */
  private String command(String line, String expected) throws Exception {
    send(line);
    return reply(line, expected);
  }

  private void send(String line) throws IOException {
    commands.write(line + "\n");
    commands.flush();
  }

  private String reply(String line, String expected) throws Exception {
    String reply = replies.poll(REPLY_SECONDS, TimeUnit.SECONDS);
    if (reply == null) {
      throw new IllegalStateException("node host: no reply to \"" + line + "\" within " + REPLY_SECONDS + " s");
    }
    if (!reply.startsWith(expected + " ")) {
      throw new IllegalStateException("node host: \"" + line + "\" answered \"" + reply + "\"");
    }
    return reply;
  }

  @Override
  long startAll(Probe probe) throws Exception {
    Member seed = members.get(0);
    start(seed, null);
    long last = System.nanoTime();
    for (Member member : members.subList(1, members.size())) {
      start(member, seed);
      last = System.nanoTime();
    }
    return last;
  }

  @Override
  void start(Member member, Member join) throws Exception {
    command("start " + String.join(" ", flags(member, join)), "started");
  }

  /** Sends {@code leave}; its reply (once the node has left and closed) is read by {@link #awaitStopped}. */
  @Override
  void leave(Member member) throws Exception {
    send("leave " + member.name());
    pending = "left";
  }

  /** Sends {@code kill}; its reply is read by {@link #awaitStopped}. */
  @Override
  void kill(Member member) throws Exception {
    send("kill " + member.name());
    pending = "killed";
  }

  @Override
  String awaitStopped(Member member) throws Exception {
    String expected = pending;
    pending = null;
    return expected == null ? "not stopping" : reply(expected + " " + member.name(), expected);
  }

  @Override
  List<ProcessHandle> processes() {
    return host.isAlive() ? List.of(host.toHandle()) : List.of();
  }

  @Override
  int nodesPerProcess() {
    return members.size();
  }

  @Override
  OptionalLong heapAfterGc() throws Exception {
    String[] reply = command("heap", "heap").split(" ");
    return OptionalLong.of(Long.parseLong(reply[1]));
  }

  @Override
  public void close() throws Exception {
    try {
      commands.write("quit\n");
      commands.flush();
    } catch (IOException e) {
      // The host is gone already.
    }
    if (!host.waitFor(30, TimeUnit.SECONDS)) {
      host.destroyForcibly();
      host.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
