package io.ckit.wire;

import java.lang.management.ClassLoadingMXBean;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What every Jazzer target in this package checks, and the limits of the opt-in fuzzing run.
 *
 * <p>A decoder given any bytes either returns a value or throws {@link WireDecodeException} with a message;
 * any other exception fails the target (Jazzer saves the input as a finding). And no call allocates more than
 * its input and the configured maximum allow: {@link #ALLOCATION_LIMIT} plus 64 bytes per input byte (the
 * decoded objects of a dense input), measured with the thread's allocation counter ({@link Allocation}).
 */
public final class Fuzzing {

  /** Executions per target in the opt-in run ({@code ./mvnw -Pfuzz test}); regression runs ignore it. */
  public static final long MAX_EXECUTIONS = 1_000_000;

  /** An upper bound on one target's fuzzing time, far above what a million executions take here. */
  public static final String MAX_DURATION = "60m";

  /** The maximum message size the targets configure their codecs with. */
  public static final int MAX = 64 * 1024;

  /** Decompressing nested messages may fill several buffers of the maximum size; nothing may need more. */
  public static final long ALLOCATION_LIMIT = 16L * MAX + (2 << 20);

  private static final HexFormat HEX = HexFormat.of();
  private static final ClassLoadingMXBean CLASSES = ManagementFactory.getClassLoadingMXBean();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Fuzzing() {}

  /**
   * Runs a decoder on untrusted bytes.
   *
   * @return what it decoded, or null when it refused the input with a {@link WireDecodeException}
   * @throws AssertionError for any other exception, an exception without a message, or an allocation past
   *     the limit
   */
  public static <T> T decodeOrRefuse(String what, byte[] input, Supplier<T> decoder) {
    return decodeOrRefuse(what, input, () -> 0, decoder);
  }

  /**
   * {@link #decodeOrRefuse(String, byte[], Supplier)} with {@code excluded} bytes (asked for after the call)
   * left out of its allocation: what parts of its work allocated and checked against limits of their own.
   */
  public static <T> T decodeOrRefuse(String what, byte[] input, LongSupplier excluded, Supplier<T> decoder) {
    Allocation allocation = Allocation.start();
    T value = run(what, input, decoder);
    allocation.check(what, input, ALLOCATION_LIMIT, excluded.getAsLong());
    return value;
  }

  private static <T> T run(String what, byte[] input, Supplier<T> decoder) {
    try {
      return decoder.get();
    } catch (WireDecodeException refused) {
      if (refused.getMessage() == null || refused.getMessage().isBlank()) {
        throw new AssertionError(what + " refused " + hex(input) + " without saying why", refused);
      }
      return null;
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError(what + " threw " + e + " on " + hex(input), e);
    }
  }

  /**
   * Runs a decoder that hands its results elsewhere.
   *
   * @return the {@link WireDecodeException} it refused the input with, or null if it accepted it
   * @throws AssertionError as {@link #decodeOrRefuse} does
   */
  public static WireDecodeException refusal(String what, byte[] input, Runnable decoder) {
    return refusal(what, input, () -> 0, decoder);
  }

  /** {@link #refusal(String, byte[], Runnable)} with {@code excluded} bytes left out of its allocation. */
  public static WireDecodeException refusal(String what, byte[] input, LongSupplier excluded, Runnable decoder) {
    WireDecodeException[] refused = {null};
    decodeOrRefuse(what, input, excluded, () -> {
      try {
        decoder.run();
      } catch (WireDecodeException e) {
        refused[0] = e;
        throw e;
      }
      return null;
    });
    return refused[0];
  }

  /**
   * What the thread allocates from {@link #start()} on. Loading a class (and Jazzer instrumenting it, as it
   * does when a new path first runs) allocates megabytes on the loading thread, so a call that loaded classes
   * is not measured: the same path runs again without loading them.
   */
  public record Allocation(long bytes, long classes) {

    public static Allocation start() {
      return new Allocation(THREADS.getCurrentThreadAllocatedBytes(), CLASSES.getTotalLoadedClassCount());
    }

    /** The bytes allocated since the start. */
    public long allocated() {
      return THREADS.getCurrentThreadAllocatedBytes() - bytes;
    }

    /**
     * Fails if, less {@code excluded} bytes (parts checked on their own), the thread allocated more than
     * {@code limit} plus 64 bytes per input byte, unless classes were loaded meanwhile.
     */
    public void check(String what, byte[] input, long limit, long excluded) {
      long allocated = allocated() - excluded;
      if (allocated > limit + 64L * input.length && CLASSES.getTotalLoadedClassCount() == classes) {
        throw new AssertionError(what + " allocated " + allocated + " bytes for an input of " + input.length
            + ": " + hex(input));
      }
    }
  }

  /** The input in hex, shortened past 512 bytes. */
  public static String hex(byte[] input) {
    return input.length <= 512 ? HEX.formatHex(input)
        : HEX.formatHex(input, 0, 512) + "... (" + input.length + " bytes)";
  }
}
