package io.ckit.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ckit.wire.MessageCodec.Form;
import java.util.Arrays;

/**
 * Jazzer against {@link PacketCodec#decode}, memberlist's packet layers in its order (label header, CRC,
 * compression) as the {@code /message} endpoint's packets go through them: once as ckit runs it (no label),
 * once with the label "prod". A packet decoded whole round-trips: wrapped again (without compressing it a
 * second time, which the codec does only when that makes it smaller) it decodes to the same label, CRC flag and
 * message encoding.
 */
class PacketCodecFuzzTest {

  private static final MessageCodec CODEC = new MessageCodec(Fuzzing.MAX);
  private static final PacketCodec PLAIN = PacketCodec.ckit(CODEC, "");
  private static final PacketCodec LABELLED = PacketCodec.ckit(CODEC, "prod");
  private static final PacketCodec PLAIN_OUT = new PacketCodec(CODEC, "", null, false);
  private static final PacketCodec LABELLED_OUT = new PacketCodec(CODEC, "prod", null, false);

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void packetsDecodeOrAreRefusedAndRoundTrip(byte[] input) {
    for (int i = 0; i < 2; i++) {
      PacketCodec codec = i == 0 ? PLAIN : LABELLED;
      PacketCodec.Packet packet = Fuzzing.decodeOrRefuse("PacketCodec.decode", input, () -> codec.decode(input));
      if (packet == null || !MessageRoundTrip.whole(packet.message())) {
        continue;
      }
      byte[] encoded = (i == 0 ? PLAIN_OUT : LABELLED_OUT).wrap(CODEC.encode(packet.message(), Form.PACKET), packet.crc());
      PacketCodec.Packet again = codec.decode(encoded);
      // Encodings compared, not values: an empty []byte and nil are one value on the wire, as in Go.
      if (!again.label().equals(packet.label()) || again.crc() != packet.crc()
          || !Arrays.equals(CODEC.encode(again.message(), Form.PACKET), CODEC.encode(packet.message(), Form.PACKET))) {
        throw new AssertionError("decoded " + packet + " from " + Fuzzing.hex(input) + ", but its encoding "
            + Fuzzing.hex(encoded) + " decodes to " + again);
      }
    }
  }
}
