package io.ckit.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.Fuzzing;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.PacketCodec;
import io.ckit.wire.WireDecodeException;
import io.ckit.wire.WireDecodeException.Kind;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.Set;

/**
 * Jazzer against the {@code POST message} route's body, as {@link ServerEndpoints#handleMessage} reads it: the
 * body's chunks (cut where the fuzzer says) through a {@link FrameCodec.Decoder} with the transport's default
 * maximum frame, each frame handed as a packet to a real engine ({@link io.ckit.gossip.Memberlist#receivePacket}).
 * The body is either read to its end or refused with a frame error (the route's 400); the engine never throws;
 * it counts every packet it is given, and counts as rejected exactly those the packet codec refuses.
 */
class MessageRouteFuzzTest {

  private static final Set<Kind> FRAME_ERRORS = Set.of(Kind.BAD_MAGIC, Kind.TOO_LARGE, Kind.TRUNCATED);
  private static final PacketCodec PACKETS = PacketCodec.ckit(new MessageCodec(), "");
  /**
   * What one packet may allocate, decoded twice (here and by the engine) with the default 4 MiB maximum: the
   * decompressed parts of one message are at most the maximum together, and growing their buffers costs at
   * most three times that.
   */
  static final long PACKET_LIMIT = 2 * (3L * MessageCodec.DEFAULT_MAX_MESSAGE_BYTES) + (2 << 20);

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void bodiesBecomePacketsAndEveryBadPacketIsCounted(FuzzedDataProvider data) {
    int[] cuts = new int[data.consumeInt(0, 6)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = data.consumeInt(0, 4096);
    }
    Arrays.sort(cuts);
    byte[] body = data.consumeRemainingAsBytes();

    FuzzedEngine fuzzed = new FuzzedEngine();
    int[] frames = {0};
    int[] refusedByCodec = {0};
    long[] packetsAllocated = {0};
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(new TransportOptions().getMaxFrameBytes(), frame -> {
      byte[] packet = frame.getBytes();
      frames[0]++;
      Fuzzing.Allocation allocation = Fuzzing.Allocation.start();
      try {
        PACKETS.decode(packet);
      } catch (WireDecodeException e) {
        refusedByCodec[0]++;
      }
      try {
        fuzzed.engine.receivePacket(packet, "127.0.0.1:40000");
      } catch (RuntimeException e) {
        throw new AssertionError("the engine threw " + e + " on packet " + Fuzzing.hex(packet), e);
      }
      allocation.check("a packet", packet, PACKET_LIMIT, 0);
      packetsAllocated[0] += allocation.allocated();
    });
    WireDecodeException refused = Fuzzing.refusal("the message route's body", body, () -> packetsAllocated[0], () -> {
      int from = 0;
      for (int cut : cuts) {
        int to = Math.min(cut, body.length);
        if (to > from) {
          decoder.handle(Buffer.buffer(Arrays.copyOfRange(body, from, to)));
          from = to;
        }
      }
      decoder.handle(Buffer.buffer(Arrays.copyOfRange(body, from, body.length)));
      decoder.end();
    });
    if (refused != null && !FRAME_ERRORS.contains(refused.kind())) {
      throw new AssertionError("the body was refused with " + refused.kind() + ", not a frame error");
    }
    long received = fuzzed.engine.stats().packetsReceived();
    long rejected = fuzzed.engine.stats().packetsRejected();
    if (received != frames[0] || rejected != refusedByCodec[0] || fuzzed.rejected != refusedByCodec[0]) {
      throw new AssertionError(frames[0] + " frames, " + refusedByCodec[0] + " refused by the codec, but the engine"
          + " received " + received + " and rejected " + rejected + " (told " + fuzzed.rejected + "): "
          + Fuzzing.hex(body));
    }
    fuzzed.simulation.runFor(10_000);
  }
}
