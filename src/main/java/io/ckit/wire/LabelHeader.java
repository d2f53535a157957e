package io.ckit.wire;

import io.ckit.wire.WireDecodeException.Kind;
import java.nio.charset.StandardCharsets;

/**
 * memberlist's label header, which keeps clusters from merging by accident: byte 244, the label's length
 * (1..255) and its UTF-8 bytes, before a packet or at the start of a stream. An empty label means no header.
 * On a stream only the dialling side sends it, as its own first write.
 */
public final class LabelHeader {

  /** The longest label, in UTF-8 bytes. */
  public static final int MAX_LABEL_BYTES = 255;

  private static final int TYPE = MessageType.HAS_LABEL.code();

  private LabelHeader() {}

  /**
   * Checks that a label can be sent: at most {@value #MAX_LABEL_BYTES} UTF-8 bytes.
   *
   * @throws IllegalArgumentException naming the label if it is too long
   */
  public static byte[] labelBytes(String label) {
    byte[] bytes = label.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_LABEL_BYTES) {
      throw new IllegalArgumentException("label \"" + label + "\" is " + bytes.length
          + " bytes long; at most " + MAX_LABEL_BYTES + " are allowed");
    }
    return bytes;
  }

  /** The header alone (what a dialling stream writes first); empty for the empty label. */
  public static byte[] header(String label) {
    byte[] bytes = labelBytes(label);
    if (bytes.length == 0) {
      return bytes;
    }
    byte[] header = new byte[2 + bytes.length];
    header[0] = (byte) TYPE;
    header[1] = (byte) bytes.length;
    System.arraycopy(bytes, 0, header, 2, bytes.length);
    return header;
  }

  /** The packet with the label's header in front (the packet itself for the empty label). */
  public static byte[] prepend(String label, byte[] packet) {
    byte[] header = header(label);
    if (header.length == 0) {
      return packet;
    }
    byte[] labelled = new byte[header.length + packet.length];
    System.arraycopy(header, 0, labelled, 0, header.length);
    System.arraycopy(packet, 0, labelled, header.length, packet.length);
    return labelled;
  }

  /** A label read from the front of some bytes, and how many bytes its header took (0: no header). */
  public record Read(String label, int headerLength) {}

  /**
   * Reads the label header at {@code offset}, if there is one.
   *
   * @return the label ("" and length 0 when the bytes do not start with a label header)
   * @throws WireDecodeException {@link Kind#TRUNCATED} when the header is cut short (on a stream: wait for
   *     more bytes), {@link Kind#LABEL_MISMATCH} for a header announcing an empty label
   */
  public static Read read(byte[] bytes, int offset, int length) {
    if (length == 0 || (bytes[offset] & 0xFF) != TYPE) {
      return new Read("", 0);
    }
    if (length < 2) {
      throw new WireDecodeException(Kind.TRUNCATED, "label header is truncated before its length");
    }
    int size = bytes[offset + 1] & 0xFF;
    if (size == 0) {
      throw new WireDecodeException(Kind.LABEL_MISMATCH, "label header announces an empty label");
    }
    if (length < 2 + size) {
      throw new WireDecodeException(Kind.TRUNCATED,
          "label header announces " + size + " bytes but only " + (length - 2) + " follow");
    }
    return new Read(new String(bytes, offset + 2, size, StandardCharsets.UTF_8), 2 + size);
  }

  /**
   * Fails unless the label read is the one expected (both may be empty).
   *
   * @throws WireDecodeException {@link Kind#LABEL_MISMATCH} naming both labels
   */
  static void expect(String expected, String actual, String where) {
    if (!expected.equals(actual)) {
      throw new WireDecodeException(Kind.LABEL_MISMATCH,
          where + " has label \"" + actual + "\" but this node expects \"" + expected + "\"");
    }
  }
}
