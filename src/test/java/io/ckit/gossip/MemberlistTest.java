package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.ckit.gossip.RecordingTransport.TestStream;
import io.ckit.gossip.sim.Simulation;
import io.ckit.testing.ReferenceVectors;
import io.ckit.wire.ByteString;
import io.ckit.wire.MemberState;
import io.ckit.wire.Message;
import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.Dead;
import io.ckit.wire.Message.IndirectPing;
import io.ckit.wire.Message.NackResp;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.PushNodeState;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.Message.Suspect;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.PacketCodec;
import io.ckit.wire.StreamCodec;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One engine, fed packets and streams by the test, its output recorded. */
class MemberlistTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final ByteString VSN = ByteString.fromHex("010502000000");
  private static final ByteString LOCALHOST = ByteString.fromHex("7f000001");

  private final Simulation simulation = new Simulation();
  private final RecordingTransport transport = new RecordingTransport();
  private final Events events = new Events();
  private final MessageCodec messages = new MessageCodec();

  private Memberlist engine(String label) {
    return new Memberlist(new MemberIdentity("node-a", "127.0.0.1:27501", label), GossipOptions.ckit(), transport,
        simulation.scheduler(), events, new SplittableRandom(1));
  }

  private void receive(Memberlist engine, Message message) {
    engine.receivePacket(PacketCodec.ckit(messages, "").encode(message, false), "127.0.0.1:40000");
  }

  /** Every message of every packet sent so far, compounds and compression unwrapped. */
  private List<Message> sentMessages(String label) {
    List<Message> sent = new ArrayList<>();
    PacketCodec codec = PacketCodec.ckit(messages, label);
    for (RecordingTransport.Packet packet : transport.packets) {
      flatten(codec.decode(packet.bytes()).message(), sent);
    }
    return sent;
  }

  private static void flatten(Message message, List<Message> into) {
    if (message instanceof Compound compound) {
      compound.parts().forEach(part -> flatten(part, into));
    } else if (message instanceof Compress compress) {
      flatten(compress.inner(), into);
    } else {
      into.add(message);
    }
  }

  @Test
  void aStartedEngineIsItsOwnAliveMemberAtIncarnationOne() {
    Memberlist engine = engine("");
    engine.start();
    assertThat(engine.members()).singleElement().satisfies(member -> {
      assertThat(member.name()).isEqualTo("node-a");
      assertThat(member.state()).isEqualTo(MemberState.ALIVE);
      assertThat(member.incarnation()).isEqualTo(1);
      assertThat(member.address()).isEqualTo("127.0.0.1:27501");
    });
    assertThat(events.joined).containsExactly("node-a");
    assertThat(engine.healthScore()).isZero();
  }

  @Test
  void aliveNewsIsAcceptedOnlyWithANewerIncarnationAndConflictsAreReported() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    assertThat(events.joined).containsExactly("node-a", "node-b");
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, ByteString.ofUtf8("meta"), VSN));
    assertThat(engine.member("node-b").meta()).as("the same incarnation changes nothing").isNull();
    receive(engine, new Alive(2, "node-b", LOCALHOST, 27502, ByteString.ofUtf8("meta"), VSN));
    assertThat(engine.member("node-b").meta()).isEqualTo(ByteString.ofUtf8("meta"));
    assertThat(events.updated).containsExactly("node-b");

    receive(engine, new Alive(3, "node-b", ByteString.fromHex("0a000001"), 27502, null, VSN));
    assertThat(events.conflicts).containsExactly("node-b 127.0.0.1:27502 vs 10.0.0.1:27502");
    assertThat(engine.member("node-b").address()).isEqualTo("127.0.0.1:27502");
    assertThat(engine.member("node-b").incarnation()).isEqualTo(2);

    receive(engine, new Alive(1, "node-c", LOCALHOST, 27503, null, ByteString.fromHex("000502000000")));
    assertThat(engine.member("node-c")).as("protocol min 0 is invalid").isNull();
  }

  @Test
  void suspectAndDeadNewsAboutItselfAreRefutedWithAHigherIncarnation() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    receive(engine, new Suspect(1, "node-a", "node-b"));
    assertThat(engine.member("node-a").incarnation()).isEqualTo(2);
    assertThat(engine.member("node-a").state()).isEqualTo(MemberState.ALIVE);
    assertThat(engine.healthScore()).as("refuting costs local health").isEqualTo(1);
    receive(engine, new Dead(7, "node-a", "node-b"));
    assertThat(engine.member("node-a").incarnation()).isEqualTo(8);
    assertThat(engine.stats().refutations()).isEqualTo(2);
    simulation.runFor(1_000);
    assertThat(sentMessages("")).filteredOn(m -> m instanceof Alive alive && alive.node().equals("node-a"))
        .extracting(m -> ((Alive) m).incarnation()).contains(8L).doesNotContain(2L);
  }

  @Test
  void accusationsApplyAtTheKnownIncarnationAndALeaveIsRecordedAsLeft() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new Alive(5, "node-b", LOCALHOST, 27502, null, VSN));
    receive(engine, new Suspect(4, "node-b", "node-c"));
    assertThat(engine.member("node-b").state()).as("an older accusation is ignored").isEqualTo(MemberState.ALIVE);
    receive(engine, new Suspect(5, "node-b", "node-c"));
    assertThat(engine.member("node-b").state()).isEqualTo(MemberState.SUSPECT);
    receive(engine, new Alive(6, "node-b", LOCALHOST, 27502, null, VSN));
    assertThat(engine.member("node-b").state()).as("a refutation clears the suspicion").isEqualTo(MemberState.ALIVE);
    receive(engine, new Dead(6, "node-b", "node-b"));
    assertThat(engine.member("node-b").state()).isEqualTo(MemberState.LEFT);
    assertThat(events.left).containsExactly("node-b");
    assertThat(engine.members()).extracting(Member::name).containsExactly("node-a");
  }

  @Test
  void probesAndAcksGoPlainWhileGossipToAProtocolFiveMemberCarriesACrc() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    simulation.runFor(5_001);
    PacketCodec codec = PacketCodec.ckit(messages, "");
    List<PacketCodec.Packet> toB = transport.packets.stream()
        .filter(packet -> packet.address().equals("127.0.0.1:27502"))
        .map(packet -> codec.decode(packet.bytes())).toList();
    assertThat(toB).filteredOn(packet -> packet.message() instanceof Ping).singleElement()
        .satisfies(packet -> assertThat(packet.crc()).isFalse());
    assertThat(toB).filteredOn(packet -> !(packet.message() instanceof Ping)).isNotEmpty()
        .allSatisfy(packet -> assertThat(packet.crc()).isTrue());
    Ping ping = (Ping) toB.stream().map(PacketCodec.Packet::message).filter(m -> m instanceof Ping).findFirst()
        .orElseThrow();
    assertThat(ping).isEqualTo(new Ping(1, "node-b", LOCALHOST, 27501, "node-a"));
  }

  @Test
  void joiningSendsTheLabelAsItsOwnFrameThenACompressedPushPull() {
    events.localState = ByteString.ofUtf8("user-state");
    Memberlist engine = engine("prod");
    engine.start();
    Future<Integer> joined = engine.join(List.of("127.0.0.1:27502"));
    TestStream stream = transport.connect();
    assertThat(stream.remote).isEqualTo("127.0.0.1:27502");
    assertThat(HEX.formatHex(stream.writes.get(0))).isEqualTo("f40470726f64");
    StreamCodec streams = StreamCodec.ckit(messages, "prod");
    StreamCodec.Decoded request = streams.decode(stream.writes.get(1), 0, stream.writes.get(1).length);
    assertThat(request.message()).isEqualTo(new Compress(new PushPull(true, List.of(
        new PushNodeState("node-a", LOCALHOST, 27501, null, 1, MemberState.ALIVE, VSN)),
        ByteString.ofUtf8("user-state"))));

    byte[] answer = streams.encode(new PushPull(true, List.of(
        new PushNodeState("node-b", LOCALHOST, 27502, null, 1, MemberState.ALIVE, VSN)),
        ByteString.ofUtf8("their-state")));
    stream.receive(answer);
    assertThat(joined.result()).isEqualTo(1);
    assertThat(stream.closed).isTrue();
    assertThat(engine.member("node-b").state()).isEqualTo(MemberState.ALIVE);
    assertThat(events.remoteStates).containsExactly("their-state join=true");
  }

  @Test
  void aJoinFailsOnlyWhenNoSeedAnswers() {
    Memberlist engine = engine("");
    engine.start();
    Future<Integer> joined = engine.join(List.of("127.0.0.1:1", "127.0.0.1:2"));
    transport.connect().end();
    transport.connect().end();
    assertThat(joined.failed()).isTrue();
    String silent = "the peer closed the stream without answering: most likely another cluster label, or not a ckit node";
    assertThat(joined.cause()).hasMessage("Failed to join 127.0.0.1:1: " + silent + "; Failed to join 127.0.0.1:2: "
        + silent);

    Future<Integer> partly = engine.join(List.of("127.0.0.1:1", "127.0.0.1:2"));
    transport.connect().end();
    transport.connect().receive(StreamCodec.ckit(messages, "").encode(new PushPull(true, List.of(), null)));
    assertThat(partly.result()).isEqualTo(1);
  }

  @Test
  void aDelegateThatFailsToMergeTheAnswerFailsTheJoinWithItsError() {
    RuntimeException failure = new IllegalArgumentException("cannot merge");
    events.mergeFailure = failure;
    Memberlist engine = engine("");
    engine.start();
    Future<Integer> joined = engine.join(List.of("127.0.0.1:27502"));
    TestStream stream = transport.connect();
    byte[] answer = StreamCodec.ckit(messages, "").encode(new PushPull(true, List.of(
        new PushNodeState("node-b", LOCALHOST, 27502, null, 1, MemberState.ALIVE, VSN)),
        ByteString.ofUtf8("their-state")));
    assertThatCode(() -> stream.receive(answer)).doesNotThrowAnyException();
    assertThat(joined.failed()).isTrue();
    assertThat(joined.cause()).hasMessage("Failed to join 127.0.0.1:27502: cannot merge").hasCause(failure);
    assertThat(stream.closed).isTrue();
  }

  @Test
  void aDelegateThatFailsToGiveItsStateFailsTheJoinWithItsError() {
    RuntimeException failure = new IllegalArgumentException("no state");
    events.localStateFailure = failure;
    Memberlist engine = engine("");
    engine.start();
    Future<Integer> joined = engine.join(List.of("127.0.0.1:27502"));
    TestStream stream = transport.connect();
    assertThat(joined.failed()).isTrue();
    assertThat(joined.cause()).hasCause(failure);
    assertThat(stream.closed).isTrue();
    assertThat(stream.writes).isEmpty();
  }

  @Test
  void pushPullsWhoseHandlingFailsDoNotUseUpTheLimitOfConcurrentOnes() {
    Memberlist engine = engine("");
    engine.start();
    StreamCodec streams = StreamCodec.ckit(messages, "");
    byte[] pushPull = streams.encode(new PushPull(false, List.of(), ByteString.ofUtf8("their-state")));
    int limit = GossipOptions.ckit().getMaxConcurrentPushPulls();
    for (int i = 0; i <= limit; i++) {
      // Alternately our delegate fails to give its state (no answer) and to merge theirs (after answering).
      events.localStateFailure = i % 2 == 0 ? new IllegalStateException("no state") : null;
      events.mergeFailure = i % 2 == 1 ? new IllegalArgumentException("cannot merge") : null;
      TestStream stream = new TestStream("127.0.0.1:" + (40000 + i));
      engine.acceptStream(stream);
      assertThatCode(() -> stream.receive(pushPull)).doesNotThrowAnyException();
      assertThat(stream.closed).isTrue();
    }
    events.localStateFailure = null;
    events.mergeFailure = null;
    TestStream healthy = new TestStream("127.0.0.1:39999");
    engine.acceptStream(healthy);
    healthy.receive(pushPull);
    assertThat(healthy.writes).as("the answer").singleElement().satisfies(answer -> assertThat(
        ((Compress) streams.decode(answer, 0, answer.length).message()).inner()).isInstanceOf(PushPull.class));
    assertThat(events.remoteStates).contains("their-state join=false");
  }

  @Test
  void aStreamWithAnotherLabelIsDroppedWithoutAnswer() {
    Memberlist engine = engine("prod");
    engine.start();
    TestStream stream = new TestStream("127.0.0.1:40000");
    engine.acceptStream(stream);
    stream.receive(HEX.parseHex("f403646576"));
    assertThat(stream.closed).isTrue();
    assertThat(stream.writes).isEmpty();
  }

  @Test
  void anUnreadableStreamRequestGetsAnErrorResponse() {
    Memberlist engine = engine("");
    engine.start();
    TestStream stream = new TestStream("127.0.0.1:40000");
    engine.acceptStream(stream);
    stream.receive(HEX.parseHex("63"));
    assertThat(stream.closed).isTrue();
    StreamCodec.Decoded error = StreamCodec.ckit(messages, "").decode(stream.writes.get(0), 0,
        stream.writes.get(0).length);
    assertThat(((Compress) error.message()).inner()).isEqualTo(new Message.ErrResp("unknown message type 99"));
  }

  @Test
  void leavingCompletesOnceTheDeadMessageAboutItselfHasBeenGossiped() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    Future<Void> left = engine.leave(5_000);
    assertThat(engine.member("node-a").state()).isEqualTo(MemberState.LEFT);
    assertThat(left.isComplete()).isFalse();
    // 4 * ceil(log10(2 + 1)) = 4 transmissions, one per gossip round to the only other member.
    simulation.runFor(1_000);
    assertThat(left.succeeded()).isTrue();
    assertThat(sentMessages("")).contains(new Dead(1, "node-a", "node-a"));
  }

  @Test
  void aLeaveThatCannotGoOutInTimeFails() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    // The first gossip round is 200 ms away.
    Future<Void> left = engine.leave(100);
    simulation.runFor(150);
    assertThat(left.failed()).isTrue();
    assertThat(left.cause()).hasMessage("timeout waiting for leave broadcast");
  }

  @Test
  void aLeaveIsSentToEveryMemberAtOnceAndCompletesOnceGossipedEnoughTimes() {
    Memberlist engine = engine("");
    engine.start();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      receive(engine, new Alive(1, "node-" + i, LOCALHOST, 27510 + i, null, VSN));
      addresses.add("127.0.0.1:" + (27510 + i));
    }
    transport.packets.clear();
    Future<Void> left = engine.leave(5_000);
    // No virtual time has passed, so no gossip round ran: each member got a packet with the leave.
    assertThat(transport.packets).extracting(RecordingTransport.Packet::address)
        .containsExactlyInAnyOrderElementsOf(addresses);
    PacketCodec codec = PacketCodec.ckit(messages, "");
    for (RecordingTransport.Packet packet : transport.packets) {
      List<Message> parts = new ArrayList<>();
      flatten(codec.decode(packet.bytes()).message(), parts);
      assertThat(parts).contains(new Dead(1, "node-a", "node-a"));
    }
    // The broadcast goes on: 4 × ceil(log10(11)) = 8 transmits, three a gossip round.
    assertThat(left.isComplete()).isFalse();
    simulation.runFor(1_000);
    assertThat(left.succeeded()).isTrue();
  }

  @Test
  void gossipNowSendsWhatIsQueuedWithoutWaitingForTheNextRound() {
    List<byte[]> queued = new ArrayList<>(List.of(new byte[] {0x12, 0x01, 0x01}));
    Memberlist engine = new Memberlist(new MemberIdentity("node-a", "127.0.0.1:27501", ""), GossipOptions.ckit(),
        transport, simulation.scheduler(), new GossipDelegate() {
          @Override
          public List<byte[]> broadcasts(int overhead, int limit) {
            List<byte[]> out = List.copyOf(queued);
            queued.clear();
            return out;
          }
        }, new SplittableRandom(1));
    engine.start();
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    transport.packets.clear();
    engine.gossipNow();
    // The engine's own alive broadcasts go first; the delegate's message rides in the same round.
    assertThat(sentMessages("")).contains(new Message.User(ByteString.copyOf(new byte[] {0x12, 0x01, 0x01})));
    assertThat(transport.packets).extracting(RecordingTransport.Packet::address).containsOnly("127.0.0.1:27502");
  }

  @Test
  void gossipRoundsSendOnlyWhileSomethingIsQueuedAndCarryTheDelegatesMessagesAlone() {
    List<byte[]> queued = new ArrayList<>();
    AtomicInteger asked = new AtomicInteger();
    // No probes: every packet sent is gossip.
    GossipOptions options = GossipOptions.ckit().setProbeInterval(java.time.Duration.ofHours(1));
    Memberlist engine = new Memberlist(new MemberIdentity("node-a", "127.0.0.1:27501", ""), options,
        transport, simulation.scheduler(), new GossipDelegate() {
          @Override
          public List<byte[]> broadcasts(int overhead, int limit) {
            asked.incrementAndGet();
            List<byte[]> out = List.copyOf(queued);
            queued.clear();
            return out;
          }

          @Override
          public boolean hasBroadcasts() {
            return !queued.isEmpty();
          }
        }, new SplittableRandom(1));
    engine.start();
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    // The engine's own alive broadcasts run out (4 × ceil(log10(3)) = 4 transmits, one a round).
    simulation.runFor(5_000);
    transport.packets.clear();
    asked.set(0);
    simulation.runFor(2_000);
    assertThat(transport.packets).isEmpty();
    assertThat(asked.get()).isZero();
    // A message of the delegate's alone goes out at the next round, with nothing of the engine's queued.
    queued.add(new byte[] {0x12, 0x01, 0x02});
    simulation.runFor(250);
    assertThat(sentMessages("")).containsExactly(new Message.User(ByteString.copyOf(new byte[] {0x12, 0x01, 0x02})));
    assertThat(transport.packets).extracting(RecordingTransport.Packet::address).containsOnly("127.0.0.1:27502");
  }

  @Test
  void aLoneNodeLeavesAtOnce() {
    Memberlist engine = engine("");
    engine.start();
    assertThat(engine.leave(5_000).succeeded()).isTrue();
  }

  @Test
  void aNackPromisedForAnIndirectPingIsNotSentAfterShutdown() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new IndirectPing(9, LOCALHOST, 27503, "node-c", true, LOCALHOST, 27502, "node-b"));
    assertThat(sentMessages("")).as("the ping on node-b's behalf")
        .anySatisfy(m -> assertThat(m).isInstanceOf(Ping.class));
    engine.shutdown();
    int sentBefore = transport.packets.size();
    simulation.runFor(10_000);
    assertThat(transport.packets).hasSize(sentBefore);
  }

  @Test
  void anIndirectPingWithoutAnAckIsAnsweredWithANackAfterTheProbeTimeout() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new IndirectPing(9, LOCALHOST, 27503, "node-c", true, LOCALHOST, 27502, "node-b"));
    simulation.runFor(GossipOptions.ckit().getProbeTimeout().toMillis() - 1);
    assertThat(sentMessages("")).doesNotContain(new NackResp(9));
    simulation.runFor(1);
    assertThat(transport.packets).last().satisfies(packet -> assertThat(packet.address()).isEqualTo("127.0.0.1:27502"));
    assertThat(sentMessages("")).containsOnlyOnce(new NackResp(9));
  }

  @Test
  void anIndirectPingThatIsAckedInTimeRelaysTheAckAndSendsNoNack() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new IndirectPing(9, LOCALHOST, 27503, "node-c", true, LOCALHOST, 27502, "node-b"));
    Ping ping = (Ping) sentMessages("").stream().filter(m -> m instanceof Ping).findFirst().orElseThrow();
    receive(engine, new AckResp(ping.seqNo(), null));
    simulation.runFor(10_000);
    assertThat(sentMessages("")).contains(new AckResp(9, null)).doesNotContain(new NackResp(9));
  }

  /**
   * The captured traffic of two Go ckit nodes, with this engine in node-a's place: fed what Go's node-a
   * received, it answers node-b's join and probes with the bytes Go's node-a sent.
   */
  @Test
  void aJavaEngineInGoNodeAsPlaceAnswersGoNodeBWithTheSameBytes() {
    List<JsonObject> records = new ArrayList<>();
    ReferenceVectors.forEachLine("wire/traffic-join-leave.jsonl", records::add);
    JsonObject goJoinAnswer = records.stream().filter(r -> "node-a".equals(r.getString("node"))
        && "tx".equals(r.getString("dir")) && "stream".equals(r.getString("endpoint"))).findFirst().orElseThrow();
    StreamCodec streams = StreamCodec.ckit(messages, "");
    byte[] goAnswer = HEX.parseHex(goJoinAnswer.getString("hex"));
    PushPull goState = (PushPull) ((Compress) streams.decode(goAnswer, 0, goAnswer.length).message()).inner();
    // Our delegate stands in for ckit's: the same user state Go's node-a sent.
    events.localState = goState.userState();

    Memberlist engine = engine("");
    long start = records.get(0).getLong("t_ms");
    simulation.runUntil(0);
    engine.start();
    TestStream join = null;
    List<String> goAcks = new ArrayList<>();
    for (JsonObject record : records) {
      if (!"node-a".equals(record.getString("node")) || !record.containsKey("hex")) {
        continue;
      }
      simulation.runUntil(record.getLong("t_ms") - start + 1_000);
      byte[] bytes = HEX.parseHex(record.getString("hex"));
      if (record.getString("dir").equals("tx")) {
        if (record.getString("kind").equals("ackResp")) {
          goAcks.add(record.getString("peer") + " " + record.getString("hex"));
        }
        continue;
      }
      if (record.getString("endpoint").equals("stream")) {
        join = new TestStream(record.getString("peer"));
        engine.acceptStream(join);
        join.receive(bytes);
      } else {
        engine.receivePacket(bytes, record.getString("peer"));
      }
    }
    assertThat(join).isNotNull();
    assertThat(HEX.formatHex(join.writes.get(0))).as("the answer to node-b's join").isEqualTo(goJoinAnswer.getString("hex"));

    List<String> ourAcks = transport.packets.stream()
        .filter(packet -> HEX.formatHex(packet.bytes()).startsWith("0282"))
        .map(packet -> packet.address() + " " + HEX.formatHex(packet.bytes())).toList();
    assertThat(goAcks).isNotEmpty();
    assertThat(ourAcks).containsAll(goAcks.stream().map(ack -> "127.0.0.1:27502 " + ack.split(" ")[1]).toList());

    assertThat(engine.member("node-b").state()).isEqualTo(MemberState.LEFT);
    assertThat(events.joined).containsExactly("node-a", "node-b");
    assertThat(events.left).containsExactly("node-b");
    assertThat(events.messages).isNotEmpty();
  }

  @Test
  void suspicionsAndRefutationsAreToldToTheDelegate() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new Alive(5, "node-b", LOCALHOST, 27502, null, VSN));
    receive(engine, new Suspect(5, "node-b", "node-c"));
    assertThat(events.suspects).containsExactly("node-b at 5 by node-c");
    receive(engine, new Alive(6, "node-b", LOCALHOST, 27502, null, VSN));
    receive(engine, new Suspect(1, "node-a", "node-c"));
    receive(engine, new Dead(4, "node-a", "node-b"));
    assertThat(events.refutes).containsExactly("node-b at 6", "node-a at 2 from node-c", "node-a at 5 from node-b");
  }

  @Test
  void updatedMetadataIsAnnouncedAtTheNextIncarnation() {
    Memberlist engine = engine("");
    events.meta = ByteString.ofUtf8("v1");
    engine.start();
    assertThat(engine.member("node-a").meta()).isEqualTo(ByteString.ofUtf8("v1"));
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    events.meta = ByteString.ofUtf8("v2");
    engine.updateMeta();
    assertThat(engine.member("node-a").incarnation()).isEqualTo(2);
    assertThat(engine.member("node-a").meta()).isEqualTo(ByteString.ofUtf8("v2"));
    assertThat(events.updated).containsExactly("node-a");
    assertThat(sentMessages("")).as("gossiped at once")
        .contains(new Alive(2, "node-a", LOCALHOST, 27501, ByteString.ofUtf8("v2"), VSN));
  }

  @Test
  void aMemberIsHeardFromWhenItPingsOrAnswersAProbe() {
    Memberlist engine = engine("");
    engine.start();
    receive(engine, new Alive(1, "node-b", LOCALHOST, 27502, null, VSN));
    assertThat(details(engine, "node-b").sinceHeardMillis()).isEqualTo(-1);
    receive(engine, new Ping(9, "node-a", LOCALHOST, 27502, "node-b"));
    assertThat(details(engine, "node-b").sinceHeardMillis()).isZero();
    simulation.runFor(300);
    assertThat(details(engine, "node-b").sinceHeardMillis()).isEqualTo(300);
    assertThat(details(engine, "node-a").sinceHeardMillis()).as("never for this node").isEqualTo(-1);
    assertThat(details(engine, "node-b").member().state()).isEqualTo(MemberState.ALIVE);
  }

  private static MemberDetails details(Memberlist engine, String name) {
    return engine.memberDetails().stream().filter(d -> d.member().name().equals(name)).findFirst().orElseThrow();
  }

  /** A delegate that records what the engine tells it. */
  static final class Events implements GossipDelegate {
    final List<String> suspects = new ArrayList<>();
    final List<String> refutes = new ArrayList<>();
    ByteString meta;
    final List<String> joined = new ArrayList<>();
    final List<String> left = new ArrayList<>();
    final List<String> updated = new ArrayList<>();
    final List<String> conflicts = new ArrayList<>();
    final List<ByteString> messages = new ArrayList<>();
    final List<String> remoteStates = new ArrayList<>();
    ByteString localState;
    RuntimeException localStateFailure;
    RuntimeException mergeFailure;

    @Override
    public void notifyJoin(Member member) {
      joined.add(member.name());
    }

    @Override
    public void notifyLeave(Member member) {
      left.add(member.name());
    }

    @Override
    public void notifyUpdate(Member member) {
      updated.add(member.name());
    }

    @Override
    public ByteString nodeMeta(int limit) {
      return meta;
    }

    @Override
    public void notifySuspect(Member member, String from) {
      suspects.add(member.name() + " at " + member.incarnation() + " by " + from);
    }

    @Override
    public void notifyRefute(Member member, String from) {
      refutes.add(member.name() + " at " + member.incarnation() + (from == null ? "" : " from " + from));
    }

    @Override
    public void notifyConflict(Member existing, Member other) {
      conflicts.add(existing.name() + " " + existing.address() + " vs " + other.address());
    }

    @Override
    public void notifyMessage(ByteString message) {
      messages.add(message);
    }

    @Override
    public ByteString localState(boolean join) {
      if (localStateFailure != null) {
        throw localStateFailure;
      }
      return localState;
    }

    @Override
    public void mergeRemoteState(ByteString state, boolean join) {
      if (mergeFailure != null) {
        throw mergeFailure;
      }
      remoteStates.add(state.utf8() + " join=" + join);
    }
  }
}
