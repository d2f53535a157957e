package io.ckit.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Jazzer against memberlist's label header ({@link LabelHeader#read}): a header read takes no more bytes than
 * there are, and a label in valid UTF-8 written again gives the same header bytes.
 */
class LabelHeaderFuzzTest {

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void labelHeadersReadOrAreRefusedAndRoundTrip(byte[] input) {
    LabelHeader.Read read = Fuzzing.decodeOrRefuse("LabelHeader.read", input,
        () -> LabelHeader.read(input, 0, input.length));
    if (read == null || read.headerLength() == 0) {
      return;
    }
    if (read.headerLength() < 3 || read.headerLength() > input.length) {
      throw new AssertionError("a header of " + read.headerLength() + " bytes in " + input.length);
    }
    if (isUtf8(input, 2, read.headerLength())) {
      byte[] header = LabelHeader.header(read.label());
      if (!Arrays.equals(header, Arrays.copyOf(input, read.headerLength()))) {
        throw new AssertionError("label \"" + read.label() + "\" read from " + Fuzzing.hex(input)
            + " writes as " + Fuzzing.hex(header));
      }
    }
  }

  private static boolean isUtf8(byte[] bytes, int from, int to) {
    try {
      StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, from, to - from));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
