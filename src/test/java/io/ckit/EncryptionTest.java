package io.ckit;

import static io.ckit.TestNodes.await;
import static io.ckit.TestNodes.waitFor;
import static io.ckit.TestNodes.waitPeerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.testing.ReferenceVectors;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.Keyring;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gossip encryption from configuration, on real nodes over HTTP/2 on loopback: Go's ciphertexts read through
 * the configured keys, nodes without the keys refused (and counted), keys rotated in a running cluster.
 */
@ExtendWith(VertxExtension.class)
class EncryptionTest {

  private static final String K1 = Base64.getEncoder().encodeToString(bytes(1, 32));
  private static final String K2 = Base64.getEncoder().encodeToString(bytes(2, 16));
  private static final String OTHER = Base64.getEncoder().encodeToString(bytes(3, 24));

  private TestNodes nodes;
  private Vertx vertx;
  private final List<HttpClientAgent> clients = new ArrayList<>();

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    nodes = new TestNodes(vertx);
  }

  @AfterEach
  void tearDown() {
    nodes.close();
    clients.forEach(client -> await(client.close()));
  }

  private static byte[] bytes(int seed, int length) {
    byte[] key = new byte[length];
    for (int i = 0; i < length; i++) {
      key[i] = (byte) (seed * 53 + i * 7);
    }
    return key;
  }

  private static NodeOptions encrypted(String name, String... keys) {
    return TestNodes.options(name).setEncryption(new EncryptionOptions().setKeys(List.of(keys)));
  }

  static double rejected(Node node, String reason) {
    Counter counter = node.meterRegistry().find("cluster.transport.rx.rejected").tag("reason", reason).counter();
    return counter == null ? -1 : counter.count();
  }

  private static JsonObject vector(String prefix) {
    AtomicReference<JsonObject> found = new AtomicReference<>();
    ReferenceVectors.forEachLine("wire/memberlist-messages.jsonl.gz", vector -> {
      if (vector.getString("name").startsWith(prefix)) {
        found.set(vector);
      }
    });
    assertThat(found.get()).as(prefix).isNotNull();
    return found.get();
  }

  private Future<HttpClientResponse> post(Node node, String path, Buffer body) {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    clients.add(client);
    String[] hostPort = node.advertiseAddress().split(":");
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(hostPort[0])
            .setPort(Integer.parseInt(hostPort[1])).setURI(Node.TRANSPORT_BASE_PATH + path)
            .putHeader("Content-Type", "application/x.ckit"))
        .compose(request -> request.send(body));
  }

  @Test
  void aPacketGoEncryptedIsReadThroughTheKeysOfTheNodesJsonConfig() {
    // A compound Go sealed with label "prod": a ping for node-b, a suspect about node-b, and node-a's ckit
    // state message at Lamport time 2.
    JsonObject vector = vector("encrypt/pipeline-packet");
    byte[] key = HexFormat.of().parseHex(vector.getJsonObject("fields").getString("key_hex"));
    Buffer frame = FrameCodec.encode(HexFormat.of().parseHex(vector.getString("hex")));
    JsonObject json = TestNodes.options("node-b").setLabel("prod").toJson()
        .put("encryption", new JsonObject().put("keys", new JsonArray().add(Base64.getEncoder().encodeToString(key))));
    Node right = nodes.start(new NodeOptions(json));
    Node wrong = nodes.start(new NodeOptions(json).setName("node-wrong").setEncryption(new EncryptionOptions().addKey(OTHER)));
    assertThat(right.keyFingerprints()).containsExactly(Keyring.fingerprint(key));
    long before = right.lamportTime();
    assertThat(before).isLessThan(3);

    assertThat(await(post(right, "message", frame)).statusCode()).isEqualTo(200);
    waitFor(vertx, "node-b to observe node-a's Lamport time 2", 30_000, () -> right.lamportTime() >= 3);
    assertThat(rejected(right, "decrypt")).isZero();
    assertThat(rejected(right, "unencrypted")).isZero();

    long wrongBefore = wrong.lamportTime();
    assertThat(await(post(wrong, "message", frame)).statusCode()).isEqualTo(200);
    waitFor(vertx, "the node with another key to refuse the packet", 30_000, () -> rejected(wrong, "decrypt") == 1);
    assertThat(wrong.lamportTime()).isEqualTo(wrongBefore);
  }

  @Test
  void aNodeWithoutKeysCannotJoinAnEncryptedClusterAndTheRefusalIsCounted() {
    Node a = nodes.start(encrypted("node-a", K1));
    assertThat(rejected(a, "unencrypted")).isZero();
    Node plain = nodes.create("node-plain");
    assertThatThrownBy(() -> await(plain.start(List.of(a.advertiseAddress()))))
        .hasMessageStartingWith("failed to join memberlist");
    waitFor(vertx, "a to count the plain push/pull", 30_000, () -> rejected(a, "unencrypted") >= 1);
    // The plain node got an encrypted error back, which it cannot read either.
    waitFor(vertx, "the plain node to count the answer", 30_000, () -> rejected(plain, "decrypt") >= 1);
    assertThat(a.peers()).extracting(Peer::name).containsExactly("node-a");
    assertThat(plain.peers()).extracting(Peer::name).containsExactly("node-plain");
    assertThat(plain.keyFingerprints()).isEmpty();
    assertThatThrownBy(() -> await(plain.installKey(K1)))
        .hasMessage("installKey: gossip encryption is not enabled on this node (no keys in its options)");
  }

  @Test
  void aNodeWithAnotherKeyCannotJoin() {
    Node a = nodes.start(encrypted("node-a", K1));
    Node b = nodes.start(encrypted("node-b", K1), a);
    waitFor(vertx, "a and b to see each other", 30_000, () -> a.peers().size() == 2 && b.peers().size() == 2);
    Node stranger = nodes.create(encrypted("node-c", OTHER, K2));
    assertThatThrownBy(() -> await(stranger.start(List.of(a.advertiseAddress()))))
        .hasMessageStartingWith("failed to join memberlist");
    waitFor(vertx, "a to count the undecryptable push/pull", 30_000, () -> rejected(a, "decrypt") >= 1);
    assertThat(rejected(a, "unencrypted")).isZero();
    assertThat(a.peers()).extracting(Peer::name).containsExactly("node-a", "node-b");
    // Holding the cluster's key is not enough while another key encrypts; once it is primary, the node joins.
    await(stranger.installKey(K1));
    assertThatThrownBy(() -> await(stranger.start(List.of(a.advertiseAddress()))))
        .hasMessageContaining("remote error: no installed key could decrypt the message");
    await(stranger.useKey(K1));
    await(stranger.start(List.of(a.advertiseAddress())));
    waitFor(vertx, "the stranger to be seen by all", 30_000, () -> a.peers().size() == 3 && b.peers().size() == 3);
  }

  @Test
  void keysRotateAcrossARunningClusterWithoutLosingAStateChange() {
    Node n1 = nodes.start(encrypted("node-1", K1));
    Node n2 = nodes.start(encrypted("node-2", K1), n1);
    Node n3 = nodes.start(encrypted("node-3", K1), n1);
    List<Node> all = List.of(n1, n2, n3);
    waitFor(vertx, "three members everywhere", 30_000, () -> all.stream().allMatch(n -> n.peers().size() == 3));

    // Each step of the rotation goes to one node at a time, with a state change in the middle of it, so
    // gossip flows while the nodes disagree about the keys.
    List<Future<Void>> changes = new ArrayList<>();
    await(n1.installKey(K2));
    changes.add(n1.changeState(PeerState.PARTICIPANT));
    await(n2.installKey(K2));
    await(n3.installKey(K2));
    await(n3.useKey(K2));
    changes.add(n2.changeState(PeerState.PARTICIPANT));
    await(n1.useKey(K2));
    await(n2.useKey(K2));
    changes.add(n3.changeState(PeerState.PARTICIPANT));
    // Everything sealed with the old key has left before it goes: nothing is queued, and new packets flowed.
    double[] sent = all.stream().mapToDouble(EncryptionTest::packetsSent).toArray();
    waitFor(vertx, "packets sealed with the new key on every node", 30_000, () -> {
      for (int i = 0; i < all.size(); i++) {
        if (packetsSent(all.get(i)) < sent[i] + 5 || gauge(all.get(i), "cluster.transport.tx.packet.queue.length") > 0) {
          return false;
        }
      }
      return true;
    });
    for (Node node : all) {
      await(node.removeKey(K1));
    }
    await(Future.all(changes));
    await(n1.changeState(PeerState.TERMINATING));
    long terminatingAt = n1.lamportTime();

    for (Node node : all) {
      waitPeerState(vertx, node, "node-1", PeerState.TERMINATING);
      waitPeerState(vertx, node, "node-2", PeerState.PARTICIPANT);
      waitPeerState(vertx, node, "node-3", PeerState.PARTICIPANT);
      waitFor(vertx, node.name() + "'s clock to pass the terminating message", 30_000,
          () -> node.lamportTime() >= terminatingAt);
      assertThat(node.keyFingerprints()).containsExactly(Keyring.fingerprint(Base64.getDecoder().decode(K2)));
      assertThat(rejected(node, "decrypt")).as(node.name() + " refused nothing").isZero();
    }
    List<List<String>> views = all.stream().map(node -> node.peers().stream()
        .map(peer -> peer.name() + "=" + peer.state()).toList()).toList();
    assertThat(views).containsOnly(views.get(0));

    // The old key is gone for good: a node that has only it is refused.
    Node stale = nodes.create(encrypted("node-stale", K1));
    assertThatThrownBy(() -> await(stale.start(List.of(n2.advertiseAddress()))))
        .hasMessageStartingWith("failed to join memberlist");
    assertThatThrownBy(() -> await(n2.removeKey(K2)))
        .hasMessage("removeKey: the primary key cannot be removed; make another key primary first");
    assertThatThrownBy(() -> await(n2.useKey(K1))).hasMessage("useKey: the key is not installed");
    assertThatThrownBy(() -> await(n2.installKey("not base64!")))
        .hasMessage("installKey: the key is not valid base64");
  }

  @Test
  void nodesThatNeitherVerifyNorEncryptMixWithPlainNodesAsAClusterMovesOver() {
    Node plain = nodes.start("node-plain");
    NodeOptions moving = encrypted("node-m1", K1);
    moving.getEncryption().setVerifyIncoming(false).setVerifyOutgoing(false);
    Node m1 = nodes.start(moving, plain);
    Node m2 = nodes.start(new NodeOptions(moving).setName("node-m2"), m1);
    List<Node> all = List.of(plain, m1, m2);
    waitFor(vertx, "three members everywhere", 30_000, () -> all.stream().allMatch(n -> n.peers().size() == 3));
    await(m2.changeState(PeerState.PARTICIPANT));
    waitPeerState(vertx, plain, "node-m2", PeerState.PARTICIPANT);
    for (Node node : all) {
      assertThat(rejected(node, "unencrypted") + rejected(node, "decrypt")).as(node.name()).isZero();
    }
    // A node that requires encryption cannot take the plain answers of a node that does not encrypt yet.
    Node strict = nodes.create(encrypted("node-strict", K1));
    assertThatThrownBy(() -> await(strict.start(List.of(m1.advertiseAddress()))))
        .hasMessageContaining("encryption is configured but remote state is not encrypted");
    assertThat(rejected(strict, "unencrypted")).isGreaterThanOrEqualTo(1);
    assertThat(rejected(m1, "unencrypted") + rejected(m1, "decrypt")).isZero();
  }

  @Test
  void aKeyringSetInCodeOnTheGossipOptionsRotatesToo() {
    Node a = nodes.start(TestNodes.options("node-a")
        .setGossip(TestNodes.fastGossip().setKeyring(Keyring.of(Base64.getDecoder().decode(K1)))));
    assertThat(a.keyFingerprints()).containsExactly(fingerprint(K1));
    await(a.installKey(K2));
    await(a.useKey(K2));
    await(a.removeKey(K1));
    Node b = nodes.start(encrypted("node-b", K2), a);
    waitFor(vertx, "a and b to see each other", 30_000, () -> a.peers().size() == 2 && b.peers().size() == 2);
  }

  private static double packetsSent(Node node) {
    return node.meterRegistry().get("cluster.transport.tx.packets").counter().count();
  }

  private static double gauge(Node node, String name) {
    return node.meterRegistry().get(name).gauge().value();
  }

  @Test
  void aKeyFileIsReadAtStartAndFollowed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("keys");
    Files.writeString(file, "# the cluster's keys\n" + K1 + "\n\n" + K2 + "\n");
    NodeOptions options = TestNodes.options("node-a").setEncryption(new EncryptionOptions()
        .setKeyFile(file.toString()).setKeyFileCheckInterval(java.time.Duration.ofMillis(100)));
    Node a = nodes.create(options);
    assertThatThrownBy(() -> await(a.installKey(OTHER)))
        .hasMessage("installKey: the key file is read when the node starts; start it first");
    await(a.start(List.of()));
    assertThat(a.keyFingerprints()).containsExactly(fingerprint(K1), fingerprint(K2));

    Files.writeString(file, K2 + "\n" + K1 + "\n");
    waitFor(vertx, "the keyring to follow the file", 30_000,
        () -> a.keyFingerprints().equals(List.of(fingerprint(K2), fingerprint(K1))));
    // A broken file is reported once, without the keys in it, and changes nothing.
    List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.ckit.impl.NodeKeyring");
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord record) {
        if (record.getLevel() == java.util.logging.Level.WARNING) {
          warnings.add(record.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    logger.addHandler(capture);
    try {
      Files.writeString(file, K1 + "\n" + K2.substring(0, 20) + "\n");
      waitFor(vertx, "the broken file to be reported", 30_000, () -> !warnings.isEmpty());
      assertThat(warnings.get(0)).isEqualTo("node node-a: encryption.keyFile: \"" + file + "\" line 2 is 15 bytes; a "
          + "key is 16, 24 or 32 bytes (AES-128, -192, -256); the keyring is unchanged (2 keys, primary " + fingerprint(K2) + ", others " + fingerprint(K1)
          + ")");
      assertThat(a.keyFingerprints()).containsExactly(fingerprint(K2), fingerprint(K1));
      Files.writeString(file, OTHER + "\n");
      waitFor(vertx, "the keyring to follow the file again", 30_000,
          () -> a.keyFingerprints().equals(List.of(fingerprint(OTHER))));
      assertThat(warnings).hasSize(1);
    } finally {
      logger.removeHandler(capture);
    }

    Path bad = dir.resolve("bad");
    Files.writeString(bad, K1 + "\nAAAA\n");
    Node b = nodes.create(TestNodes.options("node-b").setEncryption(new EncryptionOptions().setKeyFile(bad.toString())));
    assertThatThrownBy(() -> await(b.start(List.of())))
        .hasMessage("encryption.keyFile: \"" + bad + "\" line 2 is 3 bytes; a key is 16, 24 or 32 bytes (AES-128, "
            + "-192, -256)");
    Node c = nodes.create(TestNodes.options("node-c").setEncryption(new EncryptionOptions()
        .setKeyFile(dir.resolve("missing").toString())));
    assertThatThrownBy(() -> await(c.start(List.of()))).hasMessageStartingWith("encryption.keyFile: cannot read");
  }

  private static String fingerprint(String key) {
    return Keyring.fingerprint(Base64.getDecoder().decode(key));
  }
}
