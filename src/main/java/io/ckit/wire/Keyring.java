package io.ckit.wire;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The AES keys of memberlist's optional encryption: the first (primary) key encrypts, every key is tried
 * to decrypt, so keys can be rotated. Keys are 16, 24 or 32 bytes (AES-128, -192, -256). Go ckit offers no
 * way to turn encryption on; memberlist's format is followed byte for byte all the same.
 *
 * <p>Immutable: rotation ({@link #withKey}, {@link #withPrimary}, {@link #without}) makes a new keyring, as
 * memberlist's {@code AddKey}, {@code UseKey} and {@code RemoveKey} change its one. Nothing here prints a
 * key; {@link #fingerprints()} tells keys apart without giving them away.
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

  /**
   * A keyring of the given keys, the first the primary.
   *
   * @throws IllegalArgumentException if there is none, or one is not 16, 24 or 32 bytes long
   */
  public static Keyring of(List<byte[]> keys) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("a keyring needs at least one key");
    }
    return of(keys.get(0), keys.subList(1, keys.size()).toArray(new byte[0][]));
  }

  /** This keyring with the key added (as a secondary key; unchanged if it is there already). */
  public Keyring withKey(byte[] key) {
    if (contains(key)) {
      return this;
    }
    List<byte[]> more = new ArrayList<>(keys);
    more.add(check(key));
    return new Keyring(List.copyOf(more));
  }

  /**
   * This keyring with an installed key as the primary (the one that encrypts).
   *
   * @throws IllegalArgumentException if the key is not installed
   */
  public Keyring withPrimary(byte[] key) {
    int index = indexOf(key);
    if (index < 0) {
      throw new IllegalArgumentException("the key is not installed");
    }
    if (index == 0) {
      return this;
    }
    List<byte[]> reordered = new ArrayList<>(keys);
    reordered.add(0, reordered.remove(index));
    return new Keyring(List.copyOf(reordered));
  }

  /**
   * This keyring without the key (unchanged if it is not installed).
   *
   * @throws IllegalArgumentException if the key is the primary: make another key primary first
   */
  public Keyring without(byte[] key) {
    int index = indexOf(key);
    if (index == 0) {
      throw new IllegalArgumentException("the primary key cannot be removed; make another key primary first");
    }
    if (index < 0) {
      return this;
    }
    List<byte[]> fewer = new ArrayList<>(keys);
    fewer.remove(index);
    return new Keyring(List.copyOf(fewer));
  }

  /** Whether the key is installed. */
  public boolean contains(byte[] key) {
    return indexOf(key) >= 0;
  }

  private int indexOf(byte[] key) {
    for (int i = 0; i < keys.size(); i++) {
      if (MessageDigest.isEqual(keys.get(i), key)) {
        return i;
      }
    }
    return -1;
  }

  /** How many keys are installed. */
  public int size() {
    return keys.size();
  }

  /**
   * A fingerprint of each key, the primary's first: the first 8 bytes of its SHA-256, in hex. Enough to
   * check that two nodes hold the same keys, useless to anyone who wants the keys.
   */
  public List<String> fingerprints() {
    List<String> fingerprints = new ArrayList<>(keys.size());
    for (byte[] key : keys) {
      fingerprints.add(fingerprint(key));
    }
    return List.copyOf(fingerprints);
  }

  /** The fingerprint {@link #fingerprints()} gives a key. */
  public static String fingerprint(byte[] key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
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
