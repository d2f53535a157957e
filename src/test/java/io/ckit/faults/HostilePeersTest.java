package io.ckit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.faults.HostileClient.Answer;
import io.ckit.faults.HostileNodes.Metrics;
import io.ckit.peer.PeerState;
import io.ckit.transport.HttpTransport;
import io.ckit.wire.CkitCodec;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.MessageType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hostile peers against a runnable node's gossip routes: a healthy three-node cluster of node processes (a,
 * the target, b and c) on loopback, and an attacker that sends the target what no honest peer sends. Each
 * refusal is checked by what the attacker gets back and by the increase of the counter that records it, read
 * from the target's {@code /metrics}; at the end a fourth node joins and all four agree, with nobody declared
 * dead on the way.
 */
@Tag("faults")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostilePeersTest {

  private static final String MESSAGE = HttpTransport.MESSAGE_PATH;
  private static final String STREAM = HttpTransport.STREAM_PATH;

  private final HostileReport report = new HostileReport("1-refusals");
  private HostileNodes nodes;
  private HostileClient attacker;
  private String target;

  @BeforeAll
  void cluster() throws Exception {
    nodes = new HostileNodes("refusals");
    attacker = new HostileClient();
    target = nodes.start("a", new JsonObject()).address();
    nodes.start("b", new JsonObject(), "--join", target);
    nodes.start("c", new JsonObject(), "--join", target);
    HostileNodes.await("a, b and c to agree", 60, () -> nodes.agree(Set.of("a", "b", "c")));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      attacker.close();
    } finally {
      nodes.close();
      HostileReport.publish();
    }
  }

  @Test
  @Order(1)
  void http11IsRefusedOnBothRoutes() throws Exception {
    double before = rejected("http_version");
    Answer message = attacker.postHttp1(target, MESSAGE, HostileClient.frames(new byte[] {1}));
    Answer stream = attacker.postHttp1(target, STREAM, Buffer.buffer());
    assertThat(message.status()).isEqualTo(505);
    assertThat(stream.status()).isEqualTo(505);
    double delta = awaitIncrease("http_version", before, 2);
    report.row("HTTP/1.1 POST to message and stream", "505 each, http_version +2",
        "message " + message + ", stream " + stream, "http_version +" + (long) delta, "-");
  }

  @Test
  @Order(2)
  void wrongContentTypesAreRefused() throws Exception {
    double before = rejected("content_type");
    Answer text = attacker.post(target, MESSAGE, "text/plain", HostileClient.frames(new byte[] {1}));
    Answer none = attacker.post(target, MESSAGE, null, HostileClient.frames(new byte[] {1}));
    Answer json = attacker.post(target, STREAM, "application/json", Buffer.buffer());
    assertThat(text.status()).isEqualTo(400);
    assertThat(none.status()).isEqualTo(400);
    assertThat(json.status()).isEqualTo(400);
    double delta = awaitIncrease("content_type", before, 3);
    report.row("wrong content types (text/plain, none; application/json on stream)", "400 each, content_type +3",
        "message " + text + "/" + none + ", stream " + json, "content_type +" + (long) delta, "-");
  }

  @Test
  @Order(3)
  void truncatedFramesAreRefused() throws Exception {
    Buffer truncated = Buffer.buffer(FrameCodec.header(100)).appendBytes(new byte[10]);
    Metrics start = nodes.metrics("a");
    Answer message = attacker.postPackets(target, truncated);
    assertThat(message.status()).isEqualTo(400);
    awaitIncrease("frame", start.rejected("frame"), 1);
    Answer stream = attacker.post(target, STREAM, HttpTransport.CONTENT_TYPE, truncated);
    double delta = awaitIncrease("frame", start.rejected("frame"), 2);
    double failed = nodes.metrics("a").value("cluster_transport_stream_rx_packets_failed_total")
        - start.value("cluster_transport_stream_rx_packets_failed_total");
    assertThat(failed).isEqualTo(1);
    assertThat(nodes.metrics("a").rejected("malformed")).isEqualTo(start.rejected("malformed"));
    report.row("truncated frame (header says 100 bytes, 10 sent, body ends)",
        "message 400; stream failed; frame +2, nothing decoded", "message " + message + ", stream " + stream
            + " (answered before the body), stream_rx_packets_failed +" + (long) failed,
        "frame +" + (long) delta, "-");
  }

  @Test
  @Order(4)
  void aFrameLengthOf2To32Minus1IsRefusedBeforeBuffering() throws Exception {
    Buffer huge = Buffer.buffer(new byte[] {(byte) FrameCodec.MAGIC_32, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF}).appendBytes(new byte[1000]);
    Metrics start = nodes.metrics("a");
    Answer message = attacker.postPackets(target, huge);
    assertThat(message.status()).isEqualTo(400);
    awaitIncrease("frame", start.rejected("frame"), 1);
    HttpClientRequest stream = attacker.open(target, STREAM, huge);
    double delta = awaitIncrease("frame", start.rejected("frame"), 2);
    stream.reset();
    assertThat(nodes.metrics("a").rejected("malformed")).isEqualTo(start.rejected("malformed"));
    report.row("frame length 2^32-1 (0xCD FF FF FF FF), body left open on the stream",
        "message 400; stream failed; frame +2; nothing buffered", "message " + message
            + ", stream failed at the header", "frame +" + (long) delta, "-");
  }

  @Test
  @Order(5)
  void garbageAfterAValidFrameIsRefusedAndTheFrameIsKept() throws Exception {
    // The valid frame: a state message about b older than what a holds (time 1), so harmless but counted.
    Buffer body = HostileClient.frames(attacker.packet(HostileClient.state("b", PeerState.PARTICIPANT, 1)))
        .appendString("GET / HTTP/1.1\r\n\r\n garbage");
    Metrics start = nodes.metrics("a");
    Answer answer = attacker.postPackets(target, body);
    assertThat(answer.status()).isEqualTo(400);
    double delta = awaitIncrease("frame", start.rejected("frame"), 1);
    HostileNodes.await("the valid frame to be handled", 30,
        () -> nodes.metrics("a").event("stale_state_message") - start.event("stale_state_message") >= 1);
    report.row("garbage after a valid frame", "400, frame +1, the valid frame still handled",
        answer + ", the frame before it handled (stale_state_message +1)", "frame +" + (long) delta, "-");
  }

  @Test
  @Order(6)
  void validFramesCarryingInvalidMsgpackAreCounted() throws Exception {
    byte[] badAlive = {(byte) MessageType.ALIVE.code(), (byte) 0xC1, (byte) 0xC1, 0x00};
    byte[] badState = {(byte) MessageType.USER.code(), (byte) (CkitCodec.MAGIC >>> 8), (byte) CkitCodec.MAGIC,
        (byte) CkitCodec.TYPE_STATE, (byte) 0xC1, (byte) 0x93};
    double before = rejected("malformed");
    Answer answer = attacker.postPackets(target, HostileClient.frames(badAlive, badState));
    assertThat(answer.status()).isEqualTo(200);
    double delta = awaitIncrease("malformed", before, 2);
    report.row("valid frames, invalid msgpack (an alive; a ckit state message)", "200 (framing is fine), malformed +2",
        String.valueOf(answer), "malformed +" + (long) delta, "-");
  }

  @Test
  @Order(7)
  void aWrongClusterLabelIsRefused() throws Exception {
    double before = rejected("label");
    Answer answer;
    try (HostileClient other = new HostileClient("another-cluster", null)) {
      answer = other.postPackets(target, HostileClient.frames(
          other.packet(HostileClient.dead("b", 1_000, "mallory"))));
    }
    assertThat(answer.status()).isEqualTo(200);
    double delta = awaitIncrease("label", before, 1);
    assertThat(nodes.participants("a")).contains("b");
    report.row("wrong cluster label (a dead message labelled another-cluster)", "label +1, b stays alive",
        answer + ", b still a participant", "label +" + (long) delta, "-");
  }

  @Test
  @Order(8)
  void replayedOldMessagesChangeNothing() throws Exception {
    JsonObject b = nodes.member("a", "b");
    int bPort = HostileClient.port(b.getString("addr"));
    long incarnation = b.getLong("incarnation");
    Metrics start = nodes.metrics("a");
    int eventsBefore = nodes.events("a").size();
    // What an eavesdropper could have recorded early on: b a viewer at time 1, b alive at an incarnation not
    // newer than a's (and, when b has refuted before, an older one). The frames are handled in order, so once
    // the last is counted the others have been handled.
    Answer answer = attacker.postPackets(target, HostileClient.frames(
        attacker.packet(HostileClient.alive("b", Math.max(0, incarnation - 1), bPort)),
        attacker.packet(HostileClient.alive("b", incarnation, bPort)),
        attacker.packet(HostileClient.state("b", PeerState.VIEWER, 1))));
    assertThat(answer.status()).isEqualTo(200);
    HostileNodes.await("the replayed state message to be handled", 30,
        () -> nodes.metrics("a").event("stale_state_message") - start.event("stale_state_message") >= 1);
    assertThat(nodes.peers("a", "participant")).contains("b");
    JsonObject after = nodes.member("a", "b");
    assertThat(after.getString("addr")).isEqualTo(b.getString("addr"));
    // Not lowered by the replay (b's own refutation of a suspicion under load may raise it).
    assertThat(after.getLong("incarnation")).isGreaterThanOrEqualTo(incarnation);
    assertThat(after.getString("state")).isEqualTo("alive");
    assertThat(nodes.events("a").stream().skip(eventsBefore)
        .filter(event -> "b".equals(((JsonObject) event).getString("member")))).isEmpty();
    report.row("replayed old state (b viewer at time 1; alive b at incarnation <= current)",
        "no effect; stale_state_message +1", answer + "; b participant, alive, incarnation " + incarnation
            + " unchanged, no event", "stale_state_message +" + (long) (nodes.metrics("a")
            .event("stale_state_message") - start.event("stale_state_message")), "-");
  }

  @Test
  @Order(9)
  void aPeerClaimingAnotherNodesNameIsAConflict() throws Exception {
    JsonObject b = nodes.member("a", "b");
    long incarnation = b.getLong("incarnation");
    double before = nodes.metrics("a").event("node_conflict");
    // mallory's port is not b's: memberlist refuses the new address of a live member and reports a conflict.
    Answer answer = attacker.postPackets(target, HostileClient.frames(
        attacker.packet(HostileClient.alive("b", incarnation + 1, 1))));
    assertThat(answer.status()).isEqualTo(200);
    HostileNodes.await("a conflict to be counted", 30, () -> nodes.metrics("a").event("node_conflict") - before >= 1);
    double delta = nodes.metrics("a").event("node_conflict") - before;
    assertThat(delta).isEqualTo(1);
    assertThat(nodes.member("a", "b").getString("addr")).isEqualTo(b.getString("addr"));
    report.row("alive claiming b's name from 127.0.0.1:1 at a higher incarnation",
        "conflict counted, b's address kept", answer + ", b still at " + b.getString("addr"),
        "node_conflict +" + (long) delta, "-");
  }

  @Test
  @Order(10)
  void theClusterKeepsConvergingAndNobodyWasDeclaredDead() throws Exception {
    long started = System.nanoTime();
    nodes.start("d", new JsonObject(), "--join", nodes.node("b").address());
    HostileNodes.await("a, b, c and d to agree", 60, () -> nodes.agree(Set.of("a", "b", "c", "d")));
    long millis = (System.nanoTime() - started) / 1_000_000;
    for (String node : Set.of("a", "b", "c", "d")) {
      assertThat(nodes.events(node).stream().map(event -> ((JsonObject) event).getString("type")))
          .as("%s's timeline", node).doesNotContain("dead");
    }
    report.row("a 4th node joins after the attacks", "all 4 agree, nobody declared dead",
        "agreed " + millis + " ms after d's start (JVM start included), no dead event", "-", "-");
  }

  private double rejected(String reason) {
    return nodes.metrics("a").rejected(reason);
  }

  /** Waits until the rejection counter has grown by {@code expected} and checks it grew by no more. */
  private double awaitIncrease(String reason, double before, int expected) throws InterruptedException {
    ToDoubleFunction<Metrics> read = metrics -> metrics.rejected(reason) - before;
    HostileNodes.await("rejected{reason=" + reason + "} +" + expected, 30,
        () -> read.applyAsDouble(nodes.metrics("a")) >= expected);
    double delta = read.applyAsDouble(nodes.metrics("a"));
    assertThat(delta).as("rejected{reason=%s} increase", reason).isEqualTo(expected);
    return delta;
  }
}
