package io.ckit.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Option values read from JSON. Each kind of mistake has one message, which starts with the option's name
 * as it stands in a node's JSON ({@code gossip.gossipNodes: "1.5" is not a whole number}), so that every
 * options class reports a bad value the same way and a configuration error points at the option.
 */
public final class JsonValues {

  private JsonValues() {}

  /**
   * The value as a {@code long} when it is a number without a fraction between {@code min} and {@code max}
   * (inclusive), else empty. JSON has no integer type: {@code 5} may arrive as an Integer or a Long and
   * {@code 5.0} as a Double, and both count.
   */
  public static OptionalLong wholeNumber(Object value, long min, long max) {
    if (value instanceof Number number) {
      double real = number.doubleValue();
      if (real == Math.rint(real) && real >= min && real <= max) {
        return OptionalLong.of(number.longValue());
      }
    }
    return OptionalLong.empty();
  }

  /** An {@code int} option. */
  public static int integer(String name, Object value) {
    return (int) wholeNumber(value, Integer.MIN_VALUE, Integer.MAX_VALUE).orElseThrow(
        () -> new IllegalArgumentException(name + ": \"" + value + "\" is not a whole number"));
  }

  /** A text option; null (JSON's null, or no value) stays null. */
  public static String text(String name, Object value) {
    if (value != null && !(value instanceof String)) {
      throw new IllegalArgumentException(name + ": expected text, got " + value);
    }
    return (String) value;
  }

  /**
   * A list of texts: a JSON array of strings, or one text of items separated by commas and/or white space
   * (as a flag or an environment variable gives it). Empty items are dropped.
   */
  public static List<String> texts(String name, Object value) {
    List<String> items = new ArrayList<>();
    if (value instanceof String text) {
      for (String part : text.split("[,\\s]+")) {
        if (!part.isEmpty()) {
          items.add(part);
        }
      }
    } else if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof String text)) {
          throw new IllegalArgumentException(name + ": \"" + item + "\" is not text");
        }
        items.add(text);
      }
    } else if (value != null) {
      throw new IllegalArgumentException(name + ": expected a list of texts, got " + value);
    }
    return items;
  }

  public static boolean bool(String name, Object value) {
    if (!(value instanceof Boolean flag)) {
      throw new IllegalArgumentException(name + ": \"" + value + "\" is not true or false");
    }
    return flag;
  }

  /** A section of options, or the JSON form of a Vert.x options object. */
  public static JsonObject object(String name, Object value) {
    if (!(value instanceof JsonObject object)) {
      throw new IllegalArgumentException(name + ": expected a JSON object, got " + value);
    }
    return object;
  }

  /**
   * Rejects a field no option has: a misspelt option would otherwise be ignored without a word.
   *
   * @param prefix where the object stands ({@code "gossip."}, or {@code ""} at the top)
   */
  public static void checkFields(String prefix, JsonObject json, Collection<String> known) {
    for (String field : json.fieldNames()) {
      if (!known.contains(field)) {
        throw new IllegalArgumentException(prefix + field + ": unknown option (known: "
            + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  /**
   * Reads a section of options field by field, after {@link #checkFields}. Whatever a field's reader or
   * setter rejects names the option once, {@code <name>: <why>}: the readers above name it already, a setter
   * names it without its section ({@code maxQueuedPackets must be ...}), and Vert.x's own option readers not
   * at all (a key store's base64 value).
   */
  public static void readFields(String prefix, JsonObject json, Collection<String> known, FieldReader reader) {
    checkFields(prefix, json, known);
    for (Map.Entry<String, Object> entry : json) {
      String name = prefix + entry.getKey();
      try {
        reader.read(name, entry.getKey(), entry.getValue());
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        throw new IllegalArgumentException(message != null && message.startsWith(name + ":") ? message
            : name + ": " + message, e);
      }
    }
  }

  /** Reads one field of a section. */
  @FunctionalInterface
  public interface FieldReader {

    /**
     * @param name the option's full name, for messages ({@code transport.maxFrameBytes})
     * @param field its name in the section ({@code maxFrameBytes})
     */
    void read(String name, String field, Object value);
  }
}
