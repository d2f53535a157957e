package io.ckit;

import io.ckit.impl.NodeImpl;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.ReadOnlySharder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;

/**
 * A member of a ckit cluster (ckit's {@code Node}): it gossips membership over HTTP/2 with its peers, tracks
 * every peer's state (viewer, participant, terminating), keeps its sharder in step with the peer set, tells
 * observers about changes, publishes them on the event bus, and answers shard lookups there.
 *
 * <p>All of a node's state lives on one Vert.x context: the context {@link #create} was called on (a
 * verticle's, typically), or a new event-loop context. Its methods may be called from any thread; the
 * futures they return complete on that context. {@link #peers()} and {@link #currentState()} read snapshots
 * and never block.
 *
 * <p>The gossip routes are served either by a server of the node's own ({@link NodeOptions#setListen}) or by
 * the application's server: mount {@link #transportRouter()} at {@link #TRANSPORT_BASE_PATH}{@code *}, or call
 * {@link #transportHandler()} for every request. Either way, the server must speak HTTP/2 (h2c with prior
 * knowledge, or TLS with ALPN).
 */
public interface Node {

  /** Where the gossip routes live: {@code /api/v1/ckit/transport/}. */
  String TRANSPORT_BASE_PATH = io.ckit.transport.HttpTransport.BASE_PATH;

  /**
   * Creates a node that reports its metrics to a Prometheus registry of its own ({@link #meterRegistry()}).
   *
   * @throws IllegalArgumentException naming the invalid option
   */
  static Node create(Vertx vertx, NodeOptions options) {
    return create(vertx, options, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /**
   * Creates a node that reports its metrics to the given registry.
   *
   * @throws IllegalArgumentException naming the invalid option
   */
  static Node create(Vertx vertx, NodeOptions options, MeterRegistry registry) {
    return NodeImpl.create(vertx, options, registry);
  }

  /** The node's name. */
  String name();

  /** The options it was created with (a copy). */
  NodeOptions options();

  /**
   * Starts gossip (on the first call) and joins the cluster through the given addresses: {@code host:port},
   * {@code dns+name:port} (every A and AAAA record) or {@code dnssrv+_service._proto.name} (every SRV record's
   * target and port), resolved now without blocking; the join push/pulls with at most {@link
   * JoinOptions#getMaxJoinPeers()} of them, picked at random, never this node's own. An empty list (or one
   * that resolves to this node alone) starts a cluster of one that others can join. It may be called again to
   * join more peers or to heal a split; with a {@link JoinOptions#getRejoinInterval()} the node rejoins what it
   * misses of these addresses by itself. Like ckit, the node's state is not changed by joining: a new node is a
   * viewer.
   *
   * <p>The first call resolves the advertise host (without blocking: a name goes to Vert.x's resolver) and
   * binds the node's own server, if it has one; if that fails, so does this call, and the next call tries
   * again.
   *
   * @return completes once the node has exchanged state with at least one of the peers (at once for none);
   *     fails if no address resolves ({@code cannot resolve dns+...: ...}), if none answered, if the advertise host does not resolve ({@code advertiseAddress: cannot
   *     resolve host ...}) or the server cannot listen, or with {@link NodeStoppedException} after {@link
   *     #stop()}
   */
  Future<Void> start(List<String> peers);

  /**
   * Leaves the cluster: gossips a leave message and waits for it to go out (at most {@link
   * NodeOptions#getLeaveTimeout()}), then stops gossip, the transport and the node's own server, and stops
   * telling observers. Idempotent: later calls return the same future. Every other method fails with
   * {@link NodeStoppedException} afterwards. Call {@code changeState(TERMINATING)} first to hand work over
   * gracefully.
   */
  Future<Void> stop();

  /**
   * Moves this node to another state: viewer to participant, participant to terminating.
   *
   * @return completes once the state message has been gossiped to the cluster (at once when the node is
   *     alone, or as soon as every peer has gone); fails with {@link StateTransitionException} for any other
   *     move, or {@link NodeStoppedException}
   */
  Future<Void> changeState(PeerState to);

  /**
   * Completes once the cluster is big enough for keyed work: at least {@link NodeOptions#getMinClusterSize()}
   * participants, this node included, have been seen (or the node has waited {@link
   * NodeOptions#getClusterSizeWaitTimeout()} and carries on smaller). At once when no minimum is set. Hold keyed
   * work until then, so that the first node up does not take every key. Fails with {@link NodeStoppedException}
   * if the node stops first.
   */
  Future<Void> clusterReady();

  /**
   * Installs a gossip encryption key (base64 of 16, 24 or 32 bytes): from now on it decrypts what peers send;
   * the primary key still encrypts. Installing a key that is there changes nothing. With the three calls
   * below, keys rotate without losing gossip: install the new key on every node, then make it primary on
   * every node ({@link #useKey}), then remove the old one everywhere ({@link #removeKey}).
   *
   * @return fails if the key is not valid, or the node has no encryption (created without keys)
   */
  Future<Void> installKey(String key);

  /**
   * Makes an installed key (base64) the primary: the one that encrypts everything this node sends.
   *
   * @return fails if the key is not installed ({@code useKey: the key is not installed})
   */
  Future<Void> useKey(String key);

  /**
   * Removes a key (base64); what it encrypted is no longer read. Removing a key that is not installed
   * changes nothing.
   *
   * @return fails for the primary key ({@code removeKey: the primary key cannot be removed; ...})
   */
  Future<Void> removeKey(String key);

  /**
   * The installed keys' fingerprints (8 bytes of each key's SHA-256, in hex), the primary's first; empty
   * without encryption. Readable from any thread; the keys themselves are never given out.
   */
  List<String> keyFingerprints();

  /** This node's state; readable from any thread. */
  PeerState currentState();

  /**
   * Every peer this node knows, this node included ({@code self = true}), sorted by name: an immutable
   * snapshot, readable from any thread. Empty before {@link #start}.
   */
  List<Peer> peers();

  /**
   * Registers an observer of peer changes; see {@link Observer} for when and where it runs (on the caller's
   * context).
   *
   * @return the registration, to unregister the observer (as its returning false does)
   */
  ObserverRegistration observe(Observer observer);

  /**
   * The node's sharder, for lookups: the node keeps it in step with the peers (before observers are told of
   * a change), so it offers no way to set them.
   */
  ReadOnlySharder sharder();

  /** The gossip routes as a sub-router, to mount at {@code /api/v1/ckit/transport/*}. */
  Router transportRouter();

  /** A request handler that serves the gossip routes and answers 404 to every other path. */
  Handler<HttpServerRequest> transportHandler();

  /** The registry the node's metrics (and its transport's) are in. */
  MeterRegistry meterRegistry();

  /** The address this node advertises ({@code ip:port}); known once {@link #start} has been called. */
  String advertiseAddress();

  /** This node's Lamport clock. */
  long lamportTime();

  /** Lifeguard's health score: 0 is healthy, higher means this node misses acks. */
  int healthScore();

  /**
   * Replaces this node's metadata ({@link NodeOptions#setMetadata}) and announces it to the cluster at once
   * (memberlist's {@code UpdateNode}: an alive message at a higher incarnation), so every peer's {@link
   * Peer#metadata()} follows. Before {@link #start} it only replaces what start will announce.
   *
   * @return completes once the announcement is queued; fails with {@code IllegalArgumentException} ({@code
   *     metadata: ...}) for metadata {@code NodeOptions} would refuse, or {@link NodeStoppedException}
   */
  Future<Void> setMetadata(Map<String, String> metadata);

  /**
   * What the membership engine knows of every member, dead and left ones not yet forgotten included, sorted by
   * name: incarnations, suspicions, when each was last heard from, metadata. Empty before {@link #start}.
   */
  Future<List<MemberInfo>> members();

  /**
   * The membership events of the last hour as this node saw them (at most the last 1000), oldest first: joins,
   * leaves, suspicions, refutations, deaths, metadata updates and ckit state changes.
   */
  Future<List<MembershipEvent>> events();
}
