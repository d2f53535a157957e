package io.ckit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** One runnable-node JVM ({@code java -jar target/ckit-vertx.jar}) per member; signals stop them. */
final class ProcessCluster extends BenchCluster {

  private final Path jar;
  private final List<String> jvmArgs;
  private final Map<Member, Process> processes = new LinkedHashMap<>();

  ProcessCluster(List<Member> members, List<String> nodeFlags, Path logs, Path jar, List<String> jvmArgs) {
    super(members, nodeFlags, logs);
    this.jar = jar;
    this.jvmArgs = List.copyOf(jvmArgs);
  }

  @Override
  long startAll(Probe probe) throws Exception {
    Member seed = members.get(0);
    start(seed, null);
    probe.awaitAnswer(seed);
    long last = 0;
    for (Member member : members.subList(1, members.size())) {
      start(member, seed);
      last = System.nanoTime();
    }
    return last;
  }

  @Override
  void start(Member member, Member join) throws IOException {
    processes.put(member, spawn(member, join));
  }

  /** Spawns the runnable node for a member; its output is appended to {@code logs/<name>.log}. */
  Process spawn(Member member, Member join) throws IOException {
    return spawn(jar, jvmArgs, flags(member, join), logs, member.name());
  }

  static Process spawn(Path jar, List<String> jvmArgs, List<String> flags, Path logs, String name)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(java().toString());
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(flags);
    Files.writeString(logs.resolve(name + ".command"), String.join(" ", command) + "\n", StandardCharsets.UTF_8);
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile())).start();
  }

  @Override
  void leave(Member member) {
    processes.get(member).destroy();
  }

  @Override
  void kill(Member member) {
    processes.get(member).destroyForcibly();
  }

  @Override
  String awaitStopped(Member member) throws InterruptedException {
    Process process = processes.get(member);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return "no exit within 60 s (killed)";
    }
    return "exit " + process.exitValue();
  }

  @Override
  List<ProcessHandle> processes() {
    return processes.values().stream().filter(Process::isAlive).map(Process::toHandle).toList();
  }

  @Override
  boolean processPerMember() {
    return true;
  }

  @Override
  OptionalLong heapAfterGc() {
    return OptionalLong.empty();
  }

  @Override
  public void close() throws InterruptedException {
    processes.values().forEach(Process::destroyForcibly);
    for (Process process : processes.values()) {
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
