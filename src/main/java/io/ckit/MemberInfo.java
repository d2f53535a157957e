package io.ckit;

import io.ckit.wire.MemberState;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a node's membership engine knows of one member at one moment ({@link Node#members()}), for debugging a
 * cluster: more than a {@link io.ckit.peer.Peer}, and including members that died or left recently (until
 * they are forgotten, {@code gossipToTheDeadTime} later).
 *
 * @param name        the member's name
 * @param address     its {@code ip:port}
 * @param self        whether it is the node that answered
 * @param state       alive, suspect, dead or left, as the engine sees it (not ckit's peer state)
 * @param incarnation its incarnation number: it rises each time the member refutes a suspicion or updates
 *                    its metadata
 * @param metadata    the metadata it gossips (empty for none); immutable, sorted by key
 * @param inState     how long it has been in {@code state}
 * @param lastHeard   how long ago it last answered a probe of this node's (directly or through another
 *                    member) or pinged this node; null if it has not yet, and for this node
 */
public record MemberInfo(String name, String address, boolean self, MemberState state, long incarnation,
    Map<String, String> metadata, Duration inState, Duration lastHeard) {

  public MemberInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    metadata = metadata.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /** Whether the member is suspected of having failed (it has not yet been declared dead). */
  public boolean suspected() {
    return state == MemberState.SUSPECT;
  }

  /**
   * JSON: {@code {"name","addr","isSelf","state":"alive|suspect|dead|left","suspected","incarnation",
   * "metadata":{...},"inStateMillis","lastHeardMillis"}}, {@code lastHeardMillis} null when never heard.
   */
  public JsonObject toJson() {
    return new JsonObject()
        .put("name", name)
        .put("addr", address)
        .put("isSelf", self)
        .put("state", state.name().toLowerCase(Locale.ROOT))
        .put("suspected", suspected())
        .put("incarnation", incarnation)
        .put("metadata", new JsonObject(new LinkedHashMap<String, Object>(metadata)))
        .put("inStateMillis", inState.toMillis())
        .put("lastHeardMillis", lastHeard == null ? null : lastHeard.toMillis());
  }
}
