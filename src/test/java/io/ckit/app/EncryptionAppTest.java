package io.ckit.app;

import static io.ckit.app.InProcessApps.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.Node;
import io.ckit.peer.PeerState;
import io.ckit.testing.NodeEndpoints;
import io.ckit.wire.Keyring;
import io.micrometer.core.instrument.Counter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable node's gossip encryption: flags and variables, and a key file it follows while running. */
class EncryptionAppTest {

  private static final String K1 = Base64.getEncoder().encodeToString(key(1));
  private static final String K2 = Base64.getEncoder().encodeToString(key(2));

  private final InProcessApps apps = new InProcessApps();
  private final NodeEndpoints endpoints = new NodeEndpoints();

  @AfterEach
  void tearDown() throws Exception {
    apps.close();
    endpoints.close();
  }

  private static byte[] key(int seed) {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (seed * 97 + i * 13);
    }
    return key;
  }

  @Test
  void flagsAndVariablesSetTheEncryptionSection() {
    AppConfig flags = AppConfig.load(List.of("--name", "n", "--encryption-key", K1, "--encryption-key", K2,
        "--encryption-verify-incoming", "false"), Map.of());
    assertThat(flags.node.getEncryption().getKeys()).containsExactly(K1, K2);
    assertThat(flags.node.getEncryption().isVerifyIncoming()).isFalse();
    assertThat(flags.node.getEncryption().isVerifyOutgoing()).isTrue();
    AppConfig env = AppConfig.load(List.of("--name", "n"), Map.of("CKIT_ENCRYPTION_KEY", K2 + "," + K1,
        "CKIT_ENCRYPTION_VERIFY_OUTGOING", "false"));
    assertThat(env.node.getEncryption().getKeys()).containsExactly(K2, K1);
    assertThat(env.node.getEncryption().isVerifyOutgoing()).isFalse();
    assertThat(env.node.toString()).doesNotContain(K1).doesNotContain(K2);

    String notAKey = "bm90LWEta2V5";
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--encryption-key", notAKey), Map.of()))
        .hasMessage("--encryption-key: key 1 of 1 is 9 bytes; a key is 16, 24 or 32 bytes (AES-128, -192, -256)");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n"), Map.of("CKIT_ENCRYPTION_KEY", K1 + ",%%")))
        .hasMessage("--encryption-key: key 2 of 2 is not valid base64");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--encryption-verify-incoming", "yes"),
        Map.of())).hasMessage("--encryption-verify-incoming: \"yes\" is neither true nor false");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--encryption-key-file", "/no/such/file"),
        Map.of())).hasMessage("--encryption-key-file: cannot read \"/no/such/file\"");
  }

  @Test
  void editingTheKeyFilesRotatesARunningCluster(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("fast.json");
    Files.writeString(config, "{\"gossip\": {\"preset\": \"local\", \"probeInterval\": \"200ms\","
        + " \"probeTimeout\": \"100ms\", \"gossipInterval\": \"50ms\", \"pushPullInterval\": \"2s\"},"
        + " \"leaveTimeout\": \"2s\", \"encryption\": {\"keyFileCheckInterval\": \"100ms\"}}");
    Path[] files = {dir.resolve("a.keys"), dir.resolve("b.keys"), dir.resolve("c.keys")};
    writeAll(files, K1 + "\n");
    NodeApp a = apps.start(config, "--name", "a", "--encryption-key-file", files[0].toString());
    NodeApp b = apps.start(config, "--name", "b", "--encryption-key-file", files[1].toString(),
        "--join", InProcessApps.address(a));
    NodeApp c = apps.start(config, "--name", "c", "--encryption-key-file", files[2].toString(),
        "--join", InProcessApps.address(a));
    List<NodeApp> all = List.of(a, b, c);
    waitFor("three participants everywhere", () -> all.stream().allMatch(app -> participants(app) == 3));

    // The operator's three steps, each on every node's file before the next.
    writeAll(files, K1 + "\n" + K2 + "\n");
    waitForKeys(all, K1, K2);
    writeAll(files, K2 + "\n" + K1 + "\n");
    waitForKeys(all, K2, K1);
    // A state change while the old key is being dropped, node by node.
    Files.writeString(files[0], K2 + "\n");
    Node nodeA = a.node();
    NodeApp.await(nodeA.changeState(PeerState.TERMINATING), 30);
    Files.writeString(files[1], K2 + "\n");
    Files.writeString(files[2], K2 + "\n");
    waitForKeys(all, K2);
    for (NodeApp app : all) {
      waitFor(app.node().name() + " to see a terminating", () -> app.node().peers().stream()
          .anyMatch(peer -> peer.name().equals("a") && peer.state() == PeerState.TERMINATING));
      waitFor(app.node().name() + " to see b and c participate", () -> participants(app) == 2);
      assertThat(rejected(app, "decrypt")).as(app.node().name()).isZero();
    }

    // What an operator checks between the steps: every node's status shows the fingerprints.
    for (NodeApp app : all) {
      NodeEndpoints.Reply status = endpoints.get(InProcessApps.address(app), "/api/v1/status");
      assertThat(status.status()).isEqualTo(200);
      assertThat(status.json().getJsonArray("keyFingerprints").getList())
          .containsExactly(Keyring.fingerprint(Base64.getDecoder().decode(K2)));
      assertThat(status.body()).doesNotContain(K2).doesNotContain(K1);
    }

    // The cluster now speaks only the new key: a node with the old one is refused, and counted.
    Path stale = dir.resolve("stale.keys");
    Files.writeString(stale, K1 + "\n");
    NodeApp old = apps.start(config, "--name", "old", "--encryption-key-file", stale.toString(),
        "--join", InProcessApps.address(b));
    waitFor("b to refuse the node with the old key", () -> rejected(b, "decrypt") >= 1);
    assertThat(old.node().peers()).hasSize(1);
    // Given the new key, it joins.
    Files.writeString(stale, K2 + "\n");
    waitFor("the node to join once its file has the new key", () -> b.node().peers().size() == 4);
  }

  private static void writeAll(Path[] files, String text) throws Exception {
    for (Path file : files) {
      Files.writeString(file, text);
    }
  }

  private static void waitForKeys(List<NodeApp> apps, String... keys) throws InterruptedException {
    List<String> expected = java.util.Arrays.stream(keys)
        .map(key -> Keyring.fingerprint(Base64.getDecoder().decode(key))).toList();
    waitFor("every keyring to be " + expected, () -> apps.stream()
        .allMatch(app -> app.node().keyFingerprints().equals(expected)));
  }

  private static long participants(NodeApp app) {
    Node node = app.node();
    return node == null ? 0 : node.peers().stream().filter(peer -> peer.state() == PeerState.PARTICIPANT).count();
  }

  private static double rejected(NodeApp app, String reason) {
    Counter counter = app.node().meterRegistry().find("cluster.transport.rx.rejected").tag("reason", reason)
        .counter();
    return counter == null ? -1 : counter.count();
  }
}
