package io.ckit.wire;

import io.ckit.wire.WireDecodeException.Kind;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Reads msgpack as go-msgpack writes it (and the newer str8/bin forms too), on msgpack-core, from a byte
 * array slice. Lengths and counts are checked against the bytes that remain before anything is allocated
 * from them, and every failure is a {@link WireDecodeException}.
 *
 * <p>Like Go's decoder, it gives nil the zero value of any field and lets struct decoders skip unknown keys.
 */
final class GoMsgpackReader {

  private static final MessagePack.UnpackerConfig CONFIG = new MessagePack.UnpackerConfig();
  private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final byte[] data;
  private final int start;
  private final int end;
  private final MessageUnpacker unpacker;
  private final String what;

  /**
   * @param what what is being read, for error messages ("ping", "push/pull state")
   */
  GoMsgpackReader(byte[] data, int offset, int length, String what) {
    this.data = data;
    this.start = offset;
    this.end = offset + length;
    this.unpacker = CONFIG.newUnpacker(data, offset, length);
    this.what = what;
  }

  /** The absolute index in the array of the next byte to read. */
  int position() {
    return start + (int) unpacker.getTotalReadBytes();
  }

  int remaining() {
    return end - position();
  }

  /** Whether the next value is nil (without consuming it). */
  boolean nextIsNil() {
    return format() == MessageFormat.NIL;
  }

  /** Consumes a nil. */
  void nil() {
    try {
      unpacker.unpackNil();
    } catch (IOException | MessagePackException e) {
      throw failure(e);
    }
  }

  /** A map header; the entry count is checked against the bytes that remain (two or more per entry). */
  int mapHeader() {
    MessageFormat format = format();
    if (format.getValueType() != ValueType.MAP) {
      throw invalid("expected a map, found " + describe(format));
    }
    checkDeclared(format, 2, "map entries");
    try {
      return unpacker.unpackMapHeader();
    } catch (IOException | MessagePackException e) {
      throw failure(e);
    }
  }

  /** An array header, or -1 for nil; the count is checked against the bytes that remain. */
  int arrayHeaderOrNil() {
    MessageFormat format = format();
    if (format == MessageFormat.NIL) {
      nil();
      return -1;
    }
    if (format.getValueType() != ValueType.ARRAY) {
      throw invalid("expected an array, found " + describe(format));
    }
    checkDeclared(format, 1, "array elements");
    try {
      return unpacker.unpackArrayHeader();
    } catch (IOException | MessagePackException e) {
      throw failure(e);
    }
  }

  /**
   * A map key: a struct field's name. Names of the fields this package decodes come back as the shared
   * constants, without copying the bytes; others as new strings.
   */
  String key() {
    MessageFormat format = format();
    if (format.getValueType() != ValueType.STRING && format.getValueType() != ValueType.BINARY) {
      throw invalid("expected a field name, found " + describe(format));
    }
    int position = position();
    if (format == MessageFormat.FIXSTR) {
      int length = data[position] & 0x1F;
      if (position + 1 + length <= end) {
        String known = FieldNames.lookup(data, position + 1, length);
        if (known != null) {
          skip();
          return known;
        }
      }
    }
    return new String(payload(), StandardCharsets.US_ASCII);
  }

  /** A Go string (raw string or bin); nil gives "". */
  String string(String field) {
    if (nextIsNil()) {
      nil();
      return "";
    }
    checkRaw(field);
    return new String(payload(), StandardCharsets.UTF_8);
  }

  /** A Go {@code []byte}; nil gives null. */
  ByteString bytes(String field) {
    if (nextIsNil()) {
      nil();
      return null;
    }
    checkRaw(field);
    return ByteString.wrap(payload());
  }

  /** A Go unsigned integer no larger than {@code max}; nil gives 0. */
  long uint(String field, long max) {
    long value = unsigned(field);
    if (Long.compareUnsigned(value, max) > 0) {
      throw new WireDecodeException(Kind.INVALID_FIELD, what + ": " + field + " "
          + Long.toUnsignedString(value) + " is above its maximum " + Long.toUnsignedString(max));
    }
    return value;
  }

  /** A Go {@code uint64}, returned as its 64 bits; nil gives 0. */
  long uint64(String field) {
    return unsigned(field);
  }

  /** A Go {@code int} within {@code 0..max}; nil gives 0. */
  long goInt(String field, long max) {
    long value = integer(field);
    if (value < 0 || value > max) {
      throw new WireDecodeException(Kind.INVALID_FIELD,
          what + ": " + field + " " + value + " is outside 0.." + max);
    }
    return value;
  }

  /** A Go bool; nil gives false. */
  boolean bool(String field) {
    MessageFormat format = format();
    if (format == MessageFormat.NIL) {
      nil();
      return false;
    }
    if (format.getValueType() != ValueType.BOOLEAN) {
      throw invalid(field + " must be a bool, found " + describe(format));
    }
    try {
      return unpacker.unpackBoolean();
    } catch (IOException | MessagePackException e) {
      throw failure(e);
    }
  }

  /** The next {@code length} bytes as they are (data that follows msgpack values); the caller checked them. */
  ByteString rawBytes(int length) {
    if (length < 0 || length > remaining()) {
      throw truncated(length + " bytes are needed but only " + remaining() + " remain");
    }
    try {
      return ByteString.wrap(unpacker.readPayload(length));
    } catch (IOException | MessagePackException e) {
      throw failure(e);
    }
  }

  /** Skips one value of any type (an unknown field's value). */
  void skip() {
    try {
      unpacker.skipValue();
    } catch (IOException | MessagePackException e) {
      throw failure(e);
    }
  }

  /** Fails unless every byte has been read. */
  void requireEnd() {
    if (remaining() != 0) {
      throw invalid(remaining() + " unexpected bytes after the message");
    }
  }

  private long unsigned(String field) {
    MessageFormat format = format();
    if (format == MessageFormat.UINT64) {
      try {
        BigInteger value = unpacker.unpackBigInteger();
        if (value.compareTo(MAX_UINT64) > 0) {
          throw invalid(field + " does not fit 64 bits");
        }
        return value.longValue();
      } catch (IOException | MessagePackException e) {
        throw failure(e);
      }
    }
    long value = integer(field);
    if (value < 0) {
      throw new WireDecodeException(Kind.INVALID_FIELD, what + ": " + field + " " + value + " is negative");
    }
    return value;
  }

  private long integer(String field) {
    MessageFormat format = format();
    if (format == MessageFormat.NIL) {
      nil();
      return 0;
    }
    if (format.getValueType() != ValueType.INTEGER) {
      throw invalid(field + " must be an integer, found " + describe(format));
    }
    if (format == MessageFormat.UINT64) {
      throw new WireDecodeException(Kind.INVALID_FIELD, what + ": " + field + " does not fit a Go int");
    }
    try {
      return unpacker.unpackLong();
    } catch (IOException | MessagePackException e) {
      throw failure(e);
    }
  }

  private void checkRaw(String field) {
    MessageFormat format = format();
    if (format.getValueType() != ValueType.STRING && format.getValueType() != ValueType.BINARY) {
      throw invalid(field + " must be a string or bytes, found " + describe(format));
    }
  }

  /** The payload of a raw string or bin value, its length checked before anything is allocated. */
  private byte[] payload() {
    checkDeclared(format(), 1, "bytes");
    try {
      return unpacker.readPayload(unpacker.unpackBinaryHeader());
    } catch (IOException | MessagePackException e) {
      throw failure(e);
    }
  }

  /**
   * Reads the length or count a string, bin, array or map header at the current position declares, straight
   * from the bytes, and fails unless that many items of {@code minBytesEach} bytes can follow.
   */
  private void checkDeclared(MessageFormat format, int minBytesEach, String items) {
    int position = position();
    int headerBytes;
    long declared;
    int first = data[position] & 0xFF;
    switch (format) {
      case FIXSTR -> {
        headerBytes = 1;
        declared = first & 0x1F;
      }
      case FIXMAP, FIXARRAY -> {
        headerBytes = 1;
        declared = first & 0x0F;
      }
      case STR8, BIN8 -> {
        headerBytes = 2;
        declared = position + 1 < end ? data[position + 1] & 0xFF : -1;
      }
      case STR16, BIN16, MAP16, ARRAY16 -> {
        headerBytes = 3;
        declared = position + 2 < end ? (data[position + 1] & 0xFF) << 8 | data[position + 2] & 0xFF : -1;
      }
      case STR32, BIN32, MAP32, ARRAY32 -> {
        headerBytes = 5;
        declared = position + 4 < end
            ? (data[position + 1] & 0xFFL) << 24 | (data[position + 2] & 0xFFL) << 16
                | (data[position + 3] & 0xFFL) << 8 | data[position + 4] & 0xFFL
            : -1;
      }
      default -> throw new IllegalStateException("not a sized format: " + format);
    }
    if (declared < 0) {
      throw truncated("the data ends inside a header");
    }
    long available = end - position - headerBytes;
    if (declared * minBytesEach > available) {
      String what = items.equals("bytes") ? "a " + declared + "-byte string" : declared + " " + items;
      throw truncated(what + " but only " + available + " bytes remain");
    }
  }

  private MessageFormat format() {
    if (position() >= end) {
      throw truncated("the data ends where a value should start");
    }
    MessageFormat format = MessageFormat.valueOf(data[position()]);
    if (format == MessageFormat.NEVER_USED) {
      throw invalid("byte 0xc1 is not msgpack");
    }
    return format;
  }

  private static String describe(MessageFormat format) {
    return format.getValueType().name().toLowerCase(Locale.ROOT);
  }

  private WireDecodeException truncated(String detail) {
    return new WireDecodeException(Kind.TRUNCATED, what + " is truncated: " + detail);
  }

  private WireDecodeException invalid(String detail) {
    return new WireDecodeException(Kind.INVALID_MSGPACK, what + ": " + detail);
  }

  private WireDecodeException failure(Exception e) {
    if (e instanceof MessageInsufficientBufferException) {
      return new WireDecodeException(Kind.TRUNCATED, what + " is truncated", e);
    }
    return new WireDecodeException(Kind.INVALID_MSGPACK, what + ": invalid msgpack: " + e.getMessage(), e);
  }
}
