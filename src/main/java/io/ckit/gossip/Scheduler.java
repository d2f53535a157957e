package io.ckit.gossip;

/**
 * The engine's clock and timers. The engine runs every task it schedules, and every call into it, on the
 * one thread (or Vert.x context) this scheduler runs tasks on. Implementations: Vert.x timers on the
 * node's context, and virtual time in the simulator.
 */
public interface Scheduler {

  /** Milliseconds on a monotonic clock (any origin). */
  long nowMillis();

  /** Runs the task after the delay (0 runs it as soon as possible, never inside the calling method). */
  Timer schedule(long delayMillis, Runnable task);

  /** A scheduled task. */
  interface Timer {

    /** Prevents the task from running, if it has not run yet. */
    void cancel();
  }
}
