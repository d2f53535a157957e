package io.ckit.gossip.sim;

import io.ckit.gossip.Scheduler;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * Virtual time: events run one at a time, in time order (ties in the order they were scheduled), on the
 * calling thread. Nothing here reads the wall clock, so a run with the same seed repeats exactly.
 */
public final class Simulation {

  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private long now;
  private long sequence;
  private long eventsRun;

  /** Milliseconds since the simulation began. */
  public long now() {
    return now;
  }

  /** How many events have run. */
  public long eventsRun() {
    return eventsRun;
  }

  /** Runs the task at the given virtual time (not before now). */
  public Event at(long time, Runnable task) {
    Event event = new Event(Math.max(time, now), sequence++, task);
    queue.add(event);
    return event;
  }

  /** Runs the task after the delay. */
  public Event after(long delay, Runnable task) {
    return at(now + Math.max(0, delay), task);
  }

  /** Runs events until the given virtual time; time then stands there. */
  public void runUntil(long time) {
    while (!queue.isEmpty() && queue.peek().time <= time) {
      step();
    }
    now = Math.max(now, time);
  }

  /** Runs for the given virtual duration. */
  public void runFor(long duration) {
    runUntil(now + duration);
  }

  /**
   * Runs events until the condition holds (checked every {@code checkEvery} ms) or {@code deadline} passes.
   *
   * @return whether the condition held
   */
  public boolean runUntil(BooleanSupplier condition, long deadline, long checkEvery) {
    while (now <= deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      runUntil(Math.min(deadline, now + checkEvery));
      if (now == deadline) {
        return condition.getAsBoolean();
      }
    }
    return false;
  }

  private void step() {
    Event event = queue.poll();
    if (event.cancelled) {
      return;
    }
    now = event.time;
    eventsRun++;
    event.task.run();
  }

  /** A scheduler for one engine, on this simulation's clock. */
  public Scheduler scheduler() {
    return new Scheduler() {
      @Override
      public long nowMillis() {
        return now;
      }

      @Override
      public Timer schedule(long delayMillis, Runnable task) {
        Event event = after(delayMillis, task);
        return event::cancel;
      }
    };
  }

  /** A scheduled task. */
  public static final class Event implements Comparable<Event> {
    private final long time;
    private final long order;
    private final Runnable task;
    private boolean cancelled;

    Event(long time, long order, Runnable task) {
      this.time = time;
      this.order = order;
      this.task = task;
    }

    public void cancel() {
      cancelled = true;
    }

    @Override
    public int compareTo(Event other) {
      return time != other.time ? Long.compare(time, other.time) : Long.compare(order, other.order);
    }
  }
}
