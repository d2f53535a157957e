package io.ckit.cluster;

import io.vertx.core.Future;
import io.vertx.core.shareddata.Lock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cluster-wide lock held by one caller: {@link #acquire} waits through this node's {@link NodeLocks} (which asks
 * the lock's owner, see {@link DataService}); {@link #release} passes it to the next caller. Holding it gives no
 * fencing token: a holder whose node is declared dead (paused past failure detection, cut off) loses it while it
 * still holds this object.
 */
final class CkitLock implements Lock {

  /** Vert.x's message for a lock that was not acquired in time. */
  static final String TIMED_OUT = "Timed out waiting to get lock";

  private final DataClient client;
  private final String name;
  private final long hold;
  private final AtomicBoolean released = new AtomicBoolean();

  private CkitLock(DataClient client, String name, long hold) {
    this.client = client;
    this.name = name;
    this.hold = hold;
  }

  /**
   * Waits for the lock at most {@code timeoutMillis}; a caller that timed out is withdrawn and never gets the
   * lock later.
   */
  static Future<Lock> acquire(DataClient client, String name, long timeoutMillis) {
    return client.lock(name, timeoutMillis).transform(done -> done.succeeded()
        ? Future.succeededFuture(new CkitLock(client, name, done.result()))
        : Future.failedFuture(TIMED_OUT));
  }

  @Override
  public void release() {
    if (released.compareAndSet(false, true)) {
      client.unlock(name, hold);
    }
  }
}
