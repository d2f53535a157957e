package io.ckit.wire;

import io.ckit.wire.WireDecodeException.Kind;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.util.Objects;

/**
 * ckit's gossiphttp framing, which carries memberlist packets and stream chunks in HTTP/2 bodies: {@code
 * 0xCC} + u16 BE length + payload for payloads up to 65535 bytes, else {@code 0xCD} + u32 BE length +
 * payload. {@link #encode} writes frames; a {@link Decoder} splits a body into frames as its chunks arrive.
 */
public final class FrameCodec {

  /** First byte of a frame with a 16-bit length. */
  public static final int MAGIC_16 = 0xCC;

  /** First byte of a frame with a 32-bit length. */
  public static final int MAGIC_32 = 0xCD;

  private FrameCodec() {}

  /** The frame header for a payload of this length: 3 bytes up to 65535, else 5. */
  public static byte[] header(int payloadLength) {
    if (payloadLength < 0) {
      throw new IllegalArgumentException("payload length must not be negative");
    }
    if (payloadLength <= 0xFFFF) {
      return new byte[] {(byte) MAGIC_16, (byte) (payloadLength >>> 8), (byte) payloadLength};
    }
    return new byte[] {(byte) MAGIC_32, (byte) (payloadLength >>> 24), (byte) (payloadLength >>> 16),
        (byte) (payloadLength >>> 8), (byte) payloadLength};
  }

  /** One frame around the payload. */
  public static Buffer encode(byte[] payload) {
    byte[] header = header(payload.length);
    return Buffer.buffer(header.length + payload.length).appendBytes(header).appendBytes(payload);
  }

  /**
   * Splits a byte stream into frames as its chunks arrive: a frame may span chunks and a chunk may hold many
   * frames. A frame's length is checked against the maximum as soon as its header is read, before any of
   * its payload is kept, and memory is taken as its bytes arrive, never for the announced length up front.
   * Not thread-safe: feed it from one thread (an event loop).
   */
  public static final class Decoder {

    private final int maxPayloadBytes;
    private final Handler<Buffer> frames;
    private final byte[] header = new byte[5];
    private int headerBytes;
    private Buffer payload;
    private int payloadLength = -1;
    private boolean failed;

    /**
     * @param maxPayloadBytes the largest payload accepted
     * @param frames receives each frame's payload, in order
     */
    public Decoder(int maxPayloadBytes, Handler<Buffer> frames) {
      if (maxPayloadBytes < 0) {
        throw new IllegalArgumentException("maxPayloadBytes must not be negative");
      }
      this.maxPayloadBytes = maxPayloadBytes;
      this.frames = Objects.requireNonNull(frames, "frames");
    }

    /**
     * Takes the next chunk of the stream, handing every frame it completes to the handler.
     *
     * @throws WireDecodeException {@link Kind#BAD_MAGIC} for a frame that does not start with 0xCC or
     *     0xCD, {@link Kind#TOO_LARGE} for one longer than the maximum; the decoder then refuses more input
     */
    public void handle(Buffer chunk) {
      if (failed) {
        throw new IllegalStateException("the frame decoder has already failed");
      }
      int position = 0;
      int length = chunk.length();
      while (position < length) {
        if (payloadLength < 0) {
          position = readHeader(chunk, position, length);
          continue;
        }
        int take = Math.min(payloadLength - payload.length(), length - position);
        payload.appendBuffer(chunk, position, take);
        position += take;
        if (payload.length() == payloadLength) {
          emit();
        }
      }
    }

    /**
     * Marks the end of the stream.
     *
     * @throws WireDecodeException {@link Kind#TRUNCATED} if it ends inside a frame
     */
    public void end() {
      if (!failed && (headerBytes > 0 || payloadLength >= 0)) {
        failed = true;
        throw new WireDecodeException(Kind.TRUNCATED, payloadLength >= 0
            ? "stream ended " + (payloadLength - payload.length()) + " bytes before the end of a frame"
            : "stream ended inside a frame header");
      }
    }

    /** Whether the bytes so far end exactly at a frame boundary. */
    public boolean atFrameBoundary() {
      return headerBytes == 0 && payloadLength < 0;
    }

    private int readHeader(Buffer chunk, int position, int length) {
      if (headerBytes == 0) {
        int magic = chunk.getUnsignedByte(position);
        if (magic != MAGIC_16 && magic != MAGIC_32) {
          failed = true;
          throw new WireDecodeException(Kind.BAD_MAGIC,
              String.format("unrecognized frame magic byte %02x", magic));
        }
        header[headerBytes++] = (byte) magic;
        position++;
      }
      int needed = (header[0] & 0xFF) == MAGIC_32 ? 5 : 3;
      while (headerBytes < needed && position < length) {
        header[headerBytes++] = chunk.getByte(position++);
      }
      if (headerBytes < needed) {
        return position;
      }
      long announced = needed == 3
          ? (header[1] & 0xFF) << 8 | header[2] & 0xFF
          : (header[1] & 0xFFL) << 24 | (header[2] & 0xFFL) << 16 | (header[3] & 0xFFL) << 8 | header[4] & 0xFFL;
      headerBytes = 0;
      if (announced > maxPayloadBytes) {
        failed = true;
        throw new WireDecodeException(Kind.TOO_LARGE,
            "frame of " + announced + " bytes is above the maximum of " + maxPayloadBytes);
      }
      payloadLength = (int) announced;
      // Sized by the bytes at hand, not the announced length: a header alone must not reserve the maximum
      // (thousands of streams each announcing 4 MiB would hold gigabytes). It grows as the payload arrives.
      payload = Buffer.buffer(Math.min(payloadLength, length - position));
      if (payloadLength == 0) {
        emit();
      }
      return position;
    }

    private void emit() {
      Buffer frame = payload;
      payload = null;
      payloadLength = -1;
      frames.handle(frame);
    }
  }
}
