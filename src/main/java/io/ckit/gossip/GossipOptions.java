package io.ckit.gossip;

import io.ckit.config.Limits;
import io.ckit.wire.Keyring;
import io.ckit.wire.MessageCodec;
import java.time.Duration;

/**
 * Settings of the membership engine: memberlist's {@code Config}, with its names and meanings. Presets:
 * {@link #ckit()} (what Go ckit runs: memberlist's LAN defaults with ckit's overrides, the default), {@link
 * #lan()}, {@link #wan()} and {@link #local()}. Every timing is here, so tests shorten them through options.
 * Who the engine is (name, address, label) is no setting: it is the {@link MemberIdentity} given beside them.
 *
 * <p>Setters validate at once and throw {@link IllegalArgumentException} naming the setting.
 */
public final class GossipOptions {

  private Keyring keyring;
  private boolean compression = true;

  private Duration probeInterval;
  private Duration probeTimeout;
  private int indirectChecks;
  private int retransmitMult;
  private int suspicionMult;
  private int suspicionMaxTimeoutMult;
  private int awarenessMaxMultiplier;
  private Duration gossipInterval;
  private int gossipNodes;
  private Duration gossipToTheDeadTime;
  private Duration pushPullInterval;
  private Duration streamTimeout;
  private int maxPacketBytes;
  private int maxMessageBytes = MessageCodec.DEFAULT_MAX_MESSAGE_BYTES;
  private Duration deadNodeReclaimTime = Duration.ZERO;
  private int maxConcurrentPushPulls = 128;
  private int handoffQueueDepth = 1024;

  private GossipOptions() {}

  /** A copy. */
  public GossipOptions(GossipOptions other) {
    keyring = other.keyring;
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

  /** memberlist's {@code DefaultLANConfig}: a LAN with sub-millisecond round trips. */
  public static GossipOptions lan() {
    GossipOptions o = new GossipOptions();
    // Failure detection: probe one member a second, expect its ack within half a second.
    o.probeInterval = Duration.ofSeconds(1);
    o.probeTimeout = Duration.ofMillis(500);
    // How many members relay a probe when the direct one goes unanswered.
    o.indirectChecks = 3;
    // Each broadcast is sent RetransmitMult * ceil(log10(n + 1)) times.
    o.retransmitMult = 4;
    // A suspect is declared dead after SuspicionMult * max(1, log10 n) probe intervals at the least, and
    // SuspicionMaxTimeoutMult times that at the most (without confirmations from other members).
    o.suspicionMult = 4;
    o.suspicionMaxTimeoutMult = 6;
    // Lifeguard: a node that misses acks stretches its probe interval up to this factor.
    o.awarenessMaxMultiplier = 8;
    // Broadcasts go out every 200 ms to 3 random members, dead ones included for 30 s.
    o.gossipInterval = Duration.ofMillis(200);
    o.gossipNodes = 3;
    o.gossipToTheDeadTime = Duration.ofSeconds(30);
    // Full state exchange with one random member every 30 s (scaled up past 32 members).
    o.pushPullInterval = Duration.ofSeconds(30);
    // How long a stream (push/pull, join) may take.
    o.streamTimeout = Duration.ofSeconds(10);
    // The largest packet gossip fills with broadcasts.
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
   * What Go ckit runs: the LAN defaults with a 5 s probe interval and 2 s probe timeout, a 2 s stream
   * timeout, and 10 MiB packets (HTTP/2 carries them whole, so gossip packs every queued broadcast).
   */
  public static GossipOptions ckit() {
    GossipOptions o = lan();
    o.probeInterval = Duration.ofSeconds(5);
    o.probeTimeout = Duration.ofSeconds(2);
    o.streamTimeout = Duration.ofSeconds(2);
    o.maxPacketBytes = 10 * 1024 * 1024;
    return o;
  }

  /** Checks what no setter can check alone: the settings against each other. */
  public void validate() {
    if (probeTimeout.compareTo(probeInterval) > 0) {
      throw new IllegalArgumentException("probeTimeout (" + probeTimeout + ") must not exceed probeInterval ("
          + probeInterval + ")");
    }
  }

  public Keyring keyring() {
    return keyring;
  }

  /** Encryption keys; null (the default, and Go ckit's only option) for none. */
  public GossipOptions setKeyring(Keyring keyring) {
    this.keyring = keyring;
    return this;
  }

  public boolean compression() {
    return compression;
  }

  /** Whether to LZW-compress packets (when that makes them smaller) and stream messages (always). */
  public GossipOptions setCompression(boolean compression) {
    this.compression = compression;
    return this;
  }

  public Duration probeInterval() {
    return probeInterval;
  }

  public GossipOptions setProbeInterval(Duration probeInterval) {
    this.probeInterval = Limits.positive(probeInterval, "probeInterval");
    return this;
  }

  public Duration probeTimeout() {
    return probeTimeout;
  }

  public GossipOptions setProbeTimeout(Duration probeTimeout) {
    this.probeTimeout = Limits.positive(probeTimeout, "probeTimeout");
    return this;
  }

  public int indirectChecks() {
    return indirectChecks;
  }

  public GossipOptions setIndirectChecks(int indirectChecks) {
    this.indirectChecks = Limits.atLeast(indirectChecks, 0, "indirectChecks");
    return this;
  }

  public int retransmitMult() {
    return retransmitMult;
  }

  public GossipOptions setRetransmitMult(int retransmitMult) {
    this.retransmitMult = Limits.atLeast(retransmitMult, 1, "retransmitMult");
    return this;
  }

  public int suspicionMult() {
    return suspicionMult;
  }

  public GossipOptions setSuspicionMult(int suspicionMult) {
    this.suspicionMult = Limits.atLeast(suspicionMult, 1, "suspicionMult");
    return this;
  }

  public int suspicionMaxTimeoutMult() {
    return suspicionMaxTimeoutMult;
  }

  public GossipOptions setSuspicionMaxTimeoutMult(int suspicionMaxTimeoutMult) {
    this.suspicionMaxTimeoutMult = Limits.atLeast(suspicionMaxTimeoutMult, 1, "suspicionMaxTimeoutMult");
    return this;
  }

  public int awarenessMaxMultiplier() {
    return awarenessMaxMultiplier;
  }

  public GossipOptions setAwarenessMaxMultiplier(int awarenessMaxMultiplier) {
    this.awarenessMaxMultiplier = Limits.atLeast(awarenessMaxMultiplier, 1, "awarenessMaxMultiplier");
    return this;
  }

  public Duration gossipInterval() {
    return gossipInterval;
  }

  public GossipOptions setGossipInterval(Duration gossipInterval) {
    this.gossipInterval = Limits.positive(gossipInterval, "gossipInterval");
    return this;
  }

  public int gossipNodes() {
    return gossipNodes;
  }

  public GossipOptions setGossipNodes(int gossipNodes) {
    this.gossipNodes = Limits.atLeast(gossipNodes, 1, "gossipNodes");
    return this;
  }

  public Duration gossipToTheDeadTime() {
    return gossipToTheDeadTime;
  }

  public GossipOptions setGossipToTheDeadTime(Duration gossipToTheDeadTime) {
    this.gossipToTheDeadTime = Limits.notNegative(gossipToTheDeadTime, "gossipToTheDeadTime");
    return this;
  }

  public Duration pushPullInterval() {
    return pushPullInterval;
  }

  /** How often to exchange full state with a random member; zero turns periodic push/pull off. */
  public GossipOptions setPushPullInterval(Duration pushPullInterval) {
    this.pushPullInterval = Limits.notNegative(pushPullInterval, "pushPullInterval");
    return this;
  }

  public Duration streamTimeout() {
    return streamTimeout;
  }

  /** How long opening a stream and one exchange over it may take (memberlist's {@code TCPTimeout}). */
  public GossipOptions setStreamTimeout(Duration streamTimeout) {
    this.streamTimeout = Limits.positive(streamTimeout, "streamTimeout");
    return this;
  }

  public int maxPacketBytes() {
    return maxPacketBytes;
  }

  /** The most bytes of broadcasts one gossip packet carries (memberlist's {@code UDPBufferSize}). */
  public GossipOptions setMaxPacketBytes(int maxPacketBytes) {
    this.maxPacketBytes = Limits.atLeast(maxPacketBytes, 512, "maxPacketBytes");
    return this;
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** The largest message accepted, after decompression; a bound on memory, not part of the protocol. */
  public GossipOptions setMaxMessageBytes(int maxMessageBytes) {
    this.maxMessageBytes = Limits.atLeast(maxMessageBytes, 1024, "maxMessageBytes");
    return this;
  }

  public Duration deadNodeReclaimTime() {
    return deadNodeReclaimTime;
  }

  /** After how long a dead member's name may rejoin from another address; zero (the default) for never. */
  public GossipOptions setDeadNodeReclaimTime(Duration deadNodeReclaimTime) {
    this.deadNodeReclaimTime = Limits.notNegative(deadNodeReclaimTime, "deadNodeReclaimTime");
    return this;
  }

  public int maxConcurrentPushPulls() {
    return maxConcurrentPushPulls;
  }

  /** How many push/pulls this node answers at once; more are turned away (memberlist: 128). */
  public GossipOptions setMaxConcurrentPushPulls(int maxConcurrentPushPulls) {
    this.maxConcurrentPushPulls = Limits.atLeast(maxConcurrentPushPulls, 1, "maxConcurrentPushPulls");
    return this;
  }

  public int handoffQueueDepth() {
    return handoffQueueDepth;
  }

  /** How many alive (and, separately, other) gossip messages one packet may hand over (memberlist: 1024). */
  public GossipOptions setHandoffQueueDepth(int handoffQueueDepth) {
    this.handoffQueueDepth = Limits.atLeast(handoffQueueDepth, 1, "handoffQueueDepth");
    return this;
  }
}
