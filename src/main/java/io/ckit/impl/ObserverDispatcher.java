package io.ckit.impl;

import io.ckit.Observer;
import io.ckit.ObserverRegistration;
import io.ckit.metrics.NodeMetrics;
import io.ckit.peer.Peer;
import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tells a node's observers about peer sets as ckit's notify queue does: the newest set offered replaces one not
 * yet delivered (so a slow observer builds no backlog and sees only the latest), a set equal to the last
 * delivered one is skipped, observers are called one after another in registration order, and one that
 * returns false (or throws) is dropped. With a minimum interval, a round starts no sooner than that after the
 * start of the one before; what arrives meanwhile waits, coalesced, for the next.
 *
 * <p>Each observer is called where Vert.x calls any handler: on the context that registered it (a verticle's
 * observer on the verticle's event loop), or, when it was registered from outside Vert.x, on a worker thread,
 * one call at a time. An observer registered by a verticle is dropped when the verticle is undeployed. Every
 * call is a task of its own, so an observer that shares the node's context delays gossip only if it blocks.
 *
 * <p>Concurrency: the list of observers and the delivery state belong to the node's context; {@link
 * #register} and {@link ObserverRegistration#unregister()} may be called from anywhere and hop there.
 */
final class ObserverDispatcher {

  private static final System.Logger LOG = System.getLogger(ObserverDispatcher.class.getName());

  private final String nodeName;
  private final Context nodeContext;
  private final NodeMetrics metrics;
  private final long minIntervalNanos;
  // Node context only.
  private final List<Registered> observers = new ArrayList<>();
  private List<Peer> pending;
  private List<Peer> lastDelivered;
  private boolean delivering;
  private boolean closed;
  /** When the last round started, if there was one; and the timer that holds the next one back. */
  private boolean hadRound;
  private long lastRoundNanos;
  private long holdTimer = -1;

  /**
   * @param minInterval the least time between the starts of two rounds; zero for none
   */
  ObserverDispatcher(String nodeName, Context nodeContext, NodeMetrics metrics, Duration minInterval) {
    this.nodeName = nodeName;
    this.nodeContext = nodeContext;
    this.metrics = metrics;
    this.minIntervalNanos = minInterval.toNanos();
  }

  /** Registers an observer to be called on the caller's context (a worker when there is none). */
  ObserverRegistration register(Observer observer) {
    Registered registered = new Registered(observer, Vertx.currentContext());
    onNode(() -> {
      if (!closed) {
        observers.add(registered);
        metrics.observers(observers.size());
      }
    });
    return registered;
  }

  /** Offers the newest peer set; node context. */
  void offer(List<Peer> peers) {
    if (closed) {
      return;
    }
    pending = peers;
    if (!delivering && holdTimer < 0) {
      nextRound();
    }
  }

  /** Stops telling observers; a call under way finishes. Node context. */
  void close() {
    closed = true;
    pending = null;
    if (holdTimer >= 0) {
      nodeContext.owner().cancelTimer(holdTimer);
      holdTimer = -1;
    }
    observers.forEach(Registered::forget);
    observers.clear();
    metrics.observers(0);
  }

  private void nextRound() {
    if (closed || pending == null) {
      return;
    }
    if (pending.equals(lastDelivered)) {
      pending = null;
      return;
    }
    long now = System.nanoTime();
    long wait = hadRound ? lastRoundNanos + minIntervalNanos - now : 0;
    if (wait > 0) {
      // Too soon after the last round: come back when the interval is over, with whatever is newest then.
      holdTimer = nodeContext.owner().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait) + 1), id -> {
        holdTimer = -1;
        if (!delivering) {
          nextRound();
        }
      });
      return;
    }
    List<Peer> peers = pending;
    pending = null;
    hadRound = true;
    lastRoundNanos = now;
    lastDelivered = peers;
    delivering = true;
    metrics.updating(true);
    deliver(List.copyOf(observers), 0, peers, System.nanoTime());
  }

  private void deliver(List<Registered> round, int index, List<Peer> peers, long start) {
    while (index < round.size() && (round.get(index).removed || closed)) {
      index++;
    }
    if (index == round.size()) {
      metrics.updateDuration().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      metrics.updating(false);
      delivering = false;
      if (holdTimer < 0) {
        nextRound();
      }
      return;
    }
    Registered target = round.get(index);
    int next = index + 1;
    target.inFlight = true;
    target.call(peers).onComplete(result -> onNode(() -> {
      target.inFlight = false;
      if (result.failed()) {
        LOG.log(Level.WARNING, "node " + nodeName + ": observer " + target.observer + " failed and is unregistered: "
            + result.cause());
      }
      if (result.failed() || !result.result()) {
        remove(target);
      }
      target.callDone();
      deliver(round, next, peers, start);
    }));
  }

  private void remove(Registered registered) {
    registered.removed = true;
    if (observers.remove(registered)) {
      metrics.observers(observers.size());
    }
  }

  private void onNode(Runnable task) {
    if (Vertx.currentContext() == nodeContext) {
      task.run();
    } else {
      nodeContext.runOnContext(nothing -> task.run());
    }
  }

  /** One registration: the observer and where it runs. */
  private final class Registered implements ObserverRegistration, io.vertx.core.Closeable {
    private final Observer observer;
    /** The registering context, or null for a worker. */
    private final ContextInternal context;
    /** Set on any thread; once set, no new call starts. */
    private volatile boolean removed;
    // Node context only.
    private boolean inFlight;
    private Promise<Void> unregistered;

    Registered(Observer observer, Context context) {
      this.observer = observer;
      this.context = (ContextInternal) context;
      if (this.context != null && this.context.deployment() != null) {
        this.context.addCloseHook(this);
      }
    }

    /** Calls the observer where it runs; the future completes there with its answer. */
    Future<Boolean> call(List<Peer> peers) {
      if (context == null) {
        return nodeContext.executeBlocking(() -> removed || observer.peersChanged(peers), true);
      }
      Promise<Boolean> answer = Promise.promise();
      context.runOnContext(nothing -> {
        try {
          answer.complete(removed || observer.peersChanged(peers));
        } catch (RuntimeException e) {
          answer.fail(e);
        }
      });
      return answer.future();
    }

    @Override
    public Future<Void> unregister() {
      removed = true;
      Promise<Void> done = Promise.promise();
      onNode(() -> {
        remove(this);
        unhook();
        if (inFlight) {
          unregistered = done;
        } else {
          done.complete();
        }
      });
      return done.future();
    }

    /** The verticle that registered the observer was undeployed. */
    @Override
    public void close(Completable<Void> completion) {
      removed = true;
      onNode(() -> remove(this));
      completion.succeed();
    }

    void callDone() {
      if (unregistered != null) {
        unregistered.complete();
        unregistered = null;
      }
    }

    void forget() {
      removed = true;
      unhook();
    }

    private void unhook() {
      if (context != null && context.deployment() != null) {
        context.removeCloseHook(this);
      }
    }

    @Override
    public String toString() {
      return observer.toString();
    }
  }
}
