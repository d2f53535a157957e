package io.ckit.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark's figures: a table per scenario on standard output (median, mean, min–max, over how many
 * runs, nodes or processes) and every value in a JSON file.
 */
final class Report {

  private record Row(String figure, String unit, List<Double> values, String over) { }

  private final JsonObject json = new JsonObject();
  private final Map<String, List<Row>> tables = new LinkedHashMap<>();
  private final Map<String, String> titles = new LinkedHashMap<>();

  /** Run-wide facts (nodes, mode, JVM flags, machine). */
  void setting(String key, Object value) {
    json.put(key, value);
  }

  void title(String scenario, String title) {
    titles.put(scenario, title);
    scenario(scenario).put("title", title);
  }

  /** One figure of a scenario: its values, one per run (or per node, or per process: {@code over}). */
  void add(String scenario, String key, String figure, String unit, List<Double> values, String over) {
    tables.computeIfAbsent(scenario, name -> new ArrayList<>()).add(new Row(figure, unit, values, over));
    JsonObject entry = new JsonObject().put("figure", figure).put("unit", unit).put("over", over)
        .put("values", new JsonArray(new ArrayList<>(values)));
    if (!values.isEmpty()) {
      entry.put("median", median(values)).put("mean", mean(values)).put("min", min(values))
          .put("max", max(values));
    }
    scenario(scenario).put(key, entry);
  }

  /** A value that is not a figure (counts, notes). */
  void note(String scenario, String key, Object value) {
    scenario(scenario).put(key, value);
  }

  private JsonObject scenario(String scenario) {
    JsonObject scenarios = json.getJsonObject("scenarios");
    if (scenarios == null) {
      scenarios = new JsonObject();
      json.put("scenarios", scenarios);
    }
    JsonObject entry = scenarios.getJsonObject(scenario);
    if (entry == null) {
      entry = new JsonObject();
      scenarios.put(scenario, entry);
    }
    return entry;
  }

  void print() {
    for (Map.Entry<String, List<Row>> table : tables.entrySet()) {
      System.out.println();
      System.out.println(titles.getOrDefault(table.getKey(), table.getKey()));
      System.out.printf(Locale.ROOT, "  %-52s %10s %10s %23s  %s%n", "figure", "median", "mean", "min–max", "over");
      for (Row row : table.getValue()) {
        if (row.values().isEmpty()) {
          System.out.printf(Locale.ROOT, "  %-52s %10s%n", row.figure() + " (" + row.unit() + ")", "–");
          continue;
        }
        if (row.values().size() == 1) {
          System.out.printf(Locale.ROOT, "  %-52s %10s %10s %23s  %s%n", row.figure() + " (" + row.unit() + ")",
              format(row.values().get(0)), "", "", row.over().equals("runs") ? "1 run" : row.over());
          continue;
        }
        System.out.printf(Locale.ROOT, "  %-52s %10s %10s %23s  %d %s%n", row.figure() + " (" + row.unit() + ")",
            format(median(row.values())), format(mean(row.values())),
            format(min(row.values())) + "–" + format(max(row.values())), row.values().size(), row.over());
      }
    }
  }

  void write(Path out) throws IOException {
    Files.writeString(out, json.encodePrettily() + "\n");
  }

  static String format(double value) {
    double magnitude = Math.abs(value);
    return String.format(Locale.ROOT, magnitude >= 100 ? "%.0f" : magnitude >= 10 ? "%.1f" : "%.3f", value);
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static double mean(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
