package io.ckit.wire;

import io.ckit.wire.MessageCodec.Form;
import io.ckit.wire.WireDecodeException.Kind;
import java.util.Objects;

/**
 * A packet as it crosses the {@code /message} endpoint, in memberlist's layers, innermost first: the
 * message (often compound), LZW compression when it makes the packet smaller, a CRC envelope when the
 * recipient understands one, encryption when a keyring is set (and outgoing traffic is to be encrypted), and
 * the label header outermost.
 *
 * <p>Decoding peels the layers in reverse and fails with a {@link WireDecodeException} at the first bad
 * one: a label other than this node's, a packet that no key decrypts when a keyring is set ({@link
 * Kind#NOT_ENCRYPTED} when it reads as a plain packet, which is accepted instead unless incoming traffic is
 * verified), a checksum that does not match, a message that cannot be read. Thread-safe.
 */
public final class PacketCodec {

  /** A decoded packet: its label, whether it carried a checksum, and its message. */
  public record Packet(String label, boolean crc, Message message) {}

  private final MessageCodec messages;
  private final String label;
  private final Keyring keyring;
  private final boolean verifyIncoming;
  private final boolean verifyOutgoing;
  private final boolean compression;

  /**
   * A codec that encrypts everything it sends and accepts only encrypted packets when given a keyring.
   *
   * @param label the cluster label to send and to require ("" for none)
   * @param keyring the encryption keys, or null for no encryption (as in ckit)
   * @param compression whether to compress packets when that makes them smaller (memberlist's default)
   * @throws IllegalArgumentException if the label is longer than 255 UTF-8 bytes
   */
  public PacketCodec(MessageCodec messages, String label, Keyring keyring, boolean compression) {
    this(messages, label, keyring, true, true, compression);
  }

  /**
   * @param keyring the encryption keys, or null for no encryption (the verify flags then mean nothing)
   * @param verifyIncoming refuse packets no key decrypts (memberlist's {@code GossipVerifyIncoming}); false
   *     reads them as plain packets, for a cluster moving to encryption
   * @param verifyOutgoing encrypt what is sent (memberlist's {@code GossipVerifyOutgoing}); false sends plain
   *     packets, for a cluster moving to encryption while some members have no keys yet
   */
  public PacketCodec(MessageCodec messages, String label, Keyring keyring, boolean verifyIncoming,
      boolean verifyOutgoing, boolean compression) {
    this.messages = Objects.requireNonNull(messages, "messages");
    this.label = Objects.requireNonNull(label, "label");
    LabelHeader.labelBytes(label);
    this.keyring = keyring;
    this.verifyIncoming = verifyIncoming;
    this.verifyOutgoing = verifyOutgoing;
    this.compression = compression;
  }

  /** Whether the packets this codec sends are encrypted (each then carries 29 bytes more). */
  public boolean encrypts() {
    return keyring != null && verifyOutgoing;
  }

  /** ckit's settings: the given label, no encryption, compression on. */
  public static PacketCodec ckit(MessageCodec messages, String label) {
    return new PacketCodec(messages, label, null, true);
  }

  /**
   * Encodes a packet.
   *
   * @param withCrc whether to add a checksum: memberlist does when it knows the recipient speaks protocol
   *     version 5 or later
   */
  public byte[] encode(Message message, boolean withCrc) {
    return wrap(messages.encode(message, Form.PACKET), withCrc);
  }

  /**
   * Puts an already encoded message (one message, or a compound of them) into a packet: what {@link
   * #encode} does after encoding. memberlist keeps its broadcasts encoded, so this is its send path.
   */
  public byte[] wrap(byte[] encodedMessage, boolean withCrc) {
    byte[] bytes = encodedMessage;
    if (compression) {
      byte[] compressed = messages.compressEncoded(bytes);
      if (compressed.length < bytes.length) {
        bytes = compressed;
      }
    }
    if (withCrc) {
      bytes = Crc.wrap(bytes);
    }
    if (encrypts()) {
      bytes = Encryption.encryptPacket(keyring, bytes, label);
    }
    return LabelHeader.prepend(label, bytes);
  }

  /** Decodes a whole packet. */
  public Packet decode(byte[] packet) {
    return decode(packet, 0, packet.length);
  }

  /** Decodes the packet held by {@code length} bytes of {@code bytes} from {@code offset}. */
  public Packet decode(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    LabelHeader.Read read = LabelHeader.read(bytes, offset, length);
    LabelHeader.expect(label, read.label(), "packet");
    offset += read.headerLength();
    length -= read.headerLength();
    if (keyring != null) {
      try {
        byte[] plain = Encryption.decryptPacket(keyring, bytes, offset, length, label);
        return decodePlain(read.label(), plain, 0, plain.length);
      } catch (WireDecodeException e) {
        if (e.kind() != Kind.DECRYPTION_FAILED) {
          throw e;
        }
        // Which it was is worth telling apart: a member without keys, or one with other keys.
        Packet plain;
        try {
          plain = decodePlain(read.label(), bytes, offset, length);
        } catch (WireDecodeException notPlain) {
          throw e;
        }
        if (verifyIncoming) {
          throw new WireDecodeException(Kind.NOT_ENCRYPTED, "packet is not encrypted and encryption is required");
        }
        return plain;
      }
    }
    return decodePlain(read.label(), bytes, offset, length);
  }

  private Packet decodePlain(String packetLabel, byte[] bytes, int offset, int length) {
    boolean crc = Crc.isWrapped(bytes, offset, length);
    if (crc) {
      Crc.verify(bytes, offset, length);
      offset += Crc.HEADER_BYTES;
      length -= Crc.HEADER_BYTES;
    }
    if (length == 0) {
      throw new WireDecodeException(Kind.TRUNCATED, "packet holds no message");
    }
    return new Packet(packetLabel, crc, messages.decode(bytes, offset, length, Form.PACKET));
  }
}
