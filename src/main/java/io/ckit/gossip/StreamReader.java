package io.ckit.gossip;

import io.ckit.wire.Message;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.StreamCodec;
import java.util.Arrays;

/**
 * Reads the one message a stream carries (memberlist opens a stream per exchange): bytes accumulate until a
 * whole message is there, within a deadline; then the subclass handles it. Both sides of {@link
 * PushPullSync}'s streams are readers: the dialling side reads the answer, the accepting side the request.
 *
 * <p>Concurrency: confined to the engine's thread, where the channel calls its handlers and the deadline
 * runs. No locks.
 */
abstract class StreamReader {

  final StreamChannel channel;
  private final Scheduler scheduler;
  private byte[] buffer = new byte[0];
  int length;
  int consumed;
  private boolean finished;
  private Scheduler.Timer deadline;

  StreamReader(Scheduler scheduler, StreamChannel channel) {
    this.scheduler = scheduler;
    this.channel = channel;
  }

  void start(long timeoutMillis) {
    deadline = scheduler.schedule(timeoutMillis, () -> finish(new IllegalStateException("i/o timeout")));
    channel.handler(this::data);
    channel.endHandler(() -> finish(new IllegalStateException("EOF")));
    channel.exceptionHandler(this::finish);
  }

  private void data(byte[] bytes) {
    if (finished) {
      return;
    }
    if (length + bytes.length > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(length + bytes.length, 2 * buffer.length));
    }
    System.arraycopy(bytes, 0, buffer, length, bytes.length);
    length += bytes.length;
    StreamCodec.Decoded decoded;
    try {
      decoded = readNext(buffer, consumed, length - consumed);
    } catch (RuntimeException e) {
      finish(e);
      return;
    }
    if (decoded != null) {
      consumed += decoded.length();
      Message message = decoded.message();
      finished = true;
      deadline.cancel();
      handle(message instanceof Compress compress ? compress.inner() : message);
    }
  }

  /** The next message from the unread bytes, or null while it is incomplete. */
  abstract StreamCodec.Decoded readNext(byte[] bytes, int offset, int available);

  /**
   * Handles the one message this stream carries; the stream is then the handler's to close. Must not
   * throw: whatever goes wrong (the delegate's exceptions included) ends the stream here.
   */
  abstract void handle(Message message);

  /** The stream ended, failed or timed out before a whole message arrived. */
  abstract void failed(Exception e);

  private void finish(Throwable cause) {
    if (finished) {
      return;
    }
    finished = true;
    deadline.cancel();
    channel.close();
    failed(cause instanceof Exception e ? e : new IllegalStateException(cause));
  }
}
