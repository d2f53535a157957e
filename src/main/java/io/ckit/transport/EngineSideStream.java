package io.ckit.transport;

import io.ckit.gossip.StreamChannel;
import io.ckit.transport.Backlog.Body;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.WireDecodeException;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What the engine sees of a stream, whichever side opened it ({@link ServerStream} accepted it, {@link
 * ClientStream} dialled it): frames as they complete, delivered on the engine's context; writes framed and
 * sent from wherever the HTTP side lives.
 *
 * <p>Closing ends this side's half. The other side is then given {@code closeGraceMillis} (the stream
 * timeout) to end its half too, as it does once it has read what it waited for, and to read what this side
 * wrote; if it has not by then, the HTTP/2 stream is reset, so that neither end keeps it open (nor the
 * writes a reader never takes). It is not reset at once: {@link #close}
 * cannot tell an engine that is done from one that gave up, and a peer about to end normally would see an
 * error instead.
 *
 * <p>Concurrency: the {@link StreamChannel} methods are called on the engine's context, which owns the
 * handlers and the closed and ended flags; the HTTP/2 stream's callbacks run on the HTTP side's context, which
 * owns the other-side-done flag and the reset timer. Frames cross over through a {@link Backlog} of the
 * stream's own.
 */
abstract class EngineSideStream implements StreamChannel {
  final TransportCore core;
  private final String remote;
  private final Context http;
  private final long closeGraceMillis;
  /** This stream's frames read and not yet handled on the engine's context. */
  private final Backlog backlog;
  private final FrameCodec.Decoder frames;
  private Consumer<byte[]> data = bytes -> {};
  private Runnable end = () -> {};
  private Consumer<Throwable> failure = e -> {};
  private boolean closed;
  private boolean ended;
  /** The other side ended its half, or the stream is gone; on the HTTP side's context. */
  private boolean otherSideDone;
  /** The timer that resets the stream if the other side does not end it; on the HTTP side's context. */
  private long resetTimer = -1;

  EngineSideStream(TransportCore core, String remote, Body body, long closeGraceMillis) {
    this.core = core;
    this.remote = remote;
    this.http = body.context;
    this.closeGraceMillis = closeGraceMillis;
    this.backlog = new Backlog(core, new AtomicInteger());
    this.frames = new FrameCodec.Decoder(core.options.getMaxFrameBytes(), frame -> {
      core.metrics.streamRxPackets.increment();
      core.metrics.streamRxBytes.increment(frame.length());
      byte[] bytes = frame.getBytes();
      backlog.handOff(body, () -> {
        if (!closed) {
          data.accept(bytes);
        }
      });
    });
  }

  /** Sends one frame; called on the engine's context. */
  abstract void send(Buffer frame);

  /** Ends this side; called on the HTTP side's context. */
  abstract void finish();

  /** Resets the HTTP/2 stream; called on the HTTP side's context. */
  abstract void reset();

  /**
   * Whether everything this side wrote has left, or the HTTP/2 stream is gone; called on the HTTP side's
   * context. A reader that never reads (an HTTP/2 window of 0) keeps the stream open with this side's last
   * writes queued: such a stream is reset once the grace period is over.
   */
  abstract boolean delivered();

  /** A chunk of the other side's bytes arrived (on the HTTP side's context). */
  void received(Buffer chunk) {
    try {
      frames.handle(chunk);
    } catch (WireDecodeException | IllegalStateException e) {
      core.metrics.streamRxFailed.increment();
      if (e instanceof WireDecodeException) {
        core.metrics.rejectedFrame();
      }
      fail(e);
    }
  }

  /**
   * The other side ended its half of the stream (on the HTTP side's context): a failure, counted, if it ended
   * inside a frame.
   */
  void otherSideEnded() {
    try {
      frames.end();
    } catch (WireDecodeException e) {
      core.metrics.streamRxFailed.increment();
      core.metrics.rejectedFrame();
      failed(e);
      return;
    }
    ended();
  }

  /** The other side ended its half of the stream, or the stream is gone (on the HTTP side's context). */
  void ended() {
    noteOtherSideDone();
    core.onEngine(() -> {
      if (!ended) {
        ended = true;
        end.run();
      }
    });
  }

  /** The HTTP/2 stream failed: reset, or its connection lost (on the HTTP side's context). */
  void failed(Throwable cause) {
    noteOtherSideDone();
    fail(cause);
  }

  private void noteOtherSideDone() {
    otherSideDone = true;
    if (resetTimer >= 0) {
      core.vertx.cancelTimer(resetTimer);
    }
  }

  private void fail(Throwable cause) {
    core.onEngine(() -> {
      if (!ended) {
        ended = true;
        failure.accept(cause);
      }
    });
  }

  @Override
  public void write(byte[] bytes) {
    if (closed) {
      return;
    }
    core.metrics.streamTxPackets.increment();
    core.metrics.streamTxBytes.increment(bytes.length);
    send(FrameCodec.encode(bytes));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    core.metrics.streams.decrementAndGet();
    TransportCore.onContext(http, () -> {
      finish();
      if (!otherSideDone || !delivered()) {
        resetTimer = core.vertx.setTimer(closeGraceMillis, fired -> {
          if (!otherSideDone) {
            reset();
          } else if (!delivered()) {
            // The writes still queued fail with the reset, and are counted as failed stream packets.
            reset();
          }
        });
      }
    });
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
    return remote;
  }
}
