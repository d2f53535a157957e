package io.ckit.impl;

import io.ckit.Node;
import io.ckit.NodeOptions;
import io.ckit.ObserverRegistration;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

/**
 * Takes a node into its cluster and to its configured state, for {@link io.ckit.NodeVerticle} and the runnable
 * node: it starts the node, then joins the options' join addresses in the background, retrying with backoff
 * (1 s, doubling up to 10 s) while none resolves or answers. The node has joined, and moves to its configured
 * state ({@link NodeOptions#getState()}), as soon as one of these happens:
 * <ul>
 *   <li>its own join succeeds;
 *   <li>a peer joins it (it sees another member): a node whose join addresses never answer, because they are
 *       another cluster's, is not left a viewer when its own cluster finds it; it stops trying them;
 *   <li>the join has failed for {@link io.ckit.JoinOptions#getJoinTimeout()} (when set): it carries on as a
 *       new cluster, and goes on trying until it joins or is joined.
 * </ul>
 * From then on, what the node misses is joined by the node's rejoin ({@link
 * io.ckit.JoinOptions#getRejoinInterval()}).
 *
 * <p>Concurrency: the loop runs on the context it was started on (the node's, for a verticle), in the callbacks
 * of the node's futures, its observer and Vert.x timers; its flags are volatile because a server's routes read
 * them on other event loops and {@link #stop()} may come from any thread.
 */
public final class JoinLoop {

  private static final System.Logger LOG = System.getLogger(JoinLoop.class.getName());
  private static final long RETRY_MIN_MILLIS = 1_000;
  private static final long RETRY_MAX_MILLIS = 10_000;

  private final Vertx vertx;
  private final Node node;
  private final List<String> addresses;
  private final PeerState state;
  private final Duration joinTimeout;
  private final boolean aloneWhenRefused;
  private final Promise<Void> joinedPromise = Promise.promise();
  private ObserverRegistration watch;
  /** Joined (by its own join or a peer's): no more tries. */
  private volatile boolean settled;
  /** In the configured state (or on the way there). */
  private volatile boolean moving;
  private volatile boolean joined;
  private volatile boolean stopped;

  /** A loop for a created node, with the join addresses, state and join timeout of its options. */
  public JoinLoop(Vertx vertx, Node node) {
    this(vertx, node, false);
  }

  /**
   * A loop that, when {@code aloneWhenRefused}, carries on as a new cluster as soon as a join attempt finds
   * every address refusing connections (nothing listens there: no seed is up), and goes on trying in the
   * background as always: the cluster manager's join. A seed that is up but slow to answer (a timeout, an
   * error) is waited for: the loop retries it rather than starting a second cluster beside it.
   */
  public JoinLoop(Vertx vertx, Node node, boolean aloneWhenRefused) {
    NodeOptions options = node.options();
    this.aloneWhenRefused = aloneWhenRefused;
    this.vertx = vertx;
    this.node = node;
    this.addresses = List.copyOf(options.getJoinAddresses());
    this.state = options.getState();
    this.joinTimeout = options.getJoin().getJoinTimeout();
  }

  /**
   * Starts the node (alone) and begins joining in the background.
   *
   * @return completes once the node runs, fails as {@link Node#start} does when it cannot start (a port in use,
   *     an advertise host that does not resolve); the join goes on after it
   */
  public Future<Void> start() {
    return node.start(List.of()).onSuccess(started -> {
      if (addresses.isEmpty()) {
        LOG.log(Level.INFO, "node " + node.name() + ": no join addresses: started a new cluster");
        settled = true;
        moveToState();
        return;
      }
      watch = node.observe(peers -> {
        if (!settled && !stopped && peers.stream().anyMatch(peer -> !peer.self())) {
          settled = true;
          LOG.log(Level.INFO, "node " + node.name() + ": joined by " + others(peers) + " (its own join addresses "
              + addresses + " have not answered)");
          moveToState();
        }
        return !settled && !stopped;
      });
      if (!joinTimeout.isZero()) {
        vertx.setTimer(joinTimeout.toMillis(), id -> {
          if (!moving && !stopped) {
            LOG.log(Level.WARNING, "node " + node.name() + ": no join address answered for " + joinTimeout
                + ": carrying on as a new cluster (and still trying " + addresses + ")");
            moveToState();
          }
        });
      }
      join(RETRY_MIN_MILLIS);
    });
  }

  /** Stops the loop: no more tries or state change, and the node no longer counts as joined. */
  public void stop() {
    stopped = true;
    ObserverRegistration registration = watch;
    if (registration != null) {
      registration.unregister();
    }
  }

  /** Whether the node has joined (or carried on alone) and reached its configured state, and the loop runs. */
  public boolean joined() {
    return joined && !stopped;
  }

  /** Completes once the node has reached its configured state after joining (or carrying on alone). */
  public Future<Void> whenJoined() {
    return joinedPromise.future();
  }

  private void join(long retryMillis) {
    if (stopped || settled) {
      return;
    }
    node.start(addresses).onComplete(started -> {
      if (stopped || settled) {
        return;
      }
      if (started.succeeded()) {
        settled = true;
        LOG.log(Level.INFO, "node " + node.name() + ": joined through " + addresses);
        moveToState();
        return;
      }
      boolean refused = aloneWhenRefused && allRefused(started.cause());
      LOG.log(moving || refused ? Level.DEBUG : Level.WARNING, "node " + node.name() + ": join failed, retrying in "
          + retryMillis + " ms: " + started.cause().getMessage());
      if (refused && !moving) {
        LOG.log(Level.INFO, "node " + node.name() + ": no join address answered: carrying on as a new cluster"
            + " (and still trying " + addresses + ")");
        moveToState();
      }
      vertx.setTimer(retryMillis, id -> join(Math.min(RETRY_MAX_MILLIS, retryMillis * 2)));
    });
  }

  /** Whether a join failed only because every address refused the connection (the join's own wording). */
  static boolean allRefused(Throwable failure) {
    String message = failure.getMessage();
    if (message == null || !message.startsWith("failed to join memberlist: ")) {
      return false;
    }
    for (String reason : message.substring("failed to join memberlist: ".length()).split("; ")) {
      if (!reason.contains("Connection refused")) {
        return false;
      }
    }
    return true;
  }

  private void moveToState() {
    if (moving || stopped) {
      return;
    }
    moving = true;
    Future<Void> moved = state == PeerState.PARTICIPANT && node.currentState() == PeerState.VIEWER
        ? node.changeState(PeerState.PARTICIPANT) : Future.succeededFuture();
    moved.onComplete(done -> {
      if (done.succeeded()) {
        joined = true;
        LOG.log(Level.INFO, "node " + node.name() + ": state " + node.currentState());
        joinedPromise.tryComplete();
      } else if (!stopped) {
        LOG.log(Level.WARNING, "node " + node.name() + ": cannot move to " + state + ": "
            + done.cause().getMessage());
      }
    });
  }

  private static String others(List<Peer> peers) {
    return peers.stream().filter(peer -> !peer.self()).map(Peer::name).toList().toString();
  }
}
