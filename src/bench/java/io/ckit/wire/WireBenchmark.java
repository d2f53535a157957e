package io.ckit.wire;

import io.ckit.peer.PeerState;
import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.PushNodeState;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.Message.User;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding and decoding the messages a ckit node handles most, as they go on the wire: a probe and its ack
 * (plain packets), a gossip packet of 10 broadcasts (compound, compressed when smaller, with CRC), and the
 * push/pull of a 151-node cluster (ckit's local state included, compressed as every stream message).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class WireBenchmark {

  private static final ByteString ADDR = ByteString.fromHex("7f000001");
  private static final ByteString VSN = ByteString.fromHex("010502000000");

  private final MessageCodec codec = new MessageCodec();
  private final PacketCodec packets = PacketCodec.ckit(codec, "");
  private final StreamCodec streams = StreamCodec.ckit(codec, "");
  /** With gossip encryption (an AES-256 key, memberlist's version 1), verifying incoming traffic. */
  private final PacketCodec encryptedPackets = new PacketCodec(codec, "", Keyring.of(new byte[32]), true);

  private Ping ping;
  private AckResp ack;
  private Compound gossip;
  private PushPull pushPull;
  private byte[] pingBytes;
  private byte[] ackBytes;
  private byte[] gossipBytes;
  private byte[] pushPullBytes;
  private byte[] encryptedPingBytes;
  private byte[] encryptedGossipBytes;

  @Setup
  public void setUp() {
    ping = new Ping(4242, "node-b", ADDR, 7946, "node-a");
    ack = new AckResp(4242, null);
    List<Message> broadcasts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      broadcasts.add(i % 2 == 0
          ? new Alive(1, "node-" + i, ADDR, 7946 + i, null, VSN)
          : new User(ByteString.wrap(CkitCodec.encodeState(new StateMessage("node-" + i, PeerState.PARTICIPANT, i)))));
    }
    gossip = Compound.of(broadcasts);
    List<PushNodeState> members = new ArrayList<>();
    List<StateMessage> states = new ArrayList<>();
    for (int i = 1; i <= 151; i++) {
      members.add(new PushNodeState("node_" + i, ByteString.fromHex(String.format("0a00%04x", i)), 7946, null, 3,
          MemberState.ALIVE, VSN));
      states.add(new StateMessage("node_" + i, PeerState.PARTICIPANT, 2L * i));
    }
    pushPull = new PushPull(false, members,
        ByteString.wrap(CkitCodec.encodeLocalState(new LocalState(1000, states))));
    pingBytes = packets.encode(ping, false);
    ackBytes = packets.encode(ack, false);
    gossipBytes = packets.encode(gossip, true);
    pushPullBytes = streams.encode(pushPull);
    encryptedPingBytes = encryptedPackets.encode(ping, false);
    encryptedGossipBytes = encryptedPackets.encode(gossip, true);
  }

  @Benchmark
  public byte[] encodePingEncrypted() {
    return encryptedPackets.encode(ping, false);
  }

  @Benchmark
  public PacketCodec.Packet decodePingEncrypted() {
    return encryptedPackets.decode(encryptedPingBytes);
  }

  @Benchmark
  public byte[] encodeCompound10Encrypted() {
    return encryptedPackets.encode(gossip, true);
  }

  @Benchmark
  public PacketCodec.Packet decodeCompound10Encrypted() {
    return encryptedPackets.decode(encryptedGossipBytes);
  }

  @Benchmark
  public byte[] encodePing() {
    return packets.encode(ping, false);
  }

  @Benchmark
  public PacketCodec.Packet decodePing() {
    return packets.decode(pingBytes);
  }

  @Benchmark
  public byte[] encodeAck() {
    return packets.encode(ack, false);
  }

  @Benchmark
  public PacketCodec.Packet decodeAck() {
    return packets.decode(ackBytes);
  }

  @Benchmark
  public byte[] encodeCompound10() {
    return packets.encode(gossip, true);
  }

  @Benchmark
  public PacketCodec.Packet decodeCompound10() {
    return packets.decode(gossipBytes);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] encodePushPull151() {
    return streams.encode(pushPull);
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public LocalState decodePushPull151() {
    StreamCodec.Decoded decoded = streams.decode(pushPullBytes, 0, pushPullBytes.length);
    PushPull message = (PushPull) ((Message.Compress) decoded.message()).inner();
    return CkitCodec.decodeLocalState(message.userState());
  }
}
