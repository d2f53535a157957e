package io.ckit;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * Something that happened to the cluster's membership, as one node saw it ({@link Node#events()}): the
 * timeline an operator reads when something went wrong.
 *
 * @param time        when this node saw it (wall clock)
 * @param type        what happened
 * @param member      to whom
 * @param incarnation the member's incarnation then (for {@link Type#STATE}: the state message's Lamport time)
 * @param detail      more, in words: who accused it, its new state, its metadata; may be empty
 */
public record MembershipEvent(Instant time, Type type, String member, long incarnation, String detail) {

  /** What happened. */
  public enum Type {
    /** A member became alive: new, or back after it was dead or left. */
    JOIN,
    /** A member left gracefully. */
    LEAVE,
    /** A member was declared dead (its suspicion ran out unrefuted). */
    DEAD,
    /** A member was suspected of having failed. */
    SUSPECT,
    /** A suspect member proved it is alive, or this node answered an accusation about itself. */
    REFUTE,
    /** A member changed its metadata. */
    UPDATE,
    /** A member announced a new ckit state (viewer, participant, terminating). */
    STATE;

    /** The lower-case name, as in JSON. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public MembershipEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(member, "member");
    detail = detail == null ? "" : detail;
  }

  /** JSON: {@code {"time":"2026-01-02T03:04:05.678Z","type":"suspect","member","incarnation","detail"}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("time", time.toString())
        .put("type", type.wireName())
        .put("member", member)
        .put("incarnation", incarnation)
        .put("detail", detail);
  }
}
