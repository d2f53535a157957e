package io.ckit.transport;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Frames handed to the engine and not yet handled there. At the limit ({@code maxInboundQueuedPackets}), the
 * body a frame came from stops being read (what it already has in flight, at most one HTTP/2 flow-control
 * window, still goes through); every body paused so is read again once the engine has worked the count down
 * to half the limit. HTTP/2 flow control then holds the sender back. One backlog serves the packets of every {@code /message} request; each stream
 * has its own.
 *
 * <p>Concurrency: bodies are read on their own contexts and frames handled on the engine's, so the count
 * is atomic and paused bodies wait in a lock-free queue; a body is paused and resumed on its own context.
 */
final class Backlog {

  /** A request or response body frames are read from, and the context its handlers run on. */
  static final class Body {
    private final ReadStream<Buffer> stream;
    final Context context;
    /** Whether reading is paused for the engine to catch up; on the body's context only. */
    private boolean paused;

    Body(ReadStream<Buffer> stream, Context context) {
      this.stream = stream;
      this.context = context;
    }
  }

  private final TransportCore core;
  private final AtomicInteger pending;
  private final Queue<Body> paused = new ConcurrentLinkedQueue<>();

  /** A backlog that counts its frames in {@code pending} (a meter's value, or a counter of its own). */
  Backlog(TransportCore core, AtomicInteger pending) {
    this.core = core;
    this.pending = pending;
  }

  /** Hands a frame's task to the engine; called on the body's context. */
  void handOff(Body body, Runnable task) {
    pending.incrementAndGet();
    core.onEngine(() -> {
      if (pending.decrementAndGet() <= resumeAt()) {
        resumePaused();
      }
      task.run();
    });
    if (!body.paused && pending.get() >= core.options.getMaxInboundQueuedPackets()) {
      body.paused = true;
      body.stream.pause();
      paused.add(body);
      // The engine may have drained the backlog before the body was queued, and would not resume it.
      if (pending.get() <= resumeAt()) {
        resumePaused();
      }
    }
  }

  private int resumeAt() {
    return core.options.getMaxInboundQueuedPackets() / 2;
  }

  private void resumePaused() {
    for (Body body = paused.poll(); body != null; body = paused.poll()) {
      Body resumed = body;
      TransportCore.onContext(resumed.context, () -> {
        resumed.paused = false;
        resumed.stream.resume();
      });
    }
  }
}
