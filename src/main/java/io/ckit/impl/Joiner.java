package io.ckit.impl;

import io.ckit.JoinOptions;
import io.ckit.gossip.HostPort;
import io.ckit.gossip.Member;
import io.ckit.gossip.Memberlist;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What a node joins, and when: each join resolves its addresses ({@link JoinAddressResolver}) and push/pulls
 * with a random few of them ({@link JoinOptions#getMaxJoinPeers()}); every rejoin interval, it joins only what
 * the node is missing: the addresses given to {@code start} that resolve to no alive member, and the members
 * that died or left within the retention window, whom the engine forgets long before that. In a healthy
 * cluster a rejoin resolves the names and sends nothing.
 *
 * <p>Concurrency: confined to the node's context, like the engine it drives; resolutions, which complete on
 * a resolver's thread, are handed back there before anything is read.
 */
final class Joiner {

  private static final System.Logger LOG = System.getLogger(Joiner.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final String nodeName;
  private final JoinOptions options;
  private final JoinAddressResolver resolver;
  private final SplittableRandom random = new SplittableRandom();
  /** Every address given to a join, in the form given (names are resolved again at each rejoin). */
  private final Set<String> remembered = new LinkedHashSet<>();
  /** Members that died or left, by name: their address and when they went. */
  private final Map<String, Departed> departed = new LinkedHashMap<>();

  private Memberlist engine;
  private String self;
  private int selfPort;
  private long rejoinTimer = -1;
  private int joinsInFlight;
  private boolean closed;

  private record Departed(String address, long sinceNanos) {}

  Joiner(Vertx vertx, Context context, String nodeName, JoinOptions options) {
    this.vertx = vertx;
    this.context = context;
    this.nodeName = nodeName;
    this.options = options;
    this.resolver = new JoinAddressResolver(vertx);
  }

  /** Starts the rejoin timer (when an interval is set) for an engine that has started at this address. */
  void start(Memberlist engine, String selfAddress) {
    this.engine = engine;
    this.self = selfAddress;
    this.selfPort = HostPort.parse(selfAddress).port();
    if (!options.getRejoinInterval().isZero()) {
      rejoinTimer = vertx.setPeriodic(options.getRejoinInterval().toMillis(), id -> rejoin());
    }
  }

  /**
   * Joins through the addresses (remembered for rejoins): resolves them, then push/pulls with at most
   * maxJoinPeers of them, picked at random, never this node's own address.
   *
   * @return completes once one answered, or when they resolve to this node alone (a cluster of one is what
   *     they list); fails when none resolves or none answers, saying why for each
   */
  Future<Void> join(List<String> addresses) {
    remembered.addAll(addresses);
    if (addresses.isEmpty()) {
      return Future.succeededFuture();
    }
    joinsInFlight++;
    return onContext(resolver.resolve(addresses, selfPort)).compose(resolution -> {
      List<String> candidates = new ArrayList<>(resolution.addresses());
      boolean listsSelf = candidates.remove(self);
      if (candidates.isEmpty()) {
        if (listsSelf) {
          warnUnresolved(resolution.errors());
          return Future.succeededFuture();
        }
        return Future.failedFuture(new IllegalStateException(resolution.errors().isEmpty()
            ? "no addresses to join" : String.join("; ", resolution.errors())));
      }
      List<String> picked = pick(candidates);
      return engine.join(picked).transform(joined -> {
        if (joined.failed()) {
          List<String> reasons = new ArrayList<>(resolution.errors());
          reasons.add(0, joined.cause().getMessage());
          return Future.failedFuture(new IllegalStateException("failed to join memberlist: "
              + String.join("; ", reasons), joined.cause()));
        }
        warnUnresolved(resolution.errors());
        LOG.log(Level.DEBUG, () -> "node " + nodeName + " joined through " + joined.result() + " of " + picked);
        return Future.<Void>succeededFuture();
      });
    }).onComplete(done -> joinsInFlight--);
  }

  /** Remembers a member that died or left, as a rejoin candidate for the retention window. */
  void departed(Member member) {
    if (!member.name().equals(nodeName) && !options.getRejoinRetention().isZero()) {
      departed.put(member.name(), new Departed(member.address(), System.nanoTime()));
    }
  }

  /** A member is alive (again): no longer a rejoin candidate. */
  void arrived(Member member) {
    departed.remove(member.name());
  }

  /** Stops rejoining and closes the resolver. */
  Future<Void> close() {
    closed = true;
    if (rejoinTimer >= 0) {
      vertx.cancelTimer(rejoinTimer);
    }
    return resolver.close();
  }

  /**
   * Joins what is missing. Skipped while a join or the previous rejoin is still under way: they would try the
   * same addresses.
   */
  private void rejoin() {
    if (closed || joinsInFlight > 0) {
      return;
    }
    joinsInFlight++;
    onContext(resolver.resolve(List.copyOf(remembered), selfPort)).compose(resolution -> {
      if (closed) {
        return Future.succeededFuture();
      }
      warnUnresolved(resolution.errors());
      List<String> missing = missing(resolution.addresses());
      if (missing.isEmpty()) {
        return Future.succeededFuture();
      }
      List<String> picked = pick(missing);
      LOG.log(Level.INFO, "node " + nodeName + ": rejoining " + picked + " (not among the alive members)");
      return engine.join(picked).<Void>mapEmpty().onFailure(failure -> LOG.log(Level.WARNING, "node "
          + nodeName + ": rejoin failed: " + failure.getMessage()));
    }).onComplete(done -> joinsInFlight--);
  }

  /** Resolved addresses and retained departed members' addresses that no alive member has. */
  private List<String> missing(Collection<String> resolved) {
    Set<String> alive = new HashSet<>();
    for (Member member : engine.members()) {
      alive.add(member.address());
    }
    long now = System.nanoTime();
    long retention = options.getRejoinRetention().toNanos();
    departed.values().removeIf(gone -> now - gone.sinceNanos() > retention);
    Set<String> missing = new LinkedHashSet<>();
    for (String address : resolved) {
      if (!alive.contains(address) && !address.equals(self)) {
        missing.add(address);
      }
    }
    for (Departed gone : departed.values()) {
      if (!alive.contains(gone.address())) {
        missing.add(gone.address());
      }
    }
    return List.copyOf(missing);
  }

  /** At most maxJoinPeers of the addresses, picked at random. */
  private List<String> pick(List<String> addresses) {
    List<String> shuffled = new ArrayList<>(addresses);
    for (int i = shuffled.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      String swap = shuffled.get(i);
      shuffled.set(i, shuffled.get(j));
      shuffled.set(j, swap);
    }
    return List.copyOf(shuffled.subList(0, Math.min(shuffled.size(), options.getMaxJoinPeers())));
  }

  private void warnUnresolved(List<String> errors) {
    if (!errors.isEmpty()) {
      LOG.log(Level.WARNING, "node " + nodeName + ": " + String.join("; ", errors));
    }
  }

  /** The future's outcome, delivered on the node's context. */
  private <T> Future<T> onContext(Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(done -> context.runOnContext(nothing -> promise.handle(done)));
    return promise.future();
  }
}
