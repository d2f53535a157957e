package io.ckit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.faults.HostileNodes.Metrics;
import io.ckit.peer.PeerState;
import io.ckit.transport.HttpTransport;
import io.ckit.wire.ByteString;
import io.ckit.wire.CkitCodec;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.LocalState;
import io.ckit.wire.Message;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.StreamCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Floods against a runnable node's gossip routes while a healthy three-node cluster (a, the target, b and c)
 * runs: packets at 10,000 a second, thousands of idle streams, slow readers on push/pulls, HTTP/2 rapid
 * reset and CONTINUATION floods. After each, the cluster still agrees, nobody was declared dead, and the
 * target's heap peak (sampled every second) is reported next to its baseline. The {@code faults} methods are
 * short versions in the default run; the {@code faults-long} ones run for a minute or more each, with a node
 * joining during the attack ({@code ./mvnw -Pfaults test}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostilePeersFloodTest {

  private static final Set<String> ABC = Set.of("a", "b", "c");
  private static final String MESSAGE = HttpTransport.MESSAGE_PATH;
  private static final String STREAM = HttpTransport.STREAM_PATH;

  private final HostileReport report = new HostileReport("3-floods");
  private final AtomicInteger joiners = new AtomicInteger();
  private HostileNodes nodes;
  private HostileHeap heap;
  private String target;
  private long baseline;
  private final java.util.Map<String, Integer> timelineStart = new java.util.HashMap<>();

  @BeforeAll
  void cluster() throws Exception {
    nodes = new HostileNodes("floods");
    target = nodes.start("a", new JsonObject()).address();
    nodes.start("b", new JsonObject(), "--join", target);
    nodes.start("c", new JsonObject(), "--join", target);
    HostileNodes.await("a, b and c to agree", 60, () -> nodes.agree(ABC));
    heap = new HostileHeap(nodes, "a");
    HostileNodes.await("5 heap samples", 60, () -> heap.samples() >= 5);
    baseline = heap.reset();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (heap != null) {
        heap.close();
      }
    } finally {
      nodes.close();
      HostileReport.publish();
    }
  }

  @BeforeEach
  void markTimelines() {
    for (String node : ABC) {
      timelineStart.put(node, nodes.events(node).size());
    }
  }

  /**
   * The cluster agrees again, and no node but the target was declared dead by anyone during the attack (the
   * target itself may be: a flood can stall it past the {@code local} preset's suspicion timeout; the count is
   * in the report).
   */
  @AfterEach
  void clusterStillAgrees() throws Exception {
    HostileNodes.await("a, b and c to agree after the attack", 60, () -> nodes.agree(ABC));
    for (String node : ABC) {
      assertThat(newEvents(node).stream().filter(event -> "dead".equals(event.getString("type")))
          .map(event -> event.getString("member"))).as("members %s declared dead", node).isSubsetOf("a");
    }
  }

  private List<JsonObject> newEvents(String node) {
    return nodes.events(node).stream().skip(timelineStart.getOrDefault(node, 0)).map(event -> (JsonObject) event)
        .toList();
  }

  /** How often b and c declared the target dead since the test began. */
  private String targetDeaths() {
    long deaths = 0;
    for (String node : List.of("b", "c")) {
      deaths += newEvents(node).stream().filter(event -> "dead".equals(event.getString("type"))).count();
    }
    return deaths == 0 ? "a never declared dead" : "a declared dead " + deaths + " time(s) by b or c, and back";
  }

  // ---------------------------------------------------------------------------------------------------
  // Packets

  @Test
  @Tag("faults")
  void packetFloodShort() throws Exception {
    packetFlood(10_000, 10, 5, false);
  }

  @Test
  @Tag("faults-long")
  void packetFloodLong() throws Exception {
    packetFlood(10_000, 10, 120, true);
  }

  /**
   * {@code packetRate} packets a second from one client (on up to 20 connections, 2,000 POSTs in flight at
   * most), {@code perPost} frames to a POST, each a packet the node handles (a stale state message, which
   * changes nothing and is counted as handled).
   */
  private void packetFlood(int packetRate, int perPost, int seconds, boolean join) throws Exception {
    int rate = packetRate / perPost;
    heap.reset();
    Metrics start = nodes.metrics("a");
    AtomicLong sent = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicInteger inFlight = new AtomicInteger();
    long joinMillis;
    try (HostileClient attacker = new HostileClient("", null, 20)) {
      byte[] stale = attacker.packet(HostileClient.state("b", PeerState.PARTICIPANT, 1));
      byte[][] packets = new byte[perPost][];
      java.util.Arrays.fill(packets, stale);
      Buffer body = HostileClient.frames(packets);
      long started = System.nanoTime();
      java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(2_000);
      Thread sender = new Thread(() -> {
        long end = started + seconds * 1_000_000_000L;
        try {
          for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
            long due = (now - started) * rate / 1_000_000_000L;
            if (sent.get() >= due) {
              Thread.sleep(1);
              continue;
            }
            if (!window.tryAcquire(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
              continue;
            }
            sent.incrementAndGet();
            inFlight.incrementAndGet();
            attacker.send(target, MESSAGE, body).onComplete(answer -> {
              inFlight.decrementAndGet();
              window.release();
              (answer.result().status() == 200 ? ok : failed).incrementAndGet();
            });
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "hostile-flood");
      sender.start();
      joinMillis = join ? joinDuringAttack() : -1;
      sender.join();
      HostileNodes.await("the requests in flight to end", 60, () -> inFlight.get() == 0);
    }
    long handled = (long) (nodes.metrics("a").event("stale_state_message") - start.event("stale_state_message"));
    HostileNodes.await("every answered packet to be handled", 60, () -> (long) (nodes.metrics("a")
        .event("stale_state_message") - start.event("stale_state_message")) >= ok.get() * perPost);
    assertThat(ok.get()).isPositive();
    // A flood may stall the target past the local preset's suspicion timeout: waited for, not assumed.
    awaitAgreement("after the packet flood");
    report.row(String.format("%,d packets/s from one client for %d s (%d to a POST)", packetRate, seconds,
            perPost), "every accepted packet handled; cluster agrees; heap bounded",
        String.format("%,d POSTs sent, %,d answered 200 (%,.0f packets/s), %,d failed; %,d packets handled by the"
                + " end%s", sent.get(), ok.get(), ok.get() * perPost / (double) seconds, failed.get(),
            Math.max(handled, ok.get() * perPost),
            joinMillis >= 0 ? "; a node joined meanwhile in " + joinMillis + " ms" : ""),
        "stale_state_message +" + (long) (nodes.metrics("a").event("stale_state_message")
            - start.event("stale_state_message")), heapCell());
  }

  // ---------------------------------------------------------------------------------------------------
  // Idle streams

  @Test
  @Tag("faults")
  void idleStreamsShort() throws Exception {
    idleStreams(10, 5, false);
  }

  @Test
  @Tag("faults-long")
  void idleStreamsLong() throws Exception {
    idleStreams(50, 60, true);
  }

  /**
   * Opens {@code connections} connections and on each as many POST streams as the server allows (and one
   * more, which it must refuse), sends no body, and holds them for {@code seconds}.
   */
  private void idleStreams(int connections, int seconds, boolean join) throws Exception {
    heap.reset();
    Metrics start = nodes.metrics("a");
    List<HostileFrames> held = new ArrayList<>();
    int opened = 0;
    long joinMillis = -1;
    try {
      for (int c = 0; c < connections; c++) {
        HostileFrames connection = HostileFrames.connect(target);
        held.add(connection);
        // The server applies its stream limit once its SETTINGS are acknowledged.
        connection.awaitSettings();
        byte[] headers = connection.postHeaders(MESSAGE);
        for (int s = 0; s < 100; s++) {
          connection.headers(1 + 2 * s, HostileFrames.END_HEADERS, headers);
          opened++;
        }
        connection.flush();
      }
      // One stream more than the server's limit of concurrent streams on one connection.
      HostileFrames first = held.get(0);
      first.headers(201, HostileFrames.END_HEADERS, first.postHeaders(MESSAGE));
      first.flush();
      HostileNodes.await("the 101st stream to be refused", 60, () -> first.resetsReceived.get() >= 1
          || first.closed());
      assertThat(first.closed()).as("connection closed (GOAWAY 0x%s) instead of refusing stream 101",
          Integer.toHexString(first.goAwayCode())).isFalse();
      int expected = opened;
      HostileNodes.await("the node to hold every stream", 60, () -> activeRequests() >= expected);
      double active = activeRequests();
      joinMillis = join ? joinDuringAttack() : -1;
      long until = System.nanoTime() + seconds * 1_000_000_000L;
      HostileNodes.await("the hold", seconds + 30, () -> System.nanoTime() >= until);
      awaitAgreement("while the idle streams are held");
      assertThat(first.resetsReceived.get()).isEqualTo(1);
      report.row(String.format("%,d idle streams (100 on each of %d connections, one more refused), held %d s",
              opened, connections, seconds), "at most 100 streams per connection; cluster agrees; heap bounded",
          String.format("stream 101 reset by the server; the node held %,.0f requests%s", active,
              joinMillis >= 0 ? "; a node joined meanwhile in " + joinMillis + " ms" : ""),
          "vertx_http_server_active_requests " + (long) active + "; rejected +" + (long) (rejectedTotal(
              nodes.metrics("a")) - rejectedTotal(start)), heapCell());
    } finally {
      for (HostileFrames connection : held) {
        connection.close();
      }
    }
    HostileNodes.await("the streams to be released", 60, () -> activeRequests() < 10);
  }

  // ---------------------------------------------------------------------------------------------------
  // Slow readers

  @Test
  @Tag("faults")
  void slowReadersShort() throws Exception {
    slowReaders(2, 30);
  }

  @Test
  @Tag("faults-long")
  void slowReadersLong() throws Exception {
    slowReaders(20, 60);
  }

  /**
   * Push/pulls on streams whose reader announced a window of 0: the node can never send its answer. It must
   * give the streams up (the stream timeout, then a reset) rather than hold their answers for ever.
   */
  private void slowReaders(int connections, int holdSeconds) throws Exception {
    heap.reset();
    Metrics start = nodes.metrics("a");
    byte[] pushPull = FrameCodec.encode(StreamCodec.ckit(new MessageCodec(), "").encode(
        new Message.PushPull(false, List.of(), ByteString.copyOf(CkitCodec.encodeLocalState(
            new LocalState(1, List.of())))))).getBytes();
    List<HostileFrames> held = new ArrayList<>();
    int opened = 0;
    try {
      for (int c = 0; c < connections; c++) {
        HostileFrames connection = HostileFrames.connect(target, true);
        held.add(connection);
        byte[] headers = connection.postHeaders(STREAM);
        for (int s = 0; s < 100; s++) {
          connection.headers(1 + 2 * s, HostileFrames.END_HEADERS, headers);
          connection.data(1 + 2 * s, HostileFrames.END_STREAM, pushPull);
          opened++;
        }
        connection.flush();
      }
      int expected = opened;
      // Every stream ends while the readers still hold their connections: answered (the node's refusals of
      // push/pulls over its limit carry no body) or reset.
      HostileNodes.await("the node to end every stream", holdSeconds, () -> held.stream()
          .mapToInt(connection -> connection.resetsReceived.get() + connection.endsReceived.get()).sum() >= expected);
      int resets = held.stream().mapToInt(connection -> connection.resetsReceived.get()).sum();
      Metrics end = nodes.metrics("a");
      long txFailed = (long) (end.value("cluster_transport_stream_tx_packets_failed_total")
          - start.value("cluster_transport_stream_tx_packets_failed_total"));
      assertThat(resets).as("streams reset").isPositive();
      assertThat(txFailed).as("stream_tx_packets_failed").isEqualTo(resets);
      report.row(String.format("%,d push/pulls from readers with a window of 0 (%d connections)", expected,
              connections), "each answer given up after the stream timeout (reset), counted; nothing held",
          String.format("%,.0f push/pulls merged; %,d streams reset, %,d ended without a body (over the"
                  + " node's 128 concurrent push/pulls)", end.event("merge_remote_state")
                  - start.event("merge_remote_state"), resets, expected - resets),
          "stream_tx_packets_failed +" + txFailed, heapCell());
    } finally {
      for (HostileFrames connection : held) {
        connection.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // HTTP/2 rapid reset and CONTINUATION floods

  @Test
  @Tag("faults")
  void rapidResetShort() throws Exception {
    rapidReset(3);
  }

  @Test
  @Tag("faults-long")
  void rapidResetLong() throws Exception {
    rapidReset(60);
  }

  /** For {@code seconds}, connection after connection: HEADERS then RST_STREAM, 10,000 times or until closed. */
  private void rapidReset(int seconds) throws Exception {
    heap.reset();
    Metrics start = nodes.metrics("a");
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    int connections = 0;
    long streams = 0;
    List<Integer> perConnection = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    do {
      try (HostileFrames connection = HostileFrames.connect(target)) {
        connections++;
        byte[] headers = connection.postHeaders(MESSAGE);
        int sent = 0;
        try {
          for (int s = 0; s < 10_000 && !connection.closed(); s++) {
            connection.headers(1 + 2 * s, HostileFrames.END_HEADERS, headers);
            connection.rst(1 + 2 * s, HostileFrames.CANCEL);
            sent++;
            if (s % 50 == 49) {
              connection.flush();
            }
          }
          connection.flush();
        } catch (java.io.IOException e) {
          // the server closed the connection under us
        }
        assertThat(connection.awaitClosed(30)).as("the server closes a rapid-reset connection").isTrue();
        streams += sent;
        perConnection.add(sent);
        codes.add(connection.goAwayCode());
      }
    } while (System.nanoTime() < until);
    // -1: the connection was reset before the GOAWAY was read (the attacker kept writing after it).
    assertThat(codes).as("GOAWAY codes").isSubsetOf(0xB, -1).contains(0xB);
    Metrics end = nodes.metrics("a");
    assertThat(end.rejected("http2") - start.rejected("http2")).isEqualTo(connections);
    report.row(String.format("rapid reset (HEADERS + RST_STREAM), %d s: %d connections", seconds, connections),
        "GOAWAY ENHANCE_YOUR_CALM after Vert.x's 200 resets / 30 s; cluster agrees",
        String.format("%,d streams opened in all; each connection closed, after at most %d written; GOAWAY 0xB"
            + " seen on %d of them (else reset before it was read)", streams,
            perConnection.stream().mapToInt(Integer::intValue).max().orElse(0),
            codes.stream().filter(code -> code == 0xB).count()),
        "http2 +" + (long) (end.rejected("http2") - start.rejected("http2")), heapCell());
  }

  @Test
  @Tag("faults")
  void continuationFloodShort() throws Exception {
    continuationFlood(3);
  }

  @Test
  @Tag("faults-long")
  void continuationFloodLong() throws Exception {
    continuationFlood(60);
  }

  /**
   * For {@code seconds}: connection after connection, a HEADERS frame without END_HEADERS and CONTINUATION
   * frames of 1,000-byte headers that never end it, until the server closes the connection (the header block
   * may not outgrow its limit); then, for as long again on one connection, empty CONTINUATION frames (which
   * add nothing to hold: they cost the node CPU only).
   */
  private void continuationFlood(int seconds) throws Exception {
    heap.reset();
    Metrics start = nodes.metrics("a");
    long until = System.nanoTime() + seconds * 1_000_000_000L;
    int connections = 0;
    List<Integer> framesUntilClosed = new ArrayList<>();
    List<Integer> codes = new ArrayList<>();
    ByteArrayOutputStream junk = new ByteArrayOutputStream();
    HostileFrames.literalNew(junk, "x-junk", "j".repeat(1_000));
    do {
      try (HostileFrames connection = HostileFrames.connect(target)) {
        connection.awaitSettings();
        connections++;
        connection.headers(1, 0, connection.postHeaders(MESSAGE));
        int sent = 0;
        try {
          for (; sent < 10_000 && !connection.closed(); sent++) {
            connection.continuation(1, 0, junk.toByteArray());
            connection.flush();
          }
        } catch (java.io.IOException e) {
          // the server closed the connection under us
        }
        assertThat(connection.awaitClosed(30)).as("the server closes a CONTINUATION flood").isTrue();
        framesUntilClosed.add(sent);
        codes.add(connection.goAwayCode());
      }
    } while (System.nanoTime() < until);
    // PROTOCOL_ERROR or ENHANCE_YOUR_CALM; -1: reset before the GOAWAY was read.
    assertThat(codes).as("GOAWAY codes").isSubsetOf(0x1, 0xB, -1).anyMatch(code -> code >= 0);
    Metrics afterSized = nodes.metrics("a");
    assertThat(afterSized.rejected("http2") - start.rejected("http2")).isEqualTo(connections);
    long empty = 0;
    boolean emptyClosed;
    try (HostileFrames connection = HostileFrames.connect(target)) {
      connection.awaitSettings();
      connection.headers(1, 0, connection.postHeaders(MESSAGE));
      long emptyUntil = System.nanoTime() + seconds * 1_000_000_000L;
      try {
        while (System.nanoTime() < emptyUntil && !connection.closed()) {
          for (int i = 0; i < 1_000; i++) {
            connection.continuation(1, 0, new byte[0]);
          }
          connection.flush();
          empty += 1_000;
        }
      } catch (java.io.IOException e) {
        // closed under us
      }
      emptyClosed = connection.closed();
    }
    awaitAgreement("after the CONTINUATION flood");
    report.row(String.format("CONTINUATION flood, %d s: %d connections of 1 KB headers never ended; then %d s of"
            + " empty CONTINUATION frames on one connection", seconds, connections, seconds),
        "connection closed once the header block passes its limit, counted; empty frames hold nothing",
        String.format("closed; the attacker had written %d to %d frames (1 KB each) when it noticed (GOAWAY codes"
                + " seen: %s); %,d empty frames (%,.0f/s) %s",
            framesUntilClosed.stream().mapToInt(Integer::intValue).min().orElse(0),
            framesUntilClosed.stream().mapToInt(Integer::intValue).max().orElse(0),
            codes.stream().distinct().map(code -> code < 0 ? "none" : "0x" + Integer.toHexString(code)).toList(),
            empty, empty / (double) seconds,
            emptyClosed ? "then closed" : "accepted, connection left open (not defended: CPU only)"),
        "http2 +" + (long) (afterSized.rejected("http2") - start.rejected("http2")), heapCell());
  }

  // ---------------------------------------------------------------------------------------------------

  /** Starts a new node joining b, waits until it and a, b, c agree, stops it gracefully; the time it took. */
  private long joinDuringAttack() throws Exception {
    String name = "joiner-" + joiners.incrementAndGet();
    long started = System.nanoTime();
    nodes.start(name, new JsonObject(), "--join", nodes.node("b").address());
    HostileNodes.await(name + ", a, b and c to agree", 120, () -> nodes.agree(Set.of("a", "b", "c", name)));
    long millis = (System.nanoTime() - started) / 1_000_000;
    nodes.stop(name);
    return millis;
  }

  /** Waits for a, b and c to agree: a moment after an attack they may not yet (the target may have been dead). */
  private void awaitAgreement(String when) throws InterruptedException {
    HostileNodes.await("a, b and c to agree " + when, 60, () -> nodes.agree(ABC));
  }

  private double activeRequests() {
    return nodes.metrics("a").value("vertx_http_server_active_requests");
  }

  private static double rejectedTotal(Metrics metrics) {
    return metrics.value("cluster_transport_rx_rejected_total");
  }

  /** The heap peak next to the baseline, and whether the target was declared dead meanwhile. */
  private String heapCell() {
    return HostileHeap.mib(heap.peak()) + " (baseline " + HostileHeap.mib(baseline) + "); " + targetDeaths();
  }
}
