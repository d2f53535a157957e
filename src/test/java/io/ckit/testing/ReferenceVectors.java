package io.ckit.testing;

import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The byte-exact reference vectors captured from a real Go ckit node (commit bbed30d): the project's test
 * resources under {@code src/test/resources/vectors}, read from the classpath so a fresh clone has them.
 */
public final class ReferenceVectors {

  private static final String ROOT = "vectors/";

  private ReferenceVectors() {}

  /**
   * Streams every line of a JSON Lines resource under {@code vectors/} (gunzipped on the fly when its name
   * ends in {@code .gz}) to the consumer and returns how many lines there were.
   */
  public static int forEachLine(String relative, Consumer<JsonObject> consumer) {
    String resource = ROOT + relative;
    int lines = 0;
    try (InputStream raw = open(resource);
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
      throw new UncheckedIOException("reading classpath resource " + resource, e);
    }
    return lines;
  }

  private static InputStream open(String resource) {
    InputStream in = ReferenceVectors.class.getClassLoader().getResourceAsStream(resource);
    if (in == null) {
      fail("reference vector resource missing from the test classpath: " + resource
          + " (expected at src/test/resources/" + resource + ")");
    }
    return in;
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
