package io.ckit.cluster;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cluster-wide async map: each key on its owners (see {@link DataService}); keys and values as bytes
 * ({@link SharedValues}). {@code size}, {@code keys}, {@code values}, {@code entries} and {@code clear} ask
 * every member, so they see the map as each member's part of it was when asked, not one snapshot.
 */
final class CkitAsyncMap<K, V> implements AsyncMap<K, V> {

  private final DataClient client;
  private final String space;

  CkitAsyncMap(DataClient client, String name) {
    this.client = client;
    this.space = "m:" + name;
  }

  private Future<JsonObject> call(String op, K k, JsonObject request) {
    return client.call(space, DataClient.base64(SharedValues.encode(k)), request.put("op", op));
  }

  private static JsonObject value(Object v) {
    return new JsonObject().put("v", DataClient.base64(SharedValues.encode(v)));
  }

  private static JsonObject value(Object v, long ttl) {
    if (ttl < 0) {
      throw new IllegalArgumentException("ttl must be >= 0, got " + ttl);
    }
    return value(v).put("ttl", ttl);
  }

  private static <T> T decoded(JsonObject answer) {
    return SharedValues.decode(DataClient.fromBase64(answer.getString("v")));
  }

  @Override
  public Future<V> get(K k) {
    return call("get", k, new JsonObject()).map(CkitAsyncMap::decoded);
  }

  @Override
  public Future<Void> put(K k, V v) {
    return call("put", k, value(v)).mapEmpty();
  }

  @Override
  public Future<Void> put(K k, V v, long ttl) {
    return call("put", k, value(v, ttl)).mapEmpty();
  }

  @Override
  public Future<V> putIfAbsent(K k, V v) {
    return call("putIfAbsent", k, value(v)).map(CkitAsyncMap::decoded);
  }

  @Override
  public Future<V> putIfAbsent(K k, V v, long ttl) {
    return call("putIfAbsent", k, value(v, ttl)).map(CkitAsyncMap::decoded);
  }

  @Override
  public Future<V> remove(K k) {
    return call("remove", k, new JsonObject()).map(CkitAsyncMap::decoded);
  }

  @Override
  public Future<Boolean> removeIfPresent(K k, V v) {
    return call("removeIfPresent", k, value(v)).map(answer -> answer.getBoolean("r"));
  }

  @Override
  public Future<V> replace(K k, V v) {
    return call("replace", k, value(v)).map(CkitAsyncMap::decoded);
  }

  @Override
  public Future<V> replace(K k, V v, long ttl) {
    return call("replace", k, value(v, ttl)).map(CkitAsyncMap::decoded);
  }

  @Override
  public Future<Boolean> replaceIfPresent(K k, V oldValue, V newValue) {
    return call("replaceIfPresent", k, value(newValue).put("old", DataClient.base64(SharedValues.encode(oldValue))))
        .map(answer -> answer.getBoolean("r"));
  }

  @Override
  public Future<Boolean> replaceIfPresent(K k, V oldValue, V newValue, long ttl) {
    return call("replaceIfPresent", k, value(newValue, ttl)
        .put("old", DataClient.base64(SharedValues.encode(oldValue)))).map(answer -> answer.getBoolean("r"));
  }

  @Override
  public Future<Void> clear() {
    return client.scan(space, true).mapEmpty();
  }

  @Override
  public Future<Integer> size() {
    return client.scan(space, false).map(Map::size);
  }

  @Override
  public Future<Set<K>> keys() {
    return client.scan(space, false).map(entries -> {
      Set<K> keys = new HashSet<>();
      entries.keySet().forEach(key -> keys.add(SharedValues.decode(DataClient.fromBase64(key))));
      return keys;
    });
  }

  @Override
  public Future<List<V>> values() {
    return client.scan(space, false).map(entries -> {
      List<V> values = new ArrayList<>();
      entries.values().forEach(value -> values.add(SharedValues.decode(value)));
      return values;
    });
  }

  @Override
  public Future<Map<K, V>> entries() {
    return client.scan(space, false).map(entries -> {
      Map<K, V> map = new HashMap<>();
      entries.forEach((key, value) -> map.put(SharedValues.decode(DataClient.fromBase64(key)),
          SharedValues.decode(value)));
      return map;
    });
  }
}
