package io.ckit.impl;

import io.ckit.NodeStoppedException;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

/**
 * Grafana Alloy's wait-for-size as a future: completes once the node has seen {@code minSize} participants
 * (itself included), or, when a timeout is set, once that much time has passed since the node started,
 * whatever the size (the cluster carries on smaller; the log says so). Completes at once for a minimum of 0.
 * It happens once: a cluster that shrinks later does not make the node unready again.
 *
 * <p>Concurrency: node context, except {@link #future()} and {@link #participants()}, readable anywhere.
 */
final class ClusterSizeWait {

  private static final System.Logger LOG = System.getLogger(ClusterSizeWait.class.getName());

  private final Vertx vertx;
  private final String nodeName;
  private final int minSize;
  private final Duration timeout;
  private final Promise<Void> ready = Promise.promise();
  private volatile int participants;
  private long timer = -1;

  ClusterSizeWait(Vertx vertx, String nodeName, int minSize, Duration timeout) {
    this.vertx = vertx;
    this.nodeName = nodeName;
    this.minSize = minSize;
    this.timeout = timeout;
    if (minSize <= 0) {
      ready.complete();
    }
  }

  /** The node has started: the timeout runs from here. */
  void started() {
    if (!ready.future().isComplete() && !timeout.isZero() && !timeout.isNegative() && timer < 0) {
      timer = vertx.setTimer(timeout.toMillis(), id -> {
        timer = -1;
        if (ready.tryComplete()) {
          LOG.log(Level.WARNING, "node " + nodeName + ": " + participants + " of " + minSize
              + " participants after " + timeout.toMillis() + " ms (clusterSizeWaitTimeout): carrying on");
        }
      });
    }
  }

  /** Counts the participants of a new peer set. */
  void peersChanged(List<Peer> peers) {
    int count = 0;
    for (Peer peer : peers) {
      if (peer.state() == PeerState.PARTICIPANT) {
        count++;
      }
    }
    participants = count;
    if (count >= minSize && ready.tryComplete()) {
      cancelTimer();
      LOG.log(Level.INFO, "node " + nodeName + ": " + count + " participants, at least " + minSize
          + " (minClusterSize): ready");
    }
  }

  /** The node stopped before the cluster was big enough. */
  void stopped() {
    cancelTimer();
    ready.tryFail(new NodeStoppedException());
  }

  Future<Void> future() {
    return ready.future();
  }

  /** Participants in the last peer set, this node included. */
  int participants() {
    return participants;
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
