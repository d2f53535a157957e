package io.ckit.cluster;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The cluster-wide locks as this node's callers see them: the node asks a lock's owner (see {@link DataService})
 * once for all its callers that want the lock, and passes a lock it holds from one of its callers to the next.
 *
 * <p>A lock the owner granted this node stays this node's for {@code reuseMillis} after the grant, while no other
 * node asks for it: a caller of this node that asks in that time gets it without a request to the owner, after
 * the callers of this node already waiting. When another node asks, the owner says so (in the grant's answer, or
 * on the {@code revoke} route), and this node gives the lock back once its current caller releases it; its callers
 * still waiting ask the owner again, behind the other node. Past {@code reuseMillis} the node gives the lock back
 * at the next release, so a node declared dead (paused, cut off) has stopped passing a lock on by itself before
 * the owner frees it: the reuse time is at most a quarter of the gossip's shortest suspicion time.
 *
 * <p>The requests to the owner carry a lock id of this node's name, a random part of this run and a count; the
 * owner's wire format is unchanged.
 *
 * <p>Concurrency: every method runs on the cluster manager's context.
 */
final class NodeLocks {

  private static final System.Logger LOG = System.getLogger(NodeLocks.class.getName());

  private final ClusterCore core;
  private final Vertx own;
  private final String self;
  private final String run = Long.toHexString(ThreadLocalRandom.current().nextLong());
  private final long reuseMillis;
  private final long timeoutMillis;
  private final Map<String, State> locks = new HashMap<>();
  private final Counter localGrants;
  private final Counter revokes;
  private volatile int localWaiting;
  private volatile int holding;
  private long nextHold;
  private long nextRequest;
  private boolean stopped;

  /** One caller waiting on this node. */
  private static final class Waiter {
    final long hold;
    final Promise<Long> promise = Promise.promise();
    /** Epoch millis. */
    final long deadline;
    long timer = -1;

    Waiter(long hold, long deadline) {
      this.hold = hold;
      this.deadline = deadline;
    }
  }

  /** One lock as this node has it. */
  private static final class State {
    final String space;
    final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    /** The id of this node's request to the owner or of its hold; null when neither. */
    String lockId;
    boolean requested;
    boolean held;
    /** System.nanoTime() of the owner's grant. */
    long grantedAt;
    /** Another node waits: give the lock back at the next release. */
    boolean wanted;
    /** The caller holding it (a hold number), 0 for none. */
    long holder;
    long reuseTimer = -1;

    State(String space) {
      this.space = space;
    }
  }

  NodeLocks(ClusterCore core, Vertx own, String self, long reuseMillis, long timeoutMillis, MeterRegistry registry,
      String label) {
    this.core = core;
    this.own = own;
    this.self = self;
    this.reuseMillis = reuseMillis;
    this.timeoutMillis = timeoutMillis;
    localGrants = Counter.builder("cluster_vertx_lock_local_grants_total")
        .description("Locks passed to a caller of this node without a request to the lock's owner (lockReuse)")
        .tag("cluster_name", label).register(registry);
    revokes = Counter.builder("cluster_vertx_lock_revokes_total")
        .description("Times a lock's owner told this node that another node waits for a lock it holds")
        .tag("cluster_name", label).register(registry);
    Gauge.builder("cluster_vertx_lock_local_waiters", this, locks -> locks.localWaiting)
        .description("Callers of this node waiting for a lock").tag("cluster_name", label).register(registry);
    Gauge.builder("cluster_vertx_lock_held", this, locks -> locks.holding)
        .description("Locks the owners granted to this node, held by a caller or kept for reuse")
        .tag("cluster_name", label).register(registry);
  }

  /** Mounts the {@code revoke} route: a lock's owner telling this node that another node waits. */
  void mount(io.vertx.ext.web.Router router) {
    router.route(ClusterCore.BASE_PATH + "revoke").handler(r -> core.receive(r.request(), "revoke", body -> {
      Checks.text(body, "from");
      return Future.succeededFuture(onRevoke(Checks.text(body, "s"), Checks.text(body, "lockId")));
    }));
  }

  /**
   * Waits for the lock at most {@code timeoutMillis} (0: only if it is free now); completes with the caller's hold
   * number, or fails with {@link CkitLock#TIMED_OUT}.
   */
  Future<Long> acquire(String name, long timeoutMillis) {
    if (stopped) {
      return Future.failedFuture("the cluster manager has left the cluster");
    }
    State state = locks.computeIfAbsent("l:" + name, State::new);
    long hold = ++nextHold;
    if (state.held && state.holder == 0 && state.queue.isEmpty() && reusable(state)) {
      state.holder = hold;
      localGrants.increment();
      return Future.succeededFuture(hold);
    }
    if (timeoutMillis == 0 && (state.holder != 0 || state.requested || !state.queue.isEmpty())) {
      return Future.failedFuture(CkitLock.TIMED_OUT);
    }
    long wait = Math.min(timeoutMillis, 365L * 24 * 3600 * 1000);
    Waiter waiter = new Waiter(hold, System.currentTimeMillis() + wait);
    state.queue.add(waiter);
    if (wait > 0) {
      waiter.timer = own.setTimer(wait, id -> {
        if (state.requested && state.queue.peek() == waiter) {
          // The owner counts this caller's time (from when the request reaches it) and answers for it.
          return;
        }
        if (state.queue.remove(waiter)) {
          waiter.promise.tryFail(CkitLock.TIMED_OUT);
          recount();
          if (state.queue.isEmpty() && state.requested) {
            withdraw(state);
          }
          pump(state);
        }
      });
    }
    recount();
    pump(state);
    return waiter.promise.future();
  }

  /** A caller releases its hold: the lock goes to this node's next caller, or back to the owner. */
  void release(String name, long hold) {
    State state = locks.get("l:" + name);
    if (state != null && state.holder == hold) {
      state.holder = 0;
      pump(state);
    }
  }

  /**
   * The owner says another node waits for a lock this node holds or asked for. Answers {@code released: true}
   * when this node does not hold that lock (any more), or had it free and gives it back with this answer (the
   * owner passes it on at once; the unlock sent as well finds it passed on); else the lock goes back at its
   * holder's release.
   */
  JsonObject onRevoke(String space, String lockId) {
    State state = locks.get(space);
    if (state == null || !lockId.equals(state.lockId)) {
      return new JsonObject().put("released", true);
    }
    revokes.increment();
    state.wanted = true;
    boolean free = state.held && state.holder == 0;
    pump(state);
    return free ? new JsonObject().put("released", true) : new JsonObject();
  }

  /** This node was declared dead by a member: no lock it holds is passed on by itself any more. */
  void forgetReuse() {
    for (State state : new ArrayList<>(locks.values())) {
      state.grantedAt = System.nanoTime() - Math.max(1, reuseMillis) * 1_000_000L;
      pump(state);
    }
  }

  /** The cluster manager leaves: waiting callers fail; held locks are freed by the owners once it has left. */
  void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    for (State state : locks.values()) {
      own.cancelTimer(state.reuseTimer);
      for (Waiter waiter : state.queue) {
        own.cancelTimer(waiter.timer);
        waiter.promise.tryFail("the cluster manager has left the cluster");
      }
      state.queue.clear();
    }
    locks.clear();
    recount();
  }

  private boolean reusable(State state) {
    return reuseMillis > 0 && System.nanoTime() - state.grantedAt < reuseMillis * 1_000_000L;
  }

  /** Moves a lock on: to this node's next caller, back to the owner, or asks the owner for it. */
  private void pump(State state) {
    if (stopped) {
      return;
    }
    if (state.held) {
      if (state.holder != 0) {
        return;
      }
      boolean keep = !state.wanted && reusable(state);
      if (keep && !state.queue.isEmpty()) {
        localGrants.increment();
        serve(state, state.queue.poll());
        return;
      }
      if (keep) {
        return;
      }
      giveBack(state);
    }
    if (!state.requested && !state.queue.isEmpty()) {
      request(state);
    }
    if (!state.held && !state.requested && state.queue.isEmpty()) {
      locks.remove(state.space);
    }
  }

  private void serve(State state, Waiter waiter) {
    own.cancelTimer(waiter.timer);
    state.holder = waiter.hold;
    recount();
    waiter.promise.tryComplete(waiter.hold);
  }

  private void request(State state) {
    String lockId = self + "|" + run + "." + (++nextRequest);
    state.lockId = lockId;
    state.requested = true;
    state.wanted = false;
    // The owner counts the first caller's time: it decides for the first caller (see acquire's timer).
    Waiter first = state.queue.peek();
    long deadline = first.deadline;
    boolean tryOnce = first.timer == -1;
    JsonObject base = new JsonObject().put("op", "lock").put("lockId", lockId);
    core.data().call(state.space, "", left -> base.copy().put("timeout", tryOnce ? 0 : left), deadline)
        .onComplete(done -> answered(state, lockId, done.succeeded() ? done.result() : null, done.cause()));
  }

  private void answered(State state, String lockId, JsonObject answer, Throwable failure) {
    if (stopped || !lockId.equals(state.lockId) || !state.requested) {
      // Withdrawn meanwhile: the unlock sent for this id frees whatever the owner did with it.
      return;
    }
    state.requested = false;
    if (answer != null && Boolean.TRUE.equals(answer.getValue("granted"))) {
      state.held = true;
      state.grantedAt = System.nanoTime();
      recount();
      state.wanted |= Boolean.TRUE.equals(answer.getValue("wanted"));
      if (reuseMillis > 0) {
        state.reuseTimer = own.setTimer(reuseMillis, id -> {
          state.reuseTimer = -1;
          pump(state);
        });
      }
      Waiter first = state.queue.poll();
      if (first != null) {
        serve(state, first);
      } else {
        pump(state);
      }
      return;
    }
    if (failure != null) {
      LOG.log(Level.DEBUG, state.space + ": asking for the lock failed: " + failure.getMessage());
      withdraw(state);
    } else {
      state.lockId = null;
    }
    // The owner gave up on the first caller's time: it fails, with any other caller past its time.
    Waiter first = state.queue.poll();
    if (first != null) {
      own.cancelTimer(first.timer);
      first.promise.tryFail(CkitLock.TIMED_OUT);
    }
    long now = System.currentTimeMillis();
    state.queue.removeIf(waiter -> {
      if (waiter.deadline <= now) {
        own.cancelTimer(waiter.timer);
        waiter.promise.tryFail(CkitLock.TIMED_OUT);
        return true;
      }
      return false;
    });
    recount();
    pump(state);
  }

  /** Gives a held lock back to its owner (the owner passes it to its next waiter). */
  private void giveBack(State state) {
    String lockId = state.lockId;
    state.held = false;
    recount();
    state.lockId = null;
    state.wanted = false;
    own.cancelTimer(state.reuseTimer);
    state.reuseTimer = -1;
    unlock(state.space, lockId);
  }

  /** Takes back a request still waiting on the owner (or the lock, if the owner granted it meanwhile). */
  private void withdraw(State state) {
    String lockId = state.lockId;
    state.requested = false;
    state.lockId = null;
    if (lockId != null) {
      unlock(state.space, lockId);
    }
  }

  private void unlock(String space, String lockId) {
    JsonObject body = new JsonObject().put("op", "unlock").put("lockId", lockId);
    core.data().call(space, "", left -> body.copy(), System.currentTimeMillis() + timeoutMillis).onFailure(f ->
        LOG.log(Level.DEBUG, space + ": giving back " + lockId + " failed: " + f.getMessage()));
  }

  private void recount() {
    int n = 0;
    int held = 0;
    for (State state : locks.values()) {
      n += state.queue.size();
      held += state.held ? 1 : 0;
    }
    localWaiting = n;
    holding = held;
  }
}
