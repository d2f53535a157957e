package io.ckit.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.testing.ReferenceVectors;
import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.MessageCodec.Form;
import io.vertx.core.buffer.Buffer;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated inputs against every decoder: only {@link WireDecodeException} may come out, and
 * no call may allocate much more than the configured maximum message size. The default run takes a quick
 * slice; {@code ./mvnw -Pfuzz test} runs a million inputs ({@code -Dckit.fuzz.iterations=N},
 * {@code -Dckit.fuzz.seed=S} to vary).
 */
class WireFuzzTest {

  private static final int ITERATIONS = Integer.getInteger("ckit.fuzz.iterations", 20_000);
  private static final long SEED = Long.getLong("ckit.fuzz.seed", 20_261_124L);
  private static final int MAX = 64 * 1024;
  /** Decompressing nested messages may fill several buffers of the maximum size; nothing may need more. */
  private static final long ALLOCATION_LIMIT = 16L * MAX + (2 << 20);
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] INTERESTING = {0, 1, 0x7f, (byte) 0x80, (byte) 0xff, (byte) 0xc0, (byte) 0xc1,
      (byte) 0xc4, (byte) 0xc6, (byte) 0xcc, (byte) 0xcd, (byte) 0xce, (byte) 0xcf, (byte) 0xd1, (byte) 0xd3,
      (byte) 0xd9, (byte) 0xda, (byte) 0xdb, (byte) 0xdc, (byte) 0xdd, (byte) 0xde, (byte) 0xdf, 7, 9, 10, 12,
      (byte) 0xf4};

  private final MessageCodec codec = new MessageCodec(MAX);
  private final Keyring keyring = Keyring.of(new byte[16]);
  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void mutatedAndRandomInputsNeverCrashADecoderNorAllocatePastTheMaximum() {
    Random random = new Random(SEED);
    List<byte[]> seeds = seeds(random);
    List<Consumer<byte[]>> decoders = decoders();
    int decoded = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] input = random.nextInt(20) == 0 ? randomBytes(random, random.nextInt(300)) : mutate(random, seeds);
      for (int d = 0; d < decoders.size(); d++) {
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
          decoders.get(d).accept(input);
          decoded++;
        } catch (WireDecodeException expected) {
          assertThat(expected.getMessage()).isNotBlank();
        } catch (RuntimeException | Error e) {
          throw new AssertionError("decoder " + d + " threw " + e + " on input " + HEX.formatHex(input)
              + " (seed " + SEED + ", iteration " + i + ")", e);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        if (allocated > ALLOCATION_LIMIT + 64L * input.length) {
          throw new AssertionError("decoder " + d + " allocated " + allocated + " bytes for an input of "
              + input.length + ": " + HEX.formatHex(input));
        }
      }
    }
    System.out.printf("fuzz: %d inputs x %d decoders, %d decoded without error (seed %d)%n",
        ITERATIONS, decoders.size(), decoded, SEED);
    assertThat(decoded).as("some mutated inputs still decode").isPositive();
  }

  @Test
  void encodeThenDecodeIsTheIdentityOnRandomValidMessages() {
    Random random = new Random(SEED + 1);
    RandomMessages messages = new RandomMessages(random);
    MessageCodec large = new MessageCodec();
    int rounds = Math.max(2_000, ITERATIONS / 10);
    for (int i = 0; i < rounds; i++) {
      Message packetMessage = messages.packetMessage(2);
      assertThat(large.decode(large.encode(packetMessage))).isEqualTo(packetMessage);

      String label = random.nextBoolean() ? "" : "prod";
      Keyring keys = random.nextInt(4) == 0 ? keyring : null;
      boolean compression = random.nextBoolean();
      PacketCodec packets = new PacketCodec(large, label, keys, compression);
      boolean crc = random.nextBoolean();
      PacketCodec.Packet packet = packets.decode(packets.encode(packetMessage, crc));
      // Compression is used only when it makes the packet smaller.
      assertThat(packet.message()).isIn(packetMessage, new Compress(packetMessage));
      if (!compression) {
        assertThat(packet.message()).isEqualTo(packetMessage);
      }
      assertThat(packet.crc()).isEqualTo(crc);
      assertThat(packet.label()).isEqualTo(label);

      Message streamMessage = messages.streamMessage();
      byte[] plain = large.encode(streamMessage, Form.STREAM);
      assertThat(large.decode(plain, 0, plain.length, Form.STREAM)).isEqualTo(streamMessage);
      StreamCodec streams = new StreamCodec(large, label, keys, compression);
      byte[] wire = streams.encode(streamMessage);
      StreamCodec.Decoded decoded = streams.decode(wire, 0, wire.length);
      assertThat(decoded.length()).isEqualTo(wire.length);
      // Streams are always compressed when compression is on.
      assertThat(decoded.message()).isEqualTo(compression ? new Compress(streamMessage) : streamMessage);

      StateMessage state = messages.state();
      byte[] stateBytes = CkitCodec.encodeState(state);
      assertThat(CkitCodec.decodeState(stateBytes, 0, stateBytes.length)).isEqualTo(state);
      LocalState localState = messages.localState();
      byte[] localBytes = CkitCodec.encodeLocalState(localState);
      assertThat(CkitCodec.decodeLocalState(localBytes, 0, localBytes.length)).isEqualTo(localState);

      byte[] payload = randomBytes(random, random.nextInt(10) == 0 ? 70_000 : random.nextInt(100));
      List<Buffer> frames = new ArrayList<>();
      FrameCodec.Decoder frameDecoder = new FrameCodec.Decoder(1 << 20, frames::add);
      Buffer frame = FrameCodec.encode(payload);
      int split = random.nextInt(frame.length() + 1);
      frameDecoder.handle(frame.getBuffer(0, split));
      frameDecoder.handle(frame.getBuffer(split, frame.length()));
      frameDecoder.end();
      assertThat(frames).singleElement().satisfies(f -> assertThat(f.getBytes()).isEqualTo(payload));
    }
  }

  private List<Consumer<byte[]>> decoders() {
    PacketCodec plain = PacketCodec.ckit(codec, "");
    PacketCodec labelled = PacketCodec.ckit(codec, "prod");
    PacketCodec encrypted = new PacketCodec(codec, "", keyring, true);
    StreamCodec streams = StreamCodec.ckit(codec, "prod");
    StreamCodec encryptedStreams = new StreamCodec(codec, "", keyring, true);
    return List.of(
        input -> reencode(plain.decode(input).message(), Form.PACKET),
        input -> labelled.decode(input),
        input -> encrypted.decode(input),
        input -> reencode(codec.decode(input, 0, input.length, Form.STREAM), Form.STREAM),
        input -> {
          int header = streams.readLabelHeader(input, 0, input.length);
          if (header >= 0) {
            streams.decode(input, header, input.length - header);
          }
        },
        input -> encryptedStreams.decode(input, 0, input.length),
        input -> CkitCodec.decodeState(input, 0, input.length),
        input -> CkitCodec.decodeLocalState(input, 0, input.length),
        input -> Lzw.decompress(input, 0, input.length, MAX),
        input -> {
          FrameCodec.Decoder frames = new FrameCodec.Decoder(MAX, frame -> codec.decode(frame.getBytes()));
          int split = input.length / 2;
          frames.handle(Buffer.buffer(Arrays.copyOf(input, split)));
          frames.handle(Buffer.buffer(Arrays.copyOfRange(input, split, input.length)));
          frames.end();
        });
  }

  /** A decoded message encodes to bytes that decode and encode to the same bytes again. */
  private void reencode(Message message, Form form) {
    if (!whole(message)) {
      return;
    }
    byte[] once = codec.encode(message, form);
    byte[] twice = codec.encode(codec.decode(once, 0, once.length, form), form);
    if (!Arrays.equals(once, twice)) {
      throw new AssertionError("re-encoding " + message + " is not stable");
    }
  }

  private static boolean whole(Message message) {
    if (message instanceof Compound compound) {
      return compound.truncatedParts() == 0 && compound.unreadableParts().isEmpty()
          && compound.parts().stream().allMatch(WireFuzzTest::whole);
    }
    return !(message instanceof Compress compress) || whole(compress.inner());
  }

  private List<byte[]> seeds(Random random) {
    List<byte[]> seeds = new ArrayList<>();
    for (String file : List.of("memberlist-messages.jsonl.gz", "ckit-messages.jsonl.gz", "traffic-join-leave.jsonl",
        "traffic-label.jsonl")) {
      ReferenceVectors.forEachLine("wire/" + file, vector -> {
        String hex = vector.getString("hex");
        if (hex != null && hex.length() < 4096) {
          seeds.add(HEX.parseHex(hex));
        }
      });
    }
    RandomMessages messages = new RandomMessages(random);
    for (int i = 0; i < 200; i++) {
      seeds.add(PacketCodec.ckit(codec, "").encode(messages.packetMessage(2), random.nextBoolean()));
      seeds.add(StreamCodec.ckit(codec, "").encode(messages.pushPull(random.nextInt(5))));
      seeds.add(FrameCodec.encode(codec.encode(messages.packetMessage(1))).getBytes());
    }
    return seeds;
  }

  private static byte[] mutate(Random random, List<byte[]> seeds) {
    byte[] input = seeds.get(random.nextInt(seeds.size())).clone();
    int mutations = 1 + random.nextInt(4);
    for (int m = 0; m < mutations; m++) {
      int at = input.length == 0 ? 0 : random.nextInt(input.length);
      switch (random.nextInt(7)) {
        case 0 -> {
          if (input.length > 0) {
            input[at] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> {
          if (input.length > 0) {
            input[at] = INTERESTING[random.nextInt(INTERESTING.length)];
          }
        }
        case 2 -> input = Arrays.copyOf(input, random.nextInt(input.length + 1));
        case 3 -> input = splice(input, at, randomBytes(random, 1 + random.nextInt(16)));
        case 4 -> input = splice(input, at, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        case 5 -> {
          byte[] other = seeds.get(random.nextInt(seeds.size()));
          int from = other.length == 0 ? 0 : random.nextInt(other.length);
          input = splice(Arrays.copyOf(input, at), at, Arrays.copyOfRange(other, from, other.length));
        }
        default -> {
          if (input.length > 1) {
            int length = 1 + random.nextInt(Math.min(32, input.length - at));
            input = splice(input, at, Arrays.copyOfRange(input, at, at + length));
          }
        }
      }
    }
    return input;
  }

  private static byte[] splice(byte[] input, int at, byte[] inserted) {
    byte[] out = new byte[input.length + inserted.length];
    System.arraycopy(input, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(input, at, out, at + inserted.length, input.length - at);
    return out;
  }

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }
}
