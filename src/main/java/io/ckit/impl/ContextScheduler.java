package io.ckit.impl;

import io.ckit.gossip.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Objects;

/**
 * The engine's {@link Scheduler} on a Vert.x context (the adapter that keeps {@code io.ckit.gossip} free of
 * Vert.x's event loops): timers are Vert.x timers set from that context, so the engine's
 * tasks all run on it. Time is the JVM's monotonic clock.
 *
 * <p>Concurrency: {@link #schedule} must be called on the context (the engine only calls it from there);
 * {@link #nowMillis} may be called anywhere.
 */
public final class ContextScheduler implements Scheduler {

  private final Context context;

  private ContextScheduler(Context context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  /** A scheduler on the given context. */
  public static ContextScheduler create(Context context) {
    return new ContextScheduler(context);
  }

  @Override
  public long nowMillis() {
    return System.nanoTime() / 1_000_000;
  }

  @Override
  public Timer schedule(long delayMillis, Runnable task) {
    if (Vertx.currentContext() != context) {
      throw new IllegalStateException("timers must be set on the engine's context, not on "
          + Thread.currentThread().getName());
    }
    if (delayMillis <= 0) {
      boolean[] cancelled = {false};
      context.runOnContext(nothing -> {
        if (!cancelled[0]) {
          task.run();
        }
      });
      return () -> cancelled[0] = true;
    }
    long id = context.owner().setTimer(delayMillis, fired -> task.run());
    return () -> context.owner().cancelTimer(id);
  }
}
