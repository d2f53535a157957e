package io.ckit.transport;

import io.ckit.config.Limits;
import io.ckit.wire.MessageCodec;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the HTTP/2 transport: limits, timeouts and TLS. Setters validate at once and throw {@link
 * IllegalArgumentException} naming the setting.
 */
public final class TransportOptions {

  /** The largest frame accepted: the largest message plus room for the envelopes around it. */
  public static final int DEFAULT_MAX_FRAME_BYTES = MessageCodec.DEFAULT_MAX_MESSAGE_BYTES + 1024;
  /** How long a packet POST may take; Go ckit's value. */
  public static final Duration DEFAULT_PACKET_TIMEOUT = Duration.ofSeconds(5);
  /** Packets waiting for one peer before the oldest is dropped; Go ckit queues 1000 for all peers together. */
  public static final int DEFAULT_MAX_QUEUED_PACKETS = 1000;
  /** Packet POSTs in flight to one peer at once (HTTP/2 servers commonly allow 100 concurrent streams). */
  public static final int DEFAULT_MAX_PACKETS_IN_FLIGHT = 100;
  /** Frames read and not yet handled by the engine before reading pauses: memberlist's HandoffQueueDepth. */
  public static final int DEFAULT_MAX_INBOUND_QUEUED_PACKETS = 1024;

  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private Duration packetTimeout = DEFAULT_PACKET_TIMEOUT;
  private int maxQueuedPackets = DEFAULT_MAX_QUEUED_PACKETS;
  private int maxPacketsInFlight = DEFAULT_MAX_PACKETS_IN_FLIGHT;
  private int maxInboundQueuedPackets = DEFAULT_MAX_INBOUND_QUEUED_PACKETS;
  private boolean ssl;
  private KeyCertOptions keyCertOptions;
  private TrustOptions trustOptions;
  private ClientAuth clientAuth = ClientAuth.NONE;
  private boolean verifyHost = true;

  public TransportOptions() {}

  /** A copy. */
  public TransportOptions(TransportOptions other) {
    maxFrameBytes = other.maxFrameBytes;
    packetTimeout = other.packetTimeout;
    maxQueuedPackets = other.maxQueuedPackets;
    maxPacketsInFlight = other.maxPacketsInFlight;
    maxInboundQueuedPackets = other.maxInboundQueuedPackets;
    ssl = other.ssl;
    keyCertOptions = other.keyCertOptions == null ? null : other.keyCertOptions.copy();
    trustOptions = other.trustOptions == null ? null : other.trustOptions.copy();
    clientAuth = other.clientAuth;
    verifyHost = other.verifyHost;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The largest frame (packet or stream chunk) read; a longer one is refused before it is buffered. */
  public TransportOptions setMaxFrameBytes(int maxFrameBytes) {
    this.maxFrameBytes = Limits.atLeast(maxFrameBytes, 1024, "maxFrameBytes");
    return this;
  }

  public Duration packetTimeout() {
    return packetTimeout;
  }

  public TransportOptions setPacketTimeout(Duration packetTimeout) {
    this.packetTimeout = Limits.positive(packetTimeout, "packetTimeout");
    return this;
  }

  public int maxQueuedPackets() {
    return maxQueuedPackets;
  }

  public TransportOptions setMaxQueuedPackets(int maxQueuedPackets) {
    this.maxQueuedPackets = Limits.atLeast(maxQueuedPackets, 1, "maxQueuedPackets");
    return this;
  }

  public int maxPacketsInFlight() {
    return maxPacketsInFlight;
  }

  public TransportOptions setMaxPacketsInFlight(int maxPacketsInFlight) {
    this.maxPacketsInFlight = Limits.atLeast(maxPacketsInFlight, 1, "maxPacketsInFlight");
    return this;
  }

  public int maxInboundQueuedPackets() {
    return maxInboundQueuedPackets;
  }

  /**
   * How many received frames may wait for the engine: packets of all requests together, and the frames of
   * each stream. Beyond it the transport stops reading those bodies, so HTTP/2 flow control holds the
   * senders back, until the engine has worked the backlog down to half.
   */
  public TransportOptions setMaxInboundQueuedPackets(int maxInboundQueuedPackets) {
    this.maxInboundQueuedPackets = Limits.atLeast(maxInboundQueuedPackets, 1, "maxInboundQueuedPackets");
    return this;
  }

  public boolean ssl() {
    return ssl;
  }

  /** TLS (HTTP/2 negotiated with ALPN) instead of h2c, for both the server and the client. */
  public TransportOptions setSsl(boolean ssl) {
    this.ssl = ssl;
    return this;
  }

  public KeyCertOptions keyCertOptions() {
    return keyCertOptions;
  }

  /** This node's certificate and key: the server's, and the client's when peers require client certificates. */
  public TransportOptions setKeyCertOptions(KeyCertOptions keyCertOptions) {
    this.keyCertOptions = keyCertOptions;
    return this;
  }

  public TrustOptions trustOptions() {
    return trustOptions;
  }

  /** The certificates to trust: peers' servers, and clients when client certificates are required. */
  public TransportOptions setTrustOptions(TrustOptions trustOptions) {
    this.trustOptions = trustOptions;
    return this;
  }

  public ClientAuth clientAuth() {
    return clientAuth;
  }

  /** Whether the server asks for (REQUEST) or demands (REQUIRED) client certificates: mutual TLS. */
  public TransportOptions setClientAuth(ClientAuth clientAuth) {
    this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
    return this;
  }

  public boolean verifyHost() {
    return verifyHost;
  }

  /** Whether a peer's certificate must name the host dialled (off when certificates name no IP addresses). */
  public TransportOptions setVerifyHost(boolean verifyHost) {
    this.verifyHost = verifyHost;
    return this;
  }
}
