package io.ckit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.faults.HostileClient.Answer;
import io.ckit.faults.HostileNodes.Metrics;
import io.ckit.peer.PeerState;
import io.ckit.transport.HttpTransport;
import io.ckit.wire.ByteString;
import io.ckit.wire.CkitCodec;
import io.ckit.wire.Keyring;
import io.ckit.wire.LocalState;
import io.ckit.wire.MemberState;
import io.ckit.wire.Message;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.StateMessage;
import io.ckit.wire.StreamCodec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * memberlist does not authenticate senders: without gossip encryption, anyone who reaches the gossip routes
 * can make a node believe another is dead, has left, or has changed state (checked here: the forgeries work).
 * With encryption on, the same forgeries, sent in plain text or encrypted with a key the cluster does not
 * have, are refused, counted, and change nothing any node believes.
 */
@Tag("faults")
class HostilePeersAuthTest {

  private static final Set<String> ABC = Set.of("a", "b", "c");

  private final HostileReport report = new HostileReport("2-authentication");
  private HostileNodes nodes;

  @AfterEach
  void stop() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }

  @AfterAll
  static void publish() throws Exception {
    HostileReport.publish();
  }

  @Test
  void withoutEncryptionForgedDeadLeaveAndStateChangesWork() throws Exception {
    nodes = new HostileNodes("auth-plain");
    String a = cluster(new JsonObject());
    try (HostileClient attacker = new HostileClient()) {
      // A forged dead message: a declares b dead (b, running, refutes once it hears, which is the point:
      // it has to hear it).
      long incarnation = nodes.member("a", "b").getLong("incarnation");
      int eventsBefore = nodes.events("a").size();
      Answer dead = attacker.postPackets(a, HostileClient.frames(
          attacker.packet(HostileClient.dead("b", incarnation, "mallory"))));
      assertThat(dead.status()).isEqualTo(200);
      HostileNodes.await("a to record b dead", 30, () -> eventsAbout("a", "b", eventsBefore).contains("dead"));

      // A forged state change: b terminating, stamped ahead of a's clock; re-sent until a shows it, since b
      // refutes it as soon as gossip brings it there.
      AtomicBoolean seen = new AtomicBoolean();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!seen.get() && System.nanoTime() < deadline) {
        long time = nodes.lamportTime("a") + 1_000;
        attacker.postPackets(a, HostileClient.frames(attacker.packet(
            HostileClient.state("b", PeerState.TERMINATING, time))));
        seen.set(nodes.peers("a", "terminating").contains("b"));
      }
      assertThat(seen).as("a lists b as terminating").isTrue();

      // A forged leave in a push/pull over the stream route: b has left.
      int beforeLeave = nodes.events("a").size();
      long current = nodes.member("a", "b").getLong("incarnation");
      Answer leave = attacker.post(a, HttpTransport.STREAM_PATH, HttpTransport.CONTENT_TYPE,
          HostileClient.frames(pushPull(StreamCodec.ckit(new MessageCodec(), ""), current)));
      HostileNodes.await("a to record b leaving", 30, () -> eventsAbout("a", "b", beforeLeave).contains("leave"));

      // b itself is fine, and refutes: the cluster heals (until the attacker sends again).
      HostileNodes.await("a, b and c to agree again", 60, () -> nodes.agree(ABC));
      report.row("no encryption: forged dead, state (terminating) and leave (push/pull) about b, sent to a",
          "each forgery works (memberlist does not authenticate)", "a recorded b dead (" + dead + "), listed b "
              + "terminating, recorded b leaving (stream " + leave + "); b refuted, all agree again",
          "-", "-");
    }
  }

  @Test
  void withEncryptionForgeriesWithoutTheKeyAreRefusedAndCounted() throws Exception {
    nodes = new HostileNodes("auth-encrypted");
    String key = randomKey();
    String a = cluster(new JsonObject(), "--encryption-key", key);
    JsonObject bBefore = nodes.member("a", "b");
    long incarnation = bBefore.getLong("incarnation");
    int[] eventsBefore = {nodes.events("a").size(), nodes.events("b").size(), nodes.events("c").size()};
    Metrics start = nodes.metrics("a");
    Keyring wrong = Keyring.of(Base64.getDecoder().decode(randomKey()));
    List<String> answers = new java.util.ArrayList<>();
    try (HostileClient plain = new HostileClient(); HostileClient wrongKey = new HostileClient("", wrong)) {
      for (HostileClient attacker : List.of(plain, wrongKey)) {
        Answer packets = attacker.postPackets(a, HostileClient.frames(
            attacker.packet(HostileClient.dead("b", incarnation, "mallory")),
            attacker.packet(HostileClient.state("b", PeerState.TERMINATING, nodes.lamportTime("a") + 1_000)),
            attacker.packet(HostileClient.alive("b", incarnation + 10, 1))));
        StreamCodec streams = attacker == plain ? StreamCodec.ckit(new MessageCodec(), "")
            : new StreamCodec(new MessageCodec(), "", wrong, false);
        Answer stream = attacker.post(a, HttpTransport.STREAM_PATH, HttpTransport.CONTENT_TYPE,
            HostileClient.frames(pushPull(streams, incarnation)));
        assertThat(packets.status()).isEqualTo(200);
        answers.add("packets " + packets + ", stream " + stream);
      }
    }
    HostileNodes.await("4 unencrypted and 4 undecryptable refusals", 30, () -> {
      Metrics now = nodes.metrics("a");
      return now.rejected("unencrypted") - start.rejected("unencrypted") >= 4
          && now.rejected("decrypt") - start.rejected("decrypt") >= 4;
    });
    Metrics end = nodes.metrics("a");
    double unencrypted = end.rejected("unencrypted") - start.rejected("unencrypted");
    double decrypt = end.rejected("decrypt") - start.rejected("decrypt");
    assertThat(unencrypted).isEqualTo(4);
    assertThat(decrypt).isEqualTo(4);
    // Nothing any node believes about b changed.
    String[] names = {"a", "b", "c"};
    for (int i = 0; i < names.length; i++) {
      assertThat(nodes.participants(names[i])).as("%s's participants", names[i]).isEqualTo(ABC);
      assertThat(eventsAbout(names[i], "b", eventsBefore[i])).as("%s's new events about b", names[i])
          .doesNotContain("dead", "leave", "state", "update");
    }
    // b may have refuted a suspicion of the loaded machine's making (incarnation + 1), never taken the forged
    // alive (incarnation + 10, another address).
    JsonObject bAfter = nodes.member("a", "b");
    assertThat(bAfter.getString("state")).isEqualTo("alive");
    assertThat(bAfter.getLong("incarnation")).isLessThan(incarnation + 10);
    assertThat(bAfter.getString("addr")).isEqualTo(bBefore.getString("addr"));
    report.row("encryption on: forged dead, state, alive (incarnation +10, another address) as packets, and a "
            + "forged leave in a push/pull, each in plain text and with a wrong key",
        "all refused and counted; no belief changes", String.join("; ", answers)
            + "; b alive, participant, at its address on every node",
        "unencrypted +" + (long) unencrypted + ", decrypt +" + (long) decrypt, "-");
  }

  @Test
  void withMutualTlsAPeerWithoutTheCertificateIsRefusedAndCounted() throws Exception {
    SelfSignedCertificate clusterCert = SelfSignedCertificate.create("localhost");
    SelfSignedCertificate malloryCert = SelfSignedCertificate.create("localhost");
    PemKeyCertOptions operator = new PemKeyCertOptions().setCertPath(clusterCert.certificatePath())
        .setKeyPath(clusterCert.privateKeyPath());
    nodes = new HostileNodes("auth-mtls", operator);
    // Every node presents the cluster's certificate, trusts only it, and requires it of whoever connects.
    JsonObject tls = new JsonObject().put("tls", new JsonObject().put("enabled", true)
        .put("pemKeyCert", new JsonObject().put("certPath", clusterCert.certificatePath())
            .put("keyPath", clusterCert.privateKeyPath()))
        .put("pemTrust", new JsonObject().put("certPaths", new JsonArray().add(clusterCert.certificatePath())))
        .put("clientAuth", "REQUIRED").put("verifyHost", false));
    String a = cluster(tls);
    JsonObject bBefore = nodes.member("a", "b");
    long incarnation = bBefore.getLong("incarnation");
    int[] eventsBefore = {nodes.events("a").size(), nodes.events("b").size(), nodes.events("c").size()};
    Metrics start = nodes.metrics("a");
    List<String> answers = new java.util.ArrayList<>();
    try (HostileClient none = HostileClient.overTls(null);
        HostileClient untrusted = HostileClient.overTls(new PemKeyCertOptions()
            .setCertPath(malloryCert.certificatePath()).setKeyPath(malloryCert.privateKeyPath()));
        HostileClient plain = new HostileClient()) {
      for (HostileClient attacker : List.of(none, untrusted, plain)) {
        Answer answer = attacker.postPackets(a, HostileClient.frames(
            attacker.packet(HostileClient.dead("b", incarnation, "mallory")),
            attacker.packet(HostileClient.state("b", PeerState.TERMINATING, nodes.lamportTime("a") + 1_000)),
            attacker.packet(HostileClient.alive("b", incarnation + 10, 1))));
        assertThat(answer.status()).as("what the attacker got: %s", answer).isEqualTo(-1);
        answers.add(answer.error().replaceAll("^.*?: ", "").replaceAll("(.{60}).*", "$1"));
      }
    }
    HostileNodes.await("3 refused handshakes", 30, () -> nodes.metrics("a").rejected("tls")
        - start.rejected("tls") >= 3);
    double refused = nodes.metrics("a").rejected("tls") - start.rejected("tls");
    assertThat(refused).isEqualTo(3);
    String[] names = {"a", "b", "c"};
    for (int i = 0; i < names.length; i++) {
      assertThat(nodes.participants(names[i])).as("%s's participants", names[i]).isEqualTo(ABC);
      assertThat(eventsAbout(names[i], "b", eventsBefore[i])).as("%s's new events about b", names[i])
          .doesNotContain("dead", "leave", "state", "update");
    }
    assertThat(nodes.member("a", "b").getLong("incarnation")).isLessThan(incarnation + 10);
    assertThat(nodes.member("a", "b").getString("addr")).isEqualTo(bBefore.getString("addr"));
    report.row("mTLS (clientAuth REQUIRED): forged dead, state, alive from a TLS client without a certificate, "
            + "with an untrusted one, and from a plain h2c client",
        "handshake refused, counted; no belief changes", String.join("; ", answers)
            + "; b alive, participant, at its address on every node",
        "tls +" + (long) refused, "-");
  }

  /** Starts a, b and c (b and c joining a) with these flags, waits until they agree, returns a's address. */
  private String cluster(JsonObject config, String... flags) throws Exception {
    String a = nodes.start("a", config, flags).address();
    nodes.start("b", config, concat(flags, "--join", a));
    nodes.start("c", config, concat(flags, "--join", a));
    HostileNodes.await("a, b and c to agree", 60, () -> nodes.agree(ABC));
    return a;
  }

  /** A push/pull saying b has left (at its current incarnation) and is terminating, as a stream message. */
  private static byte[] pushPull(StreamCodec codec, long incarnation) {
    Message.PushNodeState left = new Message.PushNodeState("b", ByteString.copyOf(new byte[] {127, 0, 0, 1}), 1,
        null, incarnation, MemberState.LEFT, ByteString.copyOf(new byte[] {1, 5, 2, 0, 0, 0}));
    byte[] state = CkitCodec.encodeLocalState(new LocalState(1, List.of(
        new StateMessage("b", PeerState.TERMINATING, 1))));
    return codec.encode(new Message.PushPull(false, List.of(left), ByteString.copyOf(state)));
  }

  /** The types of the events about {@code member} in {@code node}'s timeline after the first {@code skip}. */
  private List<String> eventsAbout(String node, String member, int skip) {
    JsonArray events = nodes.events(node);
    return events.stream().skip(skip).map(event -> (JsonObject) event)
        .filter(event -> member.equals(event.getString("member"))).map(event -> event.getString("type")).toList();
  }

  private static String randomKey() {
    byte[] key = new byte[16];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String[] concat(String[] first, String... more) {
    String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
