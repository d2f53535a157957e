package io.ckit.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.PeerState;
import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.Message.Suspect;
import io.ckit.wire.MessageCodec.Form;
import io.ckit.wire.WireDecodeException.Kind;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Bad input of every kind gets a typed error with a clear message, and nothing else is thrown. */
class WireErrorsTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final MessageCodec CODEC = new MessageCodec();
  private static final Ping PING = new Ping(10, "node-b", ByteString.fromHex("7f000001"), 7946, "node-a");
  private static final byte[] PING_BYTES = CODEC.encode(PING);

  private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(ThrowingCallable call, Kind kind) {
    return assertThatThrownBy(call)
        .isInstanceOf(WireDecodeException.class)
        .satisfies(e -> assertThat(((WireDecodeException) e).kind()).as("kind of: " + e.getMessage()).isEqualTo(kind));
  }

  private static byte[] bytes(String hex) {
    return HEX.parseHex(hex);
  }

  @Test
  void truncatedMessagesAreReportedAsTruncated() {
    assertFails(() -> CODEC.decode(new byte[0]), Kind.TRUNCATED).hasMessage("message is empty: no type byte");
    for (int length = 1; length < PING_BYTES.length; length++) {
      byte[] cut = Arrays.copyOf(PING_BYTES, length);
      assertFails(() -> CODEC.decode(cut), Kind.TRUNCATED).hasMessageStartingWith("ping is truncated");
    }
  }

  @Test
  void lengthsBeyondTheDataAreRejectedBeforeAllocating() {
    // A ping whose Node claims 4 GiB - 1 bytes (0xdb ffffffff).
    assertFails(() -> CODEC.decode(bytes("0081a44e6f6465dbffffffff6e6f6465")), Kind.TRUNCATED)
        .hasMessageStartingWith("ping is truncated");
    // A ping whose Node claims 65535 bytes with 4 present.
    assertFails(() -> CODEC.decode(bytes("0081a44e6f6465daffff6e6f6465")), Kind.TRUNCATED)
        .hasMessage("ping is truncated: a 65535-byte string but only 4 bytes remain");
    // A map claiming 2^32 - 1 entries.
    assertFails(() -> CODEC.decode(bytes("00dfffffffff")), Kind.TRUNCATED)
        .hasMessage("ping is truncated: 4294967295 map entries but only 0 bytes remain");
    // A push/pull claiming 2^31 - 1 node states in a few bytes.
    byte[] pushPull = concat(bytes("06"), MessageCodec.encodePushPullHeader(false, Integer.MAX_VALUE, 0));
    assertFails(() -> CODEC.decode(pushPull, 0, pushPull.length, Form.STREAM), Kind.TRUNCATED)
        .hasMessageContaining("2147483647 node states");
    // ckit local state claiming 2^32 - 1 node states.
    byte[] localState = bytes("82ab43757272656e7454696d6500aa4e6f646553746174657" + "3ddffffffff");
    assertFails(() -> CkitCodec.decodeLocalState(localState, 0, localState.length), Kind.TRUNCATED)
        .hasMessage("ckit local state is truncated: 4294967295 array elements but only 0 bytes remain");
  }

  @Test
  void messagesAboveTheMaximumAreRejected() {
    MessageCodec small = new MessageCodec(1024);
    byte[] big = CODEC.encode(new Message.User(ByteString.copyOf(new byte[2000])));
    assertFails(() -> small.decode(big), Kind.TOO_LARGE)
        .hasMessage("message of 2001 bytes is above the maximum of 1024");
    // Small on the wire, too large once decompressed.
    byte[] bomb = CODEC.encode(new Compress(new Message.User(ByteString.copyOf(new byte[100_000]))));
    assertThat(bomb.length).isLessThan(1024);
    assertFails(() -> small.decode(bomb), Kind.TOO_LARGE)
        .hasMessage("LZW data decompresses to more than the maximum of 1024 bytes");
    assertThatThrownBy(() -> new MessageCodec(10)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unknownTypesAndEnvelopesInsideMessagesAreRejected() {
    assertFails(() -> CODEC.decode(bytes("63")), Kind.UNKNOWN_TYPE).hasMessage("unknown message type 99");
    assertFails(() -> CODEC.decode(bytes("0c00000000")), Kind.UNKNOWN_TYPE)
        .hasMessage("message type 12 (hasCrc) is an envelope, not a message");
    assertFails(() -> CODEC.decode(bytes("f40170")), Kind.UNKNOWN_TYPE);
    assertFails(() -> StreamCodec.ckit(CODEC, "").decode(CODEC.encode(new Suspect(1, "a", "b")), 0, 16),
        Kind.UNKNOWN_TYPE).hasMessage("message type 3 (suspect) is not sent on streams");
  }

  @Test
  void invalidMsgpackAndWrongFieldTypesAreRejected() {
    assertFails(() -> CODEC.decode(bytes("00c1")), Kind.INVALID_MSGPACK).hasMessage("ping: byte 0xc1 is not msgpack");
    assertFails(() -> CODEC.decode(bytes("0091a1")), Kind.INVALID_MSGPACK)
        .hasMessage("ping: expected a map, found array");
    assertFails(() -> CODEC.decode(bytes("0081a553657" + "14e6fa3616263")), Kind.INVALID_MSGPACK)
        .hasMessage("ping: SeqNo must be an integer, found string");
    assertFails(() -> CODEC.decode(bytes("0081a55365714e6fcf0000000100000000")), Kind.INVALID_FIELD)
        .hasMessage("ping: SeqNo 4294967296 is above its maximum 4294967295");
    assertFails(() -> CODEC.decode(bytes("0081a55365714e6fff")), Kind.INVALID_FIELD)
        .hasMessage("ping: SeqNo -1 is negative");
    assertFails(() -> CODEC.decode(bytes("0181a44e61636ba3796573")), Kind.INVALID_MSGPACK)
        .hasMessage("indirect ping: Nack must be a bool, found string");
    assertFails(() -> CODEC.decode(bytes("0081c0a0")), Kind.INVALID_MSGPACK)
        .hasMessage("ping: expected a field name, found nil");
    PushPull leftWithState7 = new PushPull(false, List.of(), null);
    byte[] pushPull = CODEC.encode(leftWithState7, Form.STREAM);
    assertThat(CODEC.decode(pushPull, 0, pushPull.length, Form.STREAM)).isEqualTo(leftWithState7);
  }

  @Test
  void nilAndUnknownFieldsDecodeAsGoDoes() {
    // {"Node": nil, "SeqNo": 5, "Extra": [1, {"x": 2}]}: nil is the zero value, unknown keys are skipped.
    Ping ping = (Ping) CODEC.decode(bytes("0083a44e6f6465c0a55365714e6f05a5457874726192" + "0181a17802"));
    assertThat(ping).isEqualTo(new Ping(5, "", null, 0, ""));
    // str8 and bin forms are accepted too.
    Ping newer = (Ping) CODEC.decode(bytes("0082d9044e6f6465c4026162a55365714e6f01"));
    assertThat(newer.node()).isEqualTo("ab");
  }

  @Test
  void unknownStatesAreRejected() {
    Message.PushNodeState alive = new Message.PushNodeState("a", null, 1, null, 1, MemberState.ALIVE, null);
    byte[] encoded = CODEC.encode(new PushPull(false, List.of(alive), null), Form.STREAM);
    // The State field's value sits right after its key; set it to 7.
    int stateKey = indexOf(encoded, GoMsgpackWriter.key("State"));
    encoded[stateKey + GoMsgpackWriter.key("State").length] = 7;
    assertFails(() -> CODEC.decode(encoded, 0, encoded.length, Form.STREAM), Kind.INVALID_FIELD)
        .hasMessage("push/pull node state of a: unknown member state 7");
    byte[] state = CkitCodec.encodeState(new StateMessage("node-a", PeerState.VIEWER, 5));
    state[3 + 1 + 9] = 9; // magic, type, map header, key "NewState": then its value
    assertFails(() -> CkitCodec.decodeState(state, 0, state.length), Kind.INVALID_FIELD)
        .hasMessage("state message about \"node-a\" has unknown state 9");
  }

  @Test
  void ckitHeadersAreChecked() {
    byte[] state = CkitCodec.encodeState(new StateMessage("node-a", PeerState.PARTICIPANT, 1));
    assertFails(() -> CkitCodec.decodeState(state, 0, 2), Kind.TRUNCATED)
        .hasMessage("ckit message of 2 bytes is too small for its header");
    byte[] wrongMagic = state.clone();
    wrongMagic[1] = 0x02;
    assertFails(() -> CkitCodec.decodeState(wrongMagic, 0, wrongMagic.length), Kind.BAD_MAGIC)
        .hasMessage("invalid ckit magic header 1202");
    byte[] wrongType = state.clone();
    wrongType[2] = 0;
    assertFails(() -> CkitCodec.decodeState(wrongType, 0, wrongType.length), Kind.UNKNOWN_TYPE)
        .hasMessage("invalid ckit message type 0");
  }

  @Test
  void labelsAreChecked() {
    PacketCodec prod = PacketCodec.ckit(CODEC, "prod");
    PacketCodec none = PacketCodec.ckit(CODEC, "");
    byte[] labelled = prod.encode(PING, false);
    assertFails(() -> none.decode(labelled), Kind.LABEL_MISMATCH)
        .hasMessage("packet has label \"prod\" but this node expects \"\"");
    assertFails(() -> prod.decode(PING_BYTES), Kind.LABEL_MISMATCH)
        .hasMessage("packet has label \"\" but this node expects \"prod\"");
    assertFails(() -> prod.decode(bytes("f400")), Kind.LABEL_MISMATCH)
        .hasMessage("label header announces an empty label");
    assertFails(() -> prod.decode(bytes("f4")), Kind.TRUNCATED);
    assertFails(() -> prod.decode(bytes("f40570726f64")), Kind.TRUNCATED)
        .hasMessage("label header announces 5 bytes but only 4 follow");
    StreamCodec stream = StreamCodec.ckit(CODEC, "prod");
    assertThat(stream.readLabelHeader(bytes("f40470"), 0, 3)).isEqualTo(-1);
    assertFails(() -> stream.readLabelHeader(bytes("f40464657631"), 0, 6), Kind.LABEL_MISMATCH)
        .hasMessage("stream has label \"dev1\" but this node expects \"prod\"");
  }

  @Test
  void checksumsAreVerified() {
    PacketCodec codec = PacketCodec.ckit(CODEC, "");
    byte[] packet = codec.encode(PING, true);
    packet[packet.length - 1] ^= 1;
    assertFails(() -> codec.decode(packet), Kind.BAD_CRC).hasMessageStartingWith("packet checksum ");
    assertFails(() -> codec.decode(bytes("0c00000000")), Kind.TRUNCATED).hasMessage("packet holds no message");
  }

  @Test
  void decryptionFailuresAreReported() {
    Keyring keyring = Keyring.of(new byte[16]);
    Keyring other = Keyring.of(new byte[32]);
    PacketCodec encrypting = new PacketCodec(CODEC, "", keyring, true);
    byte[] packet = encrypting.encode(PING, true);
    assertFails(() -> new PacketCodec(CODEC, "", other, true).decode(packet), Kind.DECRYPTION_FAILED)
        .hasMessage("no installed key could decrypt the message");
    // A rotated keyring still reads what the old primary key sealed.
    assertThat(new PacketCodec(CODEC, "", Keyring.of(new byte[32], new byte[16]), true).decode(packet).message())
        .isEqualTo(PING);
    assertFails(() -> encrypting.decode(bytes("02")), Kind.DECRYPTION_FAILED)
        .hasMessage("unsupported encryption version 2");
    assertFails(() -> encrypting.decode(bytes("0100")), Kind.DECRYPTION_FAILED)
        .hasMessage("payload of 2 bytes is too small to decrypt (at least 29)");
    assertFails(() -> encrypting.decode(new byte[0]), Kind.DECRYPTION_FAILED)
        .hasMessage("cannot decrypt an empty payload");
    StreamCodec streams = new StreamCodec(CODEC, "", keyring, true);
    byte[] plain = StreamCodec.ckit(CODEC, "").encode(PING);
    assertFails(() -> streams.decode(plain, 0, plain.length), Kind.NOT_ENCRYPTED)
        .hasMessage("encryption is configured but remote state is not encrypted");
    byte[] huge = bytes("0a7fffffff01");
    assertFails(() -> streams.decode(huge, 0, huge.length), Kind.TOO_LARGE);
    assertThatThrownBy(() -> Keyring.of(new byte[15])).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an encryption key must be 16, 24 or 32 bytes long, got 15 bytes");
  }

  @Test
  void compoundsThatLieAreRejectedAndTruncatedPartsTolerated() {
    assertFails(() -> CODEC.decode(bytes("07")), Kind.BAD_COMPOUND).hasMessage("compound message has no part count");
    assertFails(() -> CODEC.decode(bytes("0705000a000b")), Kind.BAD_COMPOUND)
        .hasMessage("compound message announces 5 parts but its length table is truncated");
    byte[] whole = CODEC.encode(Compound.of(PING, new Suspect(1, "a", "b"), PING));
    Compound cut = (Compound) CODEC.decode(Arrays.copyOf(whole, whole.length - 3));
    assertThat(cut.parts()).containsExactly(PING, new Suspect(1, "a", "b"));
    assertThat(cut.truncatedParts()).isEqualTo(1);
    // A broken part is reported; the others are still read.
    byte[] broken = whole.clone();
    broken[2 + 2 * 3 + PING_BYTES.length] = 99; // type, count, lengths, first part: the second's type
    Compound partly = (Compound) CODEC.decode(broken);
    assertThat(partly.parts()).containsExactly(PING, PING);
    assertThat(partly.unreadableParts()).singleElement()
        .satisfies(e -> assertThat(e).hasMessage("compound part 1: unknown message type 99"));
    List<Message> tooMany = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      tooMany.add(PING);
    }
    assertThatThrownBy(() -> CODEC.encode(Compound.of(tooMany))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a compound message holds at most 255 parts, got 256");
  }

  @Test
  void compressionFailuresAreReported() {
    assertFails(() -> CODEC.decode(bytes("0982a4416c676f01a3427566a3000302")), Kind.BAD_COMPRESSION)
        .hasMessage("unknown compression algorithm 1");
    assertFails(() -> CODEC.decode(bytes("0981a3427566a3000102")), Kind.BAD_COMPRESSION);
    Message nested = PING;
    for (int i = 0; i < MessageCodec.MAX_NESTING + 1; i++) {
      nested = new Compress(nested);
    }
    byte[] deep = CODEC.encode(nested);
    assertFails(() -> CODEC.decode(deep), Kind.TOO_LARGE)
        .hasMessage("compound and compressed messages nest deeper than 4 levels");
  }

  @Test
  void streamsWaitForWholeMessagesAndRejectOversizedOnes() {
    StreamCodec stream = StreamCodec.ckit(CODEC, "");
    byte[] message = stream.encode(new PushPull(true, List.of(), ByteString.ofUtf8("state")));
    for (int length = 0; length < message.length; length++) {
      assertThat(stream.decode(message, 0, length)).as("first %d bytes", length).isNull();
    }
    byte[] twice = concat(message, message);
    assertThat(stream.decode(twice, 0, twice.length).length()).isEqualTo(message.length);
    StreamCodec small = StreamCodec.ckit(new MessageCodec(1024), "");
    byte[] big = StreamCodec.ckit(CODEC, "").encode(new PushPull(true, List.of(), randomBytes(3000)));
    assertFails(() -> small.decode(big, 0, big.length), Kind.TOO_LARGE);
    assertFails(() -> small.decode(big, 0, 1500), Kind.TOO_LARGE)
        .hasMessage("stream message is larger than the maximum of 1024 bytes");
    assertThat(small.decode(big, 0, 1000)).as("still below the maximum: wait for more").isNull();
  }

  private static ByteString randomBytes(int length) {
    byte[] bytes = new byte[length];
    new java.util.Random(length).nextBytes(bytes);
    return ByteString.copyOf(bytes);
  }

  @Test
  void framesAreCheckedBeforeBuffering() {
    List<Buffer> frames = new ArrayList<>();
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(1024, frames::add);
    assertFails(() -> decoder.handle(Buffer.buffer(bytes("ab0001"))), Kind.BAD_MAGIC)
        .hasMessage("unrecognized frame magic byte ab");
    assertThatThrownBy(() -> decoder.handle(Buffer.buffer(bytes("cc0000")))).isInstanceOf(IllegalStateException.class);

    FrameCodec.Decoder limited = new FrameCodec.Decoder(1024, frames::add);
    assertFails(() -> limited.handle(Buffer.buffer(bytes("cdffffffff"))), Kind.TOO_LARGE)
        .hasMessage("frame of 4294967295 bytes is above the maximum of 1024");

    FrameCodec.Decoder cut = new FrameCodec.Decoder(1024, frames::add);
    cut.handle(Buffer.buffer(bytes("cc000a0102")));
    assertThat(cut.atFrameBoundary()).isFalse();
    assertFails(cut::end, Kind.TRUNCATED).hasMessage("stream ended 8 bytes before the end of a frame");
    FrameCodec.Decoder header = new FrameCodec.Decoder(1024, frames::add);
    header.handle(Buffer.buffer(bytes("cd00")));
    assertFails(header::end, Kind.TRUNCATED).hasMessage("stream ended inside a frame header");
    assertThat(frames).isEmpty();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }
}
