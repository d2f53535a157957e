package io.ckit.gossip;

import java.util.function.Consumer;

/**
 * One bidirectional stream between two members (an HTTP/2 stream of ckit's {@code /stream} endpoint, or its
 * simulated or in-memory equivalent). Each {@link #write} is one frame; frame boundaries carry no meaning.
 * Handlers are called on the engine's thread.
 */
public interface StreamChannel {

  /** Sends the bytes as one frame. Ignored once closed. */
  void write(byte[] bytes);

  /** Ends this side of the stream and releases it. Idempotent. */
  void close();

  /** Receives each frame's bytes as they arrive. */
  void handler(Consumer<byte[]> data);

  /** Called once when the other side has ended the stream (no more data will come). */
  void endHandler(Runnable end);

  /** Called when the stream fails. */
  void exceptionHandler(Consumer<Throwable> failure);

  /** Where the stream comes from or goes to, for logs. */
  String remoteAddress();
}
