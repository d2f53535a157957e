package io.ckit.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.testing.ReferenceVectors;
import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.Message.User;
import io.ckit.wire.MessageCodec.Form;
import io.ckit.wire.WireDecodeException.Kind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every vector that Go's encoders produced (the test resources under {@code src/test/resources/vectors/wire},
 * captured from a real Go ckit node, commit bbed30d), decoded and re-encoded here.
 */
class WireVectorsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final MessageCodec CODEC = new MessageCodec();

  private static List<JsonObject> vectors(String file, String prefix) {
    List<JsonObject> selected = new ArrayList<>();
    ReferenceVectors.forEachLine("wire/" + file, vector -> {
      if (vector.getString("name").startsWith(prefix)) {
        selected.add(vector);
      }
    });
    assertThat(selected).as("vectors named %s* in %s", prefix, file).isNotEmpty();
    return selected;
  }

  private static byte[] hex(JsonObject vector) {
    return HEX.parseHex(vector.getString("hex"));
  }

  private static byte[] hex(JsonObject object, String field) {
    return HEX.parseHex(object.getString(field));
  }

  /** Checks that the vector decodes to the message its fields describe, and that it encodes to its hex. */
  private static void roundTrip(String family, Function<JsonObject, Message> expected) {
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", family + "/")) {
      String name = vector.getString("name");
      Message message = expected.apply(vector.getJsonObject("fields"));
      assertThat(CODEC.decode(hex(vector))).as(name).isEqualTo(message);
      assertThat(HEX.formatHex(CODEC.encode(message))).as(name).isEqualTo(vector.getString("hex"));
    }
  }

  @Test
  void pingsRoundTrip() {
    roundTrip("ping", VectorFields::ping);
  }

  @Test
  void indirectPingsRoundTrip() {
    roundTrip("indirectPing", VectorFields::indirectPing);
  }

  @Test
  void acksNacksAndErrorsRoundTrip() {
    roundTrip("ackResp", VectorFields::ack);
    roundTrip("nackResp", VectorFields::nack);
    roundTrip("errResp", VectorFields::err);
  }

  @Test
  void suspectAliveAndDeadRoundTrip() {
    roundTrip("suspect", VectorFields::suspect);
    roundTrip("alive", VectorFields::alive);
    roundTrip("dead", VectorFields::dead);
    Message leave = CODEC.decode(hex(vectors("memberlist-messages.jsonl.gz", "dead/leave").get(0)));
    assertThat(((Message.Dead) leave).isLeave()).isTrue();
  }

  @Test
  void goIntFieldsUseSignedFormsInFragments() {
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "fragment/pushPullHeader-")) {
      JsonObject f = vector.getJsonObject("fields");
      byte[] body = MessageCodec.encodePushPullHeader(f.getBoolean("Join"), f.getLong("Nodes"),
          f.getLong("UserStateLen"));
      assertThat("06" + HEX.formatHex(body)).as(vector.getString("name")).isEqualTo(vector.getString("hex"));
    }
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "fragment/userMsgHeader-")) {
      byte[] body = MessageCodec.encodeUserMessageHeader(vector.getJsonObject("fields").getLong("UserMsgLen"));
      assertThat("08" + HEX.formatHex(body)).as(vector.getString("name")).isEqualTo(vector.getString("hex"));
    }
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "fragment/pushNodeState-")) {
      Message.PushNodeState state = VectorFields.pushNodeState(vector.getJsonObject("fields"));
      assertThat(HEX.formatHex(MessageCodec.encodePushNodeState(state))).as(vector.getString("name"))
          .isEqualTo(vector.getString("hex"));
      // A push/pull holding just this state decodes back to it.
      byte[] pushPull = CODEC.encode(new PushPull(false, List.of(state), null), Form.STREAM);
      assertThat(((PushPull) CODEC.decode(pushPull, 0, pushPull.length, Form.STREAM)).states())
          .containsExactly(state);
    }
    // A header alone announcing states that are not there is a truncated push/pull.
    byte[] header = hex(vectors("memberlist-messages.jsonl.gz", "fragment/pushPullHeader-128").get(0));
    assertThatThrownBy(() -> CODEC.decode(header, 0, header.length, Form.STREAM))
        .isInstanceOf(WireDecodeException.class)
        .satisfies(e -> assertThat(((WireDecodeException) e).kind()).isEqualTo(Kind.TRUNCATED));
  }

  @Test
  void pushPullsRoundTripPlainAndCompressed() {
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "pushPull/")) {
      PushPull expected = VectorFields.pushPull(vector.getJsonObject("fields"));
      byte[] bytes = hex(vector);
      assertThat(CODEC.decode(bytes, 0, bytes.length, Form.STREAM)).as(vector.getString("name")).isEqualTo(expected);
      assertThat(HEX.formatHex(CODEC.encode(expected, Form.STREAM))).isEqualTo(vector.getString("hex"));
    }
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "pushPull-compressed/")) {
      Compress expected = new Compress(VectorFields.pushPull(vector.getJsonObject("fields")));
      byte[] bytes = hex(vector);
      assertThat(CODEC.decode(bytes, 0, bytes.length, Form.STREAM)).as(vector.getString("name")).isEqualTo(expected);
      assertThat(HEX.formatHex(CODEC.encode(expected, Form.STREAM))).isEqualTo(vector.getString("hex"));
      // ckit's user state inside decodes as ckit's local state.
      PushPull pushPull = (PushPull) expected.inner();
      if (pushPull.userState() != null && pushPull.userState().byteAt(0) == (byte) 0x82) {
        assertThat(CkitCodec.decodeLocalState(pushPull.userState()).nodeStates()).isNotNull();
      }
    }
  }

  @Test
  void compoundsRoundTrip() {
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "compound/")) {
      JsonObject f = vector.getJsonObject("fields");
      List<Message> parts = new ArrayList<>();
      for (Object part : f.getJsonArray("parts_hex")) {
        parts.add(CODEC.decode(HEX.parseHex((String) part)));
      }
      Compound expected = Compound.of(parts);
      assertThat(CODEC.decode(hex(vector))).as(vector.getString("name")).isEqualTo(expected);
      assertThat(HEX.formatHex(CODEC.encode(expected))).isEqualTo(vector.getString("hex"));
      assertThat(expected.parts()).hasSize(f.getInteger("count"));
    }
  }

  @Test
  void userMessagesRoundTripInPacketAndStreamForm() {
    JsonObject packet = vectors("memberlist-messages.jsonl.gz", "user/packet-ckit-state").get(0);
    User user = new User(ByteString.fromHex(packet.getJsonObject("fields").getString("payload_hex")));
    assertThat(CODEC.decode(hex(packet))).isEqualTo(user);
    assertThat(HEX.formatHex(CODEC.encode(user))).isEqualTo(packet.getString("hex"));

    JsonObject stream = vectors("memberlist-messages.jsonl.gz", "user/stream-ckit-state").get(0);
    byte[] streamBytes = hex(stream);
    assertThat(CODEC.decode(streamBytes, 0, streamBytes.length, Form.STREAM)).isEqualTo(user);
    assertThat(HEX.formatHex(CODEC.encode(user, Form.STREAM))).isEqualTo(stream.getString("hex"));

    JsonObject compressed = vectors("memberlist-messages.jsonl.gz", "user-compressed/").get(0);
    byte[] compressedBytes = hex(compressed);
    assertThat(CODEC.decode(compressedBytes, 0, compressedBytes.length, Form.STREAM)).isEqualTo(new Compress(user));
    assertThat(HEX.formatHex(CODEC.encode(new Compress(user), Form.STREAM))).isEqualTo(compressed.getString("hex"));
  }

  @Test
  void lzwMatchesGosCompressLzwByteForByte() {
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "compress/")) {
      JsonObject f = vector.getJsonObject("fields");
      byte[] original = hex(f, "original_hex");
      byte[] buf = hex(f, "Buf");
      String name = vector.getString("name");
      assertThat(HEX.formatHex(Lzw.compress(original, 0, original.length))).as(name).isEqualTo(f.getString("Buf"));
      assertThat(Lzw.decompress(buf, 0, buf.length, 1 << 20)).as(name).isEqualTo(original);
      assertThat(HEX.formatHex(CODEC.compressEncoded(original))).as(name).isEqualTo(vector.getString("hex"));
      assertThat(CODEC.compressEncoded(original).length < original.length).as(name)
          .isEqualTo(vector.getBoolean("smaller_than_original"));
      if (original.length > 0 && MessageType.ofCode(original[0] & 0xFF) != null) {
        assertThat(CODEC.decode(hex(vector))).as(name).isEqualTo(new Compress(CODEC.decode(original)));
      } else {
        assertThatThrownBy(() -> CODEC.decode(hex(vector))).as(name).isInstanceOf(WireDecodeException.class);
      }
    }
  }

  @Test
  void crcEnvelopesAndPipelinesMatchGosSendPath() {
    for (String family : List.of("crc/", "pipeline/", "label/packet")) {
      for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", family)) {
        JsonObject f = vector.getJsonObject("fields");
        String name = vector.getString("name");
        Message inner = CODEC.decode(hex(f, "inner_hex"));
        String label = f.getString("label", "");
        boolean crc = f.getValue("recipient_pmax") instanceof Number pmax && pmax.intValue() >= 5;
        PacketCodec codec = new PacketCodec(CODEC, label, null, f.getBoolean("compression", false));
        assertThat(HEX.formatHex(codec.encode(inner, crc))).as(name).isEqualTo(vector.getString("hex"));
        PacketCodec.Packet packet = codec.decode(hex(vector));
        assertThat(packet.crc()).as(name).isEqualTo(crc);
        assertThat(packet.label()).as(name).isEqualTo(label);
        Message decoded = packet.message() instanceof Compress compress ? compress.inner() : packet.message();
        assertThat(decoded).as(name).isEqualTo(inner);
      }
    }
  }

  @Test
  void labelHeadersMatchGo() {
    JsonObject header = vectors("memberlist-messages.jsonl.gz", "label/stream-header-prod").get(0);
    assertThat(HEX.formatHex(LabelHeader.header("prod"))).isEqualTo(header.getString("hex"));
    JsonObject writes = vectors("memberlist-messages.jsonl.gz", "label/stream-pushpull-join-prod-writes").get(0);
    List<String> sequence = writes.getJsonObject("fields").getJsonArray("writes_hex").getList();
    StreamCodec stream = StreamCodec.ckit(CODEC, "prod");
    assertThat(HEX.formatHex(stream.labelHeader())).isEqualTo(sequence.get(0));
    byte[] first = HEX.parseHex(sequence.get(0));
    assertThat(stream.readLabelHeader(first, 0, first.length)).isEqualTo(first.length);
    byte[] message = HEX.parseHex(sequence.get(1));
    StreamCodec.Decoded decoded = stream.decode(message, 0, message.length);
    assertThat(decoded.length()).isEqualTo(message.length);
    PushPull pushPull = (PushPull) ((Compress) decoded.message()).inner();
    assertThat(pushPull.join()).isTrue();
    assertThat(HEX.formatHex(stream.encode(pushPull))).isEqualTo(sequence.get(1));
    // A 255-byte label is the longest.
    assertThatThrownBy(() -> LabelHeader.header("x".repeat(256))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void goCiphertextsDecryptAndOursRoundTrip() {
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "encrypt/packet-")) {
      JsonObject f = vector.getJsonObject("fields");
      Keyring keyring = Keyring.of(hex(f, "key_hex"));
      byte[] body = hex(vector);
      byte[] plaintext = hex(f, "plaintext_hex");
      String label = f.getString("label");
      assertThat(Encryption.decryptPacket(keyring, body, 0, body.length, label)).as(vector.getString("name"))
          .isEqualTo(plaintext);
      assertThat(body[0]).isEqualTo((byte) (int) f.getInteger("encryption_version"));
      byte[] ours = Encryption.encryptPacket(keyring, plaintext, label);
      assertThat(Encryption.decryptPacket(keyring, ours, 0, ours.length, label)).isEqualTo(plaintext);
      byte[] oursV0 = Encryption.seal(0, hex(f, "key_hex"), plaintext, LabelHeader.labelBytes(label));
      assertThat(Encryption.decryptPacket(keyring, oursV0, 0, oursV0.length, label)).isEqualTo(plaintext);
      assertThatThrownBy(() -> Encryption.decryptPacket(keyring, body, 0, body.length, label + "x"))
          .isInstanceOf(WireDecodeException.class)
          .hasMessage("no installed key could decrypt the message");
    }
    for (JsonObject vector : vectors("memberlist-messages.jsonl.gz", "encrypt/stream-v1-")) {
      JsonObject f = vector.getJsonObject("fields");
      Keyring keyring = Keyring.of(hex(f, "key_hex"));
      byte[] bytes = hex(vector);
      StreamCodec stream = new StreamCodec(CODEC, f.getString("label"), keyring, false);
      StreamCodec.Decoded decoded = stream.decode(bytes, 0, bytes.length);
      assertThat(decoded.length()).isEqualTo(bytes.length);
      assertThat(CODEC.encode(decoded.message(), Form.STREAM)).isEqualTo(hex(f, "plaintext_hex"));
      byte[] ours = stream.encode(decoded.message());
      assertThat(stream.decode(ours, 0, ours.length).message()).isEqualTo(decoded.message());
    }
  }

  @Test
  void encryptedPipelinesDecodeWithTheKeyAndLabel() {
    JsonObject packetVector = vectors("memberlist-messages.jsonl.gz", "encrypt/pipeline-packet").get(0);
    JsonObject f = packetVector.getJsonObject("fields");
    Keyring keyring = Keyring.of(hex(f, "key_hex"));
    PacketCodec packets = new PacketCodec(CODEC, "prod", keyring, true);
    PacketCodec.Packet packet = packets.decode(hex(packetVector));
    assertThat(packet.crc()).isTrue();
    Message inner = CODEC.decode(hex(f, "inner_hex"));
    assertThat(packet.message()).isEqualTo(new Compress(inner));
    byte[] ours = packets.encode(inner, true);
    assertThat(packets.decode(ours).message()).isEqualTo(new Compress(inner));
    assertThatThrownBy(() -> new PacketCodec(CODEC, "prod", null, true).decode(hex(packetVector)))
        .isInstanceOf(WireDecodeException.class);

    JsonObject streamVector = vectors("memberlist-messages.jsonl.gz", "encrypt/stream-pipeline").get(0);
    List<String> writes = streamVector.getJsonObject("fields").getJsonArray("writes_hex").getList();
    StreamCodec streams = new StreamCodec(CODEC, "prod", keyring, true);
    byte[] first = HEX.parseHex(writes.get(0));
    assertThat(streams.readLabelHeader(first, 0, first.length)).isEqualTo(6);
    byte[] second = HEX.parseHex(writes.get(1));
    StreamCodec.Decoded decoded = streams.decode(second, 0, second.length);
    assertThat(CODEC.encode(decoded.message(), Form.STREAM))
        .isEqualTo(hex(streamVector.getJsonObject("fields"), "plaintext_hex"));
    assertThatThrownBy(() -> StreamCodec.ckit(CODEC, "prod").decode(second, 0, second.length))
        .isInstanceOf(WireDecodeException.class)
        .hasMessage("remote state is encrypted and encryption is not configured");
  }

  @Test
  void ckitStateMessagesRoundTrip() {
    int checked = 0;
    for (JsonObject vector : vectors("ckit-messages.jsonl.gz", "state/")) {
      JsonObject f = vector.getJsonObject("fields");
      byte[] bytes = hex(vector);
      if (VectorFields.uint(f, "NewState") > 2) {
        assertThatThrownBy(() -> CkitCodec.decodeState(bytes, 0, bytes.length))
            .isInstanceOf(WireDecodeException.class)
            .hasMessage("state message about \"node-a\" has unknown state 3");
        continue;
      }
      StateMessage state = VectorFields.state(f);
      assertThat(CkitCodec.decodeState(bytes, 0, bytes.length)).as(vector.getString("name")).isEqualTo(state);
      assertThat(HEX.formatHex(CkitCodec.encodeState(state))).as(vector.getString("name"))
          .isEqualTo(vector.getString("hex"));
      checked++;
    }
    assertThat(checked).isEqualTo(58);
  }

  @Test
  void ckitLocalStatesRoundTrip() {
    for (JsonObject vector : vectors("ckit-messages.jsonl.gz", "localState/")) {
      LocalState state = VectorFields.localState(vector.getJsonObject("fields"));
      byte[] bytes = hex(vector);
      assertThat(CkitCodec.decodeLocalState(bytes, 0, bytes.length)).as(vector.getString("name")).isEqualTo(state);
      assertThat(HEX.formatHex(CkitCodec.encodeLocalState(state))).as(vector.getString("name"))
          .isEqualTo(vector.getString("hex"));
    }
  }

  @Test
  void framesMatchGossiphttp() throws Exception {
    for (JsonObject vector : vectors("frames.jsonl", "frame/payload-len-")) {
      int length = vector.getJsonObject("fields").getInteger("payload_len");
      byte[] payload = new byte[length];
      for (int i = 0; i < length; i++) {
        payload[i] = (byte) i;
      }
      Buffer frame = FrameCodec.encode(payload);
      assertThat(HEX.formatHex(FrameCodec.header(length))).isEqualTo(vector.getString("header_hex"));
      assertThat(frame.length()).isEqualTo(vector.getInteger("frame_len"));
      assertThat(HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(frame.getBytes())))
          .isEqualTo(vector.getString("frame_sha256"));
      if (vector.getString("hex") != null) {
        assertThat(HEX.formatHex(frame.getBytes())).isEqualTo(vector.getString("hex"));
      }
      List<Buffer> frames = new ArrayList<>();
      FrameCodec.Decoder decoder = new FrameCodec.Decoder(1 << 20, frames::add);
      // One byte at a time, the hardest split.
      for (int i = 0; i < frame.length(); i++) {
        decoder.handle(frame.getBuffer(i, i + 1));
      }
      decoder.end();
      assertThat(frames).hasSize(1);
      assertThat(frames.get(0).getBytes()).isEqualTo(payload);
    }
    JsonObject two = vectors("frames.jsonl", "frame/two-messages-one-body").get(0);
    List<Buffer> frames = new ArrayList<>();
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(1 << 20, frames::add);
    decoder.handle(Buffer.buffer(hex(two)));
    decoder.end();
    List<String> payloads = two.getJsonObject("fields").getJsonArray("payloads_hex").getList();
    assertThat(frames).extracting(b -> HEX.formatHex(b.getBytes())).containsExactlyElementsOf(payloads);
    assertThat(frames).extracting(b -> CODEC.decode(b.getBytes()).type())
        .containsExactly(MessageType.PING, MessageType.NACK_RESP);

    JsonObject user = vectors("frames.jsonl", "frame/user-state-packet").get(0);
    byte[] userPayload = hex(user.getJsonObject("fields"), "payload_hex");
    assertThat(HEX.formatHex(FrameCodec.encode(userPayload).getBytes())).isEqualTo(user.getString("hex"));
    User message = (User) CODEC.decode(userPayload);
    assertThat(CkitCodec.decodeState(message.payload()).nodeName()).isEqualTo("node-a");
  }

  @Test
  void everyVectorIsCheckedByOneOfTheseTests() {
    List<String> families = List.of("ping/", "indirectPing/", "ackResp/", "nackResp/", "errResp/", "suspect/",
        "alive/", "dead/", "fragment/", "pushPull/", "pushPull-compressed/", "compound/", "user/",
        "user-compressed/", "compress/", "crc/", "pipeline/", "label/", "encrypt/");
    ReferenceVectors.forEachLine("wire/memberlist-messages.jsonl.gz", vector -> assertThat(families)
        .anyMatch(family -> vector.getString("name").startsWith(family)));
    ReferenceVectors.forEachLine("wire/ckit-messages.jsonl.gz", vector -> assertThat(vector.getString("name"))
        .matches("(state|localState)/.*"));
    ReferenceVectors.forEachLine("wire/frames.jsonl", vector -> assertThat(vector.getString("name"))
        .startsWith("frame/"));
  }
}
