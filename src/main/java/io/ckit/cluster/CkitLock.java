package io.ckit.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import java.lang.System.Logger.Level;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cluster-wide lock held: {@link #acquire} waits on the lock's owner (see {@link DataService}); {@link
 * #release} hands it to the next waiter. Holding it gives no fencing token: a holder whose node is declared
 * dead (paused past failure detection, cut off) loses it while it still holds this object.
 */
final class CkitLock implements Lock {

  private static final System.Logger LOG = System.getLogger(CkitLock.class.getName());
  /** Vert.x's message for a lock that was not acquired in time. */
  static final String TIMED_OUT = "Timed out waiting to get lock";

  private final DataClient client;
  private final String space;
  private final String lockId;
  private final AtomicBoolean released = new AtomicBoolean();

  private CkitLock(DataClient client, String space, String lockId) {
    this.client = client;
    this.space = space;
    this.lockId = lockId;
  }

  /**
   * Waits for the lock at most {@code timeoutMillis} (as the lock's owner counts it, asking again while the
   * owner moves). A request that failed or timed out is withdrawn, so it never gets the lock later.
   */
  static Future<Lock> acquire(DataClient client, String node, String name, long timeoutMillis) {
    String space = "l:" + name;
    String lockId = node + "|" + UUID.randomUUID();
    long deadline = System.currentTimeMillis() + Math.min(timeoutMillis, 365L * 24 * 3600 * 1000);
    JsonObject request = new JsonObject().put("op", "lock").put("lockId", lockId);
    return client.call(space, "", data -> request, left -> new JsonObject().put("timeout", timeoutMillis == 0 ? 0
        : left), deadline).transform(done -> {
          if (done.succeeded() && Boolean.TRUE.equals(done.result().getValue("granted"))) {
            return Future.succeededFuture(new CkitLock(client, space, lockId));
          }
          if (done.failed()) {
            LOG.log(Level.DEBUG, "lock " + name + ": " + done.cause().getMessage());
            withdraw(client, space, lockId);
          }
          return Future.failedFuture(TIMED_OUT);
        });
  }

  private static void withdraw(DataClient client, String space, String lockId) {
    client.call(space, "", new JsonObject().put("op", "unlock").put("lockId", lockId)).onFailure(failure ->
        LOG.log(Level.DEBUG, space + ": withdrawing " + lockId + " failed: " + failure.getMessage()));
  }

  @Override
  public void release() {
    if (released.compareAndSet(false, true)) {
      withdraw(client, space, lockId);
    }
  }
}
