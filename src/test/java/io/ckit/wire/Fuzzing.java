package io.ckit.wire;

import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What every Jazzer target in this package checks, and the limits of the opt-in fuzzing run.
 *
 * <p>A decoder given any bytes either returns a value or throws {@link WireDecodeException} with a message;
 * any other exception fails the target (Jazzer saves the input as a finding). And no call allocates more than
 * its input and the configured maximum allow: {@link #ALLOCATION_LIMIT} plus 64 bytes per input byte (the
 * decoded objects of a dense input), measured with the thread's allocation counter.
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
  /** The decoders called once already (targets run on one thread at a time). */
  private static final Set<String> WARM = ConcurrentHashMap.newKeySet();
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
    long before = THREADS.getCurrentThreadAllocatedBytes();
    T value = run(what, input, decoder);
    // A decoder's first call loads (and Jazzer instruments) its classes on this thread: not counted.
    if (!WARM.add(what)) {
      checkAllocation(what, input, before);
    }
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

  private static boolean overLimit(byte[] input, long before) {
    return THREADS.getCurrentThreadAllocatedBytes() - before > ALLOCATION_LIMIT + 64L * input.length;
  }

  /**
   * Runs a decoder that hands its results elsewhere.
   *
   * @return the {@link WireDecodeException} it refused the input with, or null if it accepted it
   * @throws AssertionError as {@link #decodeOrRefuse} does
   */
  public static WireDecodeException refusal(String what, byte[] input, Runnable decoder) {
    WireDecodeException[] refused = {null};
    decodeOrRefuse(what, input, () -> {
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

  /** Fails if the thread allocated more than the limit for this input since {@code before}. */
  public static void checkAllocation(String what, byte[] input, long before) {
    if (overLimit(input, before)) {
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
      throw new AssertionError(what + " allocated " + allocated + " bytes for an input of " + input.length
          + ": " + hex(input));
    }
  }

  /** The input in hex, shortened past 512 bytes. */
  public static String hex(byte[] input) {
    return input.length <= 512 ? HEX.formatHex(input)
        : HEX.formatHex(input, 0, 512) + "... (" + input.length + " bytes)";
  }
}
