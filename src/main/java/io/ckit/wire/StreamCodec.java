package io.ckit.wire;

import io.ckit.wire.MessageCodec.Form;
import io.ckit.wire.MessageCodec.Prefix;
import io.ckit.wire.WireDecodeException.Kind;
import java.util.Objects;

/**
 * Messages as they cross the {@code /stream} endpoint (push/pull, and memberlist's stream pings and user
 * messages). The dialling side first writes the label header on its own (see {@link #labelHeader()}); each
 * message is then compressed (always, when compression is on, as memberlist does) and, with a keyring (and
 * outgoing traffic to be encrypted), wrapped as {@code [10][u32 length][AES-GCM body]}. With a keyring, a
 * message in plain text is refused ({@link Kind#NOT_ENCRYPTED}) unless incoming traffic is not verified.
 *
 * <p>A stream is a byte stream: frame boundaries mean nothing, so {@link #decode} reads a message from the
 * start of whatever has arrived and says when it needs more. Thread-safe.
 */
public final class StreamCodec {

  /** A message read from a stream and the number of bytes it took. */
  public record Decoded(Message message, int length) {}

  private final MessageCodec messages;
  private final String label;
  private final Keyring keyring;
  private final boolean verifyIncoming;
  private final boolean verifyOutgoing;
  private final boolean compression;

  /**
   * A codec that encrypts every message and accepts only encrypted ones when given a keyring.
   *
   * @param label the cluster label the dialler sends and the acceptor requires ("" for none)
   * @param keyring the encryption keys, or null for no encryption (as in ckit)
   * @param compression whether to compress every message (memberlist's default)
   */
  public StreamCodec(MessageCodec messages, String label, Keyring keyring, boolean compression) {
    this(messages, label, keyring, true, true, compression);
  }

  /**
   * @param keyring the encryption keys, or null for no encryption (the verify flags then mean nothing)
   * @param verifyIncoming refuse messages in plain text (memberlist's {@code GossipVerifyIncoming})
   * @param verifyOutgoing encrypt the messages sent (memberlist's {@code GossipVerifyOutgoing})
   */
  public StreamCodec(MessageCodec messages, String label, Keyring keyring, boolean verifyIncoming,
      boolean verifyOutgoing, boolean compression) {
    this.messages = Objects.requireNonNull(messages, "messages");
    this.label = Objects.requireNonNull(label, "label");
    LabelHeader.labelBytes(label);
    this.keyring = keyring;
    this.verifyIncoming = verifyIncoming;
    this.verifyOutgoing = verifyOutgoing;
    this.compression = compression;
  }

  /** ckit's settings: the given label, no encryption, compression on. */
  public static StreamCodec ckit(MessageCodec messages, String label) {
    return new StreamCodec(messages, label, null, true);
  }

  /** What the dialling side writes before its first message: the label header, or nothing. */
  public byte[] labelHeader() {
    return LabelHeader.header(label);
  }

  /**
   * Reads the label header an accepted stream starts with (none when the label is empty) and checks it.
   *
   * @return the bytes the header took (0 without one), or -1 if more bytes are needed to tell
   * @throws WireDecodeException {@link Kind#LABEL_MISMATCH} when the label is not this node's
   */
  public int readLabelHeader(byte[] bytes, int offset, int available) {
    if (available == 0) {
      return -1;
    }
    LabelHeader.Read read;
    try {
      read = LabelHeader.read(bytes, offset, available);
    } catch (WireDecodeException e) {
      if (e.kind() == Kind.TRUNCATED) {
        return -1;
      }
      throw e;
    }
    LabelHeader.expect(label, read.label(), "stream");
    return read.headerLength();
  }

  /** Encodes one stream message, as memberlist's {@code rawSendMsgStream} does. */
  public byte[] encode(Message message) {
    byte[] bytes = messages.encode(message, Form.STREAM);
    if (compression) {
      bytes = messages.compressEncoded(bytes);
    }
    if (keyring != null && verifyOutgoing) {
      bytes = Encryption.encryptStream(keyring, bytes, label);
    }
    return bytes;
  }

  /**
   * Reads the message at the start of the {@code available} bytes at {@code offset}.
   *
   * @return the message and its length, or null if the bytes end before it does (wait for more)
   * @throws WireDecodeException if the bytes are not a stream message, or one of more than the codec's
   *     maximum message size
   */
  public Decoded decode(byte[] bytes, int offset, int available) {
    Objects.checkFromIndexSize(offset, available, bytes.length);
    if (available == 0) {
      return null;
    }
    boolean encrypted = (bytes[offset] & 0xFF) == MessageType.ENCRYPT.code();
    if (encrypted && keyring == null) {
      throw new WireDecodeException(Kind.DECRYPTION_FAILED,
          "remote state is encrypted and encryption is not configured");
    }
    if (!encrypted && keyring != null && verifyIncoming) {
      throw new WireDecodeException(Kind.NOT_ENCRYPTED,
          "encryption is configured but remote state is not encrypted");
    }
    if (encrypted) {
      return decodeEncrypted(bytes, offset, available);
    }
    Prefix prefix = messages.readStreamPrefix(bytes, offset, available);
    if (prefix == null) {
      checkIncomplete(available);
      return null;
    }
    if (prefix.length() > messages.maxMessageBytes()) {
      throw new WireDecodeException(Kind.TOO_LARGE, "stream message of " + prefix.length()
          + " bytes is above the maximum of " + messages.maxMessageBytes());
    }
    return new Decoded(prefix.message(), prefix.length());
  }

  private Decoded decodeEncrypted(byte[] bytes, int offset, int available) {
    if (available < 5) {
      return null;
    }
    long sealedLength = (bytes[offset + 1] & 0xFFL) << 24 | (bytes[offset + 2] & 0xFFL) << 16
        | (bytes[offset + 3] & 0xFFL) << 8 | bytes[offset + 4] & 0xFFL;
    if (sealedLength > messages.maxMessageBytes()) {
      throw new WireDecodeException(Kind.TOO_LARGE, "encrypted stream message of " + sealedLength
          + " bytes is above the maximum of " + messages.maxMessageBytes());
    }
    if (available - 5 < sealedLength) {
      return null;
    }
    byte[] plain = Encryption.decryptStream(keyring, bytes, offset, (int) sealedLength, label);
    if (plain.length == 0) {
      throw new WireDecodeException(Kind.TRUNCATED, "encrypted stream message holds no message");
    }
    return new Decoded(messages.decode(plain, 0, plain.length, Form.STREAM), 5 + (int) sealedLength);
  }

  private void checkIncomplete(int available) {
    if (available >= messages.maxMessageBytes()) {
      throw new WireDecodeException(Kind.TOO_LARGE, "stream message is larger than the maximum of "
          + messages.maxMessageBytes() + " bytes");
    }
  }
}
