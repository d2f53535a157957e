package io.ckit;

import io.ckit.config.Durations;
import io.ckit.config.JsonValues;
import io.ckit.config.Limits;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Gossip encryption: memberlist's AES-GCM keyring, taken from configuration. The {@code encryption} section of
 * a node's JSON:
 *
 * <pre>{@code
 * "encryption": {
 *   "keys": ["<base64 key>", ...],   // 16, 24 or 32 bytes each (AES-128, -192, -256); the first encrypts
 *   "keyFile": "/etc/ckit/keys",     // or: a file of one base64 key per line, the first line the primary
 *   "keyFileCheckInterval": "5s",    // how often the node re-reads the file and follows it (0: never)
 *   "verifyIncoming": true,          // refuse packets and streams that are not encrypted
 *   "verifyOutgoing": true           // encrypt what is sent (false: plain text, while a cluster moves over)
 * }
 * }</pre>
 *
 * <p>No keys and no key file (the default) means no encryption, as in Go ckit, which has no keyring option:
 * an encrypted cluster cannot include Go ckit nodes. The keys are secrets: {@link #toString()} masks them and
 * no error message repeats one; {@link #toJson()} holds them, as a deployment's config must.
 */
public final class EncryptionOptions {

  /** How often a key file is re-read: 5 s. */
  public static final Duration DEFAULT_KEY_FILE_CHECK_INTERVAL = Duration.ofSeconds(5);

  private static final Set<String> FIELDS = Set.of("keys", "keyFile", "keyFileCheckInterval", "verifyIncoming",
      "verifyOutgoing");

  private List<String> keys = new ArrayList<>();
  private String keyFile;
  private Duration keyFileCheckInterval = DEFAULT_KEY_FILE_CHECK_INTERVAL;
  private boolean verifyIncoming = true;
  private boolean verifyOutgoing = true;

  /** No encryption. */
  public EncryptionOptions() {}

  /** A copy. */
  public EncryptionOptions(EncryptionOptions other) {
    keys = new ArrayList<>(other.keys);
    keyFile = other.keyFile;
    keyFileCheckInterval = other.keyFileCheckInterval;
    verifyIncoming = other.verifyIncoming;
    verifyOutgoing = other.verifyOutgoing;
  }

  /**
   * Reads the {@code encryption} section. {@code keys} may be a list or one text of comma-separated keys.
   *
   * @throws IllegalArgumentException naming the option ({@code encryption.keys: ...}), never echoing a key
   */
  public EncryptionOptions(JsonObject json) {
    JsonValues.readFields("encryption.", json, FIELDS, (name, field, value) -> {
      switch (field) {
        case "keys" -> keys = readKeys(name, value);
        case "keyFile" -> keyFile = JsonValues.text(name, value);
        case "keyFileCheckInterval" -> setKeyFileCheckInterval(Durations.parse(name, value));
        case "verifyIncoming" -> verifyIncoming = JsonValues.bool(name, value);
        case "verifyOutgoing" -> verifyOutgoing = JsonValues.bool(name, value);
        default -> throw new IllegalStateException("unread option " + name);
      }
    });
  }

  private static List<String> readKeys(String name, Object value) {
    List<String> read = new ArrayList<>();
    if (value instanceof String text) {
      read.addAll(splitKeys(text));
    } else if (value instanceof JsonArray array) {
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof String text)) {
          throw new IllegalArgumentException(name + ": key " + (i + 1) + " is not text");
        }
        read.add(text);
      }
    } else if (value != null) {
      throw new IllegalArgumentException(name + ": expected a list of base64 keys");
    }
    return read;
  }

  /** Splits a comma-separated list of keys (base64 has no commas); white space around each is dropped. */
  public static List<String> splitKeys(String text) {
    List<String> split = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        split.add(part.strip());
      }
    }
    return split;
  }

  /** Every option, in the form {@link #EncryptionOptions(JsonObject)} reads: the keys included. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (!keys.isEmpty()) {
      json.put("keys", new JsonArray(new ArrayList<>(keys)));
    }
    if (keyFile != null) {
      json.put("keyFile", keyFile);
    }
    json.put("keyFileCheckInterval", Durations.format(keyFileCheckInterval));
    json.put("verifyIncoming", verifyIncoming);
    json.put("verifyOutgoing", verifyOutgoing);
    return json;
  }

  /**
   * Checks the options together: every key is base64 of 16, 24 or 32 bytes; keys and a key file are not both
   * given. The key file itself is read when the node starts, off the event loop.
   *
   * @throws IllegalArgumentException starting with {@code encryption.<option>:}
   */
  public EncryptionOptions validate() {
    if (!keys.isEmpty() && keyFile != null) {
      throw new IllegalArgumentException("encryption.keys: give keys or a key file (encryption.keyFile), not both");
    }
    if (keyFile != null && keyFile.isBlank()) {
      throw new IllegalArgumentException("encryption.keyFile: must not be empty");
    }
    decodeKeys();
    return this;
  }

  /** Whether gossip is encrypted: keys or a key file are given. */
  public boolean isEnabled() {
    return !keys.isEmpty() || keyFile != null;
  }

  /**
   * The configured keys, decoded; the first is the primary. Empty when there are none (or a key file).
   *
   * @throws IllegalArgumentException {@code encryption.keys: key 2 of 3 ...}, without the key
   */
  public List<byte[]> decodeKeys() {
    List<byte[]> decoded = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      try {
        decoded.add(decodeKey(keys.get(i)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("encryption.keys: key " + (i + 1) + " of " + keys.size() + " "
            + e.getMessage(), e);
      }
    }
    return decoded;
  }

  /**
   * Decodes one base64 key (standard alphabet, padded, as Go's {@code base64.StdEncoding}).
   *
   * @throws IllegalArgumentException "is not valid base64" or "is N bytes; a key is 16, 24 or 32 bytes",
   *     never repeating the text
   */
  public static byte[] decodeKey(String base64) {
    Objects.requireNonNull(base64, "key");
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      // The decoder's own message quotes a character of the key.
      throw new IllegalArgumentException("is not valid base64");
    }
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalArgumentException("is " + key.length + " bytes; a key is 16, 24 or 32 bytes (AES-128, "
          + "-192, -256)");
    }
    return key;
  }

  /**
   * Reads a key file's text: one base64 key per line, the first the primary; blank lines and lines that start
   * with {@code #} are skipped.
   *
   * @throws IllegalArgumentException {@code line 3 is not valid base64}, or {@code holds no key}
   */
  public static List<byte[]> parseKeyFile(String content) {
    List<byte[]> decoded = new ArrayList<>();
    String[] lines = content.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        decoded.add(decodeKey(line));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " " + e.getMessage(), e);
      }
    }
    if (decoded.isEmpty()) {
      throw new IllegalArgumentException("holds no key");
    }
    return decoded;
  }

  // ---------------------------------------------------------------------------------------------------
  // Options

  public List<String> getKeys() {
    return keys;
  }

  /** Base64 keys of 16, 24 or 32 bytes, the first the primary (the one that encrypts); empty for none. */
  public EncryptionOptions setKeys(List<String> keys) {
    this.keys = new ArrayList<>(keys);
    return this;
  }

  /** Adds a key (base64) after those set. */
  public EncryptionOptions addKey(String key) {
    keys.add(Objects.requireNonNull(key, "key"));
    return this;
  }

  public String getKeyFile() {
    return keyFile;
  }

  /**
   * A file of one base64 key per line, the first the primary, instead of {@link #setKeys}: read when the node
   * starts and re-read every {@link #setKeyFileCheckInterval}, the node's keyring following it.
   */
  public EncryptionOptions setKeyFile(String keyFile) {
    this.keyFile = keyFile;
    return this;
  }

  public Duration getKeyFileCheckInterval() {
    return keyFileCheckInterval;
  }

  /**
   * How often the key file is re-read (default 5 s); zero reads it only at start. A change is applied once two
   * reads in a row agree, so a file caught half-written is never taken for the new keys.
   */
  public EncryptionOptions setKeyFileCheckInterval(Duration keyFileCheckInterval) {
    this.keyFileCheckInterval = Limits.notNegative(keyFileCheckInterval, "keyFileCheckInterval");
    return this;
  }

  public boolean isVerifyIncoming() {
    return verifyIncoming;
  }

  /**
   * Whether to refuse packets and stream messages that are not encrypted (memberlist's {@code
   * GossipVerifyIncoming}; default true). False, for a cluster moving to encryption, reads plain text too.
   */
  public EncryptionOptions setVerifyIncoming(boolean verifyIncoming) {
    this.verifyIncoming = verifyIncoming;
    return this;
  }

  public boolean isVerifyOutgoing() {
    return verifyOutgoing;
  }

  /**
   * Whether to encrypt what is sent (memberlist's {@code GossipVerifyOutgoing}; default true). False sends plain
   * text while still reading encrypted traffic: the first step of moving a running cluster to encryption.
   */
  public EncryptionOptions setVerifyOutgoing(boolean verifyOutgoing) {
    this.verifyOutgoing = verifyOutgoing;
    return this;
  }

  /** The JSON form with every key masked. */
  @Override
  public String toString() {
    return masked().encode();
  }

  /** {@link #toJson()} with each key replaced by {@code ***}. */
  JsonObject masked() {
    JsonObject json = toJson();
    if (json.containsKey("keys")) {
      JsonArray masked = new JsonArray();
      keys.forEach(key -> masked.add("***"));
      json.put("keys", masked);
    }
    return json;
  }
}
