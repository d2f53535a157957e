package io.ckit.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

/**
 * What the maps, counters and locks share: a request to a key's owner made on the cluster manager's context
 * ({@link DataService#call}), its answer handed back on the caller's context.
 */
final class DataClient {

  private final Vertx vertx;
  private final ClusterCore core;
  private final long timeoutMillis;

  DataClient(Vertx vertx, ClusterCore core, long timeoutMillis) {
    this.vertx = vertx;
    this.core = core;
    this.timeoutMillis = timeoutMillis;
  }

  /** An operation with a request id (a retry is answered, not applied twice), until the data timeout. */
  Future<JsonObject> call(String space, String key, JsonObject request) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    return call(space, key, data -> request.copy().put("id", data.requestId()), left -> null, deadline);
  }

  /** An operation whose request is built per attempt from the time left. */
  Future<JsonObject> call(String space, String key, Function<DataService, JsonObject> first,
      Function<Long, JsonObject> perAttempt, long deadlineMillis) {
    return onCaller(core.run(() -> {
      DataService data = core.data();
      JsonObject base = first.apply(data);
      return data.call(space, key, left -> {
        JsonObject attempt = perAttempt.apply(left);
        return attempt == null ? base.copy() : base.copy().mergeIn(attempt);
      }, deadlineMillis);
    }));
  }

  /** Waits for a lock through this node's {@link NodeLocks}; completes with the caller's hold number. */
  Future<Long> lock(String name, long timeoutMillis) {
    return onCaller(core.run(() -> core.locks().acquire(name, timeoutMillis)));
  }

  /** Releases a hold {@link #lock} gave. */
  void unlock(String name, long hold) {
    core.run(() -> {
      core.locks().release(name, hold);
      return Future.succeededFuture();
    });
  }

  Future<Map<String, byte[]>> scan(String space, boolean clear) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    return onCaller(core.run(() -> core.data().scan(space, clear, deadline)));
  }

  private <T> Future<T> onCaller(Future<T> future) {
    ContextInternal context = ((VertxInternal) vertx).getOrCreateContext();
    Promise<T> promise = context.promise();
    future.onComplete(promise);
    return promise.future();
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static byte[] fromBase64(String text) {
    return text == null ? null : Base64.getDecoder().decode(text);
  }
}
