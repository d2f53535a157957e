package io.ckit.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Keeps {@code window} operations outstanding on one context of a Vert.x for a warm-up and then a measured
 * period, and counts (and times) the operations that complete within the measured period.
 *
 * <p>Concurrency: every field but the promise is touched only on the loop's context, where the operations are
 * started and their completions handled.
 */
final class LoadLoop {

  /** What one loop measured. */
  record Result(long completed, long failed, double seconds, String firstFailure, long[] latenciesNanos) {

    double perSecond() {
      return completed / seconds;
    }

    /** The latency at quantile {@code q} (0..1) of the measured operations, in microseconds. */
    double quantileMicros(double q) {
      if (latenciesNanos.length == 0) {
        return Double.NaN;
      }
      int index = (int) Math.min(latenciesNanos.length - 1, Math.ceil(q * latenciesNanos.length) - 1);
      return latenciesNanos[Math.max(0, index)] / 1000.0;
    }

    /** Several loops' results as one: completions and failures added, latencies merged, the longest period. */
    static Result merge(Result... results) {
      long completed = 0;
      long failed = 0;
      double seconds = 0;
      String firstFailure = null;
      int total = 0;
      for (Result r : results) {
        total += r.latenciesNanos.length;
      }
      long[] all = new long[total];
      int at = 0;
      for (Result r : results) {
        completed += r.completed;
        failed += r.failed;
        seconds = Math.max(seconds, r.seconds);
        firstFailure = firstFailure != null ? firstFailure : r.firstFailure;
        System.arraycopy(r.latenciesNanos, 0, all, at, r.latenciesNanos.length);
        at += r.latenciesNanos.length;
      }
      Arrays.sort(all);
      return new Result(completed, failed, seconds, firstFailure, all);
    }
  }

  private final Context context;
  private final int window;
  private final long warmupNanos;
  private final long measureNanos;
  private final boolean recordLatency;
  private final Supplier<Future<?>> operation;
  private final Promise<Result> done = Promise.promise();
  private long measureStart;
  private long measureEnd;
  private long completed;
  private long failed;
  private String firstFailure;
  private long[] latencies = new long[1024];
  private int latencyCount;
  private int running;

  private LoadLoop(Vertx vertx, int window, double warmupSeconds, double measureSeconds, boolean recordLatency,
      Supplier<Future<?>> operation) {
    this.context = vertx.getOrCreateContext();
    this.window = window;
    this.warmupNanos = (long) (warmupSeconds * 1e9);
    this.measureNanos = (long) (measureSeconds * 1e9);
    this.recordLatency = recordLatency;
    this.operation = operation;
  }

  /**
   * Runs {@code operation} (called on a new event-loop context of {@code vertx}) with {@code window} outstanding;
   * the future completes once the measured period is over and every outstanding operation has completed. An
   * operation that returns null instead of a future ends its slot early (a finite job: once every slot has ended).
   */
  static Future<Result> run(Vertx vertx, int window, double warmupSeconds, double measureSeconds,
      boolean recordLatency, Supplier<Future<?>> operation) {
    LoadLoop loop = new LoadLoop(vertx, window, warmupSeconds, measureSeconds, recordLatency, operation);
    loop.context.runOnContext(v -> loop.begin());
    return loop.done.future();
  }

  private void begin() {
    measureStart = System.nanoTime() + warmupNanos;
    measureEnd = measureStart + measureNanos;
    for (int i = 0; i < window; i++) {
      running++;
      next();
    }
  }

  private void next() {
    long start = System.nanoTime();
    if (start >= measureEnd) {
      slotDone();
      return;
    }
    Future<?> future;
    try {
      future = operation.get();
    } catch (RuntimeException e) {
      future = Future.failedFuture(e);
    }
    if (future == null) {
      slotDone();
      return;
    }
    // The handler may run on another thread when a product completes futures there; the loop's state is
    // touched only on its context.
    future.onComplete(ar -> {
      long end = System.nanoTime();
      context.runOnContext(v -> completed(start, end, ar.failed() ? ar.cause() : null));
    });
  }

  private void slotDone() {
    if (--running == 0) {
      long[] measured = Arrays.copyOf(latencies, latencyCount);
      Arrays.sort(measured);
      done.complete(new Result(completed, failed, measureNanos / 1e9, firstFailure, measured));
    }
  }

  private void completed(long start, long end, Throwable failure) {
    boolean measured = start >= measureStart && end <= measureEnd;
    if (failure != null) {
      failed++;
      if (firstFailure == null) {
        firstFailure = String.valueOf(failure);
      }
      if (failed > 1000 && completed == 0) {
        // Nothing works: stop rather than spin on failures.
        measureEnd = 0;
      }
    } else if (measured) {
      completed++;
      if (recordLatency) {
        if (latencyCount == latencies.length) {
          latencies = Arrays.copyOf(latencies, latencies.length * 2);
        }
        latencies[latencyCount++] = end - start;
      }
    }
    next();
  }
}
