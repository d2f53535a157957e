package io.ckit.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * CkitClusterManager and vertx-hazelcast's HazelcastClusterManager side by side, same machine, same run: each
 * product in a fresh JVM of its own ({@link CmRun}, started with this JVM's flags and class path), one after the
 * other; then one table of both and the goals of issues 17 and 18.
 *
 * <p>Modes ({@code --modes}, all by default): {@code start} (a 3-member cluster in one JVM, member by member),
 * {@code heap} (heap after a full GC per member), {@code consumer} (a new consumer's first message from another
 * member), {@code rr} (request/reply throughput across two members), {@code kill} (a fourth member in a process of
 * its own is SIGKILLed: until each member's request to it fails with NO_HANDLERS), {@code map}, {@code lock},
 * {@code counter} (shared data across the three), {@code mapheap} (heap with {@code --map-entries} entries),
 * {@code restart} (once they have left, three new members in the same, warm JVM). How
 * to run it and what each figure means: README, "Side by side with vertx-hazelcast"; BENCHMARKS.md.
 */
public final class ClusterManagerBenchmark {

  /** A row of the table: the figure's key in each product's JSON, its label, and whether lower is better. */
  private record Row(String mode, String key, String label, String unit, boolean lowerIsBetter) {
  }

  private static final List<Row> ROWS = List.of(
      new Row("start", "start.node1_s", "start: first member, buildClustered() to ready", "s", true),
      new Row("start", "start.node2_s", "start: second member", "s", true),
      new Row("start", "start.node3_s", "start: third member", "s", true),
      new Row("start", "start.total_s", "start: 3 members, total (until all list 3)", "s", true),
      new Row("restart", "restart.node1_s", "start again, warm JVM: first member", "s", true),
      new Row("restart", "restart.node2_s", "start again, warm JVM: second member", "s", true),
      new Row("restart", "restart.node3_s", "start again, warm JVM: third member", "s", true),
      new Row("restart", "restart.total_s", "start again, warm JVM: 3 members, total", "s", true),
      new Row("heap", "heap.per_member_mb", "heap per member: (with 3 - before any) / 3", "MB", true),
      new Row("heap", "heap.slope_mb", "heap per member: (with 3 - with 1) / 2", "MB", true),
      new Row("consumer", "consumer.first_ms", "new consumer: registering to first message (median, min-max)", "ms",
          true),
      new Row("consumer", "consumer.completion_ms", "new consumer: registering to completion()", "ms", true),
      new Row("kill", "kill.drop_max_s", "killed member: its address gives NO_HANDLERS on all 3 after", "s", true),
      new Row("kill", "kill.fd_bound_s", "killed member: failure detection's bound", "s", true),
      new Row("kill", "kill.other_failures", "killed member: other failures meanwhile", "", true),
      new Row("rr", "rr.per_s", "request/reply across 2 members", "msg/s", false),
      new Row("rr", "rr.p50_us", "request/reply latency p50 (window outstanding)", "us", true),
      new Row("map", "map.put_p50_us", "map put p50, one at a time from each of 3", "us", true),
      new Row("map", "map.put_p99_us", "map put p99", "us", true),
      new Row("map", "map.get_p50_us", "map get p50", "us", true),
      new Row("map", "map.get_p99_us", "map get p99", "us", true),
      new Row("map", "map.per_s", "map get/put throughput, 3 members", "ops/s", false),
      new Row("lock", "lock.shared_per_s", "lock acquire+release, one lock, 3 members", "/s", false),
      new Row("lock", "lock.shared_busiest_share", "lock, one lock: the busiest member's share (0.33: even)", "",
          false),
      new Row("lock", "lock.own_per_s", "lock acquire+release, a lock per member", "/s", false),
      new Row("lock", "lock.held_per_s", "lock acquire, hold 1 ms, release, one lock, 3 members", "/s", false),
      new Row("lock", "lock.held_busiest_share", "lock held 1 ms: the busiest member's share", "", false),
      new Row("lock", "lock.overlaps", "lock held 1 ms: granted while another held it", "", true),
      new Row("counter", "counter.per_s", "counter incrementAndGet, 3 members", "/s", false),
      new Row("mapheap", "mapheap.per_node_mb", "heap per member with the map's entries", "MB", true),
      new Row("mapheap", "mapheap.fill_s", "time to put the entries", "s", true));

  private ClusterManagerBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    CmOptions options;
    try {
      options = new CmOptions(CmOptions.parse(args, List.of()));
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Files.createDirectories(options.out.toAbsolutePath().getParent());
    Map<String, JsonObject> results = new LinkedHashMap<>();
    for (String product : options.products) {
      results.put(product, runProduct(product, options));
    }
    String table = table(options, results);
    System.out.println(table);
    JsonObject all = new JsonObject().put("options", new JsonArray(options.toArgs()))
        .put("jvm", new JsonArray(jvmFlags())).put("cores", Runtime.getRuntime().availableProcessors());
    results.forEach(all::put);
    Files.writeString(options.out, all.encodePrettily());
    System.out.println("JSON: " + options.out);
  }

  /** One product in a JVM of its own; its figures, or why it gave none. */
  private static JsonObject runProduct(String product, CmOptions options) throws Exception {
    Path result = options.out.toAbsolutePath().resolveSibling("cm-benchmark-" + product + ".json");
    Files.deleteIfExists(result);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CmRun.class.getName(),
        "--product", product, "--result", result.toString()));
    command.addAll(options.toArgs());
    System.err.println("=== " + product + " (load average " + CmRun.loadAverage() + ")");
    Process process = new ProcessBuilder(command).inheritIO().start();
    try {
      if (!process.waitFor(30, TimeUnit.MINUTES)) {
        return new JsonObject().put("errors", new JsonObject().put("run", "no result within 30 minutes"));
      }
    } finally {
      process.destroyForcibly();
    }
    if (!Files.exists(result)) {
      return new JsonObject().put("errors", new JsonObject().put("run", "exited " + process.exitValue()
          + " without a result"));
    }
    return new JsonObject(Files.readString(result));
  }

  /** This JVM's flags, given to the product JVMs (the profile's heap and collector). */
  private static List<String> jvmFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(flag -> !flag.startsWith("-agentlib") && !flag.startsWith("-javaagent")).toList();
  }

  private static String table(CmOptions options, Map<String, JsonObject> results) {
    List<String> products = new ArrayList<>(results.keySet());
    StringBuilder out = new StringBuilder("\nCluster managers side by side (" + Runtime.getRuntime()
        .availableProcessors() + " cores; JVM " + String.join(" ", jvmFlags()) + ")\n");
    results.forEach((product, result) -> out.append("  ").append(product).append(": ")
        .append(result.getString("settings", "?")).append("\n    failure detection: ")
        .append(result.getString("failureDetection", "?")).append("\n    load average before ")
        .append(result.getString("loadBefore", "?")).append(", after ").append(result.getString("loadAfter", "?"))
        .append("\n"));
    out.append("\n").append(String.format(Locale.ROOT, "%-64s", "figure"));
    products.forEach(p -> out.append(String.format(Locale.ROOT, " | %-28s", p)));
    out.append(products.size() == 2 ? " | " + products.get(0) + " vs " + products.get(1) : "").append("\n");
    for (Row row : ROWS) {
      if (!options.modes.contains(row.mode()) && !row.mode().equals("start")) {
        continue;
      }
      out.append(String.format(Locale.ROOT, "%-64s", row.label() + (row.unit().isEmpty() ? "" : " [" + row.unit()
          + "]")));
      for (String product : products) {
        out.append(String.format(Locale.ROOT, " | %-28s", cell(results.get(product), row)));
      }
      if (products.size() == 2) {
        out.append(" | ").append(ratio(results.get(products.get(0)), results.get(products.get(1)), row));
      }
      out.append("\n");
    }
    results.forEach((product, result) -> result.getJsonObject("errors", new JsonObject()).forEach(e ->
        out.append("  ").append(product).append(" ").append(e.getKey()).append(" failed: ").append(e.getValue())
            .append("\n")));
    out.append("\nGoals (").append(products.size() == 2 ? products.get(0) + " against " + products.get(1) : "")
        .append("):\n");
    if (products.size() == 2) {
      JsonObject a = figures(results.get(products.get(0)));
      JsonObject b = figures(results.get(products.get(1)));
      goal(out, "issue 17: start >= 5x faster (3 members, total)", a, b, "start.total_s", true, 5);
      goal(out, "issue 17: start >= 5x faster (3 members again, warm JVM)", a, b, "restart.total_s", true, 5);
      goal(out, "issue 17: heap >= 5x less per member", a, b, "heap.per_member_mb", true, 5);
      for (String product : products) {
        JsonObject f = figures(results.get(product));
        if (f.containsKey("kill.drop_max_s")) {
          boolean met = f.getDouble("kill.drop_max_s") <= f.getDouble("kill.fd_bound_s");
          out.append(String.format(Locale.ROOT, "  issue 17: %s drops a killed member's registrations within its"
                  + " failure detection (%.1f s <= %.1f s): %s%n", product, f.getDouble("kill.drop_max_s"),
              f.getDouble("kill.fd_bound_s"), met ? "met" : "MISSED"));
        }
      }
      goal(out, "issue 17: request/reply throughput no lower", a, b, "rr.per_s", false, 1);
      goal(out, "issue 18: map put p50 no slower", a, b, "map.put_p50_us", true, 1);
      goal(out, "issue 18: map get p50 no slower", a, b, "map.get_p50_us", true, 1);
      goal(out, "issue 18: map throughput no lower", a, b, "map.per_s", false, 1);
      goal(out, "issue 18: lock rate (one lock) no lower", a, b, "lock.shared_per_s", false, 1);
      goal(out, "issue 18: lock rate (a lock per member) no lower", a, b, "lock.own_per_s", false, 1);
      goal(out, "issue 18: lock rate (one lock, held 1 ms) no lower", a, b, "lock.held_per_s", false, 1);
      goal(out, "issue 18: counter rate no lower", a, b, "counter.per_s", false, 1);
      goal(out, "issue 18: heap with the entries: half", a, b, "mapheap.per_node_mb", true, 2);
    }
    return out.toString();
  }

  private static void goal(StringBuilder out, String label, JsonObject a, JsonObject b, String key,
      boolean lowerIsBetter, double factor) {
    if (!(a.getValue(key) instanceof Number) || !(b.getValue(key) instanceof Number)) {
      out.append("  ").append(label).append(": not measured\n");
      return;
    }
    double x = a.getDouble(key);
    double y = b.getDouble(key);
    double gain = lowerIsBetter ? y / x : x / y;
    out.append(String.format(Locale.ROOT, "  %s: %.2fx: %s%n", label, gain, gain >= factor ? "met" : "MISSED"));
  }

  private static JsonObject figures(JsonObject result) {
    return result.getJsonObject("figures", new JsonObject());
  }

  private static String cell(JsonObject result, Row row) {
    JsonObject figures = figures(result);
    Object text = figures.getValue(row.key() + ".text");
    if (text != null) {
      return text.toString();
    }
    Object value = figures.getValue(row.key());
    if (value instanceof Number number) {
      return format(number.doubleValue());
    }
    if (value != null) {
      return value.toString();
    }
    JsonObject errors = result.getJsonObject("errors", new JsonObject());
    String error = errors.getString(row.mode(), errors.getString("run"));
    if (error == null) {
      return "-";
    }
    return "FAILED: " + (error.length() > 20 ? error.substring(0, 20) + "..." : error);
  }

  private static String ratio(JsonObject a, JsonObject b, Row row) {
    Object x = figures(a).getValue(row.key());
    Object y = figures(b).getValue(row.key());
    if (!(x instanceof Number nx) || !(y instanceof Number ny) || nx.doubleValue() == 0 || ny.doubleValue() == 0) {
      return "";
    }
    double gain = row.lowerIsBetter() ? ny.doubleValue() / nx.doubleValue() : nx.doubleValue() / ny.doubleValue();
    return String.format(Locale.ROOT, "%.2fx %s", gain, gain >= 1 ? "better" : "worse");
  }

  private static String format(double value) {
    if (Math.abs(value) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (Math.abs(value) >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%.3f", value);
  }
}
