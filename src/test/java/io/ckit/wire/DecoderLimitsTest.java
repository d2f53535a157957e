package io.ckit.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.User;
import io.ckit.wire.WireDecodeException.Kind;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bugs Jazzer found: what a decoder may allocate for a small input (see the fuzz targets' finding-* inputs). */
class DecoderLimitsTest {

  @Test
  void aFrameHeaderAloneReservesNothingForTheLengthItAnnounces() {
    int max = 4 * 1024 * 1024 + 1024;
    List<Buffer> frames = new ArrayList<>();
    warmUp(() -> new FrameCodec.Decoder(max, frames::add).handle(Buffer.buffer(new byte[] {(byte) 0xCD, 0, 0, 0, 1})));
    FrameCodec.Decoder decoder = new FrameCodec.Decoder(max, frames::add);
    Fuzzing.Allocation allocation = Fuzzing.Allocation.start();
    // 0xCD + 3,801,669: a frame within the maximum, of which only one byte arrives.
    decoder.handle(Buffer.buffer(new byte[] {(byte) 0xCD, 0x00, 0x3a, 0x02, 0x45, 0x01}));
    long allocated = allocation.allocated();
    assertThat(allocated).as("bytes allocated for a header and one byte").isLessThan(64 * 1024);

    // The payload still arrives whole, however it is cut.
    byte[] rest = new byte[3_801_668];
    rest[rest.length - 1] = 7;
    decoder.handle(Buffer.buffer(rest).slice(0, 1_000_000));
    decoder.handle(Buffer.buffer(rest).slice(1_000_000, rest.length));
    decoder.end();
    assertThat(frames).singleElement().satisfies(frame -> {
      assertThat(frame.length()).isEqualTo(3_801_669);
      assertThat(frame.getByte(0)).isEqualTo((byte) 1);
      assertThat(frame.getByte(frame.length() - 1)).isEqualTo((byte) 7);
    });
  }

  @Test
  void theCompressedPartsOfOneMessageDecompressToTheMaximumTogether() {
    int max = 64 * 1024;
    MessageCodec codec = new MessageCodec(max);
    // Ten compressed parts of 60 KiB each: each within the maximum, ten times it together, in 1 KiB or so.
    byte[] part = codec.encode(new Compress(new User(ByteString.copyOf(new byte[60 * 1024]))));
    byte[] packet = MessageCodec.encodeCompound(Collections.nCopies(10, part));
    assertThat(packet.length).isLessThan(10 * 1024);

    warmUp(() -> codec.decode(packet));
    Fuzzing.Allocation allocation = Fuzzing.Allocation.start();
    Compound compound = (Compound) codec.decode(packet);
    long allocated = allocation.allocated();

    assertThat(compound.parts()).hasSize(1);
    assertThat(compound.unreadableParts()).hasSize(9).allSatisfy(e -> {
      assertThat(e.kind()).isEqualTo(Kind.TOO_LARGE);
      assertThat(e.getMessage()).contains("decompress to more than the maximum of 65536 bytes");
    });
    assertThat(allocated).as("bytes allocated decoding a %d-byte packet", packet.length)
        .isLessThan(4L * max + 256 * 1024);
  }

  /** Runs the code once, so that loading its classes is not measured. */
  private static void warmUp(Runnable code) {
    code.run();
  }
}
