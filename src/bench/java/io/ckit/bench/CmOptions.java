package io.ckit.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of {@link ClusterManagerBenchmark}, parsed once in the parent and handed to the product and victim
 * JVMs as the same command-line flags.
 */
final class CmOptions {

  static final List<String> PRODUCTS = List.of("ckit", "hazelcast");
  static final List<String> MODES = List.of("start", "heap", "consumer", "rr", "kill", "map", "lock", "counter",
      "mapheap", "restart");

  private static final Map<String, String> DEFAULTS = defaults();

  final List<String> products;
  final List<String> modes;
  /** ckit: listen on the first free port of this range, join the whole range. */
  final String ckitPorts;
  /** Hazelcast: the first member's port, auto-incremented over the range; the TCP-IP member list is the range. */
  final String hzPorts;
  /** ckit's gossip preset. */
  final String preset;
  final int consumerRuns;
  final int warmupSeconds;
  final int seconds;
  final int window;
  final int mapEntries;
  final Path out;
  /** Whether to write the heap's class histogram (jcmd GC.class_histogram) beside {@code out} at each heap figure. */
  final boolean histograms;
  private final Map<String, String> values;

  private static Map<String, String> defaults() {
    Map<String, String> defaults = new LinkedHashMap<>();
    defaults.put("products", String.join(",", PRODUCTS));
    defaults.put("modes", String.join(",", MODES));
    defaults.put("ckit-ports", "18100-18119");
    defaults.put("hz-ports", "18200-18219");
    defaults.put("preset", "lan");
    defaults.put("consumer-runs", "5");
    defaults.put("warmup-seconds", "5");
    defaults.put("seconds", "10");
    defaults.put("window", "128");
    defaults.put("map-entries", "100000");
    defaults.put("out", "target/cm-benchmark.json");
    defaults.put("histograms", "false");
    return defaults;
  }

  /** Reads {@code --name value} pairs; the keys not in {@code extra} must be options of the benchmark. */
  static Map<String, String> parse(String[] args, List<String> extra) {
    Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (!flag.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + ": expected --option value");
      }
      String name = flag.substring(2);
      if (!DEFAULTS.containsKey(name) && !extra.contains(name)) {
        throw new IllegalArgumentException(flag + ": unknown option (options: " + DEFAULTS.keySet() + ")");
      }
      values.put(name, args[++i]);
    }
    return values;
  }

  CmOptions(Map<String, String> values) {
    this.values = values;
    products = list("products", PRODUCTS);
    modes = list("modes", MODES);
    ckitPorts = range("ckit-ports");
    hzPorts = range("hz-ports");
    preset = values.get("preset");
    if (!List.of("ckit", "lan", "wan", "local").contains(preset)) {
      throw new IllegalArgumentException("--preset: \"" + preset + "\" is none of ckit, lan, wan, local");
    }
    consumerRuns = positive("consumer-runs");
    warmupSeconds = positive("warmup-seconds");
    seconds = positive("seconds");
    window = positive("window");
    mapEntries = positive("map-entries");
    out = Path.of(values.get("out"));
    histograms = Boolean.parseBoolean(values.get("histograms"));
  }

  /** The benchmark's own flags, for a child JVM. */
  List<String> toArgs() {
    List<String> args = new ArrayList<>();
    DEFAULTS.keySet().forEach(name -> {
      args.add("--" + name);
      args.add(values.get(name));
    });
    return args;
  }

  int firstPort(String range) {
    return Integer.parseInt(range.substring(0, range.indexOf('-')));
  }

  int lastPort(String range) {
    return Integer.parseInt(range.substring(range.indexOf('-') + 1));
  }

  private List<String> list(String name, List<String> allowed) {
    List<String> list = Arrays.stream(values.get(name).split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .toList();
    for (String item : list) {
      if (!allowed.contains(item)) {
        throw new IllegalArgumentException("--" + name + ": \"" + item + "\" is none of " + allowed);
      }
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("--" + name + ": empty");
    }
    return list;
  }

  private String range(String name) {
    String range = values.get(name);
    int dash = range.indexOf('-');
    try {
      int first = Integer.parseInt(range.substring(0, dash));
      int last = Integer.parseInt(range.substring(dash + 1));
      if (first < 1 || last < first + 4 || last > 65535) {
        throw new NumberFormatException();
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--" + name + ": \"" + range + "\" is not first-last with at least 5 ports");
    }
    return range;
  }

  private int positive(String name) {
    try {
      int value = Integer.parseInt(values.get(name));
      if (value < 1) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + ": \"" + values.get(name) + "\" is not a positive integer");
    }
  }
}
