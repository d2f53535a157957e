package io.ckit;

import io.ckit.config.Durations;
import io.ckit.config.JsonValues;
import io.ckit.gossip.GossipOptions;
import io.ckit.gossip.HostPort;
import io.ckit.peer.PeerState;
import io.ckit.shard.Sharders;
import io.ckit.transport.TransportOptions;
import io.ckit.wire.LabelHeader;
import io.ckit.wire.MetadataCodec;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * How a {@link Node} is set up: ckit's {@code Config} plus the Vert.x parts. A data object: every option has
 * a JSON form ({@link #NodeOptions(JsonObject)}, {@link #toJson()}), which is also the config of a
 * {@link NodeVerticle} deployed by name.
 *
 * <pre>{@code
 * {
 *   "name": "node-a",                        // required, unique in the cluster
 *   "advertiseAddress": "10.0.0.5:7946",     // required: where the others reach this node (host resolved once;
 *                                            //   port 0 = the port "listen" got)
 *   "listen": "0.0.0.0:7946",                // optional: a server of the node's own (otherwise mount the routes)
 *   "label": "",                             // cluster label; packets of other labels are refused
 *   "sharder": "ring:256",                   // ring[:tokens], rendezvous or multiprobe
 *   "gossip": {"preset": "ckit", "probeInterval": "5s", ...},
 *   "eventBusPrefix": "ckit.node-a",         // default ckit.<name>: <prefix>.peers and <prefix>.shard
 *   "joinAddresses": ["10.0.0.6:7946"],      // used by NodeVerticle
 *   "state": "viewer",                       // where NodeVerticle moves the node after joining
 *   "leaveTimeout": "5s",
 *   "minClusterSize": 0,                     // Node.clusterReady() waits for this many participants
 *   "clusterSizeWaitTimeout": "0s",          //   ... for at most this long (0: for ever)
 *   "observerMinInterval": "0s",             // least time between two rounds of observer calls
 *   "advertiseInterfaces": [],               // instead of advertiseAddress: an interface's address, listen's port
 *   "maxJoinPeers": 5, "rejoinInterval": "0", "rejoinRetention": "10m", "joinTimeout": "0",   // JoinOptions
 *   "tls": {"enabled": true, "pemKeyCert": {...}, "pemTrust": {...}, "clientAuth": "REQUIRED", "verifyHost": true},
 *   "transport": {"maxFrameBytes": 4195328, "packetTimeout": "5s", "maxQueuedPackets": 1000, "maxPacketsInFlight": 100,
 *                 "maxInboundQueuedPackets": 1024},
 *   "encryption": {"keys": ["<base64>", ...], "verifyIncoming": true, "verifyOutgoing": true},
 *   "metadata": {"zone": "eu-west-1a", "version": "1.2"}   // gossiped to every peer; at most 512 bytes encoded
 * }
 * }</pre>
 *
 * <p>The {@code tls} and {@code transport} sections are the JSON form of {@link TransportOptions} (key and trust
 * material in PEM, JKS or PKCS#12, each in Vert.x's own JSON form). {@code encryption} is {@link
 * EncryptionOptions}' JSON form: gossip encryption keys, or a key file.
 */
public final class NodeOptions {

  /** The default sharder: a ring with 256 tokens per node, as Grafana Alloy uses. */
  public static final String DEFAULT_SHARDER = "ring:256";
  /** How long {@link Node#stop()} waits for the leave message to go out: ckit's 5 s. */
  public static final Duration DEFAULT_LEAVE_TIMEOUT = Duration.ofSeconds(5);

  /** What {@link #toString()} shows instead of a secret. */
  private static final String MASK = "***";
  private static final Set<String> FIELDS = union(Set.of("name", "advertiseAddress", "listen", "label", "sharder",
      "gossip", "eventBusPrefix", "joinAddresses", "state", "leaveTimeout", "tls", "transport",
      "minClusterSize", "clusterSizeWaitTimeout", "observerMinInterval", "advertiseInterfaces", "encryption", "metadata"),
      JoinOptions.FIELDS);

  private String name;
  private String advertiseAddress;
  private String listen;
  private String label = "";
  private String sharder = DEFAULT_SHARDER;
  private GossipOptions gossip = GossipOptions.ckit();
  private String eventBusPrefix;
  private List<String> joinAddresses = new ArrayList<>();
  private PeerState state = PeerState.VIEWER;
  private Duration leaveTimeout = DEFAULT_LEAVE_TIMEOUT;
  private TransportOptions transport = new TransportOptions();
  // Readiness by cluster size, observer rate, advertise interfaces.
  private int minClusterSize;
  private Duration clusterSizeWaitTimeout = Duration.ZERO;
  private Duration observerMinInterval = Duration.ZERO;
  private List<String> advertiseInterfaces = new ArrayList<>();
  private JoinOptions join = new JoinOptions();
  private EncryptionOptions encryption = new EncryptionOptions();
  private Map<String, String> metadata = new TreeMap<>();

  public NodeOptions() {}

  /** A copy. */
  public NodeOptions(NodeOptions other) {
    name = other.name;
    advertiseAddress = other.advertiseAddress;
    listen = other.listen;
    label = other.label;
    sharder = other.sharder;
    gossip = new GossipOptions(other.gossip);
    eventBusPrefix = other.eventBusPrefix;
    joinAddresses = new ArrayList<>(other.joinAddresses);
    state = other.state;
    leaveTimeout = other.leaveTimeout;
    transport = new TransportOptions(other.transport);
    minClusterSize = other.minClusterSize;
    clusterSizeWaitTimeout = other.clusterSizeWaitTimeout;
    observerMinInterval = other.observerMinInterval;
    advertiseInterfaces = new ArrayList<>(other.advertiseInterfaces);
    join = new JoinOptions(other.join);
    encryption = new EncryptionOptions(other.encryption);
    metadata = new TreeMap<>(other.metadata);
  }

  /**
   * Reads options from JSON.
   *
   * @throws IllegalArgumentException naming the field that is unknown or has a value of the wrong kind
   */
  public NodeOptions(JsonObject json) {
    JsonValues.checkFields("", json, FIELDS);
    name = JsonValues.text("name", json.getValue("name"));
    advertiseAddress = JsonValues.text("advertiseAddress", json.getValue("advertiseAddress"));
    listen = JsonValues.text("listen", json.getValue("listen"));
    if (json.containsKey("label")) {
      label = Objects.requireNonNullElse(JsonValues.text("label", json.getValue("label")), "");
    }
    if (json.containsKey("sharder")) {
      sharder = JsonValues.text("sharder", json.getValue("sharder"));
    }
    if (json.containsKey("gossip")) {
      gossip = new GossipOptions(JsonValues.object("gossip", json.getValue("gossip")));
    }
    eventBusPrefix = JsonValues.text("eventBusPrefix", json.getValue("eventBusPrefix"));
    if (json.containsKey("joinAddresses")) {
      joinAddresses = JsonValues.texts("joinAddresses", json.getValue("joinAddresses"));
    }
    if (json.containsKey("state")) {
      String text = JsonValues.text("state", json.getValue("state"));
      try {
        state = PeerState.fromString(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("state: " + e.getMessage(), e);
      }
    }
    if (json.containsKey("leaveTimeout")) {
      leaveTimeout = Durations.parse("leaveTimeout", json.getValue("leaveTimeout"));
    }
    JsonObject transportSections = new JsonObject();
    for (String section : List.of("tls", "transport")) {
      if (json.containsKey(section)) {
        transportSections.put(section, json.getValue(section));
      }
    }
    transport = new TransportOptions(transportSections);
    if (json.containsKey("minClusterSize")) {
      setMinClusterSize(JsonValues.integer("minClusterSize", json.getValue("minClusterSize")));
    }
    if (json.containsKey("clusterSizeWaitTimeout")) {
      setClusterSizeWaitTimeout(Durations.parse("clusterSizeWaitTimeout", json.getValue("clusterSizeWaitTimeout")));
    }
    if (json.containsKey("observerMinInterval")) {
      setObserverMinInterval(Durations.parse("observerMinInterval", json.getValue("observerMinInterval")));
    }
    if (json.containsKey("advertiseInterfaces")) {
      advertiseInterfaces = JsonValues.texts("advertiseInterfaces", json.getValue("advertiseInterfaces"));
    }
    join = new JoinOptions(json);
    if (json.containsKey("encryption")) {
      encryption = new EncryptionOptions(JsonValues.object("encryption", json.getValue("encryption")));
    }
    if (json.containsKey("metadata")) {
      metadata = metadataFromJson(json.getValue("metadata"));
    }
  }

  /** Every option, in the form {@link #NodeOptions(JsonObject)} reads. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    putIfSet(json, "name", name);
    putIfSet(json, "advertiseAddress", advertiseAddress);
    putIfSet(json, "listen", listen);
    json.put("label", label);
    json.put("sharder", sharder);
    json.put("gossip", gossip.toJson());
    putIfSet(json, "eventBusPrefix", eventBusPrefix);
    json.put("joinAddresses", new JsonArray(new ArrayList<>(joinAddresses)));
    json.put("state", state.toString());
    json.put("leaveTimeout", Durations.format(leaveTimeout));
    json.mergeIn(transport.toJson());
    json.put("minClusterSize", minClusterSize);
    json.put("clusterSizeWaitTimeout", Durations.format(clusterSizeWaitTimeout));
    json.put("observerMinInterval", Durations.format(observerMinInterval));
    json.put("advertiseInterfaces", new JsonArray(new ArrayList<>(advertiseInterfaces)));
    json.mergeIn(join.toJson());
    if (encryption.isEnabled()) {
      json.put("encryption", encryption.toJson());
    }
    if (!metadata.isEmpty()) {
      json.put("metadata", new JsonObject(new LinkedHashMap<String, Object>(metadata)));
    }
    return json;
  }

  /**
   * Checks every option together.
   *
   * @throws IllegalArgumentException whose message starts with the name of the first invalid option
   */
  public NodeOptions validate() {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("name: a node name is required");
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException("name: at most 255 bytes, got \"" + name + "\"");
    }
    if (!advertiseInterfaces.isEmpty()) {
      if (advertiseAddress != null) {
        throw new IllegalArgumentException("advertiseInterfaces: set either advertiseAddress or advertiseInterfaces,"
            + " not both");
      }
      if (listen == null) {
        throw new IllegalArgumentException("advertiseInterfaces: the advertised port is listen's, and listen is not"
            + " set (without a server of its own, set advertiseAddress from Advertise.firstAddress)");
      }
      if (advertiseInterfaces.stream().anyMatch(String::isBlank)) {
        throw new IllegalArgumentException("advertiseInterfaces: an interface name is empty");
      }
      hostPort("listen", listen);
    } else if (advertiseAddress == null || advertiseAddress.isEmpty()) {
      throw new IllegalArgumentException("advertiseAddress: an advertise address host:port is required");
    }
    HostPort advertise = advertiseAddress == null ? null : hostPort("advertiseAddress", advertiseAddress);
    if (listen != null) {
      hostPort("listen", listen);
    } else if (advertise.port() == 0) {
      throw new IllegalArgumentException("advertiseAddress: port 0 (\"" + advertiseAddress
          + "\") needs a listen address whose port it takes");
    }
    if (label.getBytes(StandardCharsets.UTF_8).length > LabelHeader.MAX_LABEL_BYTES) {
      throw new IllegalArgumentException("label: at most " + LabelHeader.MAX_LABEL_BYTES + " bytes");
    }
    try {
      Sharders.parse(sharder);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("sharder: " + e.getMessage(), e);
    }
    try {
      gossip.validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("gossip: " + e.getMessage(), e);
    }
    if (eventBusPrefix != null && eventBusPrefix.isEmpty()) {
      throw new IllegalArgumentException("eventBusPrefix: must not be empty");
    }
    for (String address : joinAddresses) {
      checkJoinAddress(address);
    }
    if (state == PeerState.TERMINATING) {
      throw new IllegalArgumentException("state: a node starts as viewer or participant, not terminating");
    }
    if (transport.isSsl() && transport.getKeyCertOptions() == null) {
      throw new IllegalArgumentException("tls: TLS is enabled but no key and certificate are set");
    }
    encryption.validate();
    if (encryption.isEnabled() && gossip.getKeyring() != null) {
      throw new IllegalArgumentException("encryption: keys are set here and as a gossip keyring; set them once");
    }
    try {
      MetadataCodec.encode(metadata);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("metadata: " + e.getMessage(), e);
    }
    return this;
  }

  // ---------------------------------------------------------------------------------------------------
  // Options

  public String getName() {
    return name;
  }

  /** The node's name: required, unique in the cluster, at most 255 bytes. */
  public NodeOptions setName(String name) {
    this.name = name;
    return this;
  }

  public String getAdvertiseAddress() {
    return advertiseAddress;
  }

  /**
   * Where other nodes reach this one: {@code host:port} or {@code [ipv6]:port}; a host name is resolved once,
   * when the node is created. Port 0 takes the port the node's own server ({@link #setListen}) listens on.
   */
  public NodeOptions setAdvertiseAddress(String advertiseAddress) {
    this.advertiseAddress = advertiseAddress;
    return this;
  }

  public String getListen() {
    return listen;
  }

  /**
   * A {@code host:port} for a server of the node's own that serves only the gossip routes (h2c, or TLS when
   * enabled); port 0 picks a free port. Null (the default) when the application mounts the routes on its own
   * server ({@link Node#transportRouter()}).
   */
  public NodeOptions setListen(String listen) {
    this.listen = listen;
    return this;
  }

  public String getLabel() {
    return label;
  }

  /** The cluster label (at most 255 bytes): nodes with different labels ignore each other. "" for none. */
  public NodeOptions setLabel(String label) {
    this.label = Objects.requireNonNull(label, "label");
    return this;
  }

  public String getSharder() {
    return sharder;
  }

  /** The sharder: {@code ring}, {@code ring:<tokens>}, {@code rendezvous} or {@code multiprobe}. */
  public NodeOptions setSharder(String sharder) {
    this.sharder = Objects.requireNonNull(sharder, "sharder");
    return this;
  }

  public GossipOptions getGossip() {
    return gossip;
  }

  /**
   * Gossip timing (and, in code only, a keyring); the engine's name, address and label are these options'.
   * Default: {@link GossipOptions#ckit()}.
   */
  public NodeOptions setGossip(GossipOptions gossip) {
    this.gossip = new GossipOptions(Objects.requireNonNull(gossip, "gossip"));
    return this;
  }

  /** The prefix of the node's event-bus addresses in effect: the one set, or {@code ckit.<name>}. */
  public String getEventBusPrefix() {
    return eventBusPrefix != null ? eventBusPrefix : "ckit." + name;
  }

  /**
   * The prefix of the node's event-bus addresses; null (the default) for {@code ckit.<name>}, which follows the
   * name. Only a prefix set here is written to JSON.
   */
  public NodeOptions setEventBusPrefix(String eventBusPrefix) {
    this.eventBusPrefix = eventBusPrefix;
    return this;
  }

  /**
   * Where peer changes are published, and where a request is answered with the current peer set: {@code
   * <prefix>.peers}. Vert.x hands a request to one consumer of an address, so an application that also
   * consumes the feed on this address should ask at {@link #getCurrentPeersAddress()} instead.
   */
  public String getPeersAddress() {
    return getEventBusPrefix() + ".peers";
  }

  /** Where only requests for the current peer set are answered: {@code <prefix>.peers.current}. */
  public String getCurrentPeersAddress() {
    return getPeersAddress() + ".current";
  }

  /** Where shard lookups are answered: {@code <prefix>.shard}. */
  public String getShardAddress() {
    return getEventBusPrefix() + ".shard";
  }

  public List<String> getJoinAddresses() {
    return joinAddresses;
  }

  /**
   * Addresses a {@link NodeVerticle} joins when it starts, each resolved again at every (re)join: {@code
   * host:port} (every address of a name), {@code dns+name:port} (every A and AAAA record of the name) or {@code
   * dnssrv+_service._proto.name} (every SRV record's target and port), through the system's search list.
   */
  public NodeOptions setJoinAddresses(List<String> joinAddresses) {
    this.joinAddresses = new ArrayList<>(joinAddresses);
    return this;
  }

  public PeerState getState() {
    return state;
  }

  /** The state a {@link NodeVerticle} moves the node to once it joined: viewer (the default) or participant. */
  public NodeOptions setState(PeerState state) {
    this.state = Objects.requireNonNull(state, "state");
    return this;
  }

  public Duration getLeaveTimeout() {
    return leaveTimeout;
  }

  /** How long {@link Node#stop()} waits for the leave message to be gossiped. */
  public NodeOptions setLeaveTimeout(Duration leaveTimeout) {
    if (leaveTimeout.isNegative()) {
      throw new IllegalArgumentException("leaveTimeout: must not be negative, got " + leaveTimeout);
    }
    this.leaveTimeout = leaveTimeout;
    return this;
  }

  public TransportOptions getTransport() {
    return transport;
  }

  /** HTTP/2 transport settings: TLS, frame size limit, packet timeout and queue sizes. */
  public NodeOptions setTransport(TransportOptions transport) {
    this.transport = new TransportOptions(Objects.requireNonNull(transport, "transport"));
    return this;
  }

  public JoinOptions getJoin() {
    return join;
  }

  /** How joins pick addresses, how often the node rejoins what it misses, and when it carries on alone. */
  public NodeOptions setJoin(JoinOptions join) {
    this.join = new JoinOptions(Objects.requireNonNull(join, "join"));
    return this;
  }

  /**
   * Checks one join address's form: {@code dnssrv+} and a name, or an optional {@code dns+}, an optional
   * memberlist {@code name/} prefix and a {@code host:port} with a port other than 0.
   */
  private static void checkJoinAddress(String address) {
    if (address.startsWith("dnssrv+")) {
      if (address.length() == "dnssrv+".length()) {
        throw new IllegalArgumentException("joinAddresses: \"" + address + "\" has no name after dnssrv+");
      }
      return;
    }
    String hostPort = address.startsWith("dns+") ? address.substring("dns+".length())
        : address.substring(address.indexOf('/') + 1);
    if (hostPort("joinAddresses", hostPort).port() == 0) {
      throw new IllegalArgumentException("joinAddresses: \"" + address + "\" has port 0");
    }
  }

  public Map<String, String> getMetadata() {
    return metadata;
  }

  /**
   * What this node tells every peer about itself ({@code Peer.metadata()}), e.g. {@code zone} and {@code
   * version}: text keys (not empty) and values, carried in memberlist's {@code Meta} bytes, which Go ckit
   * nodes ignore. At most {@value MetadataCodec#MAX_BYTES} bytes encoded (the UTF-8 keys and values plus 2 to
   * 10 bytes an entry); checked when the node is created. Empty (the default) for none.
   */
  public NodeOptions setMetadata(Map<String, String> metadata) {
    this.metadata = new TreeMap<>(Objects.requireNonNull(metadata, "metadata"));
    return this;
  }

  /** Reads {@code "metadata"}: an object of texts, or {@code key=value,key=value} text (as the flag gives it). */
  static Map<String, String> metadataFromJson(Object value) {
    Map<String, String> result = new TreeMap<>();
    if (value instanceof JsonObject object) {
      for (Map.Entry<String, Object> entry : object) {
        if (!(entry.getValue() instanceof String text)) {
          throw new IllegalArgumentException("metadata: the value of \"" + entry.getKey() + "\" must be text, got "
              + entry.getValue());
        }
        result.put(entry.getKey(), text);
      }
    } else if (value instanceof String text) {
      for (String pair : text.split(",")) {
        if (pair.isBlank()) {
          continue;
        }
        int equals = pair.indexOf('=');
        if (equals <= 0) {
          throw new IllegalArgumentException("metadata: \"" + pair.strip() + "\" is not key=value");
        }
        if (result.put(pair.substring(0, equals).strip(), pair.substring(equals + 1).strip()) != null) {
          throw new IllegalArgumentException("metadata: \"" + pair.substring(0, equals).strip()
              + "\" is given twice");
        }
      }
    } else if (value != null) {
      throw new IllegalArgumentException("metadata: expected an object of texts (or key=value,...), got " + value);
    }
    return result;
  }

  /** Turns TLS on (server and client) with this key and certificate: PEM, JKS or PKCS#12 options. */
  public NodeOptions setKeyCertOptions(KeyCertOptions keyCertOptions) {
    transport.setSsl(keyCertOptions != null).setKeyCertOptions(keyCertOptions);
    return this;
  }

  /** The certificates trusted for peers (and for client certificates with {@link #setClientAuth}). */
  public NodeOptions setTrustOptions(TrustOptions trustOptions) {
    transport.setTrustOptions(trustOptions);
    return this;
  }

  /** Whether peers must present a client certificate (mTLS). */
  public NodeOptions setClientAuth(ClientAuth clientAuth) {
    transport.setClientAuth(clientAuth);
    return this;
  }

  /** Whether the client checks that a peer's certificate names the host it dialled (default true). */
  public NodeOptions setVerifyHost(boolean verifyHost) {
    transport.setVerifyHost(verifyHost);
    return this;
  }

  public int getMinClusterSize() {
    return minClusterSize;
  }

  /**
   * How many participants (this node included) make the cluster big enough for keyed work, as Grafana Alloy's
   * wait-for-size: {@link Node#clusterReady()} completes, and the runnable node's {@code /ready} answers 200,
   * once that many are seen. Nodes still become participants at once (so they count each other); only readiness
   * waits. 0 (the default) for no wait.
   */
  public NodeOptions setMinClusterSize(int minClusterSize) {
    if (minClusterSize < 0) {
      throw new IllegalArgumentException("minClusterSize: must not be negative, got " + minClusterSize);
    }
    this.minClusterSize = minClusterSize;
    return this;
  }

  public Duration getClusterSizeWaitTimeout() {
    return clusterSizeWaitTimeout;
  }

  /**
   * How long after start to wait for {@link #setMinClusterSize minClusterSize} participants before carrying on
   * with a smaller cluster (ready anyway, with a warning in the log); 0 (the default) waits for ever.
   */
  public NodeOptions setClusterSizeWaitTimeout(Duration clusterSizeWaitTimeout) {
    if (clusterSizeWaitTimeout.isNegative()) {
      throw new IllegalArgumentException("clusterSizeWaitTimeout: must not be negative, got "
          + clusterSizeWaitTimeout);
    }
    this.clusterSizeWaitTimeout = clusterSizeWaitTimeout;
    return this;
  }

  public Duration getObserverMinInterval() {
    return observerMinInterval;
  }

  /**
   * The least time between the starts of two rounds of observer notifications, as Alloy throttles reshards:
   * changes in between are coalesced into the newest set, which always arrives in the end. The sharder, {@link
   * Node#peers()} and the event-bus feed are not held back. 0 (the default) for none.
   */
  public NodeOptions setObserverMinInterval(Duration observerMinInterval) {
    if (observerMinInterval.isNegative()) {
      throw new IllegalArgumentException("observerMinInterval: must not be negative, got " + observerMinInterval);
    }
    this.observerMinInterval = observerMinInterval;
    return this;
  }

  public List<String> getAdvertiseInterfaces() {
    return advertiseInterfaces;
  }

  /**
   * Network interfaces to take the advertised host from instead of {@link #setAdvertiseAddress}: the first
   * usable address as {@link Advertise#firstAddress} picks it, looked up (off the event loop) when the node
   * starts; the port is {@link #setListen listen}'s. Empty (the default) to use the advertise address.
   */
  public NodeOptions setAdvertiseInterfaces(List<String> advertiseInterfaces) {
    this.advertiseInterfaces = new ArrayList<>(advertiseInterfaces);
    return this;
  }

  public EncryptionOptions getEncryption() {
    return encryption;
  }

  /** Gossip encryption: keys (or a key file) and whether to require and send encrypted traffic. */
  public NodeOptions setEncryption(EncryptionOptions encryption) {
    this.encryption = new EncryptionOptions(Objects.requireNonNull(encryption, "encryption"));
    return this;
  }

  /**
   * The JSON form for logs: key material (key and keystore paths, values and passwords, encryption keys) is
   * masked, and a gossip keyring shows only how many keys it holds.
   */
  @Override
  public String toString() {
    JsonObject json = toJson();
    JsonObject tls = json.getJsonObject("tls");
    for (String field : List.of("pemKeyCert", "jksKeyStore", "pfxKeyStore", "jksTrustStore", "pfxTrustStore")) {
      JsonObject material = tls.getJsonObject(field);
      if (material != null) {
        for (String secret : List.copyOf(material.fieldNames())) {
          // A PEM certificate is public; a key, a keystore and every password are not.
          boolean certificate = field.equals("pemKeyCert") && secret.startsWith("cert");
          if (!certificate && material.getValue(secret) != null) {
            material.put(secret, MASK);
          }
        }
      }
    }
    if (gossip.getKeyring() != null) {
      json.getJsonObject("gossip").put("keyring", gossip.getKeyring().toString());
    }
    if (json.containsKey("encryption")) {
      json.put("encryption", encryption.masked());
    }
    return json.encode();
  }

  // ---------------------------------------------------------------------------------------------------
  // JSON helpers

  private static void putIfSet(JsonObject json, String field, String value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> all = new java.util.HashSet<>(a);
    all.addAll(b);
    return Set.copyOf(all);
  }

  /** Parses an option's {@code host:port}, naming the option when it is wrong. */
  private static HostPort hostPort(String field, String text) {
    try {
      return HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }
}
