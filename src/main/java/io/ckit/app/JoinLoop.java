package io.ckit.app;

import io.ckit.Node;
import io.ckit.peer.PeerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

/**
 * Takes the runnable node into its cluster and keeps it there: joins the join addresses, retrying with backoff
 * (1 s, doubling up to 10 s) until one answers; then moves to the configured state; then, every rejoin interval,
 * joins the addresses again.
 *
 * <p>Concurrency: the loop runs in the callbacks of the node's futures and of Vert.x timers; its flags are
 * volatile because the routes read them on the server's event loop and {@link #stop()} comes from the thread
 * that shuts the application down.
 */
final class JoinLoop {

  private static final System.Logger LOG = System.getLogger("io.ckit.app");
  private static final long RETRY_MIN_MILLIS = 1_000;
  private static final long RETRY_MAX_MILLIS = 10_000;

  private final Vertx vertx;
  private final List<String> peers;
  private final PeerState state;
  private final Duration rejoinInterval;
  private volatile Node node;
  private volatile boolean joined;
  private volatile boolean stopped;

  /**
   * @param peers          the join addresses (none: start a new cluster)
   * @param state          the state to move to once joined (participant, or viewer to stay as it starts)
   * @param rejoinInterval how often to join again once joined; zero for never
   */
  JoinLoop(Vertx vertx, List<String> peers, PeerState state, Duration rejoinInterval) {
    this.vertx = vertx;
    this.peers = List.copyOf(peers);
    this.state = state;
    this.rejoinInterval = rejoinInterval;
  }

  /** Starts joining in the background. */
  void start(Node node) {
    this.node = node;
    join(RETRY_MIN_MILLIS);
  }

  /** Stops the loop: no more tries, rejoins or state change, and the node no longer counts as joined. */
  void stop() {
    stopped = true;
  }

  /** Whether the node has joined and reached the configured state, and the loop has not been stopped. */
  boolean joined() {
    return joined && !stopped;
  }

  private void join(long retryMillis) {
    if (stopped) {
      return;
    }
    node.start(peers).onComplete(started -> {
      if (stopped) {
        return;
      }
      if (started.failed()) {
        LOG.log(Level.WARNING, "join failed, retrying in " + retryMillis + " ms: " + started.cause().getMessage());
        vertx.setTimer(retryMillis, id -> join(Math.min(RETRY_MAX_MILLIS, retryMillis * 2)));
        return;
      }
      LOG.log(Level.INFO, peers.isEmpty() ? "started a new cluster" : "joined through " + peers);
      Future<Void> moved = state == PeerState.PARTICIPANT
          ? node.changeState(PeerState.PARTICIPANT) : Future.succeededFuture();
      moved.onComplete(done -> {
        if (done.succeeded()) {
          joined = true;
          LOG.log(Level.INFO, "state " + node.currentState());
        } else {
          LOG.log(Level.WARNING, "cannot move to " + state + ": " + done.cause().getMessage());
        }
      });
      if (!peers.isEmpty() && !rejoinInterval.isZero()) {
        vertx.setPeriodic(rejoinInterval.toMillis(), this::rejoin);
      }
    });
  }

  /**
   * Joins the join addresses again: a push/pull with each, which costs little when nothing is wrong and
   * merges the cluster back together after a partition long enough for both sides to forget each other.
   */
  private void rejoin(long timer) {
    if (stopped) {
      vertx.cancelTimer(timer);
      return;
    }
    node.start(peers).onComplete(started -> {
      if (started.succeeded()) {
        LOG.log(Level.DEBUG, "rejoined through " + peers);
      } else if (!stopped) {
        LOG.log(Level.WARNING, "rejoin failed: " + started.cause().getMessage());
      }
    });
  }
}
