package io.ckit.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Jazzer against memberlist's AES-GCM envelopes ({@link Encryption}): packet bodies and stream messages
 * (prefix checked as {@link StreamCodec} checks it) under a keyring of two keys. Forged bytes are refused
 * with {@link WireDecodeException}; and the input, sealed with either key, opens to itself (the first byte
 * chooses the label).
 */
class EncryptionFuzzTest {

  private static final byte[] OLD_KEY = new byte[16];
  private static final byte[] PRIMARY = "0123456789abcdef0123456789abcdef".getBytes();
  private static final Keyring KEYS = Keyring.of(PRIMARY, OLD_KEY);
  private static final Keyring OLD = Keyring.of(OLD_KEY);

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void forgedEnvelopesAreRefusedAndRealOnesOpen(byte[] input) {
    String label = input.length > 0 && (input[0] & 1) == 1 ? "prod" : "";
    Fuzzing.decodeOrRefuse("Encryption.decryptPacket", input,
        () -> Encryption.decryptPacket(KEYS, input, 0, input.length, label));
    if (input.length >= 5) {
      long sealed = (input[1] & 0xFFL) << 24 | (input[2] & 0xFFL) << 16 | (input[3] & 0xFFL) << 8 | input[4] & 0xFFL;
      if (sealed <= input.length - 5) {
        Fuzzing.decodeOrRefuse("Encryption.decryptStream", input,
            () -> Encryption.decryptStream(KEYS, input, 0, (int) sealed, label));
      }
    }

    for (Keyring sender : new Keyring[] {KEYS, OLD}) {
      byte[] packet = Encryption.encryptPacket(sender, input, label);
      check(input, Encryption.decryptPacket(KEYS, packet, 0, packet.length, label));
      byte[] stream = Encryption.encryptStream(sender, input, label);
      check(input, Encryption.decryptStream(KEYS, stream, 0, stream.length - 5, label));
    }
  }

  private static void check(byte[] input, byte[] opened) {
    if (!Arrays.equals(input, opened)) {
      throw new AssertionError("sealed " + Fuzzing.hex(input) + ", opened " + Fuzzing.hex(opened));
    }
  }
}
