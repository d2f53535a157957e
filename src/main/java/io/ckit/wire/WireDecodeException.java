package io.ckit.wire;

import java.util.Objects;

/**
 * Bytes that cannot be decoded as ckit or memberlist wire data. Every decoder in this package throws only
 * this for bad input; {@link #kind()} says what was wrong and the message says where.
 */
public final class WireDecodeException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** What was wrong with the input. */
  public enum Kind {
    /** The input ends before the data it announces (for a stream: more bytes may still come). */
    TRUNCATED,
    /** A length, count or decompressed size above the configured maximum. */
    TOO_LARGE,
    /** A magic byte or header that is not the one expected. */
    BAD_MAGIC,
    /** A message type byte (or ckit message type) that is not known. */
    UNKNOWN_TYPE,
    /** Bytes that are not valid msgpack, or msgpack of the wrong shape for the message. */
    INVALID_MSGPACK,
    /** A field whose value is out of range or of the wrong type. */
    INVALID_FIELD,
    /** A packet or stream label that is malformed or is not the label this node expects. */
    LABEL_MISMATCH,
    /** A CRC-32 that does not match the message. */
    BAD_CRC,
    /** An encrypted message no installed key could decrypt, or a malformed encryption envelope. */
    DECRYPTION_FAILED,
    /** A packet or stream message in plain text where encryption is required (memberlist's verify incoming). */
    NOT_ENCRYPTED,
    /** An LZW stream that is malformed, or a compression algorithm that is not known. */
    BAD_COMPRESSION,
    /** A compound message whose part count or length table does not fit the message. */
    BAD_COMPOUND
  }

  private final Kind kind;

  public WireDecodeException(Kind kind, String message) {
    super(message);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public WireDecodeException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** What was wrong with the input. */
  public Kind kind() {
    return kind;
  }
}
