package io.ckit.wire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * Writes msgpack the way hashicorp/go-msgpack's default {@code MsgpackHandle} does, on msgpack-core:
 * strings and byte slices as legacy raw strings (fixstr, 0xda, 0xdb; never str8 or bin), unsigned integers
 * in their smallest unsigned form, Go {@code int}s in their smallest signed form above fixint (so 128 is
 * {@code d1 00 80}), nil slices as nil. Struct encoders write map keys in byte order, as Go does.
 */
final class GoMsgpackWriter {

  private static final MessagePack.PackerConfig CONFIG =
      new MessagePack.PackerConfig().withStr8FormatSupport(false).withBufferSize(512);

  private final MessageBufferPacker packer = CONFIG.newBufferPacker();
  private final byte[] scratch = new byte[9];

  /** Appends bytes written by hand (type bytes, headers of the layers around msgpack). */
  GoMsgpackWriter raw(byte[] bytes) {
    return raw(bytes, 0, bytes.length);
  }

  GoMsgpackWriter raw(byte[] bytes, int offset, int length) {
    try {
      packer.writePayload(bytes, offset, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  GoMsgpackWriter rawByte(int value) {
    scratch[0] = (byte) value;
    return raw(scratch, 0, 1);
  }

  GoMsgpackWriter mapHeader(int entries) {
    try {
      packer.packMapHeader(entries);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  GoMsgpackWriter arrayHeader(int elements) {
    try {
      packer.packArrayHeader(elements);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A map key: a struct field's Go name, given as its encoded bytes (see {@link #key(String)}). */
  GoMsgpackWriter key(byte[] encodedKey) {
    return raw(encodedKey);
  }

  /** The encoded form of a field name, to be computed once and written with {@link #key(byte[])}. */
  static byte[] key(String fieldName) {
    GoMsgpackWriter writer = new GoMsgpackWriter();
    writer.string(fieldName);
    return writer.toByteArray();
  }

  GoMsgpackWriter string(String value) {
    return rawString(value.getBytes(StandardCharsets.UTF_8));
  }

  /** A {@code []byte}: nil for null, else a raw string. */
  GoMsgpackWriter bytes(ByteString value) {
    return value == null ? nil() : rawString(value.array());
  }

  private GoMsgpackWriter rawString(byte[] bytes) {
    try {
      packer.packRawStringHeader(bytes.length);
      packer.writePayload(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A Go unsigned integer; {@code value} is read as unsigned 64-bit. */
  GoMsgpackWriter uint(long value) {
    if (value < 0) {
      scratch[0] = (byte) 0xcf;
      for (int i = 0; i < 8; i++) {
        scratch[1 + i] = (byte) (value >>> (56 - 8 * i));
      }
      return raw(scratch, 0, 9);
    }
    try {
      packer.packLong(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** A Go signed {@code int}: fixint when it fits, else the smallest of int8/16/32/64 (never uint formats). */
  GoMsgpackWriter goInt(long value) {
    if (value >= -32 && value <= 127) {
      return rawByte((int) value);
    }
    int size;
    if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
      scratch[0] = (byte) 0xd0;
      size = 1;
    } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
      scratch[0] = (byte) 0xd1;
      size = 2;
    } else if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
      scratch[0] = (byte) 0xd2;
      size = 4;
    } else {
      scratch[0] = (byte) 0xd3;
      size = 8;
    }
    for (int i = 0; i < size; i++) {
      scratch[1 + i] = (byte) (value >>> (8 * (size - 1 - i)));
    }
    return raw(scratch, 0, 1 + size);
  }

  GoMsgpackWriter bool(boolean value) {
    return rawByte(value ? 0xc3 : 0xc2);
  }

  GoMsgpackWriter nil() {
    return rawByte(0xc0);
  }

  int size() {
    return (int) packer.getTotalWrittenBytes();
  }

  byte[] toByteArray() {
    return packer.toByteArray();
  }
}
