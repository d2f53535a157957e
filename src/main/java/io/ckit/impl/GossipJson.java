package io.ckit.impl;

import io.ckit.config.Durations;
import io.ckit.config.JsonValues;
import io.ckit.gossip.GossipOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The gossip timing of {@code NodeOptions} as JSON: {@code {"preset": "ckit", "probeInterval": "1s", ...}}.
 * A preset (ckit, lan, wan, local; default ckit) gives every value; the other fields override it. Durations
 * are text ({@code 200ms}, {@code 5s}) or milliseconds. Unknown fields are errors.
 */
public final class GossipJson {

  /** The presets by name. */
  public static final Map<String, java.util.function.Supplier<GossipOptions>> PRESETS = Map.of(
      "ckit", GossipOptions::ckit, "lan", GossipOptions::lan, "wan", GossipOptions::wan,
      "local", GossipOptions::local);

  private static final Map<String, Field<?>> FIELDS = new LinkedHashMap<>();

  static {
    duration("probeInterval", GossipOptions::probeInterval, GossipOptions::setProbeInterval);
    duration("probeTimeout", GossipOptions::probeTimeout, GossipOptions::setProbeTimeout);
    integer("indirectChecks", GossipOptions::indirectChecks, GossipOptions::setIndirectChecks);
    integer("retransmitMult", GossipOptions::retransmitMult, GossipOptions::setRetransmitMult);
    integer("suspicionMult", GossipOptions::suspicionMult, GossipOptions::setSuspicionMult);
    integer("suspicionMaxTimeoutMult", GossipOptions::suspicionMaxTimeoutMult,
        GossipOptions::setSuspicionMaxTimeoutMult);
    integer("awarenessMaxMultiplier", GossipOptions::awarenessMaxMultiplier,
        GossipOptions::setAwarenessMaxMultiplier);
    duration("gossipInterval", GossipOptions::gossipInterval, GossipOptions::setGossipInterval);
    integer("gossipNodes", GossipOptions::gossipNodes, GossipOptions::setGossipNodes);
    duration("gossipToTheDeadTime", GossipOptions::gossipToTheDeadTime, GossipOptions::setGossipToTheDeadTime);
    duration("pushPullInterval", GossipOptions::pushPullInterval, GossipOptions::setPushPullInterval);
    duration("streamTimeout", GossipOptions::streamTimeout, GossipOptions::setStreamTimeout);
    integer("maxPacketBytes", GossipOptions::maxPacketBytes, GossipOptions::setMaxPacketBytes);
    integer("maxMessageBytes", GossipOptions::maxMessageBytes, GossipOptions::setMaxMessageBytes);
    duration("deadNodeReclaimTime", GossipOptions::deadNodeReclaimTime, GossipOptions::setDeadNodeReclaimTime);
    integer("maxConcurrentPushPulls", GossipOptions::maxConcurrentPushPulls,
        GossipOptions::setMaxConcurrentPushPulls);
    integer("handoffQueueDepth", GossipOptions::handoffQueueDepth, GossipOptions::setHandoffQueueDepth);
    FIELDS.put("compression", new Field<>(GossipOptions::compression,
        (options, value) -> options.setCompression(JsonValues.bool("gossip.compression", value)), value -> value));
  }

  private GossipJson() {}

  /** Every timing value, explicitly (no preset field: reading it back starts from ckit and overrides all). */
  public static JsonObject toJson(GossipOptions options) {
    JsonObject json = new JsonObject();
    FIELDS.forEach((name, field) -> json.put(name, field.write(options)));
    return json;
  }

  /**
   * Reads gossip timing.
   *
   * @throws IllegalArgumentException naming the field ({@code gossip.<field>}) that is unknown or invalid
   */
  public static GossipOptions fromJson(JsonObject json) {
    Object preset = json.getValue("preset", "ckit");
    if (!(preset instanceof String name) || !PRESETS.containsKey(name)) {
      throw new IllegalArgumentException("gossip.preset: \"" + preset + "\" is none of ckit, lan, wan, local");
    }
    GossipOptions options = PRESETS.get(name).get();
    Set<String> known = new HashSet<>(FIELDS.keySet());
    known.add("preset");
    JsonValues.checkFields("gossip.", json, known);
    for (Map.Entry<String, Object> entry : json) {
      Field<?> field = FIELDS.get(entry.getKey());
      if (field != null) {
        JsonValues.read("gossip." + entry.getKey(), () -> field.read.accept(options, entry.getValue()));
      }
    }
    return options;
  }

  private static void duration(String name, Function<GossipOptions, Duration> get,
      BiConsumer<GossipOptions, Duration> set) {
    FIELDS.put(name, new Field<>(get,
        (options, value) -> set.accept(options, Durations.parse("gossip." + name, value)), Durations::format));
  }

  private static void integer(String name, Function<GossipOptions, Integer> get,
      BiConsumer<GossipOptions, Integer> set) {
    FIELDS.put(name, new Field<>(get,
        (options, value) -> set.accept(options, JsonValues.integer("gossip." + name, value)), value -> value));
  }

  private record Field<T>(Function<GossipOptions, T> get, BiConsumer<GossipOptions, Object> read,
      Function<T, Object> format) {

    Object write(GossipOptions options) {
      return format.apply(get.apply(options));
    }
  }
}
