package io.ckit.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The AES keys of memberlist's optional encryption: the first (primary) key encrypts, every key is tried
 * to decrypt, so keys can be rotated. Keys are 16, 24 or 32 bytes (AES-128, -192, -256). Go ckit offers no
 * way to turn encryption on; it is here so that memberlist's full format can be read and written.
 */
public final class Keyring {

  private final List<byte[]> keys;

  private Keyring(List<byte[]> keys) {
    this.keys = keys;
  }

  /**
   * A keyring with a primary key and optional older keys still accepted for decryption.
   *
   * @throws IllegalArgumentException if a key is not 16, 24 or 32 bytes long
   */
  public static Keyring of(byte[] primary, byte[]... others) {
    List<byte[]> keys = new ArrayList<>(1 + others.length);
    keys.add(check(primary));
    for (byte[] key : others) {
      keys.add(check(key));
    }
    return new Keyring(List.copyOf(keys));
  }

  private static byte[] check(byte[] key) {
    if (key == null || (key.length != 16 && key.length != 24 && key.length != 32)) {
      throw new IllegalArgumentException("an encryption key must be 16, 24 or 32 bytes long, got "
          + (key == null ? "none" : key.length + " bytes"));
    }
    return key.clone();
  }

  byte[] primary() {
    return keys.get(0);
  }

  List<byte[]> keys() {
    return keys;
  }

  /** How many keys, never the keys themselves. */
  @Override
  public String toString() {
    return "Keyring[" + keys.size() + (keys.size() == 1 ? " key]" : " keys]");
  }
}
