package io.ckit.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.wire.WireDecodeException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * LZW beyond what the Go vectors reach (they are short: no code there is wider than 9 bits): long inputs
 * that widen codes to 12 bits and run out of codes, against a slow encoder written straight from the
 * rules in the vectors' README.
 */
class LzwTest {

  @Test
  void longInputsCompressAsTheRulesSayAndDecompressBack() {
    Random random = new Random(21);
    for (int size : new int[] {1, 2, 255, 256, 511, 600, 1_500, 5_000, 20_000, 100_000}) {
      for (int alphabet : new int[] {2, 16, 256}) {
        byte[] input = new byte[size];
        for (int i = 0; i < size; i++) {
          input[i] = (byte) random.nextInt(alphabet);
        }
        byte[] compressed = Lzw.compress(input, 0, input.length);
        assertThat(compressed).as("size %d alphabet %d", size, alphabet).isEqualTo(byTheRules(input));
        assertThat(Lzw.decompress(compressed, 0, compressed.length, size)).isEqualTo(input);
      }
    }
  }

  @Test
  void repetitiveAndTextInputsRoundTrip() {
    byte[] repetitive = "abc".repeat(100_000).getBytes(StandardCharsets.US_ASCII);
    byte[] text = ("memberlist gossip over HTTP/2, node-a participant @7; ").repeat(3_000)
        .getBytes(StandardCharsets.US_ASCII);
    for (byte[] input : new byte[][] {repetitive, text, new byte[70_000]}) {
      byte[] compressed = Lzw.compress(input, 0, input.length);
      assertThat(compressed).isEqualTo(byTheRules(input));
      assertThat(compressed.length).isLessThan(input.length / 10);
      assertThat(Lzw.decompress(compressed, 0, compressed.length, input.length)).isEqualTo(input);
    }
  }

  @Test
  void decompressionStopsAtTheMaximumInsteadOfAllocating() {
    byte[] zeros = new byte[4 * 1024 * 1024];
    byte[] bomb = Lzw.compress(zeros, 0, zeros.length);
    assertThat(bomb.length).isLessThan(40_000);
    assertThatThrownBy(() -> Lzw.decompress(bomb, 0, bomb.length, 1024 * 1024))
        .isInstanceOf(WireDecodeException.class)
        .hasMessage("LZW data decompresses to more than the maximum of 1048576 bytes")
        .satisfies(e -> assertThat(((WireDecodeException) e).kind()).isEqualTo(Kind.TOO_LARGE));
  }

  @Test
  void malformedDataIsRejected() {
    byte[] valid = Lzw.compress(new byte[] {1, 2, 3, 1, 2, 3}, 0, 6);
    assertThatThrownBy(() -> Lzw.decompress(valid, 0, valid.length - 2, 100))
        .isInstanceOf(WireDecodeException.class)
        .hasMessage("LZW data ends without an end code");
    assertThatThrownBy(() -> Lzw.decompress(new byte[0], 0, 0, 100))
        .hasMessage("LZW data ends without an end code");
    // Clear code, then code 300 before any code above 257 exists.
    byte[] invalid = bits(9, 256, 300);
    assertThatThrownBy(() -> Lzw.decompress(invalid, 0, invalid.length, 100))
        .isInstanceOf(WireDecodeException.class)
        .hasMessage("LZW code 300 is above the next code 257")
        .satisfies(e -> assertThat(((WireDecodeException) e).kind()).isEqualTo(Kind.BAD_COMPRESSION));
  }

  @Test
  void randomBytesNeverCrashTheDecoder() {
    Random random = new Random(5);
    for (int i = 0; i < 20_000; i++) {
      byte[] garbage = new byte[random.nextInt(64)];
      random.nextBytes(garbage);
      try {
        Lzw.decompress(garbage, 0, garbage.length, 4096);
      } catch (WireDecodeException expected) {
        assertThat(expected.kind()).isIn(Kind.BAD_COMPRESSION, Kind.TOO_LARGE);
      }
    }
  }

  /** Codes of one width, packed LSB first. */
  private static byte[] bits(int width, int... codes) {
    BitWriter out = new BitWriter();
    for (int code : codes) {
      out.write(code, width);
    }
    return out.finish();
  }

  /**
   * The README's rules, slowly: codes start 9 bits wide; 256 is clear and 257 the end; new codes start at
   * 258; a code is as wide as the width after the previous new code was assigned, the width growing when
   * the code just assigned reaches 2^width; assigning 4095 instead sends clear and starts over. The output
   * starts with clear, ends with the end code, and the last byte is padded with zeros.
   */
  private static byte[] byTheRules(byte[] input) {
    BitWriter out = new BitWriter();
    Map<String, Integer> dictionary = new HashMap<>();
    int[] next = {258};
    int[] width = {9};
    Runnable reset = () -> {
      dictionary.clear();
      for (int i = 0; i < 256; i++) {
        dictionary.put(String.valueOf((char) i), i);
      }
      next[0] = 258;
      width[0] = 9;
    };
    reset.run();
    out.write(256, width[0]);
    String current = "";
    for (byte b : input) {
      String extended = current + (char) (b & 0xFF);
      if (dictionary.containsKey(extended)) {
        current = extended;
        continue;
      }
      out.write(dictionary.get(current), width[0]);
      int assigned = next[0]++;
      if (assigned == 1 << width[0]) {
        width[0]++;
      }
      if (assigned == 4095) {
        out.write(256, width[0]);
        reset.run();
      } else {
        dictionary.put(extended, assigned);
      }
      current = String.valueOf((char) (b & 0xFF));
    }
    if (!current.isEmpty()) {
      out.write(dictionary.get(current), width[0]);
      int assigned = next[0]++;
      if (assigned == 1 << width[0]) {
        width[0]++;
      }
      if (assigned == 4095) {
        out.write(256, width[0]);
        width[0] = 9;
      }
    }
    out.write(257, width[0]);
    return out.finish();
  }

  private static final class BitWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long accumulator;
    private int count;

    void write(int code, int width) {
      accumulator |= (long) code << count;
      count += width;
      while (count >= 8) {
        out.write((int) accumulator & 0xFF);
        accumulator >>>= 8;
        count -= 8;
      }
    }

    byte[] finish() {
      if (count > 0) {
        out.write((int) accumulator & 0xFF);
      }
      return out.toByteArray();
    }
  }
}
