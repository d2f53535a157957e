package io.ckit.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Counter;

/** A cluster-wide counter: atomic on its owner, copied to the backups before each answer. */
final class CkitCounter implements Counter {

  private final DataClient client;
  private final String space;

  CkitCounter(DataClient client, String name) {
    this.client = client;
    this.space = "c:" + name;
  }

  private Future<Long> add(long delta, boolean returnNew) {
    return client.call(space, "", new JsonObject().put("op", "counterAdd").put("delta", delta)
        .put("returnNew", returnNew)).map(answer -> answer.getLong("n"));
  }

  @Override
  public Future<Long> get() {
    return client.call(space, "", new JsonObject().put("op", "counterGet")).map(answer -> answer.getLong("n"));
  }

  @Override
  public Future<Long> incrementAndGet() {
    return add(1, true);
  }

  @Override
  public Future<Long> getAndIncrement() {
    return add(1, false);
  }

  @Override
  public Future<Long> decrementAndGet() {
    return add(-1, true);
  }

  @Override
  public Future<Long> addAndGet(long value) {
    return add(value, true);
  }

  @Override
  public Future<Long> getAndAdd(long value) {
    return add(value, false);
  }

  @Override
  public Future<Boolean> compareAndSet(long expected, long value) {
    return client.call(space, "", new JsonObject().put("op", "counterCas").put("expect", expected)
        .put("update", value)).map(answer -> answer.getBoolean("r"));
  }
}
