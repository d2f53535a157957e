package io.ckit.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable sequence of bytes: what Go calls a {@code []byte} field. In the messages of this package a
 * {@code null} ByteString is Go's nil slice (msgpack nil on the wire) and {@link #EMPTY} is an empty,
 * non-nil one (an empty raw string on the wire).
 */
public final class ByteString {

  /** No bytes. */
  public static final ByteString EMPTY = new ByteString(new byte[0]);

  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;

  private ByteString(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A copy of the given bytes. */
  public static ByteString copyOf(byte[] bytes) {
    return copyOf(bytes, 0, bytes.length);
  }

  /** A copy of {@code length} bytes of {@code bytes} from {@code offset}. */
  public static ByteString copyOf(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return length == 0 ? EMPTY : new ByteString(Arrays.copyOfRange(bytes, offset, offset + length));
  }

  /** The given bytes, which the caller hands over and must not modify. */
  static ByteString wrap(byte[] bytes) {
    return bytes.length == 0 ? EMPTY : new ByteString(bytes);
  }

  /** The UTF-8 bytes of a string. */
  public static ByteString ofUtf8(String text) {
    return wrap(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses hexadecimal text (either case).
   *
   * @throws IllegalArgumentException if the text is not an even number of hex digits
   */
  public static ByteString fromHex(String hex) {
    return wrap(HEX.parseHex(hex));
  }

  public int length() {
    return bytes.length;
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  public byte byteAt(int index) {
    return bytes[index];
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The bytes themselves, for this package's encoders, which only read them. */
  byte[] array() {
    return bytes;
  }

  /** The bytes as lowercase hexadecimal text. */
  public String hex() {
    return HEX.formatHex(bytes);
  }

  /** The bytes decoded as UTF-8 (malformed sequences become U+FFFD). */
  public String utf8() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ByteString that && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The bytes as hex, shortened past 64 bytes. */
  @Override
  public String toString() {
    return bytes.length <= 64
        ? hex()
        : HEX.formatHex(bytes, 0, 64) + "...(" + bytes.length + " bytes)";
  }
}
