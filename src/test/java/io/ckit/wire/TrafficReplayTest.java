package io.ckit.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.testing.ReferenceVectors;
import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.User;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every frame two Go ckit nodes exchanged decodes into the kinds the capture lists, and re-encoding what was
 * decoded with ckit's settings gives the captured bytes again.
 */
class TrafficReplayTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final MessageCodec CODEC = new MessageCodec();

  @ParameterizedTest(name = "{0}")
  @CsvSource({"traffic-join-leave.jsonl, ''", "traffic-label.jsonl, prod", "traffic-label-mismatch.jsonl, prod"})
  void capturedFramesDecodeToTheirKindsAndReencodeExactly(String file, String label) {
    PacketCodec packets = PacketCodec.ckit(CODEC, label);
    StreamCodec streams = StreamCodec.ckit(CODEC, label);
    int[] frames = {0};
    ReferenceVectors.forEachLine("wire/" + file, record -> {
      if (!record.containsKey("hex")) {
        return;
      }
      frames[0]++;
      byte[] bytes = HEX.parseHex(record.getString("hex"));
      assertThat(bytes).hasSize(record.getInteger("len"));
      assertThat(HEX.formatHex(FrameCodec.header(bytes.length))).isEqualTo(record.getString("frame_header"));
      List<String> types = new ArrayList<>();
      List<String> ckit = new ArrayList<>();
      String kind;
      if (record.getString("endpoint").equals("message")) {
        PacketCodec.Packet packet = packets.decode(bytes);
        kind = (packet.label().isEmpty() ? "" : "hasLabel(" + packet.label() + ")>")
            + (packet.crc() ? "hasCrc>" : "") + render(packet.message(), types, ckit);
        Message plain = packet.message() instanceof Compress compress ? compress.inner() : packet.message();
        assertThat(HEX.formatHex(packets.encode(plain, packet.crc()))).isEqualTo(record.getString("hex"));
      } else if ((bytes[0] & 0xFF) == MessageType.HAS_LABEL.code()) {
        assertThat(streams.readLabelHeader(bytes, 0, bytes.length)).isEqualTo(bytes.length);
        kind = "hasLabel(" + label + ")";
      } else {
        StreamCodec.Decoded decoded = streams.decode(bytes, 0, bytes.length);
        assertThat(decoded.length()).isEqualTo(bytes.length);
        kind = render(decoded.message(), types, ckit);
        Message plain = ((Compress) decoded.message()).inner();
        assertThat(HEX.formatHex(streams.encode(plain))).isEqualTo(record.getString("hex"));
      }
      assertThat(kind).isEqualTo(record.getString("kind"));
      if (record.containsKey("types")) {
        assertThat(types).isEqualTo(record.getJsonArray("types").getList());
      }
      if (record.containsKey("ckit")) {
        assertThat(ckit).isEqualTo(record.getJsonArray("ckit").getList());
      }
    });
    assertThat(frames[0]).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"traffic-label.jsonl", "traffic-label-mismatch.jsonl"})
  void aNodeWithAnotherLabelRejectsEveryLabelledFrame(String file) {
    PacketCodec packets = PacketCodec.ckit(CODEC, "dev");
    StreamCodec streams = StreamCodec.ckit(CODEC, "dev");
    ReferenceVectors.forEachLine("wire/" + file, record -> {
      if (!record.containsKey("hex") || !record.getString("kind").startsWith("hasLabel")) {
        return;
      }
      byte[] bytes = HEX.parseHex(record.getString("hex"));
      assertThatThrownBy(() -> {
        if (record.getString("endpoint").equals("message")) {
          packets.decode(bytes);
        } else {
          streams.readLabelHeader(bytes, 0, bytes.length);
        }
      }).isInstanceOf(WireDecodeException.class)
          .hasMessageEndingWith("has label \"prod\" but this node expects \"dev\"");
    });
  }

  /** The capture's notation: {@code a>b} when a wraps b, {@code compound[x,y]}, {@code user(ckit:...)}. */
  private static String render(Message message, List<String> types, List<String> ckit) {
    if (message instanceof Compress compress) {
      return "compress>" + render(compress.inner(), types, ckit);
    }
    if (message instanceof Compound compound) {
      assertThat(compound.truncatedParts()).isZero();
      assertThat(compound.unreadableParts()).isEmpty();
      List<String> parts = new ArrayList<>();
      for (Message part : compound.parts()) {
        parts.add(render(part, types, ckit));
      }
      return "compound[" + String.join(",", parts) + "]";
    }
    types.add(message.type().goName());
    if (message instanceof User user) {
      StateMessage state = CkitCodec.decodeState(user.payload());
      String text = "state " + state.nodeName() + "=" + state.newState() + "@" + state.time();
      ckit.add(text);
      return "user(ckit:" + text + ")";
    }
    return message.type().goName();
  }
}
