package io.ckit.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.ckit.gossip.StreamChannel;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.Fuzzing;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.StreamCodec;
import io.ckit.wire.WireDecodeException;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Jazzer against the {@code POST stream} route's body, as an accepted stream reads it ({@link
 * EngineSideStream#received}): the body's chunks (cut where the fuzzer says) through a {@link
 * FrameCodec.Decoder} with the transport's default maximum frame, each frame's bytes handed to a real engine
 * that accepted the stream ({@link io.ckit.gossip.Memberlist#acceptStream}: label, then one message), then
 * the end of the body. The engine never throws; whatever it writes back is a readable stream message; and
 * once the stream timeout has passed, it has closed the stream, whatever came in.
 */
class StreamRouteFuzzTest {

  private static final StreamCodec ANSWERS = StreamCodec.ckit(new MessageCodec(), "");

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void streamsAreAnsweredOrRefusedAndAlwaysClosed(FuzzedDataProvider data) {
    int[] cuts = new int[data.consumeInt(0, 6)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = data.consumeInt(0, 4096);
    }
    Arrays.sort(cuts);
    boolean endBody = data.consumeBoolean();
    byte[] body = data.consumeRemainingAsBytes();

    FuzzedEngine fuzzed = new FuzzedEngine();
    Channel channel = new Channel();
    fuzzed.engine.acceptStream(channel);
    long[] framesAllocated = {0};
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(new TransportOptions().getMaxFrameBytes(), frame -> {
      byte[] bytes = frame.getBytes();
      Fuzzing.Allocation allocation = Fuzzing.Allocation.start();
      channel.deliver(bytes);
      // The engine reads the stream's one message as its frames arrive; each frame may complete it.
      allocation.check("a stream frame", bytes, MessageRouteFuzzTest.PACKET_LIMIT, 0);
      framesAllocated[0] += allocation.allocated();
    });
    WireDecodeException refused = Fuzzing.refusal("the stream route's body", body, () -> framesAllocated[0], () -> {
      int from = 0;
      for (int cut : cuts) {
        int to = Math.min(cut, body.length);
        if (to > from) {
          decoder.handle(Buffer.buffer(Arrays.copyOfRange(body, from, to)));
          from = to;
        }
      }
      decoder.handle(Buffer.buffer(Arrays.copyOfRange(body, from, body.length)));
      if (endBody) {
        decoder.end();
      }
    });
    if (refused != null) {
      channel.fail(refused);
    } else if (endBody) {
      channel.end();
    }
    fuzzed.simulation.runFor(fuzzed.engine.streamTimeout().toMillis() + 1_000);

    if (!channel.closed) {
      throw new AssertionError("the engine left the stream open: " + Fuzzing.hex(body));
    }
    for (byte[] answer : channel.writes) {
      StreamCodec.Decoded decoded = Fuzzing.decodeOrRefuse("an answer", answer,
          () -> ANSWERS.decode(answer, 0, answer.length));
      if (decoded == null || decoded.length() != answer.length) {
        throw new AssertionError("the engine answered " + Fuzzing.hex(answer) + " to " + Fuzzing.hex(body));
      }
    }
  }

  /** The route's side of the stream: delivers the frames, records what the engine writes. */
  private static final class Channel implements StreamChannel {
    final List<byte[]> writes = new ArrayList<>();
    boolean closed;
    private Consumer<byte[]> data = bytes -> {};
    private Runnable end = () -> {};
    private Consumer<Throwable> failure = e -> {};

    void deliver(byte[] bytes) {
      if (!closed) {
        run(() -> data.accept(bytes));
      }
    }

    void end() {
      run(end);
    }

    void fail(Throwable cause) {
      run(() -> failure.accept(cause));
    }

    private static void run(Runnable handler) {
      try {
        handler.run();
      } catch (RuntimeException e) {
        throw new AssertionError("the engine threw " + e, e);
      }
    }

    @Override
    public void write(byte[] bytes) {
      if (!closed) {
        writes.add(bytes);
      }
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public void handler(Consumer<byte[]> data) {
      this.data = data;
    }

    @Override
    public void endHandler(Runnable end) {
      this.end = end;
    }

    @Override
    public void exceptionHandler(Consumer<Throwable> failure) {
      this.failure = failure;
    }

    @Override
    public String remoteAddress() {
      return "127.0.0.1:40000";
    }
  }
}
