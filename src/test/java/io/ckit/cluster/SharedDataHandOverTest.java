package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Shared data across real processes: cluster-manager node processes ({@link DataNodeMain}) on loopback (three in
 * the default run, five in the long runs, {@code ./mvnw -Pfaults test}). Half of a map's keys are written (each in
 * sequence: 1, 2, 3...) through all of them and then left alone; the other half are written all along, with
 * increments of a counter; the first owner of the most keys is killed with SIGKILL while the writes go on. Then
 * every key is read back through the survivors: each holds its last acknowledged write (or a later attempted
 * one), so the keys left alone were handed over from their surviving copies; the counter holds at least its
 * acknowledged increments.
 */
class SharedDataHandOverTest {

  private static final Duration WAIT = Duration.ofSeconds(240);
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private record NodeProcess(String name, Process process, Path log) {}

  @AfterEach
  void killAll() throws Exception {
    for (NodeProcess node : nodes) {
      node.process.destroyForcibly();
    }
    for (NodeProcess node : nodes) {
      node.process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The default run's slice: three processes, one killed. */
  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void killedOwnerLosesNoAcknowledgedWrite() throws Exception {
    handOver(18300, 3, 1000, 1);
  }

  @Test
  @Tag("faults-long")
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void killedOwnerOfFiveLosesNoAcknowledgedWrite() throws Exception {
    handOver(18310, 5, 1000, 1);
  }

  @Test
  @Tag("faults-long")
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void twoOwnersKilledOneAfterTheOtherLoseNoAcknowledgedWrite() throws Exception {
    handOver(18320, 5, 5000, 2);
  }

  private void handOver(int firstPort, int processes, int keys, int kills) throws Exception {
    String range = "127.0.0.1:" + firstPort + "-" + (firstPort + processes - 1);
    Map<String, Integer> control = new HashMap<>();
    for (int i = 0; i < processes; i++) {
      nodes.add(start("node-" + i, "127.0.0.1:" + (firstPort + i), range));
    }
    for (NodeProcess node : nodes) {
      control.put(node.name, controlPort(node));
    }
    // Read by the writers' event loop while the test thread removes the victim: a concurrent set, no lock.
    Set<String> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
    live.addAll(control.keySet());
    for (String name : live) {
      waitUntil(name + " sees every member", () -> members(control.get(name)).size() == processes);
    }
    // Half the keys are written before the kill only (their copies must be handed over), the other half all along.
    Writers still = new Writers(keys / 2, keys, control, live);
    still.start();
    waitUntil("every still key written", () -> still.keysAcknowledged() == keys - keys / 2);
    still.stopAndWait();
    Writers writers = new Writers(0, keys / 2, control, live);
    writers.start();
    waitUntil("every key written once", () -> writers.keysAcknowledged() == keys / 2);
    for (int kill = 0; kill < kills; kill++) {
      Map<String, Integer> owned = new HashMap<>();
      for (int k = 0; k < keys; k++) {
        owned.merge(DataService.firstOwner(live, DataNodeMain.MAP, "k-" + k), 1, Integer::sum);
      }
      String victim = owned.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
      assertThat(owned.get(victim)).as("keys the victim owns first").isGreaterThan(keys / 10);
      long before = writers.acks.get();
      waitUntil("writes going on", () -> writers.acks.get() > before + 200);
      live.remove(victim);
      long killedAt = System.nanoTime();
      nodes.stream().filter(n -> n.name.equals(victim)).findFirst().orElseThrow().process.destroyForcibly();
      for (String name : live) {
        waitUntil(name + " drops " + victim, () -> !members(control.get(name)).contains(victim));
      }
      long detected = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      long settled = writers.acks.get();
      waitUntil("every key written again after the kill", () -> writers.acks.get() > settled + keys / 2);
      System.out.printf("hand-over: killed %s (first owner of %d of %d keys); survivors dropped it after %d ms;"
          + " %d writes acknowledged, %d failed so far%n", victim, owned.get(victim), keys, detected,
          writers.acks.get(), writers.failures.get());
    }
    writers.stopAndWait();
    List<String> survivors = new ArrayList<>(live);
    List<String> wrong = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      int port = control.get(survivors.get(k % survivors.size()));
      HttpResponse<String> read = get(port, "/get?key=k-" + k).get(60, TimeUnit.SECONDS);
      Writers by = k < keys / 2 ? writers : still;
      long acked = by.acked.get(k - by.from);
      long attempted = by.attempted.get(k - by.from);
      long found = read.statusCode() == 200 ? Long.parseLong(read.body()) : -1;
      if (found < acked || found > attempted) {
        wrong.add("k-" + k + ": read " + read.statusCode() + " " + read.body() + ", acknowledged " + acked
            + ", attempted " + attempted);
      }
    }
    assertThat(wrong).as("keys whose last acknowledged write is lost").isEmpty();
    HttpResponse<String> counter = get(control.get(survivors.get(0)), "/incr?counter=c").get(60, TimeUnit.SECONDS);
    assertThat(counter.statusCode()).isEqualTo(200);
    long counted = Long.parseLong(counter.body()) - 1;
    assertThat(counted).as("the counter after its acknowledged increments")
        .isBetween(writers.increments.get(), writers.incrementsAttempted.get());
    System.out.printf("hand-over: %d keys read back; %d writes acknowledged, %d failed; counter %d (%d acknowledged)%n",
        keys, writers.acks.get(), writers.failures.get(), counted, writers.increments.get());
  }

  /** Writes each key in sequence (one write in flight per key), through a random live node, until stopped. */
  private final class Writers {
    private static final int SLOTS = 16;
    final int from;
    final int keys;
    final Map<String, Integer> control;
    final Set<String> live;
    final AtomicLongArray acked;
    final AtomicLongArray attempted;
    final AtomicLong acks = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong increments = new AtomicLong();
    final AtomicLong incrementsAttempted = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger running = new AtomicInteger();

    /** Writes keys {@code k-from} to {@code k-(to-1)}. */
    Writers(int from, int to, Map<String, Integer> control, Set<String> live) {
      this.from = from;
      this.keys = to - from;
      this.control = control;
      this.live = live;
      this.acked = new AtomicLongArray(keys);
      this.attempted = new AtomicLongArray(keys);
    }

    long keysAcknowledged() {
      long n = 0;
      for (int k = 0; k < keys; k++) {
        n += acked.get(k) > 0 ? 1 : 0;
      }
      return n;
    }

    void start() {
      for (int slot = 0; slot < Math.min(SLOTS, keys); slot++) {
        running.incrementAndGet();
        write(slot, slot);
      }
      if (from == 0) {
        running.incrementAndGet();
        increment();
      }
    }

    private int anyLive() {
      List<String> names = new ArrayList<>(live);
      return control.get(names.get(ThreadLocalRandom.current().nextInt(names.size())));
    }

    private void write(int slot, int key) {
      if (stop.get()) {
        running.decrementAndGet();
        return;
      }
      long seq = attempted.incrementAndGet(key);
      get(anyLive(), "/put?key=k-" + (from + key) + "&value=" + seq).whenComplete((response, failure) -> {
        if (failure == null && response.statusCode() == 200) {
          acked.accumulateAndGet(key, seq, Math::max);
          acks.incrementAndGet();
        } else {
          failures.incrementAndGet();
        }
        int next = key + SLOTS < keys ? key + SLOTS : slot;
        write(slot, next);
      });
    }

    private void increment() {
      if (stop.get()) {
        running.decrementAndGet();
        return;
      }
      incrementsAttempted.incrementAndGet();
      get(anyLive(), "/incr?counter=c").whenComplete((response, failure) -> {
        if (failure == null && response.statusCode() == 200) {
          increments.incrementAndGet();
        }
        increment();
      });
    }

    void stopAndWait() throws InterruptedException {
      stop.set(true);
      waitUntil("writers to finish", () -> running.get() == 0);
    }
  }

  private CompletableFuture<HttpResponse<String>> get(int port, String pathAndQuery) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .timeout(Duration.ofSeconds(60)).GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private Set<String> members(int port) {
    try {
      HttpResponse<String> response = get(port, "/members").get(30, TimeUnit.SECONDS);
      return response.statusCode() == 200 ? Set.of(response.body().split(",")) : Set.of();
    } catch (Exception e) {
      return Set.of();
    }
  }

  private NodeProcess start(String name, String listen, String join) throws Exception {
    List<String> command = List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
        "-cp", System.getProperty("java.class.path"), "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Xss256k", DataNodeMain.class.getName(), name, listen, join);
    Path log = Files.createDirectories(Path.of("target", "handover")).resolve(name + "-" + System.nanoTime() + ".log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new NodeProcess(name, process, log);
  }

  private int controlPort(NodeProcess node) throws Exception {
    int[] port = {0};
    waitUntil(node.name + " prints its control port (log " + node.log + ")", () -> {
      try {
        for (String line : Files.readAllLines(node.log, StandardCharsets.UTF_8)) {
          if (line.startsWith("CONTROL ")) {
            port[0] = Integer.parseInt(line.substring(8).trim());
            return true;
          }
        }
        assertThat(node.process.isAlive()).as(node.name + " is running (log " + node.log + ")").isTrue();
        return false;
      } catch (java.io.IOException e) {
        return false;
      }
    });
    return port[0];
  }

  private static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
