package io.ckit.cluster;

import io.ckit.NodeOptions;
import io.ckit.config.Durations;
import io.ckit.config.JsonValues;
import io.ckit.gossip.GossipOptions;
import io.ckit.gossip.HostPort;
import io.ckit.peer.PeerState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Options of a {@link CkitClusterManager}: the runnable node's JSON form (README, "The node": {@code name},
 * {@code advertiseAddress}, {@code joinAddresses}, {@code label}, {@code gossip}, {@code tls}, {@code
 * encryption}, {@code metadata}, ...) plus {@code listen} and what the cluster manager adds.
 *
 * <ul>
 *   <li>{@code name}: the ckit node name, which is also the Vert.x node id; default a random UUID.
 *   <li>{@code listen}: {@code host:port} of the cluster manager's own HTTP server (gossip and its own routes),
 *       port 0 for any free port, or a range {@code host:first-last}: the first free port of it is taken;
 *       default {@code 127.0.0.1:0}.
 *   <li>{@code joinAddresses}: as the node's, and a range {@code host:first-last} stands for each of its
 *       ports (the cluster manager never joins itself); unless {@code maxJoinPeers} is set, a join tries every
 *       address.
 *   <li>{@code advertiseAddress}: default the listen host with the bound port.
 *   <li>{@code state}: default {@code participant}.
 *   <li>{@code deliveryTimeout}: how long {@code addRegistration}, {@code removeRegistration} and {@code
 *       setNodeInfo} wait for every current member to acknowledge before completing anyway; default 5 s.
 *   <li>{@code antiEntropyInterval}: how often the node compares its view of one random member's entries with
 *       that member's (a digest exchange) and fetches them when they differ; default 1 s.
 *   <li>{@code maxRequestBytes}: the largest body the cluster manager's routes read; default 16 MiB.
 *   <li>{@code backups}: how many nodes besides its owner hold a copy of each shared-data key (map entry,
 *       counter, lock), 0 to {@value #MAX_BACKUPS}; default 1.
 *   <li>{@code sharedDataTimeout}: how long a shared-data operation keeps trying while its key's owner moves
 *       or cannot be reached (a failed node is only replaced once failure detection declares it dead);
 *       default 30 s.
 *   <li>{@code lockReuse}: how long after the lock's owner granted it a node passes a lock among its own callers
 *       without asking the owner again, while no other node asks for it; at most a quarter of the gossip's
 *       shortest suspicion time ({@code suspicionMult} probe intervals), so a node declared dead has stopped
 *       passing the lock on by itself before the owner frees it. 0 asks the owner for every acquisition;
 *       default 500 ms.
 * </ul>
 */
public final class CkitClusterOptions {

  /** The node metadata key that marks a cluster-manager node. */
  public static final String METADATA_KEY = "vertx.cm";
  public static final String DEFAULT_LISTEN = "127.0.0.1:0";
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_ANTI_ENTROPY_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;
  public static final int DEFAULT_BACKUPS = 1;
  /** The most backups a key may have. */
  public static final int MAX_BACKUPS = 6;
  public static final Duration DEFAULT_SHARED_DATA_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_LOCK_REUSE = Duration.ofMillis(500);
  /** The most ports a {@code host:first-last} range may span. */
  public static final int MAX_RANGE_PORTS = 1000;

  private static final Set<String> OWN_FIELDS = Set.of("listen", "joinAddresses", "deliveryTimeout",
      "antiEntropyInterval", "maxRequestBytes", "backups", "sharedDataTimeout", "lockReuse");

  private NodeOptions node;
  private String listen = DEFAULT_LISTEN;
  private List<String> joinAddresses = new ArrayList<>();
  private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;
  private Duration antiEntropyInterval = DEFAULT_ANTI_ENTROPY_INTERVAL;
  private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
  private int backups = DEFAULT_BACKUPS;
  private Duration sharedDataTimeout = DEFAULT_SHARED_DATA_TIMEOUT;
  private Duration lockReuse = DEFAULT_LOCK_REUSE;
  private boolean maxJoinPeersSet;

  public CkitClusterOptions() {
    node = new NodeOptions().setName(UUID.randomUUID().toString()).setState(PeerState.PARTICIPANT);
  }

  /** A copy. */
  public CkitClusterOptions(CkitClusterOptions other) {
    node = new NodeOptions(other.node);
    listen = other.listen;
    joinAddresses = new ArrayList<>(other.joinAddresses);
    deliveryTimeout = other.deliveryTimeout;
    antiEntropyInterval = other.antiEntropyInterval;
    maxRequestBytes = other.maxRequestBytes;
    backups = other.backups;
    sharedDataTimeout = other.sharedDataTimeout;
    lockReuse = other.lockReuse;
    maxJoinPeersSet = other.maxJoinPeersSet;
  }

  /**
   * Reads options from the node's JSON form plus the cluster manager's fields.
   *
   * @throws IllegalArgumentException naming the field that is unknown or has a value of the wrong kind
   */
  public CkitClusterOptions(JsonObject json) {
    JsonObject nodeJson = json.copy();
    OWN_FIELDS.forEach(nodeJson::remove);
    node = new NodeOptions(nodeJson);
    if (!nodeJson.containsKey("name")) {
      node.setName(UUID.randomUUID().toString());
    }
    if (!nodeJson.containsKey("state")) {
      node.setState(PeerState.PARTICIPANT);
    }
    maxJoinPeersSet = nodeJson.containsKey("maxJoinPeers");
    if (json.containsKey("listen")) {
      listen = Objects.requireNonNullElse(JsonValues.text("listen", json.getValue("listen")), DEFAULT_LISTEN);
    }
    if (json.containsKey("joinAddresses")) {
      joinAddresses = JsonValues.texts("joinAddresses", json.getValue("joinAddresses"));
    }
    if (json.containsKey("deliveryTimeout")) {
      deliveryTimeout = Durations.parse("deliveryTimeout", json.getValue("deliveryTimeout"));
    }
    if (json.containsKey("antiEntropyInterval")) {
      antiEntropyInterval = Durations.parse("antiEntropyInterval", json.getValue("antiEntropyInterval"));
    }
    if (json.containsKey("maxRequestBytes")) {
      maxRequestBytes = JsonValues.integer("maxRequestBytes", json.getValue("maxRequestBytes"));
    }
    if (json.containsKey("backups")) {
      backups = JsonValues.integer("backups", json.getValue("backups"));
    }
    if (json.containsKey("sharedDataTimeout")) {
      sharedDataTimeout = Durations.parse("sharedDataTimeout", json.getValue("sharedDataTimeout"));
    }
    if (json.containsKey("lockReuse")) {
      lockReuse = Durations.parse("lockReuse", json.getValue("lockReuse"));
    }
  }

  /** Every option, in the form {@link #CkitClusterOptions(JsonObject)} reads. */
  public JsonObject toJson() {
    JsonObject json = node.toJson();
    json.put("listen", listen);
    json.put("joinAddresses", new JsonArray(new ArrayList<>(joinAddresses)));
    json.put("deliveryTimeout", Durations.format(deliveryTimeout));
    json.put("antiEntropyInterval", Durations.format(antiEntropyInterval));
    json.put("maxRequestBytes", maxRequestBytes);
    json.put("backups", backups);
    json.put("sharedDataTimeout", Durations.format(sharedDataTimeout));
    json.put("lockReuse", Durations.format(lockReuse));
    if (!maxJoinPeersSet) {
      json.remove("maxJoinPeers");
    }
    return json;
  }

  /**
   * Checks every option together.
   *
   * @throws IllegalArgumentException whose message starts with the name of the first invalid option
   */
  public CkitClusterOptions validate() {
    List<Integer> ports = listenPorts();
    HostPort listenHost = listenHostPort(ports.get(0));
    if (node.getAdvertiseAddress() == null && isWildcard(listenHost.host())) {
      throw new IllegalArgumentException("advertiseAddress: required when listen's host is a wildcard (\""
          + listen + "\")");
    }
    if (node.getMetadata().containsKey(METADATA_KEY)) {
      throw new IllegalArgumentException("metadata: the key \"" + METADATA_KEY + "\" is the cluster manager's own");
    }
    if (deliveryTimeout.isNegative() || deliveryTimeout.isZero()) {
      throw new IllegalArgumentException("deliveryTimeout: must be positive, got " + Durations.format(deliveryTimeout));
    }
    if (antiEntropyInterval.isNegative() || antiEntropyInterval.isZero()) {
      throw new IllegalArgumentException("antiEntropyInterval: must be positive, got "
          + Durations.format(antiEntropyInterval));
    }
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException("maxRequestBytes: at least 1024, got " + maxRequestBytes);
    }
    if (backups < 0 || backups > MAX_BACKUPS) {
      throw new IllegalArgumentException("backups: from 0 to " + MAX_BACKUPS + ", got " + backups);
    }
    if (sharedDataTimeout.isNegative() || sharedDataTimeout.isZero()) {
      throw new IllegalArgumentException("sharedDataTimeout: must be positive, got "
          + Durations.format(sharedDataTimeout));
    }
    if (lockReuse.isNegative()) {
      throw new IllegalArgumentException("lockReuse: must not be negative, got " + Durations.format(lockReuse));
    }
    expandedJoinAddresses();
    nodeOptions(listenHost.host() + ":" + Math.max(1, ports.get(0)));
    return this;
  }

  /** The ports {@code listen} allows, in order (one element, possibly 0, when it is not a range). */
  List<Integer> listenPorts() {
    return ports("listen", listen);
  }

  /** The listen address with the given port. */
  HostPort listenHostPort(int port) {
    String host = hostOf("listen", listen);
    return new HostPort(host, port);
  }

  /** The join addresses with every range expanded. */
  List<String> expandedJoinAddresses() {
    List<String> expanded = new ArrayList<>();
    for (String address : joinAddresses) {
      if (isRange(address)) {
        String host = hostOf("joinAddresses", address);
        for (int port : ports("joinAddresses", address)) {
          expanded.add(new HostPort(host, port).toString());
        }
      } else {
        expanded.add(address);
      }
    }
    return expanded;
  }

  /** The node's options for a server bound at {@code bound}: advertise address, join addresses, marker. */
  NodeOptions nodeOptions(String bound) {
    NodeOptions options = new NodeOptions(node);
    if (options.getAdvertiseAddress() == null) {
      options.setAdvertiseAddress(bound);
    }
    List<String> joins = new ArrayList<>(expandedJoinAddresses());
    joins.remove(bound);
    options.setJoinAddresses(joins);
    if (!maxJoinPeersSet) {
      options.getJoin().setMaxJoinPeers(Math.max(1, joins.size()));
    }
    var metadata = new java.util.TreeMap<>(options.getMetadata());
    metadata.put(METADATA_KEY, "1");
    options.setMetadata(metadata);
    return options.validate();
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
  }

  private static boolean isRange(String address) {
    int colon = address.lastIndexOf(':');
    return colon > 0 && address.indexOf('-', colon) > colon;
  }

  private static String hostOf(String field, String address) {
    int colon = address == null ? -1 : address.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(field + ": \"" + address + "\" is not host:port or host:first-last");
    }
    return HostPort.parse(address.substring(0, colon) + ":0").host();
  }

  private static List<Integer> ports(String field, String address) {
    String host = hostOf(field, address);
    String portText = address.substring(address.lastIndexOf(':') + 1);
    int dash = portText.indexOf('-');
    if (dash < 0) {
      try {
        return List.of(HostPort.parse(address).port());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
      }
    }
    int first = port(field, address, portText.substring(0, dash));
    int last = port(field, address, portText.substring(dash + 1));
    if (first < 1 || last < first) {
      throw new IllegalArgumentException(field + ": \"" + address + "\": a range is first-last with 1 <= first <= last");
    }
    if (last - first + 1 > MAX_RANGE_PORTS) {
      throw new IllegalArgumentException(field + ": \"" + address + "\": at most " + MAX_RANGE_PORTS + " ports");
    }
    List<Integer> ports = new ArrayList<>();
    for (int port = first; port <= last; port++) {
      ports.add(port);
    }
    return ports;
  }

  private static int port(String field, String address, String text) {
    try {
      int port = Integer.parseInt(text);
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + ": \"" + address + "\": \"" + text + "\" is not a port");
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Options

  /** The node's options (name, label, gossip, tls, encryption, ...), a copy; listen and joins are here. */
  public NodeOptions getNodeOptions() {
    return new NodeOptions(node);
  }

  /** Takes the node's options but for {@code listen} and {@code joinAddresses}, which stay this object's. */
  public CkitClusterOptions setNodeOptions(NodeOptions nodeOptions) {
    this.node = new NodeOptions(nodeOptions).setListen(null).setJoinAddresses(List.of());
    return this;
  }

  public String getName() {
    return node.getName();
  }

  public CkitClusterOptions setName(String name) {
    node.setName(name);
    return this;
  }

  public String getListen() {
    return listen;
  }

  public CkitClusterOptions setListen(String listen) {
    this.listen = Objects.requireNonNull(listen, "listen");
    return this;
  }

  public String getAdvertiseAddress() {
    return node.getAdvertiseAddress();
  }

  public CkitClusterOptions setAdvertiseAddress(String advertiseAddress) {
    node.setAdvertiseAddress(advertiseAddress);
    return this;
  }

  public List<String> getJoinAddresses() {
    return List.copyOf(joinAddresses);
  }

  public CkitClusterOptions setJoinAddresses(List<String> joinAddresses) {
    this.joinAddresses = new ArrayList<>(joinAddresses);
    return this;
  }

  public String getLabel() {
    return node.getLabel();
  }

  public CkitClusterOptions setLabel(String label) {
    node.setLabel(label);
    return this;
  }

  public GossipOptions getGossip() {
    return node.getGossip();
  }

  public CkitClusterOptions setGossip(GossipOptions gossip) {
    node.setGossip(gossip);
    return this;
  }

  public Duration getDeliveryTimeout() {
    return deliveryTimeout;
  }

  public CkitClusterOptions setDeliveryTimeout(Duration deliveryTimeout) {
    this.deliveryTimeout = Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
    return this;
  }

  public Duration getAntiEntropyInterval() {
    return antiEntropyInterval;
  }

  public CkitClusterOptions setAntiEntropyInterval(Duration antiEntropyInterval) {
    this.antiEntropyInterval = Objects.requireNonNull(antiEntropyInterval, "antiEntropyInterval");
    return this;
  }

  public int getMaxRequestBytes() {
    return maxRequestBytes;
  }

  public CkitClusterOptions setMaxRequestBytes(int maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
    return this;
  }

  /** How many other nodes hold a copy of each shared-data key besides its owner. */
  public int getBackups() {
    return backups;
  }

  public CkitClusterOptions setBackups(int backups) {
    this.backups = backups;
    return this;
  }

  /** How long a shared-data operation keeps trying while its key's owner moves or cannot be reached. */
  public Duration getSharedDataTimeout() {
    return sharedDataTimeout;
  }

  public CkitClusterOptions setSharedDataTimeout(Duration sharedDataTimeout) {
    this.sharedDataTimeout = Objects.requireNonNull(sharedDataTimeout, "sharedDataTimeout");
    return this;
  }

  /** How long after a grant a node passes a lock among its own callers without asking the lock's owner. */
  public Duration getLockReuse() {
    return lockReuse;
  }

  public CkitClusterOptions setLockReuse(Duration lockReuse) {
    this.lockReuse = Objects.requireNonNull(lockReuse, "lockReuse");
    return this;
  }

  /**
   * The lock reuse in effect: {@link #getLockReuse()}, at most a quarter of the gossip's shortest suspicion time.
   */
  long effectiveLockReuseMillis() {
    var gossip = getGossip();
    long shortestSuspicion = gossip.getSuspicionMult() * gossip.getProbeInterval().toMillis();
    return Math.min(lockReuse.toMillis(), shortestSuspicion / 4);
  }

  @Override
  public String toString() {
    JsonObject json = toJson();
    json.remove("tls");
    json.remove("encryption");
    return "CkitClusterOptions" + json.encode();
  }
}
