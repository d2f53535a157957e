package io.ckit.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Jazzer against Go's LZW ({@link Lzw}): decompressing any bytes gives at most the maximum (4 KiB here, so
 * that the fuzzer reaches it) or {@link WireDecodeException}; what it gives compresses to bytes that
 * decompress to it again; and the input itself, compressed, decompresses to itself.
 */
class LzwFuzzTest {

  private static final int MAX_OUTPUT = 4096;

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void lzwDecompressesOrRefusesAndRoundTrips(byte[] input) {
    byte[] output = Fuzzing.decodeOrRefuse("Lzw.decompress", input,
        () -> Lzw.decompress(input, 0, input.length, MAX_OUTPUT));
    if (output != null) {
      if (output.length > MAX_OUTPUT) {
        throw new AssertionError(output.length + " bytes out, above the maximum of " + MAX_OUTPUT);
      }
      roundTrip(output, input);
    }
    roundTrip(input, input);
  }

  private static void roundTrip(byte[] data, byte[] input) {
    byte[] compressed = Lzw.compress(data, 0, data.length);
    byte[] again = Lzw.decompress(compressed, 0, compressed.length, Math.max(data.length, 1));
    if (!Arrays.equals(data, again)) {
      throw new AssertionError("compressing " + Fuzzing.hex(data) + " (from input " + Fuzzing.hex(input)
          + ") does not round-trip");
    }
  }
}
