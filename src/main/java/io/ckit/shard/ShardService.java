package io.ckit.shard;

import io.ckit.peer.Peer;
import io.ckit.shard.impl.ShardServiceProxy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.List;

/**
 * A node's shard lookups as an event-bus request/reply service (address {@code ckit.<name>.shard} by
 * default), and a typed client for it, so that any verticle can ask who owns a key without building JSON.
 *
 * <p>The service's protocol, for clients in other languages or on a clustered bus:
 * <pre>{@code
 * request  {"key": "text"}                 or {"hash": "<unsigned 64-bit decimal>"}
 *          {"keys": ["a", "b", ...]}        or {"hashes": ["1", "2", ...]}      (batch, at most 10,000)
 *          plus "n" (owners wanted, default 1) and "op" ("read" or "readwrite", default readwrite)
 * reply    {"owners": [peer, ...]}                       for key / hash
 *          {"owners": [[peer, ...], [peer, ...], ...]}   for keys / hashes, in request order
 *          where peer = {"name", "addr", "isSelf", "state"}
 * failure  ReplyException (RECIPIENT_FAILURE) with code 400 "bad request: ..." or
 *          503 "not enough nodes: need at least N, have M"
 * }</pre>
 */
public interface ShardService {

  /** Failure code of a request the service cannot read: the message says what is wrong. */
  int BAD_REQUEST = 400;
  /** Failure code when fewer peers than asked for can own keys; ckit's message. */
  int NOT_ENOUGH_NODES = 503;
  /** The most keys one batch request may carry. */
  int MAX_BATCH = 10_000;

  /** A client for the service at an address (e.g. {@code NodeOptions.getShardAddress()}). */
  static ShardService createProxy(Vertx vertx, String address) {
    return new ShardServiceProxy(vertx, address, new DeliveryOptions());
  }

  /** A client whose requests use the given delivery options (timeout, headers). */
  static ShardService createProxy(Vertx vertx, String address, DeliveryOptions delivery) {
    return new ShardServiceProxy(vertx, address, delivery);
  }

  /**
   * The {@code n} owners of a text key ({@link Key#ofString}) for an operation.
   *
   * @return fails with {@link NotEnoughNodesException} or {@link IllegalArgumentException} as the
   *     sharder would, or with the event bus's {@code ReplyException} when there is no service or it times out
   */
  Future<List<Peer>> lookup(String key, int n, Op op);

  /** The owner of a text key for reading and writing. */
  default Future<List<Peer>> lookup(String key) {
    return lookup(key, 1, Op.READ_WRITE);
  }

  /** The {@code n} owners of a key given as its hash. */
  Future<List<Peer>> lookup(Key key, int n, Op op);

  /** The owners of many text keys in one request; results in the order of the keys. */
  Future<List<List<Peer>>> lookupAll(List<String> keys, int n, Op op);

  /** The owners of many hashed keys in one request; results in the order of the keys. */
  Future<List<List<Peer>>> lookupAllKeys(List<Key> keys, int n, Op op);
}
