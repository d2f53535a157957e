package io.ckit.impl;

import io.ckit.Advertise;
import io.ckit.MemberInfo;
import io.ckit.MembershipEvent;
import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.NodeStoppedException;
import io.ckit.Observer;
import io.ckit.ObserverRegistration;
import io.ckit.StateTransitionException;
import io.ckit.gossip.Addresses;
import io.ckit.gossip.BroadcastQueue;
import io.ckit.gossip.GossipDelegate;
import io.ckit.gossip.HostPort;
import io.ckit.gossip.Member;
import io.ckit.gossip.MemberDetails;
import io.ckit.gossip.MemberIdentity;
import io.ckit.gossip.Memberlist;
import io.ckit.metrics.NodeMetrics;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.Op;
import io.ckit.shard.ReadOnlySharder;
import io.ckit.shard.Sharder;
import io.ckit.shard.Sharders;
import io.ckit.shard.impl.LookupMessages;
import io.ckit.shard.impl.ShardRequestHandler;
import io.ckit.transport.HttpTransport;
import io.ckit.transport.TransportMetrics;
import io.ckit.wire.ByteString;
import io.ckit.wire.CkitCodec;
import io.ckit.wire.LocalState;
import io.ckit.wire.MemberState;
import io.ckit.wire.MetadataCodec;
import io.ckit.wire.StateMessage;
import io.ckit.wire.WireDecodeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * ckit's node on one Vert.x context: its lifecycle (start, stop, changeState), the engine, the transport and
 * the event-bus consumers, and memberlist's delegate for the engine. What ckit's node holds lives in rooms of
 * its own: {@link PeerStates} (the state message of every peer, the peer table and ckit's rules for them, on
 * a {@link LamportClock}), {@link PeerPublisher} (the peer table to snapshot, sharder, metrics, observers and
 * event bus) and the engine's {@link BroadcastQueue} of state broadcasts; this class decodes, encodes,
 * counts and wires them together.
 *
 * <p>Beyond ckit: a node that sees a new member sends it its own state message directly, so a member that
 * joined after a state broadcast died out learns that state within a round trip instead of at the next
 * push/pull (Go ckit's convergence stragglers). Peer-set updates are coalesced per event-loop turn: the
 * sharder is rebuilt, the snapshot published, observers and the event bus told once per burst of changes.
 *
 * <p>Concurrency: the context-confined fields below, and everything the rooms hold, are touched on the node's
 * context only, without locks; public methods hop there first. Other threads read only the volatile
 * snapshots: peers, state, Lamport time, health score, alive members and the advertised address.
 */
public final class NodeImpl implements Node, GossipDelegate {

  private static final System.Logger LOG = System.getLogger(NodeImpl.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final NodeOptions options;
  private final String name;
  /** The advertise address's host as configured: an IP, or a name resolved at start. */
  private final String advertiseHost;
  private final int advertisePort;
  private final Sharder sharder;
  /** What users get of the sharder: lookups, and no way to set its peers behind the node's back. */
  private final ReadOnlySharder lookups;
  private final MeterRegistry registry;
  private final NodeMetrics metrics;
  private final HttpTransport transport;
  private final ObserverDispatcher observers;
  private final LamportClock clock = new LamportClock();
  private final PeerStates states;
  private final PeerPublisher publisher;
  private final BroadcastQueue broadcasts;
  private final ClusterSizeWait sizeWait;
  private final Joiner joiner;
  private final TransportMetrics transportMetrics;
  private final NodeKeyring keyring;
  private final MembershipEventLog events = new MembershipEventLog(MembershipEventLog.DEFAULT_CAPACITY,
      MembershipEventLog.DEFAULT_MAX_AGE, Instant::now);

  // Context-confined state.
  private Memberlist engine;
  private Future<Void> startup;
  private HttpServer server;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private final Set<Promise<Void>> pendingChanges = new HashSet<>();
  private Promise<Void> stopped;

  // Snapshots for other threads.
  private volatile PeerState stateSnapshot = PeerState.VIEWER;
  private volatile int healthSnapshot;
  private volatile int aliveSnapshot;
  private volatile String advertised;
  /** This node's metadata: the options' until {@link #setMetadata} replaces it. */
  private volatile Map<String, String> metadata;

  private NodeImpl(Vertx vertx, Context context, NodeOptions options, String advertiseHost, int advertisePort,
      MeterRegistry registry) {
    this.vertx = vertx;
    this.context = context;
    this.options = options;
    this.name = options.getName();
    this.advertiseHost = advertiseHost;
    this.advertisePort = advertisePort;
    this.sharder = Sharders.parse(options.getSharder());
    this.lookups = new ReadOnlySharder() {
      @Override
      public List<Peer> lookup(Key key, int n, Op op) {
        return sharder.lookup(key, n, op);
      }

      @Override
      public List<Peer> peers() {
        return sharder.peers();
      }
    };
    this.registry = registry;
    this.metrics = new NodeMetrics(registry, options.getLabel(), () -> healthSnapshot, () -> aliveSnapshot,
        () -> Memberlist.PROTOCOL_VERSION, clock::now);
    metrics.state(PeerState.VIEWER);
    this.transportMetrics = TransportMetrics.create(registry, options.getLabel());
    this.transport = HttpTransport.create(vertx, context, options.getTransport(), transportMetrics);
    this.keyring = new NodeKeyring(vertx, name, options.getEncryption(), options.getGossip().getKeyring());
    this.observers = new ObserverDispatcher(name, context, metrics, options.getObserverMinInterval());
    this.sizeWait = new ClusterSizeWait(vertx, name, options.getMinClusterSize(), options.getClusterSizeWaitTimeout());
    this.states = new PeerStates(name, clock, this::peersChanged);
    this.publisher = new PeerPublisher(states.peers(), sharder, metrics,
        task -> context.runOnContext(nothing -> task.run()), this::published, observers::offer,
        message -> vertx.eventBus().publish(options.getPeersAddress(), message));
    this.broadcasts = new BroadcastQueue(options.getGossip().getRetransmitMult(), states::size);
    this.joiner = new Joiner(vertx, context, name, options.getJoin());
    this.metadata = Map.copyOf(options.getMetadata());
  }

  /**
   * See {@link Node#create(Vertx, NodeOptions, MeterRegistry)}. Nothing here blocks: a host name in the
   * advertise address is resolved when the node starts, by Vert.x's non-blocking resolver.
   */
  public static Node create(Vertx vertx, NodeOptions options, MeterRegistry registry) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(registry, "registry");
    NodeOptions copy = new NodeOptions(Objects.requireNonNull(options, "options")).validate();
    if (copy.getAdvertiseAddress() == null) {
      // Taken from copy.getAdvertiseInterfaces() at start; the port is the server's.
      return new NodeImpl(vertx, vertx.getOrCreateContext(), copy, null, 0, registry);
    }
    HostPort advertise = HostPort.parse(copy.getAdvertiseAddress());
    return new NodeImpl(vertx, vertx.getOrCreateContext(), copy, advertise.host(), advertise.port(), registry);
  }

  // ---------------------------------------------------------------------------------------------------
  // Node

  @Override
  public String name() {
    return name;
  }

  @Override
  public NodeOptions options() {
    return new NodeOptions(options).setMetadata(metadata);
  }

  @Override
  public Future<Void> start(List<String> peers) {
    List<String> addresses = List.copyOf(peers);
    return onContext(() -> {
      checkRunning();
      return ensureStarted().compose(nothing -> join(addresses));
    });
  }

  private Future<Void> join(List<String> addresses) {
    checkRunning();
    return joiner.join(addresses);
  }

  /**
   * Resolves the advertise host, listens (when the node has a server of its own), creates the engine and
   * starts gossip; once, unless a start-up failed (a name that does not resolve yet, a port in use): the
   * next call tries again.
   */
  private Future<Void> ensureStarted() {
    if (startup != null && !startup.failed()) {
      return startup;
    }
    Future<InetAddress> lookup = advertiseHost == null
        ? vertx.executeBlocking(() -> Advertise.firstAddress(options.getAdvertiseInterfaces()))
        : ((VertxInternal) vertx).nameResolver().resolve(advertiseHost);
    Future<String> ip = lookup.transform(resolved -> {
      if (resolved.failed() && advertiseHost == null) {
        return Future.failedFuture(resolved.cause());
      }
      if (resolved.failed()) {
        return Future.failedFuture(new IllegalArgumentException("advertiseAddress: cannot resolve host \""
            + advertiseHost + "\": " + resolved.cause().getMessage(), resolved.cause()));
      }
      String text = Addresses.ipText(resolved.result());
      return Future.succeededFuture(resolved.result() instanceof Inet6Address ? "[" + text + "]" : text);
    });
    Future<Integer> port = ip.compose(resolved -> onContext(() -> {
      if (options.getListen() == null) {
        return Future.succeededFuture(advertisePort);
      }
      checkRunning();
      HostPort listen = HostPort.parse(options.getListen());
      return transport.listen(listen.port(), listen.host()).map(listening -> {
        // Recorded even when stop() came meanwhile: stop() waits for the start-up and closes it.
        server = listening;
        return advertisePort == 0 ? listening.actualPort() : advertisePort;
      });
    }));
    startup = port.compose(actualPort -> onContext(() -> keyring.load().map(actualPort))).compose(actualPort ->
        onContext(() -> {
      checkRunning();
      advertised = ip.result() + ":" + actualPort;
      Memberlist created = new Memberlist(new MemberIdentity(name, advertised, options.getLabel()),
          keyring.attach(options.getGossip(), keys -> engine.useKeyring(keys)), transport,
          ContextScheduler.create(context), this, new SplittableRandom());
      engine = created;
      transport.bind(engine);
      consumers.add(vertx.eventBus().<Object>consumer(options.getPeersAddress(), this::answerPeers));
      consumers.add(vertx.eventBus().<Object>consumer(options.getCurrentPeersAddress(), this::answerPeers));
      LookupMessages.register(vertx);
      consumers.add(vertx.eventBus().<Object>consumer(options.getShardAddress(),
          new ShardRequestHandler(sharder)::handle));
      engine.start();
      sizeWait.started();
      joiner.start(engine, advertised);
      // The health score changes with probe outcomes, so it is read once per probe interval (at least once a
      // second); the member count is also read after every membership change.
      long interval = Math.max(100, Math.min(1000, options.getGossip().getProbeInterval().toMillis()));
      vertx.setPeriodic(interval, id -> {
        if (stopped != null || engine == null) {
          vertx.cancelTimer(id);
          return;
        }
        healthSnapshot = engine.healthScore();
        aliveSnapshot = engine.numMembers();
      });
      return Future.<Void>succeededFuture();
    }));
    return startup;
  }

  @Override
  public Future<Void> stop() {
    return stop(true);
  }

  /**
   * Stops as a crashed process would, without the leave message: gossip, the transport and the node's own
   * server close at once, so the peers find out by failure detection (the cluster benchmark's {@code kill}
   * of a node that shares its JVM with others).
   */
  public Future<Void> halt() {
    return stop(false);
  }

  private Future<Void> stop(boolean leave) {
    return onContext(() -> {
      if (stopped != null) {
        return stopped.future();
      }
      stopped = Promise.promise();
      // No rejoin may push/pull while the node leaves.
      Future<Void> joinerClosed = joiner.close();
      sizeWait.stopped();
      keyring.close();
      observers.close();
      publisher.close();
      for (Promise<Void> change : pendingChanges) {
        change.tryFail(new NodeStoppedException());
      }
      pendingChanges.clear();
      // A start-up under way may be binding the server right now: let it settle, then close what it opened.
      Future<Void> settled = startup == null ? Future.succeededFuture()
          : startup.transform(started -> Future.<Void>succeededFuture());
      Future<Void> left = settled.compose(started -> leave ? leave() : Future.<Void>succeededFuture());
      left.onComplete(done -> context.runOnContext(nothing -> {
        if (engine != null) {
          engine.shutdown();
        }
        List<Future<?>> closing = new ArrayList<>();
        closing.add(joinerClosed);
        consumers.forEach(consumer -> closing.add(consumer.unregister()));
        consumers.clear();
        closing.add(transport.close());
        if (server != null) {
          closing.add(server.close());
        }
        Future.join(closing).<Void>mapEmpty().recover(failure -> Future.succeededFuture()).onComplete(stopped);
      }));
      return stopped.future();
    });
  }

  /** Gossips the leave message (bounded by the leave timeout) if gossip ever started. */
  private Future<Void> leave() {
    if (engine == null) {
      return Future.succeededFuture();
    }
    return engine.leave(options.getLeaveTimeout().toMillis()).recover(failure -> {
      LOG.log(Level.WARNING, "node " + name + ": failed to broadcast leave message to cluster: "
          + failure.getMessage());
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> changeState(PeerState to) {
    Objects.requireNonNull(to, "to");
    return onContext(() -> {
      checkRunning();
      PeerState from = states.local();
      if (!from.canMoveTo(to)) {
        return Future.failedFuture(new StateTransitionException(from, to));
      }
      LOG.log(Level.DEBUG, () -> "node " + name + " changing state from " + from + " to " + to);
      Promise<Void> done = Promise.promise();
      pendingChanges.add(done);
      done.future().onComplete(finished -> pendingChanges.remove(done));
      StateMessage message = states.changeLocal(to);
      stateSnapshot = to;
      events.add(MembershipEvent.Type.STATE, name, message.time(), to.toString());
      metrics.state(to);
      queueBroadcast(message, () -> context.runOnContext(nothing -> done.tryComplete()));
      // Out now rather than at the next gossip tick: a terminating node's peers hand its work over sooner.
      // Beyond ckit, every member it knows is also told directly: gossip alone, with every node of a join
      // storm changing state at once, left some nodes without a newcomer's state until a push/pull (tens
      // of seconds). The gossip goes on as ckit's; members this node does not know yet get its state when
      // it learns of them (notifyJoin).
      if (engine != null) {
        engine.sendUserMessageToLiveMembers(CkitCodec.encodeState(message));
        engine.gossipNow();
      }
      if (states.size() <= 1) {
        // Alone: nobody to tell. Complete after this turn's peer-set update, so peers() shows the change.
        context.runOnContext(nothing -> done.tryComplete());
      }
      return done.future();
    });
  }

  @Override
  public Future<Void> clusterReady() {
    return sizeWait.future();
  }

  @Override
  public Future<Void> installKey(String key) {
    Objects.requireNonNull(key, "key");
    return onContext(() -> {
      checkRunning();
      return keyring.install(key);
    });
  }

  @Override
  public Future<Void> useKey(String key) {
    Objects.requireNonNull(key, "key");
    return onContext(() -> {
      checkRunning();
      return keyring.use(key);
    });
  }

  @Override
  public Future<Void> removeKey(String key) {
    Objects.requireNonNull(key, "key");
    return onContext(() -> {
      checkRunning();
      return keyring.remove(key);
    });
  }

  @Override
  public List<String> keyFingerprints() {
    return keyring.fingerprints();
  }

  @Override
  public PeerState currentState() {
    return stateSnapshot;
  }

  @Override
  public List<Peer> peers() {
    return publisher.snapshot();
  }

  @Override
  public ObserverRegistration observe(Observer observer) {
    return observers.register(Objects.requireNonNull(observer, "observer"));
  }

  @Override
  public ReadOnlySharder sharder() {
    return lookups;
  }

  @Override
  public Router transportRouter() {
    return transport.router();
  }

  @Override
  public Handler<HttpServerRequest> transportHandler() {
    return transport.requestHandler();
  }

  @Override
  public MeterRegistry meterRegistry() {
    return registry;
  }

  @Override
  public String advertiseAddress() {
    return advertised;
  }

  @Override
  public long lamportTime() {
    return clock.now();
  }

  @Override
  public int healthScore() {
    return healthSnapshot;
  }

  @Override
  public Future<Void> setMetadata(Map<String, String> newMetadata) {
    Map<String, String> copy;
    try {
      MetadataCodec.encode(newMetadata);
      copy = Map.copyOf(newMetadata);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalArgumentException("metadata: " + e.getMessage(), e));
    }
    return onContext(() -> {
      checkRunning();
      metadata = copy;
      if (engine != null) {
        engine.updateMeta();
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<List<MemberInfo>> members() {
    return onContext(() -> {
      List<MemberInfo> members = new ArrayList<>();
      if (engine != null) {
        for (MemberDetails details : engine.memberDetails()) {
          Member member = details.member();
          members.add(new MemberInfo(member.name(), member.address(), member.name().equals(name), member.state(),
              member.incarnation(), peerMetadata(member.name()), Duration.ofMillis(details.sinceChangeMillis()),
              details.sinceHeardMillis() < 0 ? null : Duration.ofMillis(details.sinceHeardMillis())));
        }
      }
      members.sort(Comparator.comparing(MemberInfo::name));
      return Future.succeededFuture(members);
    });
  }

  /** A member's metadata as the peer table holds it (decoded, and counted if bad, when the member was seen). */
  private Map<String, String> peerMetadata(String member) {
    if (member.equals(name)) {
      return metadata;
    }
    Peer peer = states.peer(member);
    return peer == null ? Map.of() : peer.metadata();
  }

  @Override
  public Future<List<MembershipEvent>> events() {
    return onContext(() -> Future.succeededFuture(events.snapshot()));
  }

  @Override
  public String toString() {
    return "Node[" + name + "]";
  }

  // ---------------------------------------------------------------------------------------------------
  // Broadcasts

  private void queueBroadcast(StateMessage message, Runnable onFinished) {
    broadcasts.queue(message.nodeName(), CkitCodec.encodeState(message), onFinished);
    metrics.broadcast(NodeMetrics.EVENT_STATE_CHANGE);
  }

  // ---------------------------------------------------------------------------------------------------
  // GossipDelegate (called by the engine, on the context)

  @Override
  public ByteString nodeMeta(int limit) {
    return MetadataCodec.encode(metadata);
  }

  @Override
  public void notifyMessage(ByteString raw) {
    if (raw.length() < 3 || ((raw.byteAt(0) & 0xFF) << 8 | raw.byteAt(1) & 0xFF) != CkitCodec.MAGIC
        || (raw.byteAt(2) & 0xFF) != CkitCodec.TYPE_STATE) {
      metrics.event(NodeMetrics.EVENT_UNKNOWN_MESSAGE);
      LOG.log(Level.WARNING, "node " + name + ": unexpected gossip message of " + raw.length() + " bytes");
      return;
    }
    metrics.event(NodeMetrics.EVENT_STATE_CHANGE);
    StateMessage message;
    try {
      message = CkitCodec.decodeState(raw);
    } catch (WireDecodeException e) {
      transportMetrics.rejected(e.kind());
      LOG.log(Level.WARNING, "node " + name + ": failed to decode state message: " + e.getMessage());
      return;
    }
    StateMessage onward = states.handle(message);
    if (onward != null) {
      queueBroadcast(onward, null);
      stateEvent(onward);
    } else {
      metrics.event(NodeMetrics.EVENT_STALE_STATE);
    }
  }

  @Override
  public List<byte[]> broadcasts(int overhead, int limit) {
    return broadcasts.getBroadcasts(overhead, limit);
  }

  @Override
  public boolean hasBroadcasts() {
    return broadcasts.size() > 0;
  }

  @Override
  public ByteString localState(boolean join) {
    metrics.event(NodeMetrics.EVENT_GET_LOCAL_STATE);
    return ByteString.copyOf(CkitCodec.encodeLocalState(states.localState()));
  }

  @Override
  public void mergeRemoteState(ByteString state, boolean join) {
    LocalState remote;
    try {
      remote = CkitCodec.decodeLocalState(state);
    } catch (WireDecodeException e) {
      transportMetrics.rejected(e.kind());
      LOG.log(Level.WARNING, "node " + name + ": failed to decode remote state (join " + join + "): "
          + e.getMessage());
      return;
    }
    metrics.event(NodeMetrics.EVENT_MERGE_REMOTE_STATE);
    for (StateMessage message : states.merge(remote)) {
      queueBroadcast(message, null);
      stateEvent(message);
    }
  }

  /**
   * Records another member's new state on the timeline (this node's own are recorded by changeState); not the
   * viewer at time 0 that a push/pull sends for a member whose state its sender has not heard, nor the echoes
   * of a state message still gossiped after its member left.
   */
  private void stateEvent(StateMessage message) {
    if (!message.nodeName().equals(name) && message.time() != 0 && states.peer(message.nodeName()) != null) {
      events.add(MembershipEvent.Type.STATE, message.nodeName(), message.time(), message.newState().toString());
    }
  }

  @Override
  public void notifyJoin(Member member) {
    metrics.event(NodeMetrics.EVENT_NODE_JOIN);
    joiner.arrived(member);
    Map<String, String> joined = metadata(member);
    states.memberAlive(member.name(), member.address(), joined);
    events.add(MembershipEvent.Type.JOIN, member.name(), member.incarnation(),
        member.address() + (joined.isEmpty() ? "" : " " + joined));
    StateMessage own = states.own();
    if (!member.name().equals(name) && own != null) {
      // Tell the newcomer our state directly; it may have missed the broadcast.
      context.runOnContext(nothing -> {
        // By then this node may have moved on, or (after its own leave) forgotten its state.
        StateMessage latest = states.own();
        if (stopped == null && engine != null) {
          engine.sendUserMessage(member.name(), CkitCodec.encodeState(latest != null ? latest : own));
        }
      });
    }
  }

  @Override
  public void notifyLeave(Member member) {
    metrics.event(NodeMetrics.EVENT_NODE_LEAVE);
    joiner.departed(member);
    boolean left = member.state() == MemberState.LEFT;
    states.memberGone(member.name(), left);
    events.add(left ? MembershipEvent.Type.LEAVE : MembershipEvent.Type.DEAD, member.name(), member.incarnation(),
        "");
  }

  @Override
  public void notifySuspect(Member member, String from) {
    events.add(MembershipEvent.Type.SUSPECT, member.name(), member.incarnation(), "suspected by " + from);
  }

  @Override
  public void notifyRefute(Member member, String from) {
    events.add(MembershipEvent.Type.REFUTE, member.name(), member.incarnation(),
        from == null ? "alive again" : "this node refuted an accusation from " + from);
  }

  @Override
  public void notifyUpdate(Member member) {
    metrics.event(NodeMetrics.EVENT_NODE_UPDATE);
    Map<String, String> updated = metadata(member);
    states.memberAlive(member.name(), member.address(), updated);
    events.add(MembershipEvent.Type.UPDATE, member.name(), member.incarnation(), "metadata " + updated);
  }

  /** A member's metadata; none, counted and logged, when its {@code Meta} is in this form but unreadable. */
  private Map<String, String> metadata(Member member) {
    try {
      return MetadataCodec.decode(member.meta());
    } catch (WireDecodeException e) {
      metrics.event(NodeMetrics.EVENT_BAD_METADATA);
      LOG.log(Level.WARNING, "node " + name + ": ignoring the metadata of " + member.name() + ": "
          + e.getMessage());
      return Map.of();
    }
  }

  @Override
  public void notifyRejected(WireDecodeException cause) {
    transportMetrics.rejected(cause.kind());
  }

  @Override
  public void notifyConflict(Member existing, Member other) {
    metrics.event(NodeMetrics.EVENT_NODE_CONFLICT);
    LOG.log(Level.WARNING, "node " + name + ": " + other.address() + " claims the name " + existing.name()
        + " of " + existing.address());
  }

  // ---------------------------------------------------------------------------------------------------
  // Peer set (published by PeerPublisher)

  private void peersChanged() {
    publisher.changed();
  }

  /** Runs after each publication, so that a change completed here finds {@code peers()} up to date. */
  private void published() {
    sizeWait.peersChanged(publisher.snapshot());
    if (engine != null) {
      aliveSnapshot = engine.numMembers();
    }
    if (states.size() <= 1 && !pendingChanges.isEmpty()) {
      // Every peer has gone: nobody is left to tell, so pending state changes are done (as when alone from
      // the start). The broadcasts stay queued for whoever joins next.
      List.copyOf(pendingChanges).forEach(Promise::tryComplete);
    }
  }

  private void answerPeers(Message<Object> request) {
    if (request.replyAddress() != null) {
      request.reply(PeerPublisher.message(publisher.snapshot()));
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Threading

  private void checkRunning() {
    if (stopped != null) {
      throw new NodeStoppedException();
    }
  }

  /** Runs an action on the node's context (at once if already there); exceptions fail the future. */
  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return call(action);
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(nothing -> call(action).onComplete(result));
    return result.future();
  }

  private static <T> Future<T> call(Supplier<Future<T>> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
