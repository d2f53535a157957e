package io.ckit.impl;

import io.ckit.EncryptionOptions;
import io.ckit.gossip.GossipOptions;
import io.ckit.wire.Keyring;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Consumer;

/**
 * A node's gossip keyring: taken from the options (keys, or a key file read without blocking when the node
 * starts), rotated through {@link io.ckit.Node#installKey}, {@link io.ckit.Node#useKey} and {@link
 * io.ckit.Node#removeKey}, and, with a key file, following the file: it is re-read every check interval and,
 * when its text changed and reads the same on the next check (so that a file caught half-written never drops a
 * key), the keyring becomes its keys, the first line the primary. Every change goes to the engine at once.
 * Keys are never logged; fingerprints are.
 *
 * <p>Concurrency: confined to the node's context (the file's reads complete there); other threads read only
 * the fingerprints, a volatile snapshot.
 */
final class NodeKeyring {

  private static final System.Logger LOG = System.getLogger(NodeKeyring.class.getName());

  private final Vertx vertx;
  private final String nodeName;
  private final EncryptionOptions options;

  // Context-confined.
  private Keyring keyring;
  private Consumer<Keyring> engine;
  private String fileText;
  /** A new text of the file, read once: it is applied if the next read gives it again. */
  private String changedText;
  /** The text of the file whose keys were last refused, so a bad file is reported once, not every check. */
  private String refusedText;
  private long timer = -1;

  private volatile List<String> fingerprints = List.of();

  /**
   * @param options validated
   * @param gossipKeyring a keyring set in code on the gossip options instead (validation allows only one), or
   *     null
   */
  NodeKeyring(Vertx vertx, String nodeName, EncryptionOptions options, Keyring gossipKeyring) {
    this.vertx = vertx;
    this.nodeName = nodeName;
    this.options = new EncryptionOptions(options);
    if (!options.getKeys().isEmpty()) {
      set(Keyring.of(options.decodeKeys()));
    } else if (gossipKeyring != null) {
      set(gossipKeyring);
    }
  }

  /**
   * The keyring to start with: the configured keys, or the key file's (read now, without blocking); null
   * without encryption.
   *
   * @return fails with {@code encryption.keyFile: ...} when the file cannot be read or holds no valid keys
   */
  Future<Void> load() {
    if (options.getKeyFile() == null || fileText != null) {
      return Future.succeededFuture();
    }
    String path = options.getKeyFile();
    return vertx.fileSystem().readFile(path).transform(read -> {
      if (read.failed()) {
        return Future.failedFuture(new IllegalArgumentException("encryption.keyFile: cannot read \"" + path
            + "\": " + read.cause().getMessage(), read.cause()));
      }
      String text = read.result().toString();
      try {
        set(Keyring.of(EncryptionOptions.parseKeyFile(text)));
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new IllegalArgumentException("encryption.keyFile: \"" + path + "\" "
            + e.getMessage(), e));
      }
      fileText = text;
      LOG.log(Level.INFO, () -> "node " + nodeName + ": gossip keyring from " + path + ": " + describe());
      return Future.succeededFuture();
    });
  }

  /**
   * The engine's settings: the gossip options with this keyring and the verify settings, and from now on every
   * change of the keyring goes to {@code engine}; the key file, if any, is watched from now on.
   */
  GossipOptions attach(GossipOptions gossip, Consumer<Keyring> engine) {
    GossipOptions withKeys = new GossipOptions(gossip).setKeyring(keyring);
    if (options.isEnabled()) {
      withKeys.setVerifyIncoming(options.isVerifyIncoming()).setVerifyOutgoing(options.isVerifyOutgoing());
    }
    this.engine = engine;
    long interval = options.getKeyFileCheckInterval().toMillis();
    if (options.getKeyFile() != null && interval > 0 && timer < 0) {
      timer = vertx.setPeriodic(interval, id -> check());
    }
    return withKeys;
  }

  /** Stops watching the key file. */
  void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    engine = null;
  }

  /** Adds a key (base64) that decrypts from now on. */
  Future<Void> install(String key) {
    return change("installKey", key, (current, bytes) -> current.withKey(bytes));
  }

  /** Makes an installed key (base64) the one that encrypts. */
  Future<Void> use(String key) {
    return change("useKey", key, (current, bytes) -> current.withPrimary(bytes));
  }

  /** Removes a key (base64) that is not the primary. */
  Future<Void> remove(String key) {
    return change("removeKey", key, (current, bytes) -> current.without(bytes));
  }

  List<String> fingerprints() {
    return fingerprints;
  }

  private interface Change {
    Keyring apply(Keyring current, byte[] key);
  }

  private Future<Void> change(String operation, String key, Change change) {
    if (keyring == null) {
      return Future.failedFuture(new IllegalStateException(operation + ": " + (options.getKeyFile() != null
          ? "the key file is read when the node starts; start it first"
          : "gossip encryption is not enabled on this node (no keys in its options)")));
    }
    byte[] bytes;
    try {
      bytes = EncryptionOptions.decodeKey(key);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException(operation + ": the key " + e.getMessage(), e));
    }
    Keyring next;
    try {
      next = change.apply(keyring, bytes);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException(operation + ": " + e.getMessage(), e));
    }
    if (next != keyring) {
      set(next);
      LOG.log(Level.INFO, () -> "node " + nodeName + ": " + operation + " " + Keyring.fingerprint(bytes)
          + ": " + describe());
    }
    return Future.succeededFuture();
  }

  /**
   * Re-reads the key file; if its text changed, and is the same as at the previous check, and its keys are
   * valid, the keyring becomes them.
   */
  private void check() {
    String path = options.getKeyFile();
    vertx.fileSystem().readFile(path).onComplete(read -> {
      if (engine == null) {
        return;
      }
      if (read.failed()) {
        report("\"" + path + "\" cannot be read: " + read.cause().getMessage(), "\u0000" + read.cause());
        return;
      }
      String text = read.result().toString();
      if (text.equals(fileText)) {
        changedText = null;
        return;
      }
      if (!text.equals(changedText)) {
        changedText = text;
        return;
      }
      changedText = null;
      List<byte[]> keys;
      try {
        keys = EncryptionOptions.parseKeyFile(text);
      } catch (IllegalArgumentException e) {
        report("\"" + path + "\" " + e.getMessage(), text);
        return;
      }
      fileText = text;
      refusedText = null;
      // One swap: new keys installed, the first made primary, the others gone, in a single step.
      set(Keyring.of(keys));
      LOG.log(Level.INFO, () -> "node " + nodeName + ": gossip keyring follows " + path + ": " + describe());
    });
  }

  private void report(String problem, String text) {
    if (!text.equals(refusedText)) {
      refusedText = text;
      LOG.log(Level.WARNING, "node " + nodeName + ": encryption.keyFile: " + problem + "; the keyring is unchanged ("
          + describe() + ")");
    }
  }

  private void set(Keyring next) {
    keyring = next;
    fingerprints = next.fingerprints();
    if (engine != null) {
      engine.accept(next);
    }
  }

  private String describe() {
    List<String> current = fingerprints;
    return current.size() + (current.size() == 1 ? " key" : " keys") + ", primary " + current.get(0)
        + (current.size() > 1 ? ", others " + String.join(" ", current.subList(1, current.size())) : "");
  }
}
