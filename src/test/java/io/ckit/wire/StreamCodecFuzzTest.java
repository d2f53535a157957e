package io.ckit.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ckit.wire.MessageCodec.Form;

/**
 * Jazzer against what the {@code /stream} endpoint's bytes go through: {@link StreamCodec#readLabelHeader}
 * then {@link StreamCodec#decode} (ckit's settings with the label "prod", 64 KiB maximum). A message read
 * takes no more bytes than there are, and round-trips through the message codec's stream form.
 */
class StreamCodecFuzzTest {

  private static final MessageCodec CODEC = new MessageCodec(Fuzzing.MAX);
  private static final StreamCodec STREAMS = StreamCodec.ckit(CODEC, "prod");

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void streamMessagesDecodeOrAreRefusedAndRoundTrip(byte[] input) {
    Integer header = Fuzzing.decodeOrRefuse("StreamCodec.readLabelHeader", input,
        () -> STREAMS.readLabelHeader(input, 0, input.length));
    if (header == null || header < 0) {
      return;
    }
    if (header > input.length) {
      throw new AssertionError("label header of " + header + " bytes in " + input.length);
    }
    StreamCodec.Decoded decoded = Fuzzing.decodeOrRefuse("StreamCodec.decode", input,
        () -> STREAMS.decode(input, header, input.length - header));
    if (decoded == null) {
      return;
    }
    if (decoded.length() <= 0 || decoded.length() > input.length - header) {
      throw new AssertionError("a message of " + decoded.length() + " bytes read from "
          + (input.length - header) + ": " + Fuzzing.hex(input));
    }
    MessageRoundTrip.check(CODEC, decoded.message(), Form.STREAM, input);
  }
}
