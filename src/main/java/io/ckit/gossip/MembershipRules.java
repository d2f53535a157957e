package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.MemberState;
import io.ckit.wire.Message;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.Dead;
import io.ckit.wire.Message.Suspect;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * memberlist's membership rules (the alive, suspect and dead half of its state.go): what news about a member
 * does to the {@link MemberTable}, when this node refutes news about itself, and the suspicion timers
 * ({@link Suspicion}) that turn an unrefuted suspect into a dead member. Accepted news is queued for gossip;
 * the delegate hears of joins, leaves, metadata updates and address conflicts. It also owns this node's
 * incarnation counter and its leave.
 *
 * <p>News comes from packets ({@link PacketHandler}), push/pulls ({@link PushPullSync}), failed probes
 * ({@link FailureDetector}) and the façade (this node's own alive, and its leave).
 *
 * <p>Concurrency: confined to the engine's thread; the suspicion timers run there too. No locks.
 */
final class MembershipRules {

  private static final long UINT32_MASK = 0xFFFF_FFFFL;

  private final EngineContext ctx;
  private final Map<String, Suspicion> suspicions = new HashMap<>();
  private long incarnationCounter;
  private boolean left;
  /** Completed once this node's leave has been gossiped its full number of times; null before a leave. */
  private Promise<Void> leaveBroadcast;

  MembershipRules(EngineContext ctx) {
    this.ctx = ctx;
  }

  /** Announces this node alive, at its next incarnation (1 at start). */
  void aliveSelf(ByteString meta, ByteString vsn) {
    aliveNode(new Alive(nextIncarnation(), ctx.name, ctx.selfAddr, ctx.selfPort, meta, vsn), null, true);
  }

  private long nextIncarnation() {
    incarnationCounter = (incarnationCounter + 1) & UINT32_MASK;
    return incarnationCounter;
  }

  void aliveNode(Alive alive, Runnable notify, boolean bootstrap) {
    NodeState state = ctx.table.get(alive.node());
    if (left && alive.node().equals(ctx.name)) {
      return;
    }
    ByteString vsn = alive.vsn();
    if (!protocolRangeValid(vsn)) {
      ctx.log(Level.WARNING, "Ignoring an alive message for '" + alive.node() + "' because protocol version(s)"
          + " are wrong: " + vsn);
      return;
    }
    boolean updatesNode = false;
    if (state == null) {
      // Names are interned: they live as long as the member, and engines in one JVM share them.
      state = new NodeState(alive.node().intern(), alive.addr(), alive.port(), alive.meta());
      if (vsn != null && vsn.length() > 5) {
        copyVersions(vsn, state);
      }
      ctx.table.add(state);
    } else if (!Objects.equals(state.addr, alive.addr()) || state.port != alive.port()) {
      long reclaim = ctx.options.getDeadNodeReclaimTime().toMillis();
      boolean canReclaim = reclaim > 0 && ctx.scheduler.nowMillis() - state.stateChange > reclaim;
      if (state.state == MemberState.LEFT || (state.state == MemberState.DEAD && canReclaim)) {
        ctx.log(Level.INFO, "Updating address for left or failed node " + state.name + " from " + state.address()
            + " to " + Addresses.format(alive.addr(), alive.port()));
        updatesNode = true;
      } else {
        ctx.log(Level.ERROR, "Conflicting address for " + state.name + ". Mine: " + state.address() + " Theirs: "
            + Addresses.format(alive.addr(), alive.port()) + " Old state: " + state.state);
        ctx.delegate.notifyConflict(state.snapshot(), new Member(alive.node(), alive.addr(), alive.port(),
            alive.meta(), MemberState.ALIVE, alive.incarnation()));
        return;
      }
    }
    boolean isLocal = state.name.equals(ctx.name);
    if (!isLocal && !updatesNode && !GossipMath.aliveSupersedes(alive.incarnation(), state.incarnation)) {
      return;
    }
    if (isLocal && alive.incarnation() < state.incarnation) {
      return;
    }
    Suspicion suspicion = suspicions.remove(alive.node());
    if (suspicion != null) {
      suspicion.cancel();
    }
    MemberState oldState = state.state;
    ByteString oldMeta = state.meta;
    if (!bootstrap && isLocal) {
      // Someone says we are alive with other details (a previous instance of us?): refute unless it is
      // exactly what we say.
      if (alive.incarnation() == state.incarnation && Objects.equals(alive.meta(), state.meta)
          && Objects.equals(vsn, ByteString.copyOf(state.versions))) {
        return;
      }
      refute(state, alive.incarnation());
      ctx.log(Level.WARNING, "Refuting an alive message for '" + alive.node() + "' ("
          + Addresses.format(alive.addr(), alive.port()) + ") meta:(" + alive.meta() + " VS " + state.meta
          + "), vsn:(" + vsn + " VS " + state.vsn() + ")");
    } else {
      encodeAndBroadcast(state.name, alive, notify);
      if (vsn != null && vsn.length() > 5) {
        copyVersions(vsn, state);
      }
      state.incarnation = alive.incarnation();
      state.meta = alive.meta();
      if (!Objects.equals(state.addr, alive.addr()) || state.port != alive.port()) {
        state.setAddress(alive.addr(), alive.port());
      }
      if (state.state != MemberState.ALIVE) {
        state.state = MemberState.ALIVE;
        state.stateChange = ctx.scheduler.nowMillis();
      }
    }
    if (oldState == MemberState.DEAD || oldState == MemberState.LEFT) {
      ctx.delegate.notifyJoin(state.snapshot());
    } else if (!Objects.equals(oldMeta, state.meta)) {
      ctx.delegate.notifyUpdate(state.snapshot());
    }
    if (oldState == MemberState.SUSPECT && state.state == MemberState.ALIVE) {
      ctx.delegate.notifyRefute(state.snapshot(), null);
    }
  }

  /**
   * Whether an alive's versions may be taken: those that name a protocol range (three bytes or more) need a
   * minimum and a maximum above 0, the minimum not above the maximum.
   */
  static boolean protocolRangeValid(ByteString vsn) {
    if (vsn == null || vsn.length() < 3) {
      return true;
    }
    int pMin = vsn.byteAt(0) & 0xFF;
    int pMax = vsn.byteAt(1) & 0xFF;
    return pMin != 0 && pMax != 0 && pMin <= pMax;
  }

  private static void copyVersions(ByteString vsn, NodeState state) {
    for (int i = 0; i < 6; i++) {
      state.versions[i] = vsn.byteAt(i);
    }
  }

  void suspectNode(Suspect suspect) {
    NodeState state = ctx.table.get(suspect.node());
    if (state == null || !GossipMath.accusationApplies(suspect.incarnation(), state.incarnation)) {
      return;
    }
    Suspicion suspicion = suspicions.get(suspect.node());
    if (suspicion != null) {
      if (suspicion.confirm(suspect.from())) {
        encodeAndBroadcast(state.name, suspect, null);
      }
      return;
    }
    if (state.state != MemberState.ALIVE) {
      return;
    }
    if (state.name.equals(ctx.name)) {
      refute(state, suspect.incarnation());
      ctx.log(Level.WARNING, "Refuting a suspect message (from: " + suspect.from() + ")");
      ctx.delegate.notifyRefute(state.snapshot(), suspect.from());
      return;
    }
    encodeAndBroadcast(state.name, suspect, null);
    ctx.suspicionsStarted++;
    state.incarnation = suspect.incarnation();
    state.state = MemberState.SUSPECT;
    long changed = ctx.scheduler.nowMillis();
    state.stateChange = changed;
    ctx.delegate.notifySuspect(state.snapshot(), suspect.from());
    int n = ctx.table.size();
    int wanted = GossipMath.suspicionConfirmationsWanted(ctx.options.getSuspicionMult(), n);
    long min = GossipMath.suspicionTimeout(ctx.options.getSuspicionMult(), n,
        ctx.options.getProbeInterval().toMillis());
    long max = ctx.options.getSuspicionMaxTimeoutMult() * min;
    String node = suspect.node();
    suspicions.put(node, new Suspicion(ctx.scheduler, suspect.from(), wanted, min, max, confirmations -> {
      NodeState current = ctx.table.get(node);
      suspicions.remove(node);
      if (current != null && current.state == MemberState.SUSPECT && current.stateChange == changed) {
        ctx.log(Level.INFO, "Marking " + node + " as failed, suspect timeout reached (" + confirmations
            + " peer confirmations)");
        ctx.deathsDeclared++;
        deadNode(new Dead(current.incarnation, node, ctx.name));
      }
    }));
  }

  void deadNode(Dead dead) {
    NodeState state = ctx.table.get(dead.node());
    if (state == null || !GossipMath.accusationApplies(dead.incarnation(), state.incarnation)) {
      return;
    }
    Suspicion suspicion = suspicions.remove(dead.node());
    if (suspicion != null) {
      suspicion.cancel();
    }
    if (state.deadOrLeft()) {
      return;
    }
    if (state.name.equals(ctx.name)) {
      if (!left) {
        refute(state, dead.incarnation());
        ctx.log(Level.WARNING, "Refuting a dead message (from: " + dead.from() + ")");
        ctx.delegate.notifyRefute(state.snapshot(), dead.from());
        return;
      }
      Promise<Void> done = leaveBroadcast;
      // Completed on a later turn: the broadcast finishes while a packet is being packed, and whoever waits
      // on the leave may shut the engine down.
      encodeAndBroadcast(state.name, dead,
          done == null ? null : () -> ctx.scheduler.schedule(0, done::tryComplete));
    } else {
      encodeAndBroadcast(state.name, dead, null);
    }
    state.incarnation = dead.incarnation();
    state.state = dead.isLeave() ? MemberState.LEFT : MemberState.DEAD;
    state.stateChange = ctx.scheduler.nowMillis();
    ctx.delegate.notifyLeave(state.snapshot());
  }

  /** Announces this node alive with an incarnation above the accused one. */
  private void refute(NodeState self, long accusedIncarnation) {
    ctx.refutations++;
    incarnationCounter = GossipMath.refutingIncarnation(incarnationCounter, accusedIncarnation);
    self.incarnation = incarnationCounter;
    ctx.awareness.apply(1);
    encodeAndBroadcast(self.name, new Alive(self.incarnation, self.name, self.addr, self.port, self.meta,
        ByteString.copyOf(self.versions)), null);
  }

  /**
   * @param node the member's name as the table holds it (interned), not the decoded message's copy: in a join
   *     storm every member's news waits in the queue at once, and a copy of each name would cost 56 bytes more
   */
  private void encodeAndBroadcast(String node, Message message, Runnable onFinished) {
    ctx.broadcasts.queue(node, ctx.messages.encode(message), onFinished);
  }

  /** Whether this node has begun to leave. */
  boolean hasLeft() {
    return left;
  }

  /** The leave's broadcast: done once gossiped its full number of times, or at once if none was needed. */
  Future<Void> leaveBroadcast() {
    return leaveBroadcast == null ? Future.succeededFuture() : leaveBroadcast.future();
  }

  /**
   * Begins this node's leave: marks it left and queues a dead message about itself, which the others record
   * as "left".
   *
   * @return completed once that message has been gossiped its full number of times; null, with nothing
   *     queued, if this node is not in the table
   */
  Promise<Void> leave() {
    left = true;
    NodeState self = ctx.table.get(ctx.name);
    if (self == null) {
      ctx.log(Level.WARNING, "Leave but we're not in the node map.");
      return null;
    }
    leaveBroadcast = Promise.promise();
    deadNode(new Dead(self.incarnation, ctx.name, ctx.name));
    return leaveBroadcast;
  }

  /** Stops every suspicion timer (at shutdown). */
  void stop() {
    suspicions.values().forEach(Suspicion::cancel);
    suspicions.clear();
  }
}
