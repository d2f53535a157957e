package io.ckit.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in configuration: Go's text form ({@code 200ms}, {@code 5s}, {@code 1m30s}) or milliseconds. */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  /**
   * Reads a duration from a JSON value: a whole number of milliseconds, or text such as {@code 250ms},
   * {@code 5s}, {@code 1m30s}, {@code 1h}.
   *
   * @param field the option's name, for the error message
   * @throws IllegalArgumentException naming the field for anything else, or a negative duration
   */
  public static Duration parse(String field, Object value) {
    if (value instanceof Number) {
      // The bound keeps the duration within what Duration.toNanos() can return.
      long millis = JsonValues.wholeNumber(value, 0, Long.MAX_VALUE / 1_000_000).orElseThrow(
          () -> new IllegalArgumentException(field + ": " + value + " is not a whole, non-negative number of"
              + " milliseconds"));
      return Duration.ofMillis(millis);
    }
    if (value instanceof String text && !text.isEmpty()) {
      if (text.equals("0")) {
        return Duration.ZERO;
      }
      Matcher matcher = PART.matcher(text);
      BigDecimal nanos = BigDecimal.ZERO;
      int at = 0;
      while (at < text.length() && matcher.find(at) && matcher.start() == at) {
        BigDecimal amount = new BigDecimal(matcher.group(1));
        nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unitNanos(matcher.group(2)))));
        at = matcher.end();
      }
      if (at == text.length() && nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0) {
        return Duration.ofNanos(nanos.longValue());
      }
    }
    throw new IllegalArgumentException(field + ": \"" + value + "\" is not a duration (e.g. 500ms, 5s, 1m30s,"
        + " or a number of milliseconds)");
  }

  /** The shortest exact text form: {@code 5s}, {@code 200ms}, {@code 1m30s}, {@code 0}. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0";
    }
    long nanos = duration.toNanos();
    if (nanos % 1_000_000 != 0) {
      return nanos + "ns";
    }
    long millis = nanos / 1_000_000;
    if (millis % 1000 != 0) {
      return millis + "ms";
    }
    long seconds = millis / 1000;
    StringBuilder text = new StringBuilder();
    if (seconds >= 3600) {
      text.append(seconds / 3600).append('h');
      seconds %= 3600;
    }
    if (seconds >= 60) {
      text.append(seconds / 60).append('m');
      seconds %= 60;
    }
    if (seconds > 0) {
      text.append(seconds).append('s');
    }
    return text.toString();
  }

  private static long unitNanos(String unit) {
    switch (unit) {
      case "ns":
        return 1;
      case "us":
      case "µs":
        return 1_000;
      case "ms":
        return 1_000_000;
      case "s":
        return 1_000_000_000L;
      case "m":
        return 60_000_000_000L;
      default:
        return 3_600_000_000_000L;
    }
  }
}
