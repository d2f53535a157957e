package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.MemberState;
import io.ckit.wire.Message;
import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.Dead;
import io.ckit.wire.Message.ErrResp;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.PushNodeState;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.Message.Suspect;
import io.ckit.wire.Message.User;
import io.ckit.wire.StreamCodec;
import io.ckit.wire.WireDecodeException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Push/pull and the streams it runs on (the stream half of memberlist's net.go). A join is a push/pull with
 * each seed in turn; every (scaled) push/pull interval, one more with a random alive member. In each, both
 * sides send their full member list and the delegate's state, and each merges the other's through {@link
 * MembershipRules} once {@link #verifyProtocol} has found every member's versions compatible. It is also
 * the accepting side of every stream: the label, the one request (a push/pull, a ping or a user message), an
 * error answer to a request it cannot read, and the limit on push/pulls served at once.
 *
 * <p>Concurrency: confined to the engine's thread, where transports hand over streams and their data; no
 * locks.
 */
final class PushPullSync {

  private final EngineContext ctx;
  private final MembershipRules rules;
  /** The next periodic push/pull; null while one is being started, and after stop(). */
  private Scheduler.Timer periodic;
  /** Streams accepted and not yet done with; push/pulls beyond the limit are turned away. */
  private int inboundStreams;

  PushPullSync(EngineContext ctx, MembershipRules rules) {
    this.ctx = ctx;
    this.rules = rules;
  }

  // ---------------------------------------------------------------------------------------------------
  // Join and periodic push/pulls

  /**
   * A push/pull with each address in turn ({@code ip:port}, or {@code name/ip:port}).
   *
   * @return how many addresses answered; fails, listing every error, only when none did
   */
  Future<Integer> join(List<String> addresses) {
    Promise<Integer> result = Promise.promise();
    joinNext(new ArrayList<>(addresses), 0, 0, new ArrayList<>(), null, result);
    return result.future();
  }

  /** @param firstFailure the first seed's error, kept as the cause of the join's failure */
  private void joinNext(List<String> addresses, int index, int succeeded, List<String> errors,
      Throwable firstFailure, Promise<Integer> result) {
    if (index == addresses.size()) {
      if (succeeded > 0 || addresses.isEmpty()) {
        result.complete(succeeded);
      } else {
        result.fail(new IllegalStateException(String.join("; ", errors), firstFailure));
      }
      return;
    }
    String address;
    Future<Void> exchanged;
    try {
      address = joinAddress(addresses.get(index));
      exchanged = pushPullNode(address, true);
    } catch (IllegalArgumentException e) {
      address = addresses.get(index);
      exchanged = Future.failedFuture(e);
    }
    String tried = address;
    exchanged.onComplete(done -> {
      if (done.failed()) {
        String error = "Failed to join " + tried + ": " + joinFailure(done.cause());
        errors.add(error);
        ctx.log(Level.DEBUG, error);
      }
      joinNext(addresses, index + 1, succeeded + (done.succeeded() ? 1 : 0), errors,
          firstFailure != null || done.succeeded() ? firstFailure : done.cause(), result);
    });
  }

  /**
   * Why a join push/pull failed, in words: memberlist says only "EOF" when the other side closes the stream
   * without answering, which is what a node of another cluster label (or a server that is no ckit node) does.
   */
  static String joinFailure(Throwable cause) {
    return "EOF".equals(cause.getMessage()) ? "the peer closed the stream without answering: most likely another"
        + " cluster label, or not a ckit node" : cause.getMessage();
  }

  /** A join address as memberlist reads it: an optional {@code name/} prefix, and our port if none is given. */
  private String joinAddress(String address) {
    return HostPort.parseJoin(address, ctx.selfPort).toString();
  }

  /** Starts the periodic push/pulls (unless the interval is 0), the first staggered randomly. */
  void start() {
    if (!ctx.options.getPushPullInterval().isZero()) {
      long interval = ctx.options.getPushPullInterval().toMillis();
      schedule(Math.floorMod(ctx.random.nextLong(), interval));
    }
  }

  private void schedule(long delayMillis) {
    long interval = GossipMath.pushPullInterval(ctx.options.getPushPullInterval().toMillis(), ctx.table.size());
    periodic = ctx.scheduler.schedule(delayMillis + interval, () -> {
      periodic = null;
      if (!ctx.shutdown) {
        periodicPushPull();
        schedule(0);
      }
    });
  }

  /** Cancels the next periodic push/pull (at shutdown). */
  void stop() {
    if (periodic != null) {
      periodic.cancel();
      periodic = null;
    }
  }

  private void periodicPushPull() {
    List<NodeState> target = ctx.table.kRandomNodes(1,
        node -> node.name.equals(ctx.name) || node.state != MemberState.ALIVE);
    if (target.isEmpty()) {
      return;
    }
    NodeState node = target.get(0);
    pushPullNode(node.address(), false).onFailure(e ->
        ctx.log(Level.ERROR, "Push/Pull with " + node.name + " failed: " + e.getMessage()));
  }

  // ---------------------------------------------------------------------------------------------------
  // The exchange

  /** Opens a stream, sends our state, reads the other side's and merges it. */
  private Future<Void> pushPullNode(String address, boolean join) {
    ctx.pushPullsStarted++;
    Promise<Void> result = Promise.promise();
    long timeout = ctx.options.getStreamTimeout().toMillis();
    ctx.transport.openStream(address, timeout).onComplete(opened -> {
      if (opened.failed()) {
        result.fail(opened.cause());
        return;
      }
      if (ctx.shutdown) {
        opened.result().close();
        result.fail("the membership engine is shut down");
        return;
      }
      StreamChannel channel = opened.result();
      ctx.log(Level.DEBUG, "Initiating push/pull sync with: " + address);
      byte[] request;
      try {
        request = ctx.streams.encode(localState(join));
      } catch (RuntimeException e) {
        // The delegate's, or an encoder's: the push/pull fails with it rather than hang until the timeout.
        channel.close();
        result.fail(e);
        return;
      }
      new Exchange(channel, timeout, response -> {
        if (response instanceof ErrResp err) {
          throw new IllegalStateException("remote error: " + err.error());
        }
        if (!(response instanceof PushPull remote)) {
          throw new IllegalStateException("received invalid msgType (" + response.type().code()
              + "), expected pushPullMsg (6)");
        }
        mergeRemoteState(join, remote);
      }, result).start();
      byte[] header = ctx.streams.labelHeader();
      if (header.length > 0) {
        channel.write(header);
      }
      channel.write(request);
    });
    return result.future();
  }

  private PushPull localState(boolean join) {
    List<PushNodeState> states = new ArrayList<>(ctx.table.size());
    for (NodeState node : ctx.table.all()) {
      states.add(new PushNodeState(node.name, node.addr, node.port, node.meta, node.incarnation, node.state,
          node.vsn()));
    }
    return new PushPull(join, states, ctx.delegate.localState(join));
  }

  private void mergeRemoteState(boolean join, PushPull remote) {
    verifyProtocol(remote.states(), ctx.table.all());
    for (PushNodeState state : remote.states()) {
      int port = state.port() == 0 ? ctx.selfPort : state.port();
      switch (state.state()) {
        case ALIVE -> rules.aliveNode(new Alive(state.incarnation(), state.name(), state.addr(), port, state.meta(),
            state.vsn()), null, false);
        case LEFT -> rules.deadNode(new Dead(state.incarnation(), state.name(), state.name()));
        // A member the other side thinks dead may only be unreachable from there: suspect it, so it can
        // refute if it is alive.
        case DEAD, SUSPECT -> rules.suspectNode(new Suspect(state.incarnation(), state.name(), ctx.name));
        default -> throw new IllegalStateException("unknown member state " + state.state());
      }
    }
    if (remote.userState() != null) {
      ctx.delegate.mergeRemoteState(remote.userState(), join);
    }
  }

  /**
   * memberlist's check that every member, ours and theirs, speaks a protocol version all understand: the
   * alive members' version ranges (protocol and delegate) are intersected, and each member's current
   * versions must fall within the intersection.
   *
   * @param remote the members the other side sent
   * @param local the members we track
   * @throws IllegalStateException naming the first member whose version is out of range
   */
  static void verifyProtocol(List<PushNodeState> remote, List<NodeState> local) {
    int maxPMin = 0;
    int minPMax = 255;
    int maxDMin = 0;
    int minDMax = 255;
    for (PushNodeState node : remote) {
      if (node.state() != MemberState.ALIVE || node.vsn() == null || node.vsn().isEmpty()) {
        continue;
      }
      maxPMin = Math.max(maxPMin, version(node.vsn(), 0));
      minPMax = Math.min(minPMax, version(node.vsn(), 1));
      maxDMin = Math.max(maxDMin, version(node.vsn(), 3));
      minDMax = Math.min(minDMax, version(node.vsn(), 4));
    }
    for (NodeState node : local) {
      if (node.state != MemberState.ALIVE) {
        continue;
      }
      maxPMin = Math.max(maxPMin, node.versions[0] & 0xFF);
      minPMax = Math.min(minPMax, node.versions[1] & 0xFF);
      maxDMin = Math.max(maxDMin, node.versions[3] & 0xFF);
      minDMax = Math.min(minDMax, node.versions[4] & 0xFF);
    }
    for (PushNodeState node : remote) {
      checkVersions(node.name(), version(node.vsn(), 2), version(node.vsn(), 5), maxPMin, minPMax, maxDMin,
          minDMax);
    }
    for (NodeState node : local) {
      checkVersions(node.name, node.versions[2] & 0xFF, node.versions[5] & 0xFF, maxPMin, minPMax, maxDMin,
          minDMax);
    }
  }

  private static int version(ByteString vsn, int index) {
    return vsn != null && vsn.length() > index ? vsn.byteAt(index) & 0xFF : 0;
  }

  private static void checkVersions(String node, int pCur, int dCur, int maxPMin, int minPMax, int maxDMin,
      int minDMax) {
    if (pCur < maxPMin || pCur > minPMax) {
      throw new IllegalStateException("Node '" + node + "' protocol version (" + pCur + ") is incompatible: ["
          + maxPMin + ", " + minPMax + "]");
    }
    if (dCur < maxDMin || dCur > minDMax) {
      throw new IllegalStateException("Node '" + node + "' delegate protocol version (" + dCur
          + ") is incompatible: [" + maxDMin + ", " + minDMax + "]");
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Streams

  /** Serves a stream another member opened: its one request is read, and answered, by an {@link Inbound}. */
  void accept(StreamChannel channel) {
    ctx.log(Level.DEBUG, "Stream connection from=" + channel.remoteAddress());
    inboundStreams++;
    new Inbound(channel).start();
  }

  /** The dialling side of a push/pull: reads the answer. */
  private final class Exchange extends StreamReader {
    private final long timeout;
    private final Consumer<Message> onResponse;
    private final Promise<Void> result;

    Exchange(StreamChannel channel, long timeout, Consumer<Message> onResponse,
        Promise<Void> result) {
      super(ctx.scheduler, channel);
      this.timeout = timeout;
      this.onResponse = onResponse;
      this.result = result;
    }

    void start() {
      start(timeout);
    }

    @Override
    StreamCodec.Decoded readNext(byte[] bytes, int offset, int available) {
      try {
        return ctx.streams.decode(bytes, offset, available);
      } catch (WireDecodeException e) {
        ctx.delegate.notifyRejected(e);
        throw e;
      }
    }

    @Override
    void handle(Message message) {
      channel.close();
      try {
        onResponse.accept(message);
        result.tryComplete();
      } catch (RuntimeException e) {
        result.tryFail(e);
      }
    }

    @Override
    void failed(Exception e) {
      result.tryFail(e);
    }
  }

  /** The accepting side of a stream, as {@link Memberlist#acceptStream} describes it: the label, then one request. */
  private final class Inbound extends StreamReader {
    private boolean labelRead;

    Inbound(StreamChannel channel) {
      super(ctx.scheduler, channel);
    }

    void start() {
      start(ctx.options.getStreamTimeout().toMillis());
    }

    @Override
    StreamCodec.Decoded readNext(byte[] bytes, int offset, int available) {
      if (!labelRead) {
        int header;
        try {
          header = ctx.streams.readLabelHeader(bytes, offset, available);
        } catch (WireDecodeException e) {
          ctx.log(Level.ERROR, "discarding stream with unacceptable label: " + e.getMessage() + " from="
              + channel.remoteAddress());
          ctx.delegate.notifyRejected(e);
          channel.close();
          throw e;
        }
        if (header < 0) {
          return null;
        }
        labelRead = true;
        consumed += header;
        offset += header;
        available -= header;
        if (available == 0) {
          return null;
        }
      }
      try {
        return ctx.streams.decode(bytes, offset, available);
      } catch (WireDecodeException e) {
        // memberlist answers a request it cannot read with an error message.
        ctx.log(Level.ERROR, "failed to receive: " + e.getMessage() + " from=" + channel.remoteAddress());
        ctx.delegate.notifyRejected(e);
        channel.write(ctx.streams.encode(new ErrResp(e.getMessage())));
        throw e;
      }
    }

    @Override
    void handle(Message message) {
      try {
        switch (message.type()) {
          case PUSH_PULL -> handlePushPull((PushPull) message);
          case PING -> {
            Ping ping = (Ping) message;
            if (ping.node().isEmpty() || ping.node().equals(ctx.name)) {
              channel.write(ctx.streams.encode(new AckResp(ping.seqNo(), null)));
            } else {
              ctx.log(Level.WARNING, "Got ping for unexpected node " + ping.node() + " from="
                  + channel.remoteAddress());
            }
          }
          case USER -> ctx.delegate.notifyMessage(((User) message).payload());
          default -> ctx.log(Level.ERROR, "Received invalid msgType (" + message.type().code() + ") from="
              + channel.remoteAddress());
        }
      } catch (RuntimeException e) {
        ctx.log(Level.ERROR, "Failed to handle " + message.type() + " stream: " + e + " from="
            + channel.remoteAddress());
      } finally {
        inboundStreams--;
        channel.close();
      }
    }

    private void handlePushPull(PushPull remote) {
      if (inboundStreams > ctx.options.getMaxConcurrentPushPulls()) {
        ctx.log(Level.ERROR, "Too many pending push/pull requests");
        return;
      }
      channel.write(ctx.streams.encode(localState(remote.join())));
      try {
        mergeRemoteState(remote.join(), remote);
      } catch (RuntimeException e) {
        ctx.log(Level.ERROR, "Failed push/pull merge: " + e.getMessage() + " from=" + channel.remoteAddress());
      }
    }

    @Override
    void failed(Exception e) {
      inboundStreams--;
      if (!"EOF".equals(e.getMessage())) {
        ctx.log(Level.DEBUG, "stream from " + channel.remoteAddress() + " ended: " + e.getMessage());
      }
    }
  }
}
