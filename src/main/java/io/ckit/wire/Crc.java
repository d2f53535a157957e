package io.ckit.wire;

import io.ckit.wire.WireDecodeException.Kind;
import java.util.zip.CRC32;

/**
 * memberlist's checksum envelope for packets: {@code [12][CRC-32/IEEE of the message, u32 BE][message]}.
 * memberlist adds it only for recipients it knows speak protocol 5 or later, which in ckit means gossip
 * and state broadcasts but never probes (ckit's node names are not IP addresses).
 */
public final class Crc {

  /** Bytes the envelope adds in front of the message. */
  public static final int HEADER_BYTES = 5;

  private Crc() {}

  /** The message with a CRC envelope around it. */
  public static byte[] wrap(byte[] message) {
    long crc = checksum(message, 0, message.length);
    byte[] out = new byte[HEADER_BYTES + message.length];
    out[0] = (byte) MessageType.HAS_CRC.code();
    out[1] = (byte) (crc >>> 24);
    out[2] = (byte) (crc >>> 16);
    out[3] = (byte) (crc >>> 8);
    out[4] = (byte) crc;
    System.arraycopy(message, 0, out, HEADER_BYTES, message.length);
    return out;
  }

  /**
   * Whether the bytes are a CRC envelope: at least five bytes, the first 12. Shorter ones starting with 12
   * are not (memberlist then treats 12 as an unknown message type).
   */
  public static boolean isWrapped(byte[] bytes, int offset, int length) {
    return length >= HEADER_BYTES && (bytes[offset] & 0xFF) == MessageType.HAS_CRC.code();
  }

  /**
   * Checks a CRC envelope.
   *
   * @throws WireDecodeException {@link Kind#BAD_CRC} if the message does not match its checksum
   */
  public static void verify(byte[] bytes, int offset, int length) {
    long expected = (bytes[offset + 1] & 0xFFL) << 24 | (bytes[offset + 2] & 0xFFL) << 16
        | (bytes[offset + 3] & 0xFFL) << 8 | bytes[offset + 4] & 0xFFL;
    long actual = checksum(bytes, offset + HEADER_BYTES, length - HEADER_BYTES);
    if (actual != expected) {
      throw new WireDecodeException(Kind.BAD_CRC,
          String.format("packet checksum %08x does not match its contents (%08x)", expected, actual));
    }
  }

  private static long checksum(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return crc.getValue();
  }
}
