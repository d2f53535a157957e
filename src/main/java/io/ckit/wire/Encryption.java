package io.ckit.wire;

import io.ckit.wire.WireDecodeException.Kind;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * memberlist's AES-GCM encryption: {@code [version][12-byte random nonce][ciphertext][16-byte tag]}.
 * Version 1 (protocol 2 and later, what memberlist sends) seals the plaintext as is; version 0 pads it
 * with PKCS#7 to a 16-byte block first. Packets use the label as associated data; streams wrap the sealed
 * body as {@code [10][u32 length]} and authenticate those five bytes followed by the stream label.
 */
public final class Encryption {

  /** The version memberlist speaks at protocol version 2 and above. */
  public static final int VERSION = 1;

  private static final int NONCE_BYTES = 12;
  private static final int TAG_BYTES = 16;
  private static final int BLOCK_BYTES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Encryption() {}

  /** Encrypts a packet body with the primary key, version 1, the label as associated data. */
  public static byte[] encryptPacket(Keyring keyring, byte[] plaintext, String label) {
    return seal(VERSION, keyring.primary(), plaintext, LabelHeader.labelBytes(label));
  }

  /**
   * Decrypts a packet body with whichever key opens it.
   *
   * @throws WireDecodeException {@link Kind#DECRYPTION_FAILED} if no key can, or the envelope is malformed
   */
  public static byte[] decryptPacket(Keyring keyring, byte[] body, int offset, int length, String label) {
    return open(keyring, body, offset, length, LabelHeader.labelBytes(label));
  }

  /** Encrypts a stream message: {@code [10][u32 length][sealed body]}. */
  public static byte[] encryptStream(Keyring keyring, byte[] message, String label) {
    int sealedLength = 1 + NONCE_BYTES + message.length + TAG_BYTES;
    byte[] prefix = streamPrefix(sealedLength);
    byte[] sealed = seal(VERSION, keyring.primary(), message, streamAad(prefix, label));
    byte[] out = new byte[prefix.length + sealed.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(sealed, 0, out, prefix.length, sealed.length);
    return out;
  }

  /**
   * Decrypts the sealed body of a stream message whose five-byte prefix ({@code 10} and the length) is at
   * {@code offset}; the caller has checked that the whole body is there.
   */
  static byte[] decryptStream(Keyring keyring, byte[] bytes, int offset, int sealedLength, String label) {
    byte[] prefix = new byte[5];
    System.arraycopy(bytes, offset, prefix, 0, 5);
    return open(keyring, bytes, offset + 5, sealedLength, streamAad(prefix, label));
  }

  private static byte[] streamPrefix(int sealedLength) {
    return new byte[] {(byte) MessageType.ENCRYPT.code(), (byte) (sealedLength >>> 24),
        (byte) (sealedLength >>> 16), (byte) (sealedLength >>> 8), (byte) sealedLength};
  }

  private static byte[] streamAad(byte[] prefix, String label) {
    byte[] labelBytes = LabelHeader.labelBytes(label);
    byte[] aad = new byte[prefix.length + labelBytes.length];
    System.arraycopy(prefix, 0, aad, 0, prefix.length);
    System.arraycopy(labelBytes, 0, aad, prefix.length, labelBytes.length);
    return aad;
  }

  /** Seals with an explicit version; version 0 exists for reading (and testing) old peers. */
  static byte[] seal(int version, byte[] key, byte[] plaintext, byte[] aad) {
    byte[] source = plaintext;
    if (version == 0) {
      int padding = BLOCK_BYTES - plaintext.length % BLOCK_BYTES;
      source = new byte[plaintext.length + padding];
      System.arraycopy(plaintext, 0, source, 0, plaintext.length);
      for (int i = plaintext.length; i < source.length; i++) {
        source[i] = (byte) padding;
      }
    }
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(8 * TAG_BYTES, nonce));
      if (aad.length > 0) {
        cipher.updateAAD(aad);
      }
      byte[] sealed = cipher.doFinal(source);
      byte[] out = new byte[1 + NONCE_BYTES + sealed.length];
      out[0] = (byte) version;
      System.arraycopy(nonce, 0, out, 1, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, 1 + NONCE_BYTES, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
    }
  }

  private static byte[] open(Keyring keyring, byte[] body, int offset, int length, byte[] aad) {
    if (length == 0) {
      throw failed("cannot decrypt an empty payload");
    }
    int version = body[offset] & 0xFF;
    if (version > 1) {
      throw failed("unsupported encryption version " + version);
    }
    int minimum = 1 + NONCE_BYTES + TAG_BYTES + (version == 0 ? BLOCK_BYTES : 0);
    if (length < minimum) {
      throw failed("payload of " + length + " bytes is too small to decrypt (at least " + minimum + ")");
    }
    for (byte[] key : keyring.keys()) {
      byte[] plain;
      try {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
            new GCMParameterSpec(8 * TAG_BYTES, body, offset + 1, NONCE_BYTES));
        if (aad.length > 0) {
          cipher.updateAAD(aad);
        }
        plain = cipher.doFinal(body, offset + 1 + NONCE_BYTES, length - 1 - NONCE_BYTES);
      } catch (AEADBadTagException e) {
        continue;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
      }
      return version == 0 ? unpad(plain) : plain;
    }
    throw failed("no installed key could decrypt the message");
  }

  private static byte[] unpad(byte[] padded) {
    int padding = padded.length == 0 ? 0 : padded[padded.length - 1] & 0xFF;
    if (padding < 1 || padding > BLOCK_BYTES || padding > padded.length) {
      throw failed("invalid PKCS#7 padding");
    }
    byte[] plain = new byte[padded.length - padding];
    System.arraycopy(padded, 0, plain, 0, plain.length);
    return plain;
  }

  private static WireDecodeException failed(String detail) {
    return new WireDecodeException(Kind.DECRYPTION_FAILED, detail);
  }
}
