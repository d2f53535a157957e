package io.ckit.impl;

import io.ckit.Observer;
import io.ckit.metrics.NodeMetrics;
import io.ckit.peer.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tells a node's observers about peer sets on a thread of its own, as ckit's notify queue does: the newest
 * set offered replaces one not yet delivered (so a slow observer sees only the latest), a set equal to the
 * last delivered one is skipped, observers run in registration order, and one that returns false (or throws)
 * is dropped.
 */
final class ObserverDispatcher {

  private static final System.Logger LOG = System.getLogger(ObserverDispatcher.class.getName());

  private final String nodeName;
  private final NodeMetrics metrics;
  private final ExecutorService thread;
  private final AtomicReference<List<Peer>> pending = new AtomicReference<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final ConcurrentLinkedQueue<Observer> registrations = new ConcurrentLinkedQueue<>();
  /** Observer thread only. */
  private final List<Observer> observers = new ArrayList<>();
  private List<Peer> lastDelivered;
  private volatile boolean closed;

  ObserverDispatcher(String nodeName, NodeMetrics metrics) {
    this.nodeName = nodeName;
    this.metrics = metrics;
    this.thread = Executors.newSingleThreadExecutor(runnable -> {
      Thread t = new Thread(runnable, "ckit-observers-" + nodeName);
      t.setDaemon(true);
      return t;
    });
  }

  void register(Observer observer) {
    registrations.add(observer);
    schedule();
  }

  /** Offers the newest peer set; returns at once. */
  void offer(List<Peer> peers) {
    pending.set(peers);
    schedule();
  }

  /** Stops telling observers; a delivery under way finishes. */
  void close() {
    closed = true;
    thread.shutdown();
  }

  private void schedule() {
    if (!closed && scheduled.compareAndSet(false, true)) {
      try {
        thread.execute(this::drain);
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
      }
    }
  }

  private void drain() {
    while (true) {
      Observer added;
      while ((added = registrations.poll()) != null) {
        observers.add(added);
      }
      metrics.observers(observers.size());
      List<Peer> peers = pending.getAndSet(null);
      if (peers != null && !closed && !peers.equals(lastDelivered)) {
        lastDelivered = peers;
        deliver(peers);
        continue;
      }
      scheduled.set(false);
      if ((pending.get() == null && registrations.isEmpty()) || !scheduled.compareAndSet(false, true)) {
        return;
      }
    }
  }

  private void deliver(List<Peer> peers) {
    metrics.updating(true);
    long start = System.nanoTime();
    try {
      List<Observer> keep = new ArrayList<>(observers.size());
      for (Observer observer : observers) {
        boolean stay;
        try {
          stay = observer.peersChanged(peers);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "node " + nodeName + ": observer " + observer
              + " failed and is unregistered: " + e);
          stay = false;
        }
        if (stay) {
          keep.add(observer);
        }
      }
      observers.clear();
      observers.addAll(keep);
      metrics.observers(observers.size());
    } finally {
      metrics.updateDuration().record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
      metrics.updating(false);
    }
  }
}
