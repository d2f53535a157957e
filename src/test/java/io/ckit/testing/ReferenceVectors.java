package io.ckit.testing;

import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The byte-exact reference vectors captured from a Go ckit node, read from {@code ../shared/vectors} (or the
 * directory named by the {@code ckit.vectors.dir} system property).
 */
public final class ReferenceVectors {

  private ReferenceVectors() {}

  /** The vectors directory; fails the test with a clear message when it is not there. */
  public static Path directory() {
    Path dir = Path.of(System.getProperty("ckit.vectors.dir", "../shared/vectors")).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      fail("reference vectors not found at " + dir + ": they come from the steering repository's shared/vectors; "
          + "check it out beside this repository or pass -Dckit.vectors.dir=<path>");
    }
    return dir;
  }

  /** A vectors file by its path inside the vectors directory; fails clearly if it is missing. */
  public static Path file(String relative) {
    Path file = directory().resolve(relative);
    if (!Files.isRegularFile(file)) {
      fail("reference vector file missing: " + file);
    }
    return file;
  }

  /**
   * Streams every line of a JSON Lines file (gunzipped on the fly when its name ends in {@code .gz}) to the
   * consumer and returns how many lines there were.
   */
  public static int forEachLine(String relative, Consumer<JsonObject> consumer) {
    Path file = file(relative);
    int lines = 0;
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = relative.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        lines++;
        JsonObject json = new JsonObject(line);
        try {
          consumer.accept(json);
        } catch (AssertionError e) {
          throw new AssertionError(relative + " line " + lines + ": " + e.getMessage() + "\n  vector: " + line, e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
    return lines;
  }

  /** Decodes lowercase or uppercase hex text. */
  public static byte[] hex(String text) {
    byte[] bytes = new byte[text.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(text, 2 * i, 2 * i + 2, 16);
    }
    return bytes;
  }

  /** The strings of a JSON array field. */
  public static List<String> strings(JsonObject json, String field) {
    List<String> values = new ArrayList<>();
    json.getJsonArray(field).forEach(value -> values.add((String) value));
    return values;
  }
}
