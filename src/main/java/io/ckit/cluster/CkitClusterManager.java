package io.ckit.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Vert.x cluster manager on ckit: membership and failure detection from a ckit node (SWIM over HTTP/2),
 * NodeInfo and event-bus registrations owned by each node and sent to every other cluster-manager node on the
 * cluster manager's own HTTP/2 routes (direct delivery plus periodic anti-entropy), never inside ckit's
 * gossip, so plain ckit and Go ckit nodes in the same cluster see nothing new (and are ignored here).
 *
 * <pre>{@code
 * Vertx.builder().withClusterManager(new CkitClusterManager(new CkitClusterOptions()
 *     .setListen("10.0.0.5:7946").setJoinAddresses(List.of("10.0.0.6:7946")))).buildClustered();
 * }</pre>
 *
 * <p>The no-argument constructor (what Vert.x's service loader uses) reads the options, when joining, from
 * the file named by the system property {@value #CONFIG_PROPERTY}, else the class-path resource {@value
 * #CONFIG_RESOURCE}, else takes the defaults: 127.0.0.1, a free port, no join addresses.
 *
 * <p>Shared data ({@code getAsyncMap}, {@code getLockWithTimeout}, {@code getCounter}) lives on each key's
 * owners by a ring sharder over the cluster-manager members, with {@code backups} copies, on the same HTTP/2
 * routes (see {@link DataService}). The sync map ({@link #getSyncMap}, which Vert.x's HA manager uses) is
 * replicated to every cluster-manager node ({@link SyncMaps}).
 *
 * <p>The registration listener hears {@code registrationsLost} when a member that held this node's entries turns
 * out to have dropped them (it declared this node dead: a partition, a false alarm): this node's copies of the
 * others may then miss changes, and it fetches them all again. {@code leave} runs once, within a bounded time
 * whatever the members do; calls after it fail saying the cluster manager has left.
 *
 * <p>Concurrency: the cluster manager's state lives on the context of a Vert.x instance of its own (see
 * {@link ClusterCore}); registration listeners are called one at a time, in order, on a worker context of the
 * application's Vert.x instance, node listeners one at a time, in order, on a thread of their own; both may
 * block.
 */
public final class CkitClusterManager implements ClusterManager {

  /** The system property naming a JSON options file. */
  public static final String CONFIG_PROPERTY = "ckit.cluster.config";
  /** The class-path resource read when the system property is not set. */
  public static final String CONFIG_RESOURCE = "ckit-cluster.json";

  private static final System.Logger LOG = System.getLogger(CkitClusterManager.class.getName());

  private final CkitClusterOptions given;
  private Vertx vertx;
  private ContextInternal listenerContext;
  private volatile NodeListener nodeListener;
  private volatile RegistrationListener registrationListener;
  private volatile ClusterCore core;
  private volatile NodeInfo nodeInfo;
  private volatile DataClient dataClient;
  private volatile boolean active;
  /**
   * Where nodeAdded and nodeLeft are called: a thread that is no Vert.x context's. Vert.x's HA manager, inside
   * nodeLeft, runs a task with {@code vertx.runOnContext} and waits for it: on a worker context of its own
   * Vert.x that task would queue behind the waiting listener (30 s, the HA manager's limit, per fail-over).
   */
  private volatile ExecutorService membershipEvents;

  /** Options from {@value #CONFIG_PROPERTY}, {@value #CONFIG_RESOURCE} or the defaults, read when joining. */
  public CkitClusterManager() {
    this.given = null;
  }

  /**
   * @throws IllegalArgumentException naming the first invalid option
   */
  public CkitClusterManager(CkitClusterOptions options) {
    this.given = new CkitClusterOptions(options).validate();
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
    this.listenerContext = ((VertxInternal) vertx).createWorkerContext();
  }

  /** The options a no-argument cluster manager reads (blocking: file or class-path reads). */
  static CkitClusterOptions loadOptions() throws Exception {
    String file = System.getProperty(CONFIG_PROPERTY);
    if (file != null) {
      String text;
      try {
        text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (Exception e) {
        throw new IllegalArgumentException(CONFIG_PROPERTY + ": cannot read " + file + ": " + e, e);
      }
      return parse(text, file);
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = CkitClusterManager.class.getClassLoader();
    }
    try (InputStream in = loader.getResourceAsStream(CONFIG_RESOURCE)) {
      if (in != null) {
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "class-path " + CONFIG_RESOURCE);
      }
    }
    return new CkitClusterOptions().validate();
  }

  private static CkitClusterOptions parse(String text, String source) {
    try {
      return new CkitClusterOptions(new JsonObject(text)).validate();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void join(Completable<Void> promise) {
    Future<CkitClusterOptions> options = given != null ? Future.succeededFuture(given)
        : vertx.executeBlocking(CkitClusterManager::loadOptions, false);
    options.onComplete(loaded -> {
      if (loaded.failed()) {
        promise.fail(loaded.cause());
        return;
      }
      String threadName = "ckit-cm-membership-" + loaded.result().getName();
      membershipEvents = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, threadName);
        thread.setDaemon(true);
        return thread;
      });
      ClusterCore started = new ClusterCore(loaded.result(), new Listeners());
      core = started;
      started.start().onComplete(done -> {
        if (done.succeeded()) {
          dataClient = new DataClient(vertx, started, loaded.result().getSharedDataTimeout().toMillis());
          active = true;
          promise.succeed();
        } else {
          shutdown(started, () -> {
            stopMembershipEvents();
            promise.fail(done.cause());
          });
        }
      });
    });
  }

  /** Stops a core and closes its Vert.x instance, once, within a bounded time (see {@link ClusterCore#shutdown}). */
  private void shutdown(ClusterCore running, Runnable then) {
    running.shutdown(vertx).onComplete(closed -> then.run());
  }

  @Override
  public void leave(Completable<Void> promise) {
    ClusterCore running = core;
    active = false;
    if (running == null) {
      promise.succeed();
      return;
    }
    // The others must hold this node's last sync map writes when they see it leave (HA reads them then).
    SyncMaps maps = running.syncMaps();
    Future<Void> drained = maps == null || maps.stopped() ? Future.succeededFuture() : maps.drain();
    drained.onComplete(done -> shutdown(running, () -> {
      stopMembershipEvents();
      promise.succeed();
    }));
  }

  /** Lets the membership thread end once the events already queued have been delivered. */
  private void stopMembershipEvents() {
    ExecutorService events = membershipEvents;
    if (events != null) {
      events.shutdown();
    }
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public String getNodeId() {
    ClusterCore running = core;
    return running != null ? running.name() : given != null ? given.getName() : null;
  }

  @Override
  public List<String> getNodes() {
    ClusterCore running = core;
    return running == null ? List.of() : running.nodes;
  }

  @Override
  public void nodeListener(NodeListener listener) {
    this.nodeListener = listener;
  }

  @Override
  public void registrationListener(RegistrationListener registrationListener) {
    this.registrationListener = registrationListener;
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    this.nodeInfo = nodeInfo;
    withCore(promise, running -> running.change(NodeEntries.infoOp(nodeInfo)));
  }

  @Override
  public NodeInfo getNodeInfo() {
    return nodeInfo;
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    withCore(promise, running -> running.nodeInfo(nodeId));
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    withCore(promise, running -> running.change(NodeEntries.addOp(address, registrationInfo)));
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    withCore(promise, running -> running.change(NodeEntries.removeOp(address, registrationInfo)));
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    withCore(promise, running -> running.registrations(address));
  }

  @Override
  public String clusterHost() {
    ClusterCore running = core;
    return running == null ? null : running.host;
  }

  @Override
  public String clusterPublicHost() {
    return clusterHost();
  }

  /** The node's meters (ckit's and the cluster manager's {@code cluster_vertx_*}), once joined; else null. */
  public MeterRegistry meterRegistry() {
    ClusterCore running = core;
    return running == null ? null : running.meterRegistry();
  }

  /** Where the gossip and the cluster manager's routes listen for the others, once joined; else null. */
  public String advertiseAddress() {
    ClusterCore running = core;
    return running == null ? null : running.advertiseAddress();
  }

  @Override
  public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> promise) {
    DataClient client = dataClient(promise);
    if (client != null) {
      promise.succeed(new CkitAsyncMap<>(client, name));
    }
  }

  /**
   * A map replicated to every cluster-manager node ({@link SyncMap}): reads answer from this node's copy, writes
   * block the caller until every member has them. Vert.x opens one when HA is enabled.
   *
   * @throws IllegalStateException before the cluster manager has joined, or on its own event loop
   * @throws IllegalArgumentException when the name is empty or longer than 4096 characters
   */
  @Override
  public <K, V> Map<K, V> getSyncMap(String name) {
    if (name == null || name.isEmpty() || name.length() > Checks.MAX_TEXT) {
      throw new IllegalArgumentException("sync map name: 1 to " + Checks.MAX_TEXT + " characters are required");
    }
    ClusterCore running = core;
    SyncMaps maps = running == null ? null : running.syncMaps();
    if (maps == null || !active) {
      throw new IllegalStateException("sync map " + name + ": the cluster manager has not joined");
    }
    return new SyncMap<>(maps, name, maps.await(maps.view(name), "open"));
  }

  @Override
  public void getLockWithTimeout(String name, long timeout, Completable<Lock> promise) {
    DataClient client = dataClient(promise);
    if (client != null) {
      CkitLock.acquire(client, name, timeout).onComplete(promise);
    }
  }

  @Override
  public void getCounter(String name, Completable<Counter> promise) {
    DataClient client = dataClient(promise);
    if (client != null) {
      promise.succeed(new CkitCounter(client, name));
    }
  }

  /** The shared data's client once joined; else fails the promise and returns null. */
  private DataClient dataClient(Completable<?> promise) {
    DataClient client = dataClient;
    if (client == null || !active) {
      promise.fail(new IllegalStateException("the cluster manager has not joined"));
      return null;
    }
    return client;
  }

  private <T> void withCore(Completable<T> promise, java.util.function.Function<ClusterCore, Future<T>> call) {
    ClusterCore running = core;
    if (running == null) {
      promise.fail(new IllegalStateException("the cluster manager has not joined"));
      return;
    }
    call.apply(running).onComplete(promise);
  }

  /** Calls Vert.x's listeners one at a time, in order, on a worker context: they may block. */
  private final class Listeners implements ClusterCore.Listener {

    @Override
    public void nodeAdded(String name) {
      membership(name, true);
    }

    @Override
    public void nodeLeft(String name) {
      membership(name, false);
    }

    private void membership(String name, boolean added) {
      membershipEvents.execute(() -> {
        NodeListener listener = nodeListener;
        if (listener == null) {
          return;
        }
        try {
          if (added) {
            listener.nodeAdded(name);
          } else {
            listener.nodeLeft(name);
          }
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "node listener failed on " + (added ? "nodeAdded(" : "nodeLeft(")
              + name + ")", e);
        }
      });
    }

    @Override
    public void registrationsUpdated(String address, List<RegistrationInfo> registrations) {
      listenerContext.runOnContext(v -> {
        RegistrationListener listener = registrationListener;
        if (listener != null && listener.wantsUpdatesFor(address)) {
          listener.registrationsUpdated(new RegistrationUpdateEvent(address, registrations));
        }
      });
    }

    @Override
    public void registrationsLost() {
      listenerContext.runOnContext(v -> {
        RegistrationListener listener = registrationListener;
        if (listener != null) {
          listener.registrationsLost();
        }
      });
    }
  }
}
