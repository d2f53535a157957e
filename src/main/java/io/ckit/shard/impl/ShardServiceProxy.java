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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
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
  }

  @Override
  public Future<List<Peer>> lookup(String key, int n, Op op) {
    return request(new JsonObject().put("key", Objects.requireNonNull(key, "key")), n, op)
        .map(reply -> peers(reply.getJsonArray("owners")));
  }

  @Override
  public Future<List<Peer>> lookup(Key key, int n, Op op) {
    return request(new JsonObject().put("hash", key.toString()), n, op)
        .map(reply -> peers(reply.getJsonArray("owners")));
  }

  @Override
  public Future<List<List<Peer>>> lookupAll(List<String> keys, int n, Op op) {
    return request(new JsonObject().put("keys", new JsonArray(new ArrayList<>(keys))), n, op).map(this::batch);
  }

  @Override
  public Future<List<List<Peer>>> lookupAllKeys(List<Key> keys, int n, Op op) {
    JsonArray hashes = new JsonArray(new ArrayList<>(keys.size()));
    keys.forEach(key -> hashes.add(key.toString()));
    return request(new JsonObject().put("hashes", hashes), n, op).map(this::batch);
  }

  private Future<JsonObject> request(JsonObject body, int n, Op op) {
    if (n < 0) {
      return Future.failedFuture(new IllegalArgumentException("n must not be negative, got " + n));
    }
    body.put("n", n).put("op", op == Op.READ ? "read" : "readwrite");
    return vertx.eventBus().<JsonObject>request(address, body, delivery).transform(reply -> {
      if (reply.succeeded()) {
        return Future.succeededFuture(reply.result().body());
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

  private List<List<Peer>> batch(JsonObject reply) {
    JsonArray results = reply.getJsonArray("owners");
    List<List<Peer>> owners = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      owners.add(peers(results.getJsonArray(i)));
    }
    return List.copyOf(owners);
  }

  private static List<Peer> peers(JsonArray array) {
    List<Peer> peers = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      peers.add(Peer.fromJson(array.getJsonObject(i)));
    }
    return List.copyOf(peers);
  }
}
