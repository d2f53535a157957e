package io.ckit.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.wire.Message.Ping;
import io.ckit.wire.WireDecodeException.Kind;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** memberlist's verify-incoming and verify-outgoing settings, and rotating a keyring. */
class EncryptionModesTest {

  private static final MessageCodec CODEC = new MessageCodec();
  private static final Ping PING = new Ping(10, "node-b", ByteString.fromHex("7f000001"), 7946, "node-a");
  private static final byte[] OLD = key(1, 16);
  private static final byte[] NEW = key(2, 32);

  private static byte[] key(int seed, int length) {
    byte[] key = new byte[length];
    for (int i = 0; i < length; i++) {
      key[i] = (byte) (seed * 31 + i);
    }
    return key;
  }

  @Test
  void aVerifyingNodeRefusesPlainPacketsAndTellsThemFromWrongKeys() {
    PacketCodec verifying = new PacketCodec(CODEC, "prod", Keyring.of(OLD), true, true, true);
    byte[] plain = PacketCodec.ckit(CODEC, "prod").encode(PING, true);
    assertThatThrownBy(() -> verifying.decode(plain)).isInstanceOfSatisfying(WireDecodeException.class,
        e -> assertThat(e.kind()).isEqualTo(Kind.NOT_ENCRYPTED))
        .hasMessage("packet is not encrypted and encryption is required");
    byte[] otherKey = new PacketCodec(CODEC, "prod", Keyring.of(NEW), true).encode(PING, true);
    assertThatThrownBy(() -> verifying.decode(otherKey)).isInstanceOfSatisfying(WireDecodeException.class,
        e -> assertThat(e.kind()).isEqualTo(Kind.DECRYPTION_FAILED));
    // Plain packets that start with the bytes an envelope starts with (0 is ping, 1 indirect ping).
    byte[] plainNoCrc = PacketCodec.ckit(CODEC, "prod").encode(PING, false);
    assertThat(plainNoCrc[6]).isEqualTo((byte) 0);
    assertThatThrownBy(() -> verifying.decode(plainNoCrc)).isInstanceOfSatisfying(WireDecodeException.class,
        e -> assertThat(e.kind()).isEqualTo(Kind.NOT_ENCRYPTED));
  }

  @Test
  void withoutVerifyingIncomingPlainAndEncryptedPacketsAreBothRead() {
    PacketCodec lenient = new PacketCodec(CODEC, "", Keyring.of(OLD), false, true, true);
    assertThat(lenient.decode(PacketCodec.ckit(CODEC, "").encode(PING, true)).message()).isEqualTo(PING);
    assertThat(lenient.decode(lenient.encode(PING, true)).message()).isEqualTo(PING);
    StreamCodec lenientStreams = new StreamCodec(CODEC, "", Keyring.of(OLD), false, true, false);
    byte[] plain = StreamCodec.ckit(CODEC, "").encode(PING);
    assertThat(lenientStreams.decode(plain, 0, plain.length).message()).isEqualTo(new Message.Compress(PING));
  }

  @Test
  void withoutVerifyingOutgoingWhatIsSentIsPlainButEncryptionIsStillRead() {
    PacketCodec upgrading = new PacketCodec(CODEC, "", Keyring.of(OLD), false, false, true);
    assertThat(upgrading.encrypts()).isFalse();
    byte[] sent = upgrading.encode(PING, true);
    assertThat(PacketCodec.ckit(CODEC, "").decode(sent).message()).isEqualTo(PING);
    byte[] encrypted = new PacketCodec(CODEC, "", Keyring.of(OLD), true).encode(PING, true);
    assertThat(upgrading.decode(encrypted).message()).isEqualTo(PING);

    StreamCodec upgradingStreams = new StreamCodec(CODEC, "", Keyring.of(OLD), false, false, false);
    byte[] message = upgradingStreams.encode(PING);
    assertThat(message[0]).isEqualTo((byte) MessageType.PING.code());
    StreamCodec verifyingStreams = new StreamCodec(CODEC, "", Keyring.of(OLD), false);
    assertThatThrownBy(() -> verifyingStreams.decode(message, 0, message.length))
        .isInstanceOfSatisfying(WireDecodeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_ENCRYPTED))
        .hasMessage("encryption is configured but remote state is not encrypted");
  }

  @Test
  void aKeyringRotatesAsMemberlistsDoes() {
    Keyring keyring = Keyring.of(OLD);
    Keyring both = keyring.withKey(NEW);
    assertThat(both.size()).isEqualTo(2);
    assertThat(both.withKey(NEW)).isSameAs(both);
    assertThat(both.fingerprints()).containsExactly(Keyring.fingerprint(OLD), Keyring.fingerprint(NEW));
    Keyring rotated = both.withPrimary(NEW);
    assertThat(rotated.fingerprints()).containsExactly(Keyring.fingerprint(NEW), Keyring.fingerprint(OLD));
    // What the old primary sealed is still read after the switch, and no longer once the old key is gone.
    byte[] sealedWithOld = new PacketCodec(CODEC, "", keyring, true).encode(PING, true);
    assertThat(new PacketCodec(CODEC, "", rotated, true).decode(sealedWithOld).message()).isEqualTo(PING);
    assertThatThrownBy(() -> rotated.without(NEW)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the primary key cannot be removed; make another key primary first");
    Keyring done = rotated.without(OLD);
    assertThat(done.fingerprints()).containsExactly(Keyring.fingerprint(NEW));
    assertThatThrownBy(() -> new PacketCodec(CODEC, "", done, true).decode(sealedWithOld))
        .isInstanceOf(WireDecodeException.class);
    assertThatThrownBy(() -> done.withPrimary(OLD)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the key is not installed");
    assertThat(done.without(OLD)).isSameAs(done);
    assertThat(Keyring.of(List.of(NEW, OLD)).fingerprints()).isEqualTo(rotated.fingerprints());
    // A fingerprint is 8 bytes of a hash, never the key, and the keyring prints neither.
    assertThat(Keyring.fingerprint(OLD)).hasSize(16).doesNotContain(HexFormat.of().formatHex(OLD, 0, 4));
    assertThat(rotated.toString()).isEqualTo("Keyring[2 keys]");
  }
}
