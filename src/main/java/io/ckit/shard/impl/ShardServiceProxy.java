package io.ckit.shard.impl;

import io.ckit.peer.Peer;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.ShardService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The typed event-bus client of {@link ShardService}. */
public final class ShardServiceProxy implements ShardService {

  private static final Pattern NOT_ENOUGH = Pattern.compile("not enough nodes: need at least (\\d+), have (\\d+)");

  private final Vertx vertx;
  private final String address;
  private final DeliveryOptions delivery;

  public ShardServiceProxy(Vertx vertx, String address, DeliveryOptions delivery) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.address = Objects.requireNonNull(address, "address");
    this.delivery = new DeliveryOptions(Objects.requireNonNull(delivery, "delivery"));
    LookupMessages.register(vertx);
  }

  @Override
  public Future<List<Peer>> lookup(String key, int n, Op op) {
    return request(new long[] {Key.ofString(Objects.requireNonNull(key, "key")).bits()}, false, n, op)
        .map(owners -> owners.get(0));
  }

  @Override
  public Future<List<Peer>> lookup(Key key, int n, Op op) {
    return request(new long[] {key.bits()}, false, n, op).map(owners -> owners.get(0));
  }

  @Override
  public Future<List<List<Peer>>> lookupAll(List<String> keys, int n, Op op) {
    long[] hashes = new long[keys.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = Key.ofString(Objects.requireNonNull(keys.get(i), "key")).bits();
    }
    return request(hashes, true, n, op);
  }

  @Override
  public Future<List<List<Peer>>> lookupAllKeys(List<Key> keys, int n, Op op) {
    long[] hashes = new long[keys.size()];
    for (int i = 0; i < hashes.length; i++) {
      hashes[i] = keys.get(i).bits();
    }
    return request(hashes, true, n, op);
  }

  private Future<List<List<Peer>>> request(long[] hashes, boolean batch, int n, Op op) {
    if (n < 0) {
      return Future.failedFuture(new IllegalArgumentException("n must not be negative, got " + n));
    }
    if (hashes.length > MAX_BATCH) {
      return Future.failedFuture(new IllegalArgumentException(hashes.length + " keys in one request; at most "
          + MAX_BATCH));
    }
    LookupMessages.Request body = new LookupMessages.Request(hashes, batch, n, Objects.requireNonNull(op, "op"));
    return vertx.eventBus().<LookupMessages.Reply>request(address, body, delivery).transform(reply -> {
      if (reply.succeeded()) {
        return Future.succeededFuture(reply.result().body().owners());
      }
      Throwable failure = reply.cause();
      if (failure instanceof ReplyException e && e.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        if (e.failureCode() == NOT_ENOUGH_NODES) {
          Matcher matcher = NOT_ENOUGH.matcher(String.valueOf(e.getMessage()));
          if (matcher.matches()) {
            return Future.failedFuture(new NotEnoughNodesException(Integer.parseInt(matcher.group(1)),
                Integer.parseInt(matcher.group(2))));
          }
        } else if (e.failureCode() == BAD_REQUEST) {
          return Future.failedFuture(new IllegalArgumentException(e.getMessage(), e));
        }
      }
      return Future.failedFuture(failure);
    });
  }

}
