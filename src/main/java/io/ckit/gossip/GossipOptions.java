package io.ckit.gossip;

import io.ckit.config.Durations;
import io.ckit.config.JsonValues;
import io.ckit.config.Limits;
import io.ckit.wire.Keyring;
import io.ckit.wire.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Settings of the membership engine: memberlist's {@code Config}, with its names and meanings. Presets:
 * {@link #ckit()} (what Go ckit runs: memberlist's LAN defaults with ckit's overrides; the default), {@link
 * #lan()}, {@link #wan()} and {@link #local()}. Every timing is here, so tests shorten them through options.
 * Who the engine is (name, address, label) is no setting: it is the {@link MemberIdentity} given beside them.
 *
 * <p>A data object: setters validate at once and throw {@link IllegalArgumentException} naming the setting,
 * and every setting but the keyring has a JSON form, the {@code gossip} section of a node's JSON:
 *
 * <pre>{@code
 * {"preset": "ckit", "probeInterval": "5s", "gossipNodes": 3, "compression": true, ...}
 * }</pre>
 *
 * <p>The preset (ckit, lan, wan or local; default ckit) gives every value and the other fields override it.
 * Durations are text ({@code 200ms}, {@code 5s}, {@code 1m30s}) or milliseconds. A keyring (encryption) can
 * only be set in code.
 */
public final class GossipOptions {

  // The defaults are Go ckit's: memberlist's LAN defaults, but for the four ckit overrides marked below.

  /** Failure detection probes one member per interval. ckit: 5 s (memberlist's LAN: 1 s). */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(5);
  /** How long a probed member has to ack before others are asked to probe it. ckit: 2 s (LAN: 500 ms). */
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(2);
  /** How many members relay a probe when the direct one goes unanswered. */
  public static final int DEFAULT_INDIRECT_CHECKS = 3;
  /** Each broadcast is sent {@code retransmitMult * ceil(log10(n + 1))} times. */
  public static final int DEFAULT_RETRANSMIT_MULT = 4;
  /** A suspect is declared dead after {@code suspicionMult * max(1, log10 n)} probe intervals at the least... */
  public static final int DEFAULT_SUSPICION_MULT = 4;
  /** ...and this many times that at the most, when no other member confirms the suspicion. */
  public static final int DEFAULT_SUSPICION_MAX_TIMEOUT_MULT = 6;
  /** Lifeguard: a node that misses acks stretches its probe interval up to this factor. */
  public static final int DEFAULT_AWARENESS_MAX_MULTIPLIER = 8;
  /** Queued broadcasts go out this often... */
  public static final Duration DEFAULT_GOSSIP_INTERVAL = Duration.ofMillis(200);
  /** ...to this many random members... */
  public static final int DEFAULT_GOSSIP_NODES = 3;
  /** ...dead ones included for this long, so that they hear they were declared dead. */
  public static final Duration DEFAULT_GOSSIP_TO_THE_DEAD_TIME = Duration.ofSeconds(30);
  /** Full state is exchanged with one random member this often (the interval grows past 32 members). */
  public static final Duration DEFAULT_PUSH_PULL_INTERVAL = Duration.ofSeconds(30);
  /** How long opening a stream (push/pull, join) and one exchange over it may take. ckit: 2 s (LAN: 10 s). */
  public static final Duration DEFAULT_STREAM_TIMEOUT = Duration.ofSeconds(2);
  /**
   * The most bytes of broadcasts one gossip packet carries. ckit: 10 MiB, since HTTP/2 carries a packet whole
   * and gossip may pack every queued broadcast (LAN: 1400, what fits a UDP datagram).
   */
  public static final int DEFAULT_MAX_PACKET_BYTES = 10 * 1024 * 1024;
  /** The largest message accepted, after decompression: a bound on memory, not part of the protocol. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = MessageCodec.DEFAULT_MAX_MESSAGE_BYTES;
  /** A dead member's name never rejoins from another address. */
  public static final Duration DEFAULT_DEAD_NODE_RECLAIM_TIME = Duration.ZERO;
  /** How many push/pulls a node answers at once, as memberlist. */
  public static final int DEFAULT_MAX_CONCURRENT_PUSH_PULLS = 128;
  /** How many alive (and, apart, other) gossip messages one packet may hand over, as memberlist. */
  public static final int DEFAULT_HANDOFF_QUEUE_DEPTH = 1024;
  /** Packets are compressed when that makes them smaller, and stream messages always, as memberlist. */
  public static final boolean DEFAULT_COMPRESSION = true;

  private static final Map<String, Supplier<GossipOptions>> PRESETS = Map.of(
      "ckit", GossipOptions::ckit, "lan", GossipOptions::lan, "wan", GossipOptions::wan,
      "local", GossipOptions::local);
  /** The JSON fields but the preset, in the order {@link #toJson()} writes them. */
  private static final Map<String, Field> FIELDS = new LinkedHashMap<>();
  private static final Set<String> JSON_FIELDS;

  static {
    duration("probeInterval", GossipOptions::getProbeInterval, GossipOptions::setProbeInterval);
    duration("probeTimeout", GossipOptions::getProbeTimeout, GossipOptions::setProbeTimeout);
    integer("indirectChecks", GossipOptions::getIndirectChecks, GossipOptions::setIndirectChecks);
    integer("retransmitMult", GossipOptions::getRetransmitMult, GossipOptions::setRetransmitMult);
    integer("suspicionMult", GossipOptions::getSuspicionMult, GossipOptions::setSuspicionMult);
    integer("suspicionMaxTimeoutMult", GossipOptions::getSuspicionMaxTimeoutMult,
        GossipOptions::setSuspicionMaxTimeoutMult);
    integer("awarenessMaxMultiplier", GossipOptions::getAwarenessMaxMultiplier,
        GossipOptions::setAwarenessMaxMultiplier);
    duration("gossipInterval", GossipOptions::getGossipInterval, GossipOptions::setGossipInterval);
    integer("gossipNodes", GossipOptions::getGossipNodes, GossipOptions::setGossipNodes);
    duration("gossipToTheDeadTime", GossipOptions::getGossipToTheDeadTime, GossipOptions::setGossipToTheDeadTime);
    duration("pushPullInterval", GossipOptions::getPushPullInterval, GossipOptions::setPushPullInterval);
    duration("streamTimeout", GossipOptions::getStreamTimeout, GossipOptions::setStreamTimeout);
    integer("maxPacketBytes", GossipOptions::getMaxPacketBytes, GossipOptions::setMaxPacketBytes);
    integer("maxMessageBytes", GossipOptions::getMaxMessageBytes, GossipOptions::setMaxMessageBytes);
    duration("deadNodeReclaimTime", GossipOptions::getDeadNodeReclaimTime, GossipOptions::setDeadNodeReclaimTime);
    integer("maxConcurrentPushPulls", GossipOptions::getMaxConcurrentPushPulls,
        GossipOptions::setMaxConcurrentPushPulls);
    integer("handoffQueueDepth", GossipOptions::getHandoffQueueDepth, GossipOptions::setHandoffQueueDepth);
    FIELDS.put("compression", new Field(GossipOptions::isCompression,
        (options, value) -> options.setCompression(JsonValues.bool("gossip.compression", value))));
    Set<String> fields = new HashSet<>(FIELDS.keySet());
    fields.add("preset");
    JSON_FIELDS = Set.copyOf(fields);
  }

  private Keyring keyring;
  private boolean verifyIncoming = true;
  private boolean verifyOutgoing = true;
  private boolean compression = DEFAULT_COMPRESSION;
  private Duration probeInterval = DEFAULT_PROBE_INTERVAL;
  private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
  private int indirectChecks = DEFAULT_INDIRECT_CHECKS;
  private int retransmitMult = DEFAULT_RETRANSMIT_MULT;
  private int suspicionMult = DEFAULT_SUSPICION_MULT;
  private int suspicionMaxTimeoutMult = DEFAULT_SUSPICION_MAX_TIMEOUT_MULT;
  private int awarenessMaxMultiplier = DEFAULT_AWARENESS_MAX_MULTIPLIER;
  private Duration gossipInterval = DEFAULT_GOSSIP_INTERVAL;
  private int gossipNodes = DEFAULT_GOSSIP_NODES;
  private Duration gossipToTheDeadTime = DEFAULT_GOSSIP_TO_THE_DEAD_TIME;
  private Duration pushPullInterval = DEFAULT_PUSH_PULL_INTERVAL;
  private Duration streamTimeout = DEFAULT_STREAM_TIMEOUT;
  private int maxPacketBytes = DEFAULT_MAX_PACKET_BYTES;
  private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
  private Duration deadNodeReclaimTime = DEFAULT_DEAD_NODE_RECLAIM_TIME;
  private int maxConcurrentPushPulls = DEFAULT_MAX_CONCURRENT_PUSH_PULLS;
  private int handoffQueueDepth = DEFAULT_HANDOFF_QUEUE_DEPTH;

  /** Go ckit's settings: the same as {@link #ckit()}. */
  public GossipOptions() {}

  /** A copy (the keyring, which is immutable, is shared). */
  public GossipOptions(GossipOptions other) {
    keyring = other.keyring;
    verifyIncoming = other.verifyIncoming;
    verifyOutgoing = other.verifyOutgoing;
    compression = other.compression;
    probeInterval = other.probeInterval;
    probeTimeout = other.probeTimeout;
    indirectChecks = other.indirectChecks;
    retransmitMult = other.retransmitMult;
    suspicionMult = other.suspicionMult;
    suspicionMaxTimeoutMult = other.suspicionMaxTimeoutMult;
    awarenessMaxMultiplier = other.awarenessMaxMultiplier;
    gossipInterval = other.gossipInterval;
    gossipNodes = other.gossipNodes;
    gossipToTheDeadTime = other.gossipToTheDeadTime;
    pushPullInterval = other.pushPullInterval;
    streamTimeout = other.streamTimeout;
    maxPacketBytes = other.maxPacketBytes;
    maxMessageBytes = other.maxMessageBytes;
    deadNodeReclaimTime = other.deadNodeReclaimTime;
    maxConcurrentPushPulls = other.maxConcurrentPushPulls;
    handoffQueueDepth = other.handoffQueueDepth;
  }

  /**
   * Reads the settings from JSON: a preset, overridden field by field.
   *
   * @throws IllegalArgumentException naming the field ({@code gossip.<field>}) that is unknown or invalid
   */
  public GossipOptions(JsonObject json) {
    this(preset(json.getValue("preset", "ckit")));
    JsonValues.readFields("gossip.", json, JSON_FIELDS, (name, field, value) -> {
      // The preset, read above, is no Field.
      if (FIELDS.containsKey(field)) {
        FIELDS.get(field).read.accept(this, value);
      }
    });
  }

  /** memberlist's {@code DefaultLANConfig}: a LAN with sub-millisecond round trips. */
  public static GossipOptions lan() {
    // Undoes ckit's four overrides of these defaults.
    GossipOptions o = new GossipOptions();
    o.probeInterval = Duration.ofSeconds(1);
    o.probeTimeout = Duration.ofMillis(500);
    o.streamTimeout = Duration.ofSeconds(10);
    o.maxPacketBytes = 1400;
    return o;
  }

  /** memberlist's {@code DefaultWANConfig}: slower probes and gossip for wide-area links. */
  public static GossipOptions wan() {
    GossipOptions o = lan();
    o.streamTimeout = Duration.ofSeconds(30);
    o.suspicionMult = 6;
    o.pushPullInterval = Duration.ofSeconds(60);
    o.probeTimeout = Duration.ofSeconds(3);
    o.probeInterval = Duration.ofSeconds(5);
    o.gossipNodes = 4;
    o.gossipInterval = Duration.ofMillis(500);
    o.gossipToTheDeadTime = Duration.ofSeconds(60);
    return o;
  }

  /** memberlist's {@code DefaultLocalConfig}: one host or a very fast network. */
  public static GossipOptions local() {
    GossipOptions o = lan();
    o.streamTimeout = Duration.ofSeconds(1);
    o.indirectChecks = 1;
    o.retransmitMult = 2;
    o.suspicionMult = 3;
    o.pushPullInterval = Duration.ofSeconds(15);
    o.probeTimeout = Duration.ofMillis(200);
    o.probeInterval = Duration.ofSeconds(1);
    o.gossipInterval = Duration.ofMillis(100);
    o.gossipToTheDeadTime = Duration.ofSeconds(15);
    return o;
  }

  /**
   * What Go ckit runs, and the default: the LAN defaults with a 5 s probe interval and 2 s probe timeout, a
   * 2 s stream timeout, and 10 MiB packets.
   */
  public static GossipOptions ckit() {
    return new GossipOptions();
  }

  /**
   * Every setting but the keyring, in the form {@link #GossipOptions(JsonObject)} reads; no preset, so that
   * reading it back starts from ckit's and overrides every value.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    FIELDS.forEach((name, field) -> json.put(name, field.write.apply(this)));
    return json;
  }

  /**
   * Checks what no setter can check alone: the settings against each other.
   *
   * @throws IllegalArgumentException naming the settings
   */
  public GossipOptions validate() {
    if (probeTimeout.compareTo(probeInterval) > 0) {
      throw new IllegalArgumentException("probeTimeout (" + probeTimeout + ") must not exceed probeInterval ("
          + probeInterval + ")");
    }
    return this;
  }

  public Keyring getKeyring() {
    return keyring;
  }

  /** Encryption keys; null (the default, and Go ckit's only option) for none. */
  public GossipOptions setKeyring(Keyring keyring) {
    this.keyring = keyring;
    return this;
  }

  public boolean isVerifyIncoming() {
    return verifyIncoming;
  }

  /**
   * With a keyring: whether to refuse packets and stream messages that are not encrypted (memberlist's
   * {@code GossipVerifyIncoming}, default true). Code only, like the keyring.
   */
  public GossipOptions setVerifyIncoming(boolean verifyIncoming) {
    this.verifyIncoming = verifyIncoming;
    return this;
  }

  public boolean isVerifyOutgoing() {
    return verifyOutgoing;
  }

  /**
   * With a keyring: whether to encrypt what is sent (memberlist's {@code GossipVerifyOutgoing}, default true);
   * false sends plain text, for a cluster moving to encryption. Code only, like the keyring.
   */
  public GossipOptions setVerifyOutgoing(boolean verifyOutgoing) {
    this.verifyOutgoing = verifyOutgoing;
    return this;
  }

  public boolean isCompression() {
    return compression;
  }

  /** Whether to LZW-compress packets (when that makes them smaller) and stream messages (always). */
  public GossipOptions setCompression(boolean compression) {
    this.compression = compression;
    return this;
  }

  public Duration getProbeInterval() {
    return probeInterval;
  }

  public GossipOptions setProbeInterval(Duration probeInterval) {
    this.probeInterval = Limits.positive(probeInterval, "probeInterval");
    return this;
  }

  public Duration getProbeTimeout() {
    return probeTimeout;
  }

  public GossipOptions setProbeTimeout(Duration probeTimeout) {
    this.probeTimeout = Limits.positive(probeTimeout, "probeTimeout");
    return this;
  }

  public int getIndirectChecks() {
    return indirectChecks;
  }

  public GossipOptions setIndirectChecks(int indirectChecks) {
    this.indirectChecks = Limits.atLeast(indirectChecks, 0, "indirectChecks");
    return this;
  }

  public int getRetransmitMult() {
    return retransmitMult;
  }

  public GossipOptions setRetransmitMult(int retransmitMult) {
    this.retransmitMult = Limits.atLeast(retransmitMult, 1, "retransmitMult");
    return this;
  }

  public int getSuspicionMult() {
    return suspicionMult;
  }

  public GossipOptions setSuspicionMult(int suspicionMult) {
    this.suspicionMult = Limits.atLeast(suspicionMult, 1, "suspicionMult");
    return this;
  }

  public int getSuspicionMaxTimeoutMult() {
    return suspicionMaxTimeoutMult;
  }

  public GossipOptions setSuspicionMaxTimeoutMult(int suspicionMaxTimeoutMult) {
    this.suspicionMaxTimeoutMult = Limits.atLeast(suspicionMaxTimeoutMult, 1, "suspicionMaxTimeoutMult");
    return this;
  }

  public int getAwarenessMaxMultiplier() {
    return awarenessMaxMultiplier;
  }

  public GossipOptions setAwarenessMaxMultiplier(int awarenessMaxMultiplier) {
    this.awarenessMaxMultiplier = Limits.atLeast(awarenessMaxMultiplier, 1, "awarenessMaxMultiplier");
    return this;
  }

  public Duration getGossipInterval() {
    return gossipInterval;
  }

  public GossipOptions setGossipInterval(Duration gossipInterval) {
    this.gossipInterval = Limits.positive(gossipInterval, "gossipInterval");
    return this;
  }

  public int getGossipNodes() {
    return gossipNodes;
  }

  public GossipOptions setGossipNodes(int gossipNodes) {
    this.gossipNodes = Limits.atLeast(gossipNodes, 1, "gossipNodes");
    return this;
  }

  public Duration getGossipToTheDeadTime() {
    return gossipToTheDeadTime;
  }

  public GossipOptions setGossipToTheDeadTime(Duration gossipToTheDeadTime) {
    this.gossipToTheDeadTime = Limits.notNegative(gossipToTheDeadTime, "gossipToTheDeadTime");
    return this;
  }

  public Duration getPushPullInterval() {
    return pushPullInterval;
  }

  /** How often to exchange full state with a random member; zero turns periodic push/pull off. */
  public GossipOptions setPushPullInterval(Duration pushPullInterval) {
    this.pushPullInterval = Limits.notNegative(pushPullInterval, "pushPullInterval");
    return this;
  }

  public Duration getStreamTimeout() {
    return streamTimeout;
  }

  /** How long opening a stream and one exchange over it may take (memberlist's {@code TCPTimeout}). */
  public GossipOptions setStreamTimeout(Duration streamTimeout) {
    this.streamTimeout = Limits.positive(streamTimeout, "streamTimeout");
    return this;
  }

  public int getMaxPacketBytes() {
    return maxPacketBytes;
  }

  /** The most bytes of broadcasts one gossip packet carries (memberlist's {@code UDPBufferSize}). */
  public GossipOptions setMaxPacketBytes(int maxPacketBytes) {
    this.maxPacketBytes = Limits.atLeast(maxPacketBytes, 512, "maxPacketBytes");
    return this;
  }

  public int getMaxMessageBytes() {
    return maxMessageBytes;
  }

  /** The largest message accepted, after decompression; a bound on memory, not part of the protocol. */
  public GossipOptions setMaxMessageBytes(int maxMessageBytes) {
    this.maxMessageBytes = Limits.atLeast(maxMessageBytes, 1024, "maxMessageBytes");
    return this;
  }

  public Duration getDeadNodeReclaimTime() {
    return deadNodeReclaimTime;
  }

  /** After how long a dead member's name may rejoin from another address; zero (the default) for never. */
  public GossipOptions setDeadNodeReclaimTime(Duration deadNodeReclaimTime) {
    this.deadNodeReclaimTime = Limits.notNegative(deadNodeReclaimTime, "deadNodeReclaimTime");
    return this;
  }

  public int getMaxConcurrentPushPulls() {
    return maxConcurrentPushPulls;
  }

  /** How many push/pulls this node answers at once; more are turned away (memberlist: 128). */
  public GossipOptions setMaxConcurrentPushPulls(int maxConcurrentPushPulls) {
    this.maxConcurrentPushPulls = Limits.atLeast(maxConcurrentPushPulls, 1, "maxConcurrentPushPulls");
    return this;
  }

  public int getHandoffQueueDepth() {
    return handoffQueueDepth;
  }

  /** How many alive (and, separately, other) gossip messages one packet may hand over (memberlist: 1024). */
  public GossipOptions setHandoffQueueDepth(int handoffQueueDepth) {
    this.handoffQueueDepth = Limits.atLeast(handoffQueueDepth, 1, "handoffQueueDepth");
    return this;
  }

  private static GossipOptions preset(Object name) {
    Supplier<GossipOptions> preset = name instanceof String text ? PRESETS.get(text) : null;
    if (preset == null) {
      throw new IllegalArgumentException("gossip.preset: \"" + name + "\" is none of ckit, lan, wan, local");
    }
    return preset.get();
  }

  private static void duration(String name, Function<GossipOptions, Duration> get,
      BiConsumer<GossipOptions, Duration> set) {
    FIELDS.put(name, new Field(options -> Durations.format(get.apply(options)),
        (options, value) -> set.accept(options, Durations.parse("gossip." + name, value))));
  }

  private static void integer(String name, Function<GossipOptions, Integer> get,
      BiConsumer<GossipOptions, Integer> set) {
    FIELDS.put(name, new Field(get::apply,
        (options, value) -> set.accept(options, JsonValues.integer("gossip." + name, value))));
  }

  /** One setting's JSON value: how to write it, and how to read and set it. */
  private record Field(Function<GossipOptions, Object> write, BiConsumer<GossipOptions, Object> read) {}
}
