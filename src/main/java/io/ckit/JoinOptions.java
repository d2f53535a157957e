package io.ckit;

import io.ckit.config.Durations;
import io.ckit.config.JsonValues;
import io.ckit.config.Limits;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;

/**
 * How a {@link Node} joins and rejoins: how many join addresses one join tries, how often the node looks
 * for what it is missing, how long it remembers departed members, and how long {@link NodeVerticle} (and the
 * runnable node) waits for a join before carrying on as a new cluster. A data object; its fields are part of
 * the node's JSON ({@link NodeOptions}), at its top level:
 *
 * <pre>{@code
 * {"joinAddresses": ["dnssrv+_gossip._tcp.ckit"], "maxJoinPeers": 5, "rejoinInterval": "60s",
 *  "rejoinRetention": "10m", "joinTimeout": "30s"}
 * }</pre>
 */
public final class JoinOptions {

  /** How many resolved addresses one join tries at most: 5, as Grafana Alloy's {@code max-join-peers}. */
  public static final int DEFAULT_MAX_JOIN_PEERS = 5;
  /** Rejoin is off unless asked for. */
  public static final Duration DEFAULT_REJOIN_INTERVAL = Duration.ZERO;
  /** How long a dead or departed member's address stays a rejoin candidate: 10 minutes. */
  public static final Duration DEFAULT_REJOIN_RETENTION = Duration.ofMinutes(10);
  /** Never carry on alone: wait for a join (or for a peer to join this node). */
  public static final Duration DEFAULT_JOIN_TIMEOUT = Duration.ZERO;

  /** The node JSON's fields these options read. */
  static final Set<String> FIELDS = Set.of("maxJoinPeers", "rejoinInterval", "rejoinRetention", "joinTimeout");

  private int maxJoinPeers = DEFAULT_MAX_JOIN_PEERS;
  private Duration rejoinInterval = DEFAULT_REJOIN_INTERVAL;
  private Duration rejoinRetention = DEFAULT_REJOIN_RETENTION;
  private Duration joinTimeout = DEFAULT_JOIN_TIMEOUT;

  public JoinOptions() {}

  /** A copy. */
  public JoinOptions(JoinOptions other) {
    maxJoinPeers = other.maxJoinPeers;
    rejoinInterval = other.rejoinInterval;
    rejoinRetention = other.rejoinRetention;
    joinTimeout = other.joinTimeout;
  }

  /**
   * Reads this group's fields from a node's JSON, ignoring the others.
   *
   * @throws IllegalArgumentException naming the option whose value is wrong
   */
  public JoinOptions(JsonObject json) {
    JsonObject own = new JsonObject();
    FIELDS.stream().filter(json::containsKey).forEach(field -> own.put(field, json.getValue(field)));
    JsonValues.readFields("", own, FIELDS, (name, field, value) -> {
      switch (field) {
        case "maxJoinPeers" -> setMaxJoinPeers(JsonValues.integer(name, value));
        case "rejoinInterval" -> setRejoinInterval(Durations.parse(name, value));
        case "rejoinRetention" -> setRejoinRetention(Durations.parse(name, value));
        case "joinTimeout" -> setJoinTimeout(Durations.parse(name, value));
        default -> throw new IllegalStateException(field);
      }
    });
  }

  /** This group's fields, to merge into a node's JSON. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("maxJoinPeers", maxJoinPeers)
        .put("rejoinInterval", Durations.format(rejoinInterval))
        .put("rejoinRetention", Durations.format(rejoinRetention))
        .put("joinTimeout", Durations.format(joinTimeout));
  }

  public int getMaxJoinPeers() {
    return maxJoinPeers;
  }

  /**
   * How many of the resolved join addresses one join (and one rejoin) tries at most, picked at random, so
   * that a join through a name that lists the whole cluster does not push/pull with every member. At least 1.
   */
  public JoinOptions setMaxJoinPeers(int maxJoinPeers) {
    this.maxJoinPeers = Limits.atLeast(maxJoinPeers, 1, "maxJoinPeers");
    return this;
  }

  public Duration getRejoinInterval() {
    return rejoinInterval;
  }

  /**
   * How often a started node joins what it is missing (zero, the default: never): the addresses given to
   * {@link Node#start}, resolved again, that are no alive member's address, and the members that died or left
   * within {@link #getRejoinRetention()}. In a healthy cluster nothing is missing and a rejoin sends nothing;
   * an address that never becomes a member's (a load balancer's) costs one push/pull per interval.
   */
  public JoinOptions setRejoinInterval(Duration rejoinInterval) {
    this.rejoinInterval = Limits.notNegative(rejoinInterval, "rejoinInterval");
    return this;
  }

  public Duration getRejoinRetention() {
    return rejoinRetention;
  }

  /**
   * How long a member that died or left stays a rejoin candidate (the engine forgets it much sooner), so that
   * two sides of a partition long enough to forget each other find each other again even when only one side
   * has join addresses. Zero: never retried.
   */
  public JoinOptions setRejoinRetention(Duration rejoinRetention) {
    this.rejoinRetention = Limits.notNegative(rejoinRetention, "rejoinRetention");
    return this;
  }

  public Duration getJoinTimeout() {
    return joinTimeout;
  }

  /**
   * How long {@link NodeVerticle} and the runnable node let their join addresses fail before carrying on as
   * a new cluster (moving to the configured state); they go on trying the addresses, and rejoin merges the
   * clusters later. Zero (the default): wait for a join, or for a peer to join this node.
   */
  public JoinOptions setJoinTimeout(Duration joinTimeout) {
    this.joinTimeout = Limits.notNegative(joinTimeout, "joinTimeout");
    return this;
  }
}
