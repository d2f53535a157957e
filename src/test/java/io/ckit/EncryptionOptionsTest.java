package io.ckit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.gossip.GossipOptions;
import io.ckit.wire.Keyring;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The encryption section of a node's options: reading, checking, and never showing a key. */
class EncryptionOptionsTest {

  private static final String K16 = Base64.getEncoder().encodeToString(new byte[16]);
  private static final String K32 = Base64.getEncoder().encodeToString(new byte[] {
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
      31, 32});

  private static NodeOptions node(JsonObject encryption) {
    return new NodeOptions(new JsonObject().put("name", "a").put("advertiseAddress", "127.0.0.1:7946")
        .put("encryption", encryption));
  }

  @Test
  void theSectionIsReadAndWrittenBack() {
    NodeOptions options = node(new JsonObject().put("keys", new JsonArray().add(K32).add(K16))
        .put("verifyIncoming", false).put("verifyOutgoing", false)).validate();
    EncryptionOptions encryption = options.getEncryption();
    assertThat(encryption.isEnabled()).isTrue();
    assertThat(encryption.getKeys()).containsExactly(K32, K16);
    assertThat(encryption.isVerifyIncoming()).isFalse();
    assertThat(encryption.isVerifyOutgoing()).isFalse();
    assertThat(Keyring.of(encryption.decodeKeys()).fingerprints()).containsExactly(
        Keyring.fingerprint(Base64.getDecoder().decode(K32)), Keyring.fingerprint(new byte[16]));
    assertThat(new NodeOptions(options.toJson()).getEncryption().toJson()).isEqualTo(encryption.toJson());
    assertThat(new NodeOptions(options).getEncryption().getKeys()).containsExactly(K32, K16);
    // A comma-separated text, as an environment variable gives it.
    assertThat(node(new JsonObject().put("keys", K32 + ", " + K16)).getEncryption().getKeys())
        .containsExactly(K32, K16);
    // Defaults: off, verifying both ways once keys are given; nothing in the JSON.
    EncryptionOptions defaults = new NodeOptions().getEncryption();
    assertThat(defaults.isEnabled()).isFalse();
    assertThat(defaults.isVerifyIncoming()).isTrue();
    assertThat(defaults.isVerifyOutgoing()).isTrue();
    assertThat(defaults.getKeyFileCheckInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(new NodeOptions().setName("a").toJson().containsKey("encryption")).isFalse();
  }

  @Test
  void badKeysAreNamedWithoutShowingThem() {
    String secretLooking = "c2VjcmV0LXNlY3JldC0x!";
    assertThatThrownBy(() -> node(new JsonObject().put("keys", new JsonArray().add(K16).add(secretLooking)))
        .validate()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("encryption.keys: key 2 of 2 is not valid base64");
    String twenty = Base64.getEncoder().encodeToString(new byte[20]);
    assertThatThrownBy(() -> node(new JsonObject().put("keys", new JsonArray().add(twenty))).validate())
        .hasMessage("encryption.keys: key 1 of 1 is 20 bytes; a key is 16, 24 or 32 bytes (AES-128, -192, -256)");
    assertThatThrownBy(() -> node(new JsonObject().put("keys", new JsonArray().add(7))))
        .hasMessage("encryption.keys: key 1 is not text");
    assertThatThrownBy(() -> node(new JsonObject().put("keys", K16).put("keyFile", "/etc/keys")).validate())
        .hasMessage("encryption.keys: give keys or a key file (encryption.keyFile), not both");
    assertThatThrownBy(() -> node(new JsonObject().put("key", K16)))
        .hasMessageStartingWith("encryption.key: unknown option (known: keyFile, keyFileCheckInterval, keys,");
    assertThatThrownBy(() -> node(new JsonObject().put("verifyIncoming", "yes")))
        .hasMessage("encryption.verifyIncoming: \"yes\" is not true or false");
    assertThatThrownBy(() -> node(new JsonObject().put("keyFileCheckInterval", "-1s")))
        .hasMessageStartingWith("encryption.keyFileCheckInterval:");
    assertThatThrownBy(() -> new NodeOptions().setName("a").setAdvertiseAddress("127.0.0.1:1")
        .setGossip(GossipOptions.ckit().setKeyring(Keyring.of(new byte[16])))
        .setEncryption(new EncryptionOptions().addKey(K16)).validate())
        .hasMessage("encryption: keys are set here and as a gossip keyring; set them once");
    assertThatThrownBy(() -> EncryptionOptions.parseKeyFile("# no keys\n\n"))
        .hasMessage("holds no key");
    assertThatThrownBy(() -> EncryptionOptions.parseKeyFile(K16 + "\n" + secretLooking + "\n"))
        .hasMessage("line 2 is not valid base64");
    assertThat(EncryptionOptions.parseKeyFile("# primary first\r\n" + K32 + "\r\n  " + K16 + "  \n"))
        .hasSize(2);
  }

  @Test
  void printedOptionsMaskEveryKey() {
    NodeOptions options = node(new JsonObject().put("keys", new JsonArray().add(K32).add(K16)));
    assertThat(options.toString()).doesNotContain(K32).doesNotContain(K16)
        .contains("\"encryption\":{\"keys\":[\"***\",\"***\"]");
    assertThat(options.getEncryption().toString()).doesNotContain(K32).startsWith("{\"keys\":[\"***\",\"***\"]");
    // The JSON form keeps them: it is what a verticle deployed by name is configured with.
    assertThat(options.toJson().getJsonObject("encryption").getJsonArray("keys")).containsExactly(K32, K16);
  }

  @Test
  void anInvalidKeyFailsNodeCreation() {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      assertThatThrownBy(() -> Node.create(vertx, new NodeOptions().setName("a")
          .setAdvertiseAddress("127.0.0.1:1").setEncryption(new EncryptionOptions().setKeys(List.of("AAAA")))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("encryption.keys: key 1 of 1 is 3 bytes; a key is 16, 24 or 32 bytes (AES-128, -192, -256)");
    } finally {
      vertx.close();
    }
  }
}
