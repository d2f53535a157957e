package io.ckit.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waits from the test's own thread for a condition on state outside any event the test could wait on (nodes'
 * peer sets, a browser's page), or one that itself waits on a node's futures and so must not run on an event
 * loop. Polls every 20 ms; fails after 30 s.
 */
public final class Poll {

  private Poll() {}

  public static void until(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after 30 s waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
