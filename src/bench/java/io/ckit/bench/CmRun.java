package io.ckit.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.spi.cluster.ClusterManager;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One product's half of {@link ClusterManagerBenchmark}, in a JVM of its own: a 3-member cluster in this JVM, the
 * modes run one after another on it, every figure written as JSON to {@code --result}. A mode that fails is
 * recorded with its reason and the next one runs.
 *
 * <p>{@code java -cp ... io.ckit.bench.CmRun --product NAME --result FILE <the benchmark's options>}
 */
public final class CmRun {

  private static final int MEMBERS = 3;
  private static final long MB = 1024 * 1024;

  /** The product's name in progress lines. */
  private static String tag = "cm-benchmark";

  private final CmOptions options;
  private final CmProduct product;
  private final JsonObject figures = new JsonObject();
  private final JsonObject errors = new JsonObject();
  private final List<Vertx> nodes = new ArrayList<>();
  private final List<ClusterManager> managers = new ArrayList<>();
  private long heapBefore;
  private long heapWithOne;

  private CmRun(CmOptions options, CmProduct product) {
    this.options = options;
    this.product = product;
  }

  public static void main(String[] args) throws Exception {
    // Before anything of either product is loaded: their one-time costs (classes' static data) count too.
    long heapAtStart = heapAfterGc();
    Map<String, String> values = CmOptions.parse(args, List.of("product", "result"));
    CmOptions options = new CmOptions(values);
    tag = values.get("product");
    CmRun run = new CmRun(options, CmProduct.of(values.get("product"), options));
    run.heapBefore = heapAtStart;
    JsonObject result = run.run();
    Files.writeString(Path.of(values.get("result")), result.encodePrettily());
    // Whatever a product leaves running (Hazelcast's threads) must not keep this JVM alive.
    System.exit(0);
  }

  private JsonObject run() {
    JsonObject result = new JsonObject().put("product", product.name()).put("settings", product.settings())
        .put("failureDetection", product.failureDetection()).put("loadBefore", loadAverage());
    histogram("before");
    mode("start", this::start);
    if (nodes.size() == MEMBERS) {
      mode("heap", this::heap);
      mode("consumer", this::consumer);
      mode("rr", this::requestReply);
      mode("kill", this::kill);
      mode("map", this::map);
      mode("lock", this::lock);
      mode("counter", this::counter);
      mode("mapheap", this::mapHeap);
    }
    closeAll();
    if (options.modes.contains("restart")) {
      mode("restart", this::restart);
      closeAll();
    }
    return result.put("loadAfter", loadAverage()).put("figures", figures).put("errors", errors);
  }

  private interface Mode {
    void run() throws Exception;
  }

  private void mode(String name, Mode mode) {
    if (!name.equals("start") && !options.modes.contains(name)) {
      return;
    }
    log(name + " ...");
    try {
      mode.run();
      log(name + " done");
    } catch (Throwable e) {
      String reason = e.getMessage() != null ? e.getMessage() : e.toString();
      errors.put(name, reason);
      log(name + " FAILED: " + reason);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Modes

  /**
   * Three members, one after another: each from {@code buildClustered()} until its future completes; the total is
   * the three plus the wait until every member lists three nodes. A full GC after the first (for the heap slope)
   * is not counted.
   */
  private void start() throws Exception {
    threeMembers("", "start", true);
  }

  /**
   * Three new members in the same JVM once the first three have left: the start with every class loaded and
   * compiled, where {@code start} includes loading them (both products pay that in their first member).
   */
  private void restart() throws Exception {
    threeMembers("again-", "restart", false);
  }

  /** Starts three members one after another, timing each, and waits until every member lists all three. */
  private void threeMembers(String namePart, String figure, boolean heapAfterFirst) throws Exception {
    double total = 0;
    for (int i = 0; i < MEMBERS; i++) {
      ClusterManager manager = product.create(product.name() + "-" + namePart + (i + 1));
      long start = System.nanoTime();
      Vertx vertx = CmProduct.buildClustered(manager).await(180, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      total += seconds;
      figures.put(figure + ".node" + (i + 1) + "_s", seconds);
      nodes.add(vertx);
      managers.add(manager);
      if (heapAfterFirst && i == 0) {
        heapWithOne = heapAfterGc();
        histogram("with1");
      }
    }
    long start = System.nanoTime();
    waitUntil("every " + (heapAfterFirst ? "" : "new ") + "member lists 3 nodes", 60,
        () -> managers.stream().allMatch(m -> m.getNodes().size() == MEMBERS));
    total += (System.nanoTime() - start) / 1e9;
    figures.put(figure + ".total_s", total);
  }

  private void closeAll() {
    for (Vertx vertx : nodes) {
      try {
        vertx.close().await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        log("close failed: " + e);
      }
    }
    nodes.clear();
    managers.clear();
  }

  /** Heap used after a full GC with the three members, against before the first and with one. */
  private void heap() {
    long withThree = heapAfterGc();
    histogram("with3");
    figures.put("heap.before_mb", heapBefore / (double) MB);
    figures.put("heap.with3_mb", withThree / (double) MB);
    figures.put("heap.per_member_mb", (withThree - heapBefore) / (double) MB / MEMBERS);
    figures.put("heap.slope_mb", (withThree - heapWithOne) / (double) MB / (MEMBERS - 1));
  }

  /**
   * Node 3 sends to a new address every millisecond; node 1 registers a consumer on it. Measured from the call
   * that registers it until its first message arrives (and until the registration's completion).
   */
  private void consumer() throws Exception {
    Vertx receiver = nodes.get(0);
    Vertx sender = nodes.get(2);
    double[] firsts = new double[options.consumerRuns];
    double[] completions = new double[options.consumerRuns];
    for (int run = 0; run < options.consumerRuns; run++) {
      String address = "bench.consumer." + run;
      long timer = sender.setPeriodic(1, id -> sender.eventBus().send(address, "hello"));
      Promise<Long> first = Promise.promise();
      long start = System.nanoTime();
      MessageConsumer<Object> consumer = receiver.eventBus().consumer(address,
          message -> first.tryComplete(System.nanoTime()));
      long completed = consumer.completion().map(v -> System.nanoTime()).await(60, TimeUnit.SECONDS);
      long arrived = first.future().await(60, TimeUnit.SECONDS);
      sender.cancelTimer(timer);
      consumer.unregister().await(60, TimeUnit.SECONDS);
      firsts[run] = (arrived - start) / 1e6;
      completions[run] = (completed - start) / 1e6;
    }
    putSpread("consumer.first_ms", firsts);
    putSpread("consumer.completion_ms", completions);
  }

  /** Node 2 answers; node 1 keeps a window of requests outstanding, after a warm-up. */
  private void requestReply() throws Exception {
    Vertx client = nodes.get(0);
    Vertx server = nodes.get(1);
    server.eventBus().consumer("bench.rr", message -> message.reply(message.body())).completion()
        .await(60, TimeUnit.SECONDS);
    waitUntil("node 1 reaches node 2's consumer", 60, () -> answers(client, "bench.rr"));
    LoadLoop.Result result = LoadLoop.run(client, options.window, options.warmupSeconds, options.seconds, true,
        () -> client.eventBus().request("bench.rr", "ping")).await(options.warmupSeconds + options.seconds + 120L,
        TimeUnit.SECONDS);
    checkFailures(result);
    figures.put("rr.per_s", result.perSecond());
    figures.put("rr.p50_us", result.quantileMicros(0.5));
    figures.put("rr.p99_us", result.quantileMicros(0.99));
  }

  /**
   * A fourth member in a process of its own registers a consumer; once every member reaches it, it is SIGKILLed.
   * From the kill, each member requests its address again and again until a request fails with NO_HANDLERS.
   */
  private void kill() throws Exception {
    String address = "bench.victim";
    Path log = options.out.toAbsolutePath().resolveSibling("cm-benchmark-victim-" + product.name() + ".log");
    List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-XX:+UseSerialGC"));
    String logging = System.getProperty("java.util.logging.config.file");
    if (logging != null) {
      command.add("-Djava.util.logging.config.file=" + logging);
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CmVictim.class.getName(),
        "--product", product.name(), "--address", address));
    command.addAll(options.toArgs());
    Process victim = new ProcessBuilder(command).redirectError(log.toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8));
      String line = CompletableFuture.supplyAsync(() -> {
        try {
          return out.readLine();
        } catch (IOException e) {
          return null;
        }
      }).get(120, TimeUnit.SECONDS);
      if (!"ready".equals(line)) {
        throw new IllegalStateException("the victim did not start (see " + log + ")");
      }
      for (Vertx node : nodes) {
        waitUntil("every member reaches the victim's consumer", 60, () -> answers(node, address));
      }
      long killed = System.nanoTime();
      victim.destroyForcibly();
      victim.waitFor(30, TimeUnit.SECONDS);
      List<Future<JsonObject>> watches = nodes.stream().map(node -> watchDrop(node, address, killed)).toList();
      double[] drops = new double[MEMBERS];
      Map<String, Integer> otherFailures = new TreeMap<>();
      for (int i = 0; i < MEMBERS; i++) {
        JsonObject watch = watches.get(i).await(240, TimeUnit.SECONDS);
        drops[i] = watch.getDouble("seconds");
        watch.getJsonObject("otherFailures").forEach(e -> otherFailures.merge(e.getKey(), (Integer) e.getValue(),
            Integer::sum));
      }
      figures.put("kill.drop_max_s", Arrays.stream(drops).max().orElseThrow());
      figures.put("kill.drop_max_s.text", String.format(Locale.ROOT, "%.2f s (each: %s)",
          Arrays.stream(drops).max().orElseThrow(), joined(drops, "%.2f")));
      figures.put("kill.other_failures", otherFailures.isEmpty() ? "none" : otherFailures.toString());
      figures.put("kill.fd_bound_s", product.failureDetectionBoundSeconds());
    } finally {
      victim.destroyForcibly();
    }
  }

  /** Map get and put from all three members at once: latency one at a time, then throughput with a window. */
  private void map() throws Exception {
    List<AsyncMap<String, String>> maps = new ArrayList<>();
    for (Vertx node : nodes) {
      maps.add(node.sharedData().<String, String>getAsyncMap("bench.map").await(60, TimeUnit.SECONDS));
    }
    int keys = 10_000;
    String value = "v".repeat(100);
    // Every key present before the measurements, so that every get finds a value.
    fill(keys, 32, i -> (n -> maps.get(i).put("key-" + n, value)));
    double half = Math.max(1, options.seconds / 2.0);
    LoadLoop.Result put = across(1, half, true, i -> () -> maps.get(i).put(randomKey(keys), value));
    checkFailures(put);
    LoadLoop.Result get = across(1, half, true, i -> () -> maps.get(i).get(randomKey(keys)));
    checkFailures(get);
    int window = Math.max(1, options.window / 4);
    LoadLoop.Result mixed = across(window, options.seconds, false, i -> () -> ThreadLocalRandom.current().nextBoolean()
        ? maps.get(i).put(randomKey(keys), value) : maps.get(i).get(randomKey(keys)));
    checkFailures(mixed);
    figures.put("map.put_p50_us", put.quantileMicros(0.5));
    figures.put("map.put_p99_us", put.quantileMicros(0.99));
    figures.put("map.get_p50_us", get.quantileMicros(0.5));
    figures.put("map.get_p99_us", get.quantileMicros(0.99));
    figures.put("map.per_s", mixed.perSecond());
  }

  /** Acquire and release: one lock that all three members want, then a lock of each member's own. */
  private void lock() throws Exception {
    double half = Math.max(1, options.seconds / 2.0);
    LoadLoop.Result shared = across(1, half, false, i -> () -> acquireRelease(nodes.get(i), "bench.lock"));
    checkFailures(shared);
    figures.put("lock.shared_busiest_share", lastBusiestShare);
    LoadLoop.Result own = across(1, half, false, i -> () -> acquireRelease(nodes.get(i), "bench.lock." + i));
    checkFailures(own);
    figures.put("lock.shared_per_s", shared.perSecond());
    figures.put("lock.own_per_s", own.perSecond());
    LoadLoop.Result held = across(1, half, false, i -> () -> acquireHoldRelease(nodes.get(i), "bench.lock.held"));
    checkFailures(held);
    figures.put("lock.held_busiest_share", lastBusiestShare);
    figures.put("lock.held_per_s", held.perSecond());
    figures.put("lock.overlaps", (double) OVERLAPS.get());
  }

  /** incrementAndGet on one counter from the three members, a window each. */
  private void counter() throws Exception {
    List<Counter> counters = new ArrayList<>();
    for (Vertx node : nodes) {
      counters.add(node.sharedData().getCounter("bench.counter").await(60, TimeUnit.SECONDS));
    }
    LoadLoop.Result result = across(16, options.seconds, false, i -> () -> counters.get(i).incrementAndGet());
    checkFailures(result);
    figures.put("counter.per_s", result.perSecond());
  }

  /** Heap after a full GC before and after {@code --map-entries} entries are put (a third from each member). */
  private void mapHeap() throws Exception {
    List<AsyncMap<String, String>> maps = new ArrayList<>();
    for (Vertx node : nodes) {
      maps.add(node.sharedData().<String, String>getAsyncMap("bench.heap").await(60, TimeUnit.SECONDS));
    }
    long before = heapAfterGc();
    int entries = options.mapEntries;
    long start = System.nanoTime();
    fill(entries, 32, i -> (n -> maps.get(i).put(String.format(Locale.ROOT, "entry-%08d", n),
        String.format(Locale.ROOT, "value-%094d", n))));
    double fillSeconds = (System.nanoTime() - start) / 1e9;
    long after = heapAfterGc();
    figures.put("mapheap.per_node_mb", (after - before) / (double) MB / MEMBERS);
    figures.put("mapheap.bytes_per_entry", (after - before) / (double) entries);
    figures.put("mapheap.fill_s", fillSeconds);
  }

  // ---------------------------------------------------------------------------------------------------
  // Helpers

  /** Puts entries 0..count-1, a third from each member (member i: i, i + 3, ...), {@code window} at a time each. */
  private void fill(int count, int window, java.util.function.IntFunction<java.util.function.IntFunction<Future<?>>>
      put) throws Exception {
    List<Future<LoadLoop.Result>> loops = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      java.util.function.IntFunction<Future<?>> memberPut = put.apply(i);
      int[] next = {i};
      loops.add(LoadLoop.run(nodes.get(i), window, 0, 3600, false, () -> {
        if (next[0] >= count) {
          return null;
        }
        int n = next[0];
        next[0] += MEMBERS;
        return memberPut.apply(n);
      }));
    }
    for (Future<LoadLoop.Result> loop : loops) {
      LoadLoop.Result result = loop.await(900, TimeUnit.SECONDS);
      if (result.failed() > 0) {
        throw new IllegalStateException(result.failed() + " puts failed, the first: " + result.firstFailure());
      }
    }
  }

  private interface PerMember {
    java.util.function.Supplier<Future<?>> operation(int member);
  }

  /** A load loop on every member at once, with a warm-up of {@code --warmup-seconds}; their results merged. */
  private LoadLoop.Result across(int window, double seconds, boolean latency, PerMember operation) throws Exception {
    List<Future<LoadLoop.Result>> loops = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      loops.add(LoadLoop.run(nodes.get(i), window, options.warmupSeconds, seconds, latency, operation.operation(i)));
    }
    LoadLoop.Result[] results = new LoadLoop.Result[MEMBERS];
    long most = 0;
    long all = 0;
    for (int i = 0; i < MEMBERS; i++) {
      results[i] = loops.get(i).await((long) (options.warmupSeconds + seconds + 120), TimeUnit.SECONDS);
      most = Math.max(most, results[i].completed());
      all += results[i].completed();
    }
    lastBusiestShare = all == 0 ? Double.NaN : most / (double) all;
    return LoadLoop.Result.merge(results);
  }

  /** Of the last {@link #across}'s completions, the share of the member that completed most (1/3: even). */
  private double lastBusiestShare;

  /** Holders of each benchmark lock at this instant: the three members share this JVM, so an overlap shows. */
  private static final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger>
      HOLDERS = new java.util.concurrent.ConcurrentHashMap<>();
  /** Acquisitions granted while another member's acquisition of the same lock was not yet released. */
  private static final java.util.concurrent.atomic.AtomicLong OVERLAPS = new java.util.concurrent.atomic.AtomicLong();

  private static Future<Void> acquireRelease(Vertx node, String name) {
    return node.sharedData().getLockWithTimeout(name, 30_000).map(lock -> {
      lock.release();
      return null;
    });
  }

  /** Acquires, holds the lock 1 ms, releases; counts a grant while another member's hold had not ended. */
  private static Future<Void> acquireHoldRelease(Vertx node, String name) {
    java.util.concurrent.atomic.AtomicInteger holders = HOLDERS.computeIfAbsent(name,
        n -> new java.util.concurrent.atomic.AtomicInteger());
    return node.sharedData().getLockWithTimeout(name, 30_000).compose(lock -> {
      if (holders.incrementAndGet() > 1) {
        OVERLAPS.incrementAndGet();
      }
      Promise<Void> held = Promise.promise();
      node.setTimer(1, id -> {
        holders.decrementAndGet();
        lock.release();
        held.complete();
      });
      return held.future();
    });
  }

  private static String randomKey(int keys) {
    return "key-" + ThreadLocalRandom.current().nextInt(keys);
  }

  private static void checkFailures(LoadLoop.Result result) {
    if (result.completed() == 0) {
      throw new IllegalStateException("no operation completed: " + result.firstFailure());
    }
    if (result.failed() > 0) {
      log(result.failed() + " operations failed, the first: " + result.firstFailure());
    }
  }

  /** Whether a request from {@code node} to {@code address} is answered within a second. */
  private static boolean answers(Vertx node, String address) {
    try {
      node.eventBus().request(address, "ping", new DeliveryOptions().setSendTimeout(1000)).await(5, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * On a context of {@code node}: requests {@code address} until a request fails with NO_HANDLERS; the seconds
   * from {@code killed} until then, and how many requests failed otherwise (by failure) on the way.
   */
  private static Future<JsonObject> watchDrop(Vertx node, String address, long killed) {
    DropWatch watch = new DropWatch(node, address, killed);
    node.getOrCreateContext().runOnContext(v -> watch.attempt());
    return watch.done.future();
  }

  /** One member's requests to a killed member's address. Concurrency: on the context that runs the attempts. */
  private static final class DropWatch {
    private final Vertx node;
    private final String address;
    private final long killed;
    private final Promise<JsonObject> done = Promise.promise();
    private final Map<String, Integer> otherFailures = new TreeMap<>();

    DropWatch(Vertx node, String address, long killed) {
      this.node = node;
      this.address = address;
      this.killed = killed;
    }

    void attempt() {
      node.eventBus().request(address, "ping", new DeliveryOptions().setSendTimeout(2000)).onComplete(ar -> {
        if (ar.failed() && ar.cause() instanceof ReplyException reply
            && reply.failureType() == ReplyFailure.NO_HANDLERS) {
          JsonObject counts = new JsonObject();
          otherFailures.forEach(counts::put);
          done.complete(new JsonObject().put("seconds", (System.nanoTime() - killed) / 1e9)
              .put("otherFailures", counts));
          return;
        }
        String kind = ar.succeeded() ? "answered"
            : ar.cause() instanceof ReplyException reply ? reply.failureType().name()
            : ar.cause().getClass().getSimpleName();
        otherFailures.merge(kind, 1, Integer::sum);
        node.setTimer(10, id -> attempt());
      });
    }
  }

  private void putSpread(String key, double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    figures.put(key, median);
    figures.put(key + ".text", String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", median, sorted[0],
        sorted[sorted.length - 1]));
    figures.put(key + ".runs", new JsonArray(Arrays.stream(values).boxed().toList()));
  }

  private static String joined(double[] values, String format) {
    StringBuilder text = new StringBuilder();
    for (double value : values) {
      text.append(text.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, value));
    }
    return text.toString();
  }

  private static void waitUntil(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + seconds + " s: " + what);
      }
      // The main thread polls; the members run on their own threads.
      Thread.sleep(5);
    }
  }

  /** Heap used after full collections: the least of four, each after {@code System.gc()}. */
  static long heapAfterGc() {
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return least;
  }

  /** With {@code --histograms true}: the live heap's class histogram, in a file beside {@code --out}. */
  private void histogram(String when) {
    if (!options.histograms) {
      return;
    }
    try {
      Object text = ManagementFactory.getPlatformMBeanServer().invoke(
          new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      Files.writeString(options.out.toAbsolutePath().resolveSibling("cm-benchmark-histogram-" + product.name() + "-"
          + when + ".txt"), String.valueOf(text));
    } catch (Exception e) {
      log("histogram failed: " + e);
    }
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "?";
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void log(String line) {
    System.err.println("[" + tag + " " + java.time.LocalTime.now().withNano(0) + "] " + line);
  }
}
