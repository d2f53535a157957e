package io.ckit.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A test class's table of scenarios: what was done, what was asserted, whether it held, how long until every
 * survivor saw the fault and until the cluster was one again, and the peak heap of any node meanwhile; and,
 * per scenario, what each node saw when. {@link #write} prints it and writes {@code target/faults/<class>.md}.
 *
 * <p>Used from the test thread only.
 */
final class FaultReport {

  /** One scenario's row; the scenario fills it in as it goes. */
  static final class Row {
    final String scenario;
    final String asserted;
    String result = "not run";
    Duration detect;
    Duration recover;
    long heapPeak;
    final List<String> notes = new ArrayList<>();

    Row(String scenario, String asserted) {
      this.scenario = scenario;
      this.asserted = asserted;
    }

    void detect(ClusterWatch.Timing timing) {
      detect = timing.all();
      notes.add("detected by " + timing.eachText());
    }

    void recover(ClusterWatch.Timing timing) {
      recover = timing.all();
      notes.add("recovered on " + timing.eachText());
    }

    void note(String note) {
      notes.add(note);
    }
  }

  /** What a scenario does, given its row. */
  interface Scenario {
    void run(Row row) throws Exception;
  }

  private final String title;
  private final List<Row> rows = new ArrayList<>();

  FaultReport(String title) {
    this.title = title;
  }

  /**
   * Runs a scenario: its row records PASS, or FAIL and the reason (and the failure is rethrown), and the
   * heap peak of every node while it ran.
   */
  void run(ClusterWatch watch, String scenario, String asserted, Scenario body) throws Exception {
    Row row = new Row(scenario, asserted);
    rows.add(row);
    watch.resetHeapPeaks();
    try {
      body.run(row);
      row.result = "PASS";
    } catch (Throwable failure) {
      row.result = "FAIL: " + String.valueOf(failure.getMessage()).replace('\n', ' ');
      throw failure;
    } finally {
      Map<Integer, Long> peaks = watch.heapPeaks();
      row.heapPeak = peaks.values().stream().mapToLong(Long::longValue).max().orElse(0);
      if (!peaks.isEmpty()) {
        StringBuilder text = new StringBuilder("heap peaks:");
        peaks.forEach((host, peak) -> text.append(' ').append(FaultCluster.name(host)).append(' ')
            .append(mib(peak)));
        row.notes.add(text.toString());
      }
    }
  }

  /** Prints the table to standard out and writes it to {@code target/faults/<file>.md}. */
  void write(String file) throws IOException {
    StringBuilder text = new StringBuilder("## ").append(title).append("\n\n")
        .append("| scenario | asserted | result | time to detect | time to recover | heap peak |\n")
        .append("|---|---|---|---|---|---|\n");
    for (Row row : rows) {
      text.append("| ").append(cell(row.scenario)).append(" | ").append(cell(row.asserted)).append(" | ")
          .append(cell(row.result))
          .append(" | ").append(row.detect == null ? "–" : ClusterWatch.seconds(row.detect))
          .append(" | ").append(row.recover == null ? "–" : ClusterWatch.seconds(row.recover))
          .append(" | ").append(row.heapPeak == 0 ? "–" : mib(row.heapPeak)).append(" |\n");
    }
    text.append('\n');
    for (Row row : rows) {
      text.append("- ").append(row.scenario).append(": ").append(String.join("; ", row.notes)).append('\n');
    }
    System.out.println(text);
    Path out = NetnsHosts.reportDirectory().resolve(file + ".md");
    Files.writeString(out, text, StandardCharsets.UTF_8);
  }

  /** Text for a table cell: one line, its pipes escaped. */
  private static String cell(String text) {
    return text.replace('\n', ' ').replace("|", "\\|");
  }

  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
