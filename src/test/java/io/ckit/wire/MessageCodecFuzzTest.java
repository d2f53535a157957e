package io.ckit.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ckit.wire.MessageCodec.Form;

/**
 * Jazzer against {@link MessageCodec#decode}: every memberlist message type in packet and stream form,
 * compound and compressed messages (nested), with a 64 KiB maximum. The first byte chooses the form.
 */
class MessageCodecFuzzTest {

  private static final MessageCodec CODEC = new MessageCodec(Fuzzing.MAX);

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void messagesDecodeOrAreRefusedAndRoundTrip(byte[] input) {
    if (input.length == 0) {
      return;
    }
    Form form = (input[0] & 1) == 0 ? Form.PACKET : Form.STREAM;
    Message message = Fuzzing.decodeOrRefuse("MessageCodec.decode(" + form + ")", input,
        () -> CODEC.decode(input, 1, input.length - 1, form));
    if (message != null) {
      MessageRoundTrip.check(CODEC, message, form, input);
    }
  }
}
