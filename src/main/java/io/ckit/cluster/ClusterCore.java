package io.ckit.cluster;

import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.gossip.HostPort;
import io.ckit.impl.JoinLoop;
import io.ckit.peer.Peer;
import io.ckit.transport.HttpTransport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.streams.ReadStream;
import io.vertx.ext.web.Router;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

/**
 * A running cluster manager: a Vert.x instance of its own (one event loop, so the gossip never waits behind
 * the application's handlers, and the node's event-bus consumers stay off the clustered event bus), one HTTP
 * server (h2c or TLS) carrying ckit's gossip routes and the cluster manager's routes under {@link #BASE_PATH},
 * the ckit node, the {@link EntryStore}, and a queue of outgoing changes per member.
 *
 * <p>Routes, all {@code POST} with a JSON body of at most {@code maxRequestBytes}:
 * <ul>
 *   <li>{@code update}: a batch of a node's changes {@code {from, run, addr, base, version, ops}}; answered
 *       once applied (after fetching the sender's whole entries when the batch does not follow what is held);
 *   <li>{@code state}: a digest exchange {@code {from, run, addr, version, knownRun, known}}: the answer is
 *       this node's whole entries, or {@code {unchanged: true}} when the asker's copy is current; when the
 *       asker's own version is newer than this node's copy, this node fetches it;
 *   <li>{@code leave}: {@code {from, run}}: the sender leaves; its entries go at once.
 * </ul>
 * Bad requests get 400 (413 too large, 415 not JSON, 405 not POST) with the reason, counted in {@code
 * cluster_vertx_bad_requests_total{route,reason}}.
 *
 * <p>Concurrency: every field is owned by the context of the private Vert.x instance ({@link #context});
 * the cluster manager reaches it through {@link #run}. {@link #nodes} is a snapshot for any thread.
 */
final class ClusterCore {

  private static final System.Logger LOG = System.getLogger(ClusterCore.class.getName());
  static final String BASE_PATH = "/api/v1/ckit/vertx/";
  private static final String JSON = "application/json";
  /** The body of the 503 a node answers once it has left. */
  private static final String STOPPED = "stopped";
  private static final int MAX_REGISTRATIONS = 1_000_000;
  /** How long a node's entries count before ckit's gossip shows it as a member; then they go. */
  private static final long NON_MEMBER_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
  /** How long a leaving node waits for each member to take its leave notice, at most. */
  private static final long LEAVE_NOTICE_MILLIS = 2_000;
  /** Beyond its parts' own timeouts, how long a leave may run before the node closes anyway. */
  private static final long STOP_SLACK_MILLIS = 10_000;
  /** How long closing the private Vert.x instance may take before the leave completes anyway. */
  private static final long CLOSE_BOUND_MILLIS = 20_000;

  interface Listener {
    void nodeAdded(String name);

    void nodeLeft(String name);

    void registrationsUpdated(String address, List<RegistrationInfo> registrations);

    void registrationsLost();
  }

  private final CkitClusterOptions options;
  private final Listener listener;
  private final Vertx own;
  private final ContextInternal context;
  private final String run = UUID.randomUUID().toString();
  private final String name;
  private final NodeEntries ownEntries;
  private final EntryStore store;
  private final Map<String, Outbox> outboxes = new HashMap<>();
  private final List<Change> changes = new ArrayList<>();
  private final Map<String, String> addresses = new HashMap<>();
  private final Map<String, Future<Void>> pulls = new HashMap<>();
  /** Members another member reported dead while this node's detector still had them: when (nanoTime). */
  private final Map<String, Long> reportedGone = new HashMap<>();
  /**
   * Nodes that reached this one (an update, a digest) while ckit's gossip here does not show them yet, and when
   * they first did: changes wait for them too (for at most {@link #NON_MEMBER_GRACE_NANOS}), so a consumer
   * registered here just after a join is known to a node whose gossip is ahead of this one's.
   */
  private final Map<String, Long> contacts = new HashMap<>();
  /** The leave and close, once started (any thread may start it). */
  private final AtomicReference<Future<Void>> shutdown = new AtomicReference<>();
  private HttpServer server;
  private HttpClient client;
  private DataService data;
  private NodeLocks locks;
  private Node node;
  private JoinLoop joins;
  private String advertise;
  private long antiEntropyTimer = -1;
  private boolean stopped;
  private MeterRegistry registry;
  private Counter deliveryTimeouts;
  private Counter fetches;
  private SyncMaps syncMaps;
  private Counter lost;
  /**
   * The members known to hold this node's entries, with the run of theirs that does: they took an update or a
   * whole copy. One of them (the same run) asking again with no copy at all has dropped this node (declared it
   * dead). Kept while they are away (a partition): the loss shows when they come back.
   */
  private final Map<String, String> holders = new HashMap<>();
  private long lostAtNanos;
  volatile List<String> nodes = List.of();
  volatile String host;

  ClusterCore(CkitClusterOptions options, Listener listener) {
    this.options = options;
    this.listener = listener;
    this.name = options.getName();
    this.own = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1)).build();
    this.context = ((VertxInternal) own).createEventLoopContext();
    this.ownEntries = new NodeEntries(name, run);
    this.store = new EntryStore(ownEntries);
    this.nodes = List.of(name);
  }

  String name() {
    return name;
  }

  String advertiseAddress() {
    return advertise;
  }

  MeterRegistry meterRegistry() {
    return registry;
  }

  /** The shared data (maps, counters, locks); on the core's context only, once started. */
  DataService data() {
    return data;
  }

  /** This node's side of the locks; on the core's context only, once started. */
  NodeLocks locks() {
    return locks;
  }

  /** Where a cluster-manager member's routes listen (this node's own advertise address included). */
  String addressOf(String member) {
    return member.equals(name) ? advertise : addresses.get(member);
  }

  /** The sync maps, once started; else null. */
  SyncMaps syncMaps() {
    return syncMaps;
  }

  /** This cluster-manager instance's run id. */
  String runId() {
    return run;
  }

  /** Whether the calling thread is the core's event loop. */
  boolean onOwnEventLoop() {
    return context.nettyEventLoop().inEventLoop();
  }

  /** The other members whose address is known: name to address (on the core's context). */
  Map<String, String> memberAddresses() {
    Map<String, String> others = new HashMap<>();
    for (String member : store.members()) {
      String addr = addresses.get(member);
      if (addr != null && !member.equals(name)) {
        others.put(member, addr);
      }
    }
    return others;
  }

  /**
   * Runs a task on the core's context and completes with what it returns, on that context; fails at once once
   * the private Vert.x instance is closed. The future is bound to no context: one bound to the core's would drop
   * its callbacks once that instance is gone, and a caller would wait for ever.
   */
  <T> Future<T> run(java.util.function.Supplier<Future<T>> task) {
    Promise<T> promise = Promise.promise();
    try {
      context.runOnContext(nothing -> {
        try {
          task.get().onComplete(promise);
        } catch (RuntimeException e) {
          promise.fail(e);
        }
      });
    } catch (RejectedExecutionException e) {
      promise.fail(new IllegalStateException("the cluster manager has left the cluster"));
    }
    return promise.future();
  }

  // ---------------------------------------------------------------------------------------------------
  // Start and stop

  Future<Void> start() {
    return run(() -> bind(options.listenPorts(), 0).compose(bound -> {
      server = bound;
      HostPort listen = options.listenHostPort(bound.actualPort());
      NodeOptions nodeOptions = options.nodeOptions(listen.toString());
      advertise = nodeOptions.getAdvertiseAddress();
      host = HostPort.parse(advertise).host();
      node = Node.create(own, nodeOptions);
      registry = node.meterRegistry();
      deliveryTimeouts = Counter.builder("cluster_vertx_delivery_timeouts_total")
          .description("Changes that completed after the delivery timeout without every member's acknowledgement")
          .tag("cluster_name", nodeOptions.getLabel()).register(registry);
      fetches = Counter.builder("cluster_vertx_fetches_total")
          .description("Whole entries fetched from a member (anti-entropy, gaps, new members)")
          .tag("cluster_name", nodeOptions.getLabel()).register(registry);
      lost = Counter.builder("cluster_vertx_registrations_lost_total")
          .description("Times a member had dropped this node (declared it dead): this node's copies were refetched"
              + " and the registration listener told that registrations were lost")
          .tag("cluster_name", nodeOptions.getLabel()).register(registry);
      Gauge.builder("cluster_vertx_registrations", store, EntryStore::totalRegistrations)
          .description("Event-bus registrations visible on this node").tag("cluster_name", nodeOptions.getLabel())
          .register(registry);
      Gauge.builder("cluster_vertx_members", this, core -> core.nodes.size())
          .description("Cluster-manager members this node sees, itself included")
          .tag("cluster_name", nodeOptions.getLabel()).register(registry);
      TransportTls tls = new TransportTls(nodeOptions);
      client = own.createHttpClient(tls.clientOptions(), new PoolOptions().setHttp2MaxSize(1));
      Router router = (Router) server.requestHandler();
      data = new DataService(this, own, name, options.getBackups(), options.getDeliveryTimeout().toMillis(),
          registry, nodeOptions.getLabel());
      data.mount(router);
      locks = new NodeLocks(this, own, name, options.effectiveLockReuseMillis(),
          options.getSharedDataTimeout().toMillis(), registry, nodeOptions.getLabel());
      locks.mount(router);
      router.route(Node.TRANSPORT_BASE_PATH + "*").subRouter(node.transportRouter());
      router.route(BASE_PATH + "update").handler(routing -> receive(routing.request(), "update", this::onUpdate));
      router.route(BASE_PATH + "state").handler(routing -> receive(routing.request(), "state", this::onState));
      router.route(BASE_PATH + "leave").handler(routing -> receive(routing.request(), "leave", this::onLeave));
      router.route(BASE_PATH + "gone").handler(routing -> receive(routing.request(), "gone", this::onGone));
      syncMaps = new SyncMaps(this, name, own, context, options, registry);
      syncMaps.mount(router);
      node.observe(peers -> {
        if (!stopped) {
          membership(peers);
        }
        return !stopped;
      });
      joins = new JoinLoop(own, node, true);
      LOG.log(Level.INFO, "cluster manager " + name + ": listening on " + listen + ", advertising " + advertise);
      return joins.start().compose(started -> joins.whenJoined());
    }).compose(joined -> {
      membership(node.peers());
      List<Future<Void>> initial = new ArrayList<>();
      for (String member : store.members()) {
        if (!member.equals(name)) {
          initial.add(fetch(member));
        }
      }
      initial.add(syncMaps.joined(options.getAntiEntropyInterval().toMillis()));
      antiEntropyTimer = own.setPeriodic(options.getAntiEntropyInterval().toMillis(), id -> antiEntropy());
      return Future.join(initial).<Void>mapEmpty().recover(failure -> Future.succeededFuture());
    }));
  }

  private Future<HttpServer> bind(List<Integer> ports, int index) {
    Router router = Router.router(own);
    HostPort listen = options.listenHostPort(ports.get(index));
    return own.createHttpServer(HttpTransport.serverOptions(options.getNodeOptions().getTransport()))
        .requestHandler(router).listen(listen.port(), listen.host())
        .recover(failure -> {
          if (index + 1 < ports.size()) {
            return bind(ports, index + 1);
          }
          return Future.failedFuture(new IllegalStateException("listen: cannot bind " + options.getListen() + ": "
              + failure.getMessage(), failure));
        });
  }

  /** Leaves: tells every member, leaves ckit's cluster, closes the server and the private Vert.x instance. */
  Future<Void> stop() {
    return run(() -> {
      if (stopped) {
        return Future.succeededFuture();
      }
      stopped = true;
      if (locks != null) {
        locks.stop();
      }
      Future<Void> handedOver = data == null ? Future.succeededFuture() : data.leave();
      if (antiEntropyTimer >= 0) {
        own.cancelTimer(antiEntropyTimer);
      }
      if (syncMaps != null) {
        syncMaps.stop();
      }
      if (joins != null) {
        joins.stop();
      }
      List<Future<?>> told = new ArrayList<>();
      told.add(handedOver);
      JsonObject bye = new JsonObject().put("from", name).put("run", run);
      for (String member : store.members()) {
        String addr = addresses.get(member);
        if (!member.equals(name) && addr != null) {
          told.add(post(addr, "leave", bye, Math.min(LEAVE_NOTICE_MILLIS, options.getDeliveryTimeout().toMillis())));
        }
      }
      changes.forEach(change -> change.promise.tryComplete());
      changes.clear();
      nodes = List.of();
      return Future.join(told).<Void>mapEmpty().recover(f -> Future.succeededFuture())
          .compose(v -> node == null ? Future.succeededFuture() : node.stop().recover(f -> Future.succeededFuture()))
          .compose(v -> server == null ? Future.succeededFuture() : server.close().recover(f -> Future.succeededFuture()))
          .compose(v -> client == null ? Future.succeededFuture() : client.close().recover(f -> Future.succeededFuture()));
    });
  }

  /**
   * Leaves ({@link #stop}) and closes the private Vert.x instance, once however often it is called, within a
   * bounded time whatever the members do: a leave still running after {@link #stopBoundMillis} is cut short, and
   * a close still running {@value #CLOSE_BOUND_MILLIS} ms later is given up (with a warning each). The timers run
   * on the application's Vert.x instance {@code app}, which outlives this one; the future is bound to no context.
   */
  Future<Void> shutdown(Vertx app) {
    Promise<Void> done = Promise.promise();
    if (!shutdown.compareAndSet(null, done.future())) {
      return shutdown.get();
    }
    long stopBound = stopBoundMillis();
    AtomicBoolean closing = new AtomicBoolean();
    Runnable close = () -> {
      if (!closing.compareAndSet(false, true)) {
        return;
      }
      long giveUp = app.setTimer(CLOSE_BOUND_MILLIS, id -> {
        if (done.tryComplete()) {
          LOG.log(Level.WARNING, "cluster manager " + name + ": its Vert.x instance still closing after "
              + CLOSE_BOUND_MILLIS + " ms; left anyway");
        }
      });
      own.close().onComplete(closed -> {
        app.cancelTimer(giveUp);
        done.tryComplete();
      });
    };
    long cutShort = app.setTimer(stopBound, id -> {
      LOG.log(Level.WARNING, "cluster manager " + name + ": leave still running after " + stopBound
          + " ms; closing now");
      close.run();
    });
    stop().onComplete(left -> {
      app.cancelTimer(cutShort);
      close.run();
    });
    return done.future();
  }

  /**
   * How long {@link #stop} may take: telling the members (their requests bounded by two delivery timeouts: the
   * connection, then the answer), ckit's leave, and the closes of the server and clients, with room to spare.
   */
  private long stopBoundMillis() {
    long tell = 2 * Math.min(LEAVE_NOTICE_MILLIS, options.getDeliveryTimeout().toMillis());
    return tell + options.getNodeOptions().getLeaveTimeout().toMillis() + STOP_SLACK_MILLIS;
  }

  // ---------------------------------------------------------------------------------------------------
  // Membership

  private void membership(List<Peer> peers) {
    Set<String> next = new HashSet<>();
    next.add(name);
    for (Peer peer : peers) {
      if (!peer.self() && "1".equals(peer.metadata().get(CkitClusterOptions.METADATA_KEY))) {
        next.add(peer.name());
        addresses.put(peer.name(), peer.addr());
      }
    }
    Map<String, String> runs = new HashMap<>();
    for (String member : store.members()) {
      NodeEntries held = store.get(member);
      if (!next.contains(member) && held != null) {
        runs.put(member, held.run);
      }
    }
    Set<String> added = new TreeSet<>();
    Set<String> removed = new TreeSet<>();
    Set<String> touched = new HashSet<>();
    store.members(next, added, removed, touched);
    if (added.isEmpty() && removed.isEmpty()) {
      return;
    }
    nodes = List.copyOf(new TreeSet<>(next));
    if (data != null) {
      data.members(next);
    }
    for (String gone : removed) {
      reportedGone.remove(gone);
      addresses.remove(gone);
      Outbox outbox = outboxes.remove(gone);
      if (outbox != null) {
        outbox.closed = true;
      }
      for (Change change : new ArrayList<>(changes)) {
        change.acknowledged(gone);
      }
      syncMaps.memberLeft(gone);
      listener.nodeLeft(gone);
      String goneRun = runs.get(gone);
      if (goneRun != null) {
        // Tell the others at once: their own failure detectors may lag behind this one by seconds.
        JsonObject notice = new JsonObject().put("from", name).put("run", run).put("node", gone).put("nodeRun", goneRun);
        for (String member : next) {
          String addr = addresses.get(member);
          if (!member.equals(name) && addr != null) {
            post(addr, "gone", notice, options.getDeliveryTimeout().toMillis());
          }
        }
      }
    }
    for (String joined : added) {
      contacts.remove(joined);
      listener.nodeAdded(joined);
      fetch(joined);
      syncMaps.memberAdded(joined);
    }
    publish(touched);
  }

  private void publish(Set<String> touched) {
    for (String address : touched) {
      listener.registrationsUpdated(address, store.visible(address));
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // What Vert.x asks (on the core's context)

  Future<List<RegistrationInfo>> registrations(String address) {
    return run(() -> Future.succeededFuture(store.visible(address)));
  }

  Future<NodeInfo> nodeInfo(String nodeId) {
    return run(() -> {
      NodeInfo info = nodeId.equals(name) ? ownEntries.info : store.info(nodeId);
      if (info != null) {
        return Future.succeededFuture(info);
      }
      if (store.members().contains(nodeId)) {
        return fetch(nodeId).compose(fetched -> {
          NodeInfo later = store.info(nodeId);
          return later != null ? Future.succeededFuture(later)
              : Future.failedFuture("node " + nodeId + " has published no NodeInfo yet");
        });
      }
      return Future.failedFuture("node " + nodeId + " is not a member of the cluster");
    });
  }

  Future<Void> change(JsonObject op) {
    return run(() -> {
      if (stopped) {
        return Future.failedFuture("the cluster manager has left the cluster");
      }
      String address = ownEntries.apply(op);
      ownEntries.version++;
      op.put("v", ownEntries.version);
      if (address != null) {
        publish(Set.of(address));
      }
      Set<String> waiting = new HashSet<>(store.members());
      waiting.remove(name);
      waiting.addAll(contacts.keySet());
      // Members that said they leave, or were reported dead, wait for nothing.
      waiting.removeIf(store::departed);
      if (waiting.isEmpty()) {
        return Future.succeededFuture();
      }
      Change change = new Change(ownEntries.version, waiting, context.promise());
      changes.add(change);
      change.timer = own.setTimer(options.getDeliveryTimeout().toMillis(), id -> {
        if (change.promise.tryComplete()) {
          deliveryTimeouts.increment();
          LOG.log(Level.DEBUG, "cluster manager " + name + ": change " + change.version + " unacknowledged by "
              + change.waiting + " after " + options.getDeliveryTimeout());
        }
        changes.remove(change);
      });
      for (String member : waiting) {
        outboxes.computeIfAbsent(member, Outbox::new).offer(op);
      }
      return change.promise.future();
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Outgoing changes: one batch in flight per member, in version order

  private final class Outbox {
    final String member;
    final List<JsonObject> pending = new ArrayList<>();
    boolean inFlight;
    boolean closed;

    Outbox(String member) {
      this.member = member;
    }

    void offer(JsonObject op) {
      pending.add(op);
      flush();
    }

    void flush() {
      if (inFlight || closed || pending.isEmpty()) {
        return;
      }
      String addr = addresses.get(member);
      if (addr == null) {
        return;
      }
      List<JsonObject> batch = new ArrayList<>(pending);
      pending.clear();
      long first = batch.get(0).getLong("v");
      long last = batch.get(batch.size() - 1).getLong("v");
      JsonArray ops = new JsonArray();
      batch.forEach(ops::add);
      JsonObject body = new JsonObject().put("from", name).put("run", run).put("addr", advertise)
          .put("base", first - 1).put("version", last).put("ops", ops);
      inFlight = true;
      post(addr, "update", body, options.getDeliveryTimeout().toMillis()).onComplete(done -> {
        inFlight = false;
        if (done.failed() && done.cause() instanceof MemberStopped) {
          // It has left (its leave notice may still be on the way): it needs nothing more from this node.
          departing(member);
          return;
        }
        if (done.failed()) {
          // Sent again on the next anti-entropy round (not at once: the member may be slow or away), until the
          // member takes it or is gone; the member's anti-entropy alone would not find it while its gossip does
          // not show this node yet.
          LOG.log(Level.DEBUG, "cluster manager " + name + ": update to " + member + " failed (to be sent again): "
              + done.cause().getMessage());
          pending.addAll(0, batch);
          return;
        }
        String holderRun = done.result().getString("run");
        if ("gone".equals(done.result().getString("result"))) {
          // It refuses this run: it has dropped this node.
          if (holderRun != null && holderRun.equals(holders.remove(member))) {
            lostBy(member);
          }
        } else if (holderRun != null) {
          holders.put(member, holderRun);
        }
        for (Change change : new ArrayList<>(changes)) {
          if (change.version <= last) {
            change.acknowledged(member);
          }
        }
        flush();
      });
    }
  }

  private final class Change {
    final long version;
    final Set<String> waiting;
    final Promise<Void> promise;
    long timer = -1;

    Change(long version, Set<String> waiting, Promise<Void> promise) {
      this.version = version;
      this.waiting = waiting;
      this.promise = promise;
    }

    void acknowledged(String member) {
      if (waiting.remove(member) && waiting.isEmpty()) {
        own.cancelTimer(timer);
        changes.remove(this);
        promise.tryComplete();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Fetching a member's whole entries (digest exchange)

  /** Asks a member for its entries, sending what this node holds of them; one request per member at a time. */
  private Future<Void> fetch(String member) {
    Future<Void> inFlight = pulls.get(member);
    if (inFlight != null) {
      return inFlight;
    }
    String addr = addresses.get(member);
    if (addr == null || stopped) {
      return Future.succeededFuture();
    }
    Future<Void> pull = fetchFrom(member, addr);
    pulls.put(member, pull);
    pull.onComplete(done -> pulls.remove(member, pull));
    return pull;
  }

  private Future<Void> fetchFrom(String member, String addr) {
    NodeEntries held = store.get(member);
    JsonObject body = new JsonObject().put("from", name).put("run", run).put("addr", advertise)
        .put("version", ownEntries.version).put("knownRun", held == null ? "" : held.run)
        .put("known", held == null ? -1 : held.version);
    return post(addr, "state", body, options.getDeliveryTimeout().toMillis()).compose(answer -> {
      if (Boolean.TRUE.equals(answer.getValue("unchanged"))) {
        return Future.succeededFuture();
      }
      fetches.increment();
      NodeEntries entries;
      try {
        entries = NodeEntries.fromJson(answer, MAX_REGISTRATIONS);
      } catch (RuntimeException e) {
        return Future.failedFuture("bad state from " + addr + ": " + e.getMessage());
      }
      if (!entries.name.equals(member)) {
        return Future.failedFuture("state from " + addr + " is " + entries.name + "'s, not " + member + "'s");
      }
      Set<String> touched = new HashSet<>();
      if (reportedGone.containsKey(member) && store.members().contains(member)) {
        store.readmit(member);
      }
      store.replace(entries, touched);
      publish(touched);
      return Future.succeededFuture();
    });
  }

  private long readmitNanos() {
    return 2 * options.getAntiEntropyInterval().toNanos();
  }

  private void antiEntropy() {
    if (stopped) {
      return;
    }
    Set<String> expired = new HashSet<>();
    long now = System.nanoTime();
    for (Map.Entry<String, Long> contact : new ArrayList<>(contacts.entrySet())) {
      if (now - contact.getValue() >= NON_MEMBER_GRACE_NANOS) {
        contacts.remove(contact.getKey());
        addresses.remove(contact.getKey());
        departing(contact.getKey());
      }
    }
    store.expireNonMembers(now, NON_MEMBER_GRACE_NANOS, expired);
    publish(expired);
    List<String> others = new ArrayList<>();
    for (String member : store.members()) {
      if (!member.equals(name)) {
        if (store.get(member) == null) {
          Long reported = reportedGone.get(member);
          if (reported == null || System.nanoTime() - reported > readmitNanos()) {
            // Reported gone by another member but still alive here: its own answer lets it in again.
            fetch(member).onSuccess(fetched -> reportedGone.remove(member));
          }
        } else {
          others.add(member);
        }
      }
    }
    if (!others.isEmpty()) {
      fetch(others.get(ThreadLocalRandom.current().nextInt(others.size())));
    }
    for (Outbox outbox : outboxes.values()) {
      outbox.flush();
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Incoming requests

  private Future<JsonObject> onUpdate(JsonObject body) {
    String from = Checks.text(body, "from");
    String fromRun = Checks.text(body, "run");
    String addr = Checks.text(body, "addr");
    HostPort.parse(addr);
    long base = Checks.nonNegative(body, "base");
    long version = Checks.nonNegative(body, "version");
    JsonArray ops = Checks.array(body, "ops");
    if (version <= base || version - base != ops.size()) {
      throw new IllegalArgumentException("ops: " + ops.size() + " changes for versions " + base + " to " + version);
    }
    for (int i = 0; i < ops.size(); i++) {
      Object op = ops.getValue(i);
      if (!(op instanceof JsonObject)) {
        throw new IllegalArgumentException("ops[" + i + "]: not an object");
      }
      Checks.op((JsonObject) op, "ops[" + i + "]");
    }
    if (from.equals(name)) {
      throw new IllegalArgumentException("from: \"" + from + "\" is this node's own name");
    }
    contacted(from, fromRun, addr);
    Set<String> touched = new HashSet<>();
    EntryStore.Result result = store.apply(from, fromRun, base, version, ops, touched);
    publish(touched);
    JsonObject ok = new JsonObject().put("result", result.name().toLowerCase()).put("run", run);
    if (result != EntryStore.Result.GAP) {
      return Future.succeededFuture(ok);
    }
    addresses.putIfAbsent(from, addr);
    return fetch(from).map(ok);
  }

  private Future<JsonObject> onState(JsonObject body) {
    String from = Checks.text(body, "from");
    String fromRun = Checks.text(body, "run");
    String addr = Checks.text(body, "addr");
    HostPort.parse(addr);
    long theirVersion = Checks.nonNegative(body, "version");
    Object knownRun = body.getValue("knownRun");
    if (!(knownRun instanceof String)) {
      throw new IllegalArgumentException("knownRun: a text is required");
    }
    Object known = body.getValue("known");
    if (!(known instanceof Number)) {
      throw new IllegalArgumentException("known: a number is required");
    }
    contacted(from, fromRun, addr);
    if (((String) knownRun).isEmpty() && fromRun.equals(holders.get(from))) {
      lostBy(from);
    }
    holders.put(from, fromRun);
    NodeEntries held = store.get(from);
    if (held == null || !held.run.equals(fromRun) || held.version < theirVersion) {
      // Also from a node that ckit's gossip does not show here yet: its entries count from now (see EntryStore).
      addresses.putIfAbsent(from, addr);
      fetch(from);
    }
    if (run.equals(knownRun) && ((Number) known).longValue() == ownEntries.version) {
      return Future.succeededFuture(new JsonObject().put("name", name).put("run", run)
          .put("version", ownEntries.version).put("unchanged", true));
    }
    return Future.succeededFuture(ownEntries.toJson());
  }

  /**
   * A member that held this node's entries asks for them with none: it had dropped this node (declared it dead:
   * a partition, or a false alarm this node refuted), and meanwhile sent it none of its own changes, so this
   * node's copies may miss some. Tells the registration listener that registrations were lost (at most once per
   * anti-entropy interval) and fetches every member's entries at once rather than one per round.
   */
  private void lostBy(String member) {
    LOG.log(Level.INFO, "cluster manager " + name + ": " + member + " had dropped this node; fetching every"
        + " member's entries again");
    lost.increment();
    long now = System.nanoTime();
    if (lostAtNanos == 0 || now - lostAtNanos >= options.getAntiEntropyInterval().toNanos()) {
      lostAtNanos = now;
      listener.registrationsLost();
    }
    if (locks != null) {
      locks.forgetReuse();
    }
    for (String other : store.members()) {
      if (!other.equals(name)) {
        fetch(other);
      }
    }
  }

  private Future<JsonObject> onLeave(JsonObject body) {
    String from = Checks.text(body, "from");
    String fromRun = Checks.text(body, "run");
    Set<String> touched = new HashSet<>();
    NodeEntries held = store.get(from);
    if (held == null || held.run.equals(fromRun)) {
      departing(from);
    }
    store.depart(from, fromRun, touched);
    holders.remove(from, fromRun);
    publish(touched);
    LOG.log(Level.DEBUG, "cluster manager " + name + ": " + from + " leaves");
    return Future.succeededFuture(new JsonObject().put("result", "left"));
  }

  /** A node that gossip here does not show yet reached this node: see {@link #contacts}. */
  private void contacted(String from, String fromRun, String addr) {
    if (from.equals(name) || store.members().contains(from) || store.refuses(from, fromRun)) {
      return;
    }
    addresses.put(from, addr);
    contacts.putIfAbsent(from, System.nanoTime());
  }

  /**
   * A member leaves: no change waits for it any more and nothing more is sent to it, though ckit's gossip may show
   * it for a while yet (without this, every change made meanwhile would wait for the delivery timeout).
   */
  private void departing(String member) {
    contacts.remove(member);
    Outbox outbox = outboxes.remove(member);
    if (outbox != null) {
      outbox.closed = true;
    }
    for (Change change : new ArrayList<>(changes)) {
      change.acknowledged(member);
    }
  }

  /** A member answered that it has left. */
  private static final class MemberStopped extends IllegalStateException {
    MemberStopped(String message) {
      super(message);
    }
  }

  private Future<JsonObject> onGone(JsonObject body) {
    Checks.text(body, "from");
    Checks.text(body, "run");
    String gone = Checks.text(body, "node");
    String goneRun = Checks.text(body, "nodeRun");
    NodeEntries held = store.get(gone);
    if (!gone.equals(name) && held != null && held.run.equals(goneRun)) {
      Set<String> touched = new HashSet<>();
      store.depart(gone, goneRun, touched);
      if (store.members().contains(gone)) {
        reportedGone.put(gone, System.nanoTime());
      }
      publish(touched);
    }
    return Future.succeededFuture(new JsonObject().put("result", "noted"));
  }

  /** Reads a bounded JSON body, checks it, answers; every refusal is counted by route and reason. */
  void receive(HttpServerRequest request, String route, java.util.function.Function<JsonObject,
      Future<JsonObject>> handler) {
    if (request.method() != HttpMethod.POST) {
      refuse(request, route, 405, "method", "POST only");
      return;
    }
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.startsWith(JSON)) {
      refuse(request, route, 415, "content_type", "Content-Type must be " + JSON);
      return;
    }
    readBounded(request, options.getMaxRequestBytes(), (buffer, tooLarge) -> {
      if (tooLarge != null) {
        refuse(request, route, 413, "too_large", tooLarge);
        return;
      }
      JsonObject body;
      try {
        body = new JsonObject(buffer);
      } catch (DecodeException | ClassCastException e) {
        refuse(request, route, 400, "json", "not a JSON object: " + e.getMessage());
        return;
      }
      Future<JsonObject> answer;
      try {
        answer = stopped ? Future.failedFuture(STOPPED) : handler.apply(body);
      } catch (IllegalArgumentException e) {
        refuse(request, route, 400, "field", e.getMessage());
        return;
      }
      answer.onComplete(done -> {
        if (done.succeeded()) {
          request.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(done.result().toBuffer());
        } else {
          request.response().setStatusCode(503).end(String.valueOf(done.cause().getMessage()));
        }
      });
    });
  }

  private void refuse(HttpServerRequest request, String route, int status, String reason, String message) {
    if (registry != null) {
      registry.counter("cluster_vertx_bad_requests_total", "route", route, "reason", reason).increment();
    }
    LOG.log(Level.DEBUG, "cluster manager " + name + ": refused " + route + " (" + status + "): " + message);
    if (!request.response().ended()) {
      request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain")
          .end(route + ": " + message);
    }
  }

  /**
   * Reads a stream into one buffer, stopping at {@code max} bytes (the declared length is not trusted: the
   * bytes are counted as they come).
   */
  static void readBounded(ReadStream<Buffer> stream, int max, BiConsumer<Buffer, String> done) {
    Buffer body = Buffer.buffer();
    boolean[] over = {false};
    stream.exceptionHandler(failure -> {
      if (!over[0]) {
        over[0] = true;
        done.accept(null, "read failed: " + failure.getMessage());
      }
    });
    stream.handler(chunk -> {
      if (over[0]) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        over[0] = true;
        done.accept(null, "body larger than " + max + " bytes");
        return;
      }
      body.appendBuffer(chunk);
    });
    stream.endHandler(end -> {
      if (!over[0]) {
        over[0] = true;
        done.accept(body, null);
      }
    });
  }

  /** POSTs JSON to a member's route and reads its JSON answer, bounded in size and time. */
  Future<JsonObject> post(String addr, String route, JsonObject body, long timeoutMillis) {
    HostPort target = HostPort.parse(addr);
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost(target.host())
        .setPort(target.port()).setURI(BASE_PATH + route).setIdleTimeout(timeoutMillis)
        .setConnectTimeout(timeoutMillis).putHeader(HttpHeaders.CONTENT_TYPE, JSON);
    return client.request(request).compose(req -> req.send(body.toBuffer())).compose(response -> {
      Promise<JsonObject> answer = Promise.promise();
      readBounded(response, options.getMaxRequestBytes(), (buffer, failure) -> {
        if (failure != null) {
          answer.tryFail(route + " to " + addr + ": " + failure);
        } else if (response.statusCode() != 200) {
          answer.tryFail(response.statusCode() == 503 && STOPPED.equals(buffer.toString())
              ? new MemberStopped(route + " to " + addr + ": it has stopped")
              : new IllegalStateException(route + " to " + addr + ": " + response.statusCode() + " " + buffer));
        } else {
          try {
            answer.tryComplete(new JsonObject(buffer));
          } catch (DecodeException | ClassCastException e) {
            answer.tryFail(route + " to " + addr + ": not JSON");
          }
        }
      });
      return answer.future();
    });
  }

  /** The HTTP client of the node's TLS settings: h2c with prior knowledge, or TLS with ALPN. */
  private static final class TransportTls {
    private final NodeOptions options;

    TransportTls(NodeOptions options) {
      this.options = options;
    }

    HttpClientOptions clientOptions() {
      var transport = options.getTransport();
      return new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
          .setSsl(transport.isSsl()).setUseAlpn(transport.isSsl()).setVerifyHost(transport.isVerifyHost())
          .setTrustOptions(transport.getTrustOptions()).setKeyCertOptions(transport.getKeyCertOptions());
    }
  }
}
