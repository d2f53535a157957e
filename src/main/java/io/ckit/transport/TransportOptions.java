package io.ckit.transport;

import io.ckit.config.Durations;
import io.ckit.config.JsonValues;
import io.ckit.config.Limits;
import io.ckit.wire.MessageCodec;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.TrustOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the HTTP/2 transport: limits, timeouts and TLS. A data object: setters validate at once and
 * throw {@link IllegalArgumentException} naming the setting, and every option has a JSON form.
 *
 * <p>The JSON form is the two sections a node's JSON ({@code NodeOptions}) gives the transport, named as
 * there: limits in {@code transport}, TLS in {@code tls}.
 *
 * <pre>{@code
 * {
 *   "transport": {"maxFrameBytes": 4195328, "packetTimeout": "5s", "maxQueuedPackets": 1000,
 *                 "maxPacketsInFlight": 100, "maxInboundQueuedPackets": 1024, "idleConnectionTimeout": "5m",
 *                 "pingTimeout": "2s"},
 *   "tls": {"enabled": true, "pemKeyCert": {...}, "pemTrust": {...}, "clientAuth": "REQUIRED", "verifyHost": true}
 * }
 * }</pre>
 *
 * <p>Key and trust material may be PEM ({@code pemKeyCert}, {@code pemTrust}), JKS ({@code jksKeyStore},
 * {@code jksTrustStore}) or PKCS#12 ({@code pfxKeyStore}, {@code pfxTrustStore}), each in Vert.x's own JSON
 * form; key material alone turns TLS on.
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
  /**
   * How long an outgoing connection to a peer may stay unused before it is closed. A node sends to a given
   * peer on average every probe interval × cluster size ÷ 2 (its probes, and its answers to the peer's), so
   * with ckit's 5 s probes a steady 50-node cluster keeps most of its connections instead of opening one
   * per probe (Vert.x's default of 60 s reopened about ten a second at 50 nodes).
   */
  public static final Duration DEFAULT_IDLE_CONNECTION_TIMEOUT = Duration.ofMinutes(5);
  /**
   * How long a connection to a peer may leave requests unanswered before it is checked with a PING, how long
   * the PING may go unanswered before the connection is closed, and how long opening one may take: ckit's
   * probe timeout.
   */
  public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(2);
  /** Plain HTTP/2 (h2c), as Go ckit runs by default. */
  public static final boolean DEFAULT_SSL = false;
  /** Client certificates are neither asked for nor required. */
  public static final ClientAuth DEFAULT_CLIENT_AUTH = ClientAuth.NONE;
  /** A peer's certificate must name the host dialled. */
  public static final boolean DEFAULT_VERIFY_HOST = true;

  private static final Set<String> SECTIONS = Set.of("transport", "tls");
  private static final Set<String> TRANSPORT_FIELDS = Set.of("maxFrameBytes", "packetTimeout", "maxQueuedPackets",
      "maxPacketsInFlight", "maxInboundQueuedPackets", "idleConnectionTimeout", "pingTimeout");
  private static final Set<String> TLS_FIELDS = Set.of("enabled", "pemKeyCert", "jksKeyStore", "pfxKeyStore",
      "pemTrust", "jksTrustStore", "pfxTrustStore", "clientAuth", "verifyHost");

  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private Duration packetTimeout = DEFAULT_PACKET_TIMEOUT;
  private int maxQueuedPackets = DEFAULT_MAX_QUEUED_PACKETS;
  private int maxPacketsInFlight = DEFAULT_MAX_PACKETS_IN_FLIGHT;
  private int maxInboundQueuedPackets = DEFAULT_MAX_INBOUND_QUEUED_PACKETS;
  private Duration idleConnectionTimeout = DEFAULT_IDLE_CONNECTION_TIMEOUT;
  private Duration pingTimeout = DEFAULT_PING_TIMEOUT;
  private boolean ssl = DEFAULT_SSL;
  private KeyCertOptions keyCertOptions;
  private TrustOptions trustOptions;
  private ClientAuth clientAuth = DEFAULT_CLIENT_AUTH;
  private boolean verifyHost = DEFAULT_VERIFY_HOST;

  public TransportOptions() {}

  /** A copy. */
  public TransportOptions(TransportOptions other) {
    maxFrameBytes = other.maxFrameBytes;
    packetTimeout = other.packetTimeout;
    maxQueuedPackets = other.maxQueuedPackets;
    maxPacketsInFlight = other.maxPacketsInFlight;
    maxInboundQueuedPackets = other.maxInboundQueuedPackets;
    idleConnectionTimeout = other.idleConnectionTimeout;
    pingTimeout = other.pingTimeout;
    ssl = other.ssl;
    keyCertOptions = other.keyCertOptions == null ? null : other.keyCertOptions.copy();
    trustOptions = other.trustOptions == null ? null : other.trustOptions.copy();
    clientAuth = other.clientAuth;
    verifyHost = other.verifyHost;
  }

  /**
   * Reads options from JSON: the {@code transport} and {@code tls} sections, each optional; what they leave
   * out keeps its default.
   *
   * @throws IllegalArgumentException naming the option ({@code transport.<field>}, {@code tls.<field>}) that
   *     is unknown or invalid
   */
  public TransportOptions(JsonObject json) {
    JsonValues.checkFields("", json, SECTIONS);
    if (json.containsKey("transport")) {
      readTransport(JsonValues.object("transport", json.getValue("transport")));
    }
    if (json.containsKey("tls")) {
      readTls(JsonValues.object("tls", json.getValue("tls")));
    }
  }

  /** Every option, in the form {@link #TransportOptions(JsonObject)} reads. */
  public JsonObject toJson() {
    JsonObject tls = new JsonObject().put("enabled", ssl).put("clientAuth", clientAuth.name())
        .put("verifyHost", verifyHost);
    putMaterial(tls, keyCertOptions, "pemKeyCert", "jksKeyStore", "pfxKeyStore");
    putMaterial(tls, trustOptions, "pemTrust", "jksTrustStore", "pfxTrustStore");
    JsonObject transport = new JsonObject()
        .put("maxFrameBytes", maxFrameBytes)
        .put("packetTimeout", Durations.format(packetTimeout))
        .put("maxQueuedPackets", maxQueuedPackets)
        .put("maxPacketsInFlight", maxPacketsInFlight)
        .put("maxInboundQueuedPackets", maxInboundQueuedPackets)
        .put("idleConnectionTimeout", Durations.format(idleConnectionTimeout))
        .put("pingTimeout", Durations.format(pingTimeout));
    return new JsonObject().put("tls", tls).put("transport", transport);
  }

  public int getMaxFrameBytes() {
    return maxFrameBytes;
  }

  /** The largest frame (packet or stream chunk) read; a longer one is refused before it is buffered. */
  public TransportOptions setMaxFrameBytes(int maxFrameBytes) {
    this.maxFrameBytes = Limits.atLeast(maxFrameBytes, 1024, "maxFrameBytes");
    return this;
  }

  public Duration getPacketTimeout() {
    return packetTimeout;
  }

  public TransportOptions setPacketTimeout(Duration packetTimeout) {
    this.packetTimeout = Limits.positive(packetTimeout, "packetTimeout");
    return this;
  }

  public int getMaxQueuedPackets() {
    return maxQueuedPackets;
  }

  public TransportOptions setMaxQueuedPackets(int maxQueuedPackets) {
    this.maxQueuedPackets = Limits.atLeast(maxQueuedPackets, 1, "maxQueuedPackets");
    return this;
  }

  public int getMaxPacketsInFlight() {
    return maxPacketsInFlight;
  }

  public TransportOptions setMaxPacketsInFlight(int maxPacketsInFlight) {
    this.maxPacketsInFlight = Limits.atLeast(maxPacketsInFlight, 1, "maxPacketsInFlight");
    return this;
  }

  public int getMaxInboundQueuedPackets() {
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

  public boolean isSsl() {
    return ssl;
  }

  public Duration getIdleConnectionTimeout() {
    return idleConnectionTimeout;
  }

  /**
   * How long an outgoing connection to a peer may stay unused (no request open on it) before it is closed;
   * whole seconds, at least one. Shorter holds fewer descriptors (a node keeps one connection to each peer
   * it sent to within this time, and its peers one to it) at the cost of a new connection, a TCP and
   * HTTP/2 (and TLS) handshake, for each message after a pause; longer keeps them.
   */
  public TransportOptions setIdleConnectionTimeout(Duration idleConnectionTimeout) {
    Limits.positive(idleConnectionTimeout, "idleConnectionTimeout");
    if (idleConnectionTimeout.getNano() != 0 || idleConnectionTimeout.getSeconds() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("idleConnectionTimeout: " + Durations.format(idleConnectionTimeout)
          + " is not a whole number of seconds (at most " + Integer.MAX_VALUE + ")");
    }
    this.idleConnectionTimeout = idleConnectionTimeout;
    return this;
  }

  public Duration getPingTimeout() {
    return pingTimeout;
  }

  /**
   * How long an outgoing connection to a peer may go without answering: opening it (the TCP connect) may take
   * this long; once requests on it have gone unanswered this long it is sent an HTTP/2 PING, and if no PONG
   * comes within this long either, it is closed, so that the next message to the peer opens a new connection
   * instead of waiting behind a connection that TCP is still retransmitting on, long after the network healed.
   * Whole milliseconds, from 1 ms to 24 days; a peer whose event loop stalls for longer than this loses its
   * connection (and the requests in flight on it).
   */
  public TransportOptions setPingTimeout(Duration pingTimeout) {
    Limits.positive(pingTimeout, "pingTimeout");
    if (pingTimeout.getNano() % 1_000_000 != 0
        || pingTimeout.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("pingTimeout: " + Durations.format(pingTimeout)
          + " is not a whole number of milliseconds (at most " + Integer.MAX_VALUE + ")");
    }
    this.pingTimeout = pingTimeout;
    return this;
  }

  /** TLS (HTTP/2 negotiated with ALPN) instead of h2c, for both the server and the client. */
  public TransportOptions setSsl(boolean ssl) {
    this.ssl = ssl;
    return this;
  }

  public KeyCertOptions getKeyCertOptions() {
    return keyCertOptions;
  }

  /** This node's certificate and key: the server's, and the client's when peers require client certificates. */
  public TransportOptions setKeyCertOptions(KeyCertOptions keyCertOptions) {
    this.keyCertOptions = keyCertOptions;
    return this;
  }

  public TrustOptions getTrustOptions() {
    return trustOptions;
  }

  /** The certificates to trust: peers' servers, and clients when client certificates are required. */
  public TransportOptions setTrustOptions(TrustOptions trustOptions) {
    this.trustOptions = trustOptions;
    return this;
  }

  public ClientAuth getClientAuth() {
    return clientAuth;
  }

  /** Whether the server asks for (REQUEST) or demands (REQUIRED) client certificates: mutual TLS. */
  public TransportOptions setClientAuth(ClientAuth clientAuth) {
    this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
    return this;
  }

  public boolean isVerifyHost() {
    return verifyHost;
  }

  /** Whether a peer's certificate must name the host dialled (off when certificates name no IP addresses). */
  public TransportOptions setVerifyHost(boolean verifyHost) {
    this.verifyHost = verifyHost;
    return this;
  }

  /** Key or trust material under the field of its kind; other kinds than PEM, JKS and PKCS#12 have no JSON. */
  private static void putMaterial(JsonObject tls, Object material, String pem, String jks, String pfx) {
    if (material instanceof PemKeyCertOptions keyCert) {
      tls.put(pem, keyCert.toJson());
    } else if (material instanceof PemTrustOptions trust) {
      tls.put(pem, trust.toJson());
    } else if (material instanceof JksOptions store) {
      tls.put(jks, store.toJson());
    } else if (material instanceof PfxOptions store) {
      tls.put(pfx, store.toJson());
    }
  }

  private void readTransport(JsonObject json) {
    JsonValues.readFields("transport.", json, TRANSPORT_FIELDS, (name, field, value) -> {
      switch (field) {
        case "maxFrameBytes" -> setMaxFrameBytes(JsonValues.integer(name, value));
        case "packetTimeout" -> setPacketTimeout(Durations.parse(name, value));
        case "maxQueuedPackets" -> setMaxQueuedPackets(JsonValues.integer(name, value));
        case "maxPacketsInFlight" -> setMaxPacketsInFlight(JsonValues.integer(name, value));
        case "maxInboundQueuedPackets" -> setMaxInboundQueuedPackets(JsonValues.integer(name, value));
        case "idleConnectionTimeout" -> setIdleConnectionTimeout(Durations.parse(name, value));
        case "pingTimeout" -> setPingTimeout(Durations.parse(name, value));
      }
    });
  }

  private void readTls(JsonObject tls) {
    JsonValues.readFields("tls.", tls, TLS_FIELDS, (name, field, value) -> {
      switch (field) {
        case "enabled" -> setSsl(JsonValues.bool(name, value));
        case "pemKeyCert" -> setKeyCertOptions(new PemKeyCertOptions(JsonValues.object(name, value)));
        case "jksKeyStore" -> setKeyCertOptions(new JksOptions(JsonValues.object(name, value)));
        case "pfxKeyStore" -> setKeyCertOptions(new PfxOptions(JsonValues.object(name, value)));
        case "pemTrust" -> setTrustOptions(new PemTrustOptions(JsonValues.object(name, value)));
        case "jksTrustStore" -> setTrustOptions(new JksOptions(JsonValues.object(name, value)));
        case "pfxTrustStore" -> setTrustOptions(new PfxOptions(JsonValues.object(name, value)));
        case "clientAuth" -> setClientAuth(ClientAuth.valueOf(JsonValues.text(name, value)));
        case "verifyHost" -> setVerifyHost(JsonValues.bool(name, value));
      }
    });
    // Key material alone turns TLS on; "enabled": false keeps it off (the material stays for later).
    if (keyCertOptions != null && !tls.containsKey("enabled")) {
      ssl = true;
    }
  }
}
