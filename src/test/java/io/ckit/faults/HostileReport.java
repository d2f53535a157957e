package io.ckit.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The hostile-peer tests' table: attack, what was expected, what was observed, the counter's increase and
 * the target's heap peak. Each test class keeps its rows in {@code target/faults/hostile/<class>.rows}; after
 * each class the table of every class that has run is printed and written to {@code
 * target/faults/hostile.md}. Thread-safe.
 */
final class HostileReport {

  private static final Path DIR = Path.of("target", "faults", "hostile");

  private final Path rows;
  private final List<String> lines = new ArrayList<>();

  HostileReport(String testClass) {
    this.rows = DIR.resolve(testClass + ".rows");
  }

  /** Records a row (and writes the class's rows at once, so a later failure keeps them). */
  synchronized void row(String attack, String expected, String observed, String counterDelta, String heapPeak) {
    lines.add(String.join("\t", clean(attack), clean(expected), clean(observed), clean(counterDelta),
        clean(heapPeak)));
    try {
      Files.createDirectories(DIR);
      Files.write(rows, lines, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String clean(String cell) {
    return cell.replace('\t', ' ').replace('\n', ' ').replace("|", "\\|");
  }

  /** Prints the table of every class's rows and writes it to {@code target/faults/hostile.md}. */
  static synchronized void publish() throws IOException {
    Files.createDirectories(DIR);
    StringBuilder table = new StringBuilder("# Hostile peers\n\n")
        .append("| attack | expected | observed | counter delta | heap peak |\n|---|---|---|---|---|\n");
    List<Path> files;
    try (Stream<Path> listing = Files.list(DIR)) {
      files = listing.filter(file -> file.toString().endsWith(".rows")).sorted().toList();
    }
    for (Path file : files) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        table.append("| ").append(line.replace("\t", " | ")).append(" |\n");
      }
    }
    Files.writeString(DIR.getParent().resolve("hostile.md"), table, StandardCharsets.UTF_8);
    System.out.println(table);
  }
}
