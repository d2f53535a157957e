package io.ckit.peer;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A node of the cluster as the local node sees it.
 *
 * <p>JSON form, as ckit marshals a peer: {@code {"name":"a","addr":"10.0.0.1:7946","isSelf":false,
 * "state":"participant"}}, plus {@code "metadata":{"zone":"a"}} for a peer that has metadata (left out
 * otherwise, so a peer without metadata is exactly ckit's JSON, and ckit's readers skip the field anyway).
 *
 * @param name     the node's name, unique across the cluster
 * @param addr     the {@code host:port} other nodes use to reach it (may be empty when unknown)
 * @param self     whether this peer is the local node
 * @param state    the state it last announced
 * @param metadata what the node gossips about itself ({@code NodeOptions} "metadata"): immutable, sorted by
 *                 key, empty for none (always empty for a Go ckit node)
 */
public record Peer(String name, String addr, boolean self, PeerState state, Map<String, String> metadata) {

  public Peer {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(addr, "addr");
    Objects.requireNonNull(state, "state");
    metadata = metadata == null || metadata.isEmpty() ? Map.of()
        : Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /** A peer without metadata, as ckit knows peers. */
  public Peer(String name, String addr, boolean self, PeerState state) {
    this(name, addr, self, state, Map.of());
  }

  /** This peer in another state. */
  public Peer withState(PeerState newState) {
    return new Peer(name, addr, self, newState, metadata);
  }

  /** The peer as ckit's JSON object (with {@code metadata} when it has some). */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("name", name)
        .put("addr", addr)
        .put("isSelf", self)
        .put("state", state.toString());
    if (!metadata.isEmpty()) {
      json.put("metadata", new JsonObject(new LinkedHashMap<String, Object>(metadata)));
    }
    return json;
  }

  /** Peers as a JSON array of ckit's peer objects, in the list's order: the one JSON form of a peer list. */
  public static JsonArray toJson(List<Peer> peers) {
    JsonArray array = new JsonArray(new ArrayList<>(peers.size()));
    for (Peer peer : peers) {
      array.add(peer.toJson());
    }
    return array;
  }

  /**
   * Reads a peer from ckit's JSON object. {@code name} and {@code state} are required; {@code addr} defaults
   * to empty, {@code isSelf} to false and {@code metadata} (an object of texts) to none.
   *
   * @throws IllegalArgumentException naming the field that is missing, of the wrong type, or (for {@code
   *     state}) not a known state
   */
  public static Peer fromJson(JsonObject json) {
    Objects.requireNonNull(json, "json");
    String name = field(json, "name", String.class, null);
    String addr = field(json, "addr", String.class, "");
    boolean self = field(json, "isSelf", Boolean.class, Boolean.FALSE);
    String state = field(json, "state", String.class, null);
    JsonObject metadataJson = field(json, "metadata", JsonObject.class, new JsonObject());
    Map<String, String> metadata = new TreeMap<>();
    for (Map.Entry<String, Object> entry : metadataJson) {
      if (!(entry.getValue() instanceof String value)) {
        throw new IllegalArgumentException("peer JSON: \"metadata\" values must be strings, got "
            + entry.getKey() + "=" + entry.getValue());
      }
      metadata.put(entry.getKey(), value);
    }
    return new Peer(name, addr, self, PeerState.fromString(state), metadata);
  }

  private static <T> T field(JsonObject json, String key, Class<T> type, T fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      if (fallback == null) {
        throw new IllegalArgumentException("peer JSON: missing \"" + key + "\"");
      }
      return fallback;
    }
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException("peer JSON: \"" + key + "\" must be a "
          + type.getSimpleName().toLowerCase(Locale.ROOT) + ", got " + value);
    }
    return type.cast(value);
  }
}
