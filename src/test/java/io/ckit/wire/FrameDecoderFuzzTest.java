package io.ckit.wire;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Jazzer against gossiphttp's frames ({@link FrameCodec.Decoder}): a body read in one chunk and the same body
 * read in the chunks the fuzzer chooses (incremental decoding) give the same frames and the same error; no
 * frame is longer than the maximum (1 KiB here, so that the fuzzer reaches it); and the frames, encoded
 * again, decode to themselves.
 */
class FrameDecoderFuzzTest {

  private static final int MAX_FRAME = 1024;

  @FuzzTest(maxExecutions = Fuzzing.MAX_EXECUTIONS, maxDuration = Fuzzing.MAX_DURATION)
  void framesAreTheSameWhateverTheChunksAndRoundTrip(FuzzedDataProvider data) {
    int[] cuts = new int[data.consumeInt(0, 8)];
    for (int i = 0; i < cuts.length; i++) {
      cuts[i] = data.consumeInt(0, 2048);
    }
    byte[] body = data.consumeRemainingAsBytes();
    Arrays.sort(cuts);

    Outcome whole = decode(body, new int[0]);
    Outcome chunked = decode(body, cuts);
    if (!whole.sameAs(chunked)) {
      throw new AssertionError("one chunk gave " + whole + " but chunks cut at " + Arrays.toString(cuts)
          + " gave " + chunked + " for " + Fuzzing.hex(body));
    }
    if (whole.refused == null) {
      Buffer again = Buffer.buffer();
      whole.frames.forEach(frame -> again.appendBuffer(FrameCodec.encode(frame)));
      Outcome reencoded = decode(again.getBytes(), new int[0]);
      if (!reencoded.sameAs(whole)) {
        throw new AssertionError("frames " + whole + " encode to bytes that decode to " + reencoded);
      }
    }
  }

  private static Outcome decode(byte[] body, int[] cuts) {
    List<byte[]> frames = new ArrayList<>();
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(MAX_FRAME, frame -> {
      if (frame.length() > MAX_FRAME) {
        throw new AssertionError("a frame of " + frame.length() + " bytes passed a maximum of " + MAX_FRAME);
      }
      frames.add(frame.getBytes());
    });
    WireDecodeException refused = Fuzzing.refusal("FrameCodec.Decoder", body, () -> {
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
    return new Outcome(frames, refused);
  }

  /** The frames read, and the error that ended the body (null if it ended cleanly). */
  private record Outcome(List<byte[]> frames, WireDecodeException refused) {
    boolean sameAs(Outcome other) {
      if (frames.size() != other.frames.size()) {
        return false;
      }
      for (int i = 0; i < frames.size(); i++) {
        if (!Arrays.equals(frames.get(i), other.frames.get(i))) {
          return false;
        }
      }
      return refused == null ? other.refused == null
          : other.refused != null && refused.kind() == other.refused.kind();
    }

    @Override
    public String toString() {
      return frames.size() + " frames" + (refused == null ? "" : ", then " + refused.kind());
    }
  }
}
