package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.MemberState;
import io.ckit.wire.Message;
import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.Dead;
import io.ckit.wire.Message.ErrResp;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.PushNodeState;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.Message.Suspect;
import io.ckit.wire.Message.User;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.PacketCodec;
import io.ckit.wire.StreamCodec;
import io.ckit.wire.WireDecodeException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * The membership engine: SWIM with Lifeguard as hashicorp/memberlist v0.5.3 runs it, speaking its wire
 * format, so that Go ckit nodes cannot tell it from their own.
 *
 * <p>It is a state machine. Its inputs are the packets and streams the {@link Transport} hands to {@link
 * #receivePacket} and {@link #acceptStream}, the timers it sets on its {@link Scheduler}, and the calls of
 * the layer above ({@link #join}, {@link #leave}); its outputs are packets and streams through the
 * transport and events to the {@link GossipDelegate}. It does not know whether it runs over HTTP/2, in
 * memory, or in a simulator with virtual time.
 *
 * <p>What it does, every option in {@link GossipOptions}:
 *
 * <ul>
 *   <li>probes one member each probe interval, round robin over a shuffled list; without an ack within the
 *       probe timeout, asks up to {@code indirectChecks} others to probe it and send nacks; without any ack
 *       by the end of the (health-scaled) interval, suspects it;
 *   <li>declares a suspect dead when its suspicion timer runs out; the timer starts long and shrinks as
 *       others confirm; a member accused itself refutes with a higher incarnation;
 *   <li>gossips queued broadcasts to {@code gossipNodes} random members every gossip interval;
 *   <li>exchanges full state with a random member every (scaled) push/pull interval, and with each seed on
 *       join.
 * </ul>
 *
 * <p>Concurrency: an instance is confined to the thread its scheduler runs tasks on; every method must be
 * called there, and every callback (delegate, futures) runs there. It holds no locks.
 */
public final class Memberlist implements TransportReceiver {

  /** The lowest memberlist protocol version this engine understands. */
  public static final int PROTOCOL_VERSION_MIN = 1;
  /** The highest memberlist protocol version this engine understands (5: CRC on packets). */
  public static final int PROTOCOL_VERSION_MAX = 5;
  /** The protocol version this engine speaks: memberlist's default. */
  public static final int PROTOCOL_VERSION = 2;

  /** The versions this engine advertises: what Go's memberlist advertises with no delegate versions. */
  private static final byte[] VSN = {PROTOCOL_VERSION_MIN, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION, 0, 0, 0};
  private static final int META_MAX_BYTES = 512;

  private final EngineContext ctx;
  private final MembershipRules rules;
  private final Gossiper gossiper;
  private final FailureDetector detector;
  private final PacketHandler packetHandler;

  private final GossipOptions options;
  private final Transport transport;
  private final Scheduler scheduler;
  private final GossipDelegate delegate;
  private final RandomGenerator random;
  private final String name;
  private final ByteString selfAddr;
  private final int selfPort;
  private final MessageCodec messages;
  private final PacketCodec packets;
  private final StreamCodec streams;

  private final MemberTable table;
  private final Awareness awareness;
  private final BroadcastQueue broadcasts;

  private boolean started;
  private final List<Scheduler.Timer> tickers = new ArrayList<>();
  /** Streams accepted and not yet done with; push/pulls beyond the limit are turned away. */
  private int inboundStreams;

  /**
   * @param options validated settings; copied
   * @param random the randomness of probe order, gossip targets and staggering (seed it to repeat a run)
   */
  public Memberlist(GossipOptions options, Transport transport, Scheduler scheduler, GossipDelegate delegate,
      RandomGenerator random) {
    options.validate();
    this.ctx = new EngineContext(new GossipOptions(options), transport, scheduler, delegate, random);
    this.options = ctx.options;
    this.transport = ctx.transport;
    this.scheduler = ctx.scheduler;
    this.delegate = ctx.delegate;
    this.random = ctx.random;
    this.name = ctx.name;
    this.selfAddr = ctx.selfAddr;
    this.selfPort = ctx.selfPort;
    this.messages = ctx.messages;
    this.packets = ctx.packets;
    this.streams = ctx.streams;
    this.awareness = ctx.awareness;
    this.table = ctx.table;
    this.broadcasts = ctx.broadcasts;
    this.rules = new MembershipRules(ctx);
    this.gossiper = new Gossiper(ctx);
    this.detector = new FailureDetector(ctx, gossiper, rules);
    this.packetHandler = new PacketHandler(ctx, detector, rules);
  }

  // ---------------------------------------------------------------------------------------------------
  // Life cycle

  /** Announces this node as alive (incarnation 1) and starts probing, gossip and push/pull. */
  public void start() {
    checkNotShutdown();
    if (started) {
      return;
    }
    started = true;
    ByteString meta = delegate.nodeMeta(META_MAX_BYTES);
    if (meta != null && meta.length() > META_MAX_BYTES) {
      throw new IllegalStateException("node metadata is " + meta.length() + " bytes; at most " + META_MAX_BYTES);
    }
    rules.aliveSelf(meta, ByteString.copyOf(VSN));
    long now = scheduler.nowMillis();
    tickers.add(ticker(options.probeInterval().toMillis(), now, detector::onProbeTick));
    tickers.add(ticker(options.gossipInterval().toMillis(), now, gossiper::gossip));
    if (!options.pushPullInterval().isZero()) {
      long interval = options.pushPullInterval().toMillis();
      schedulePushPull(Math.floorMod(random.nextLong(), interval));
    }
  }

  /**
   * Joins a cluster: a push/pull with each address in turn ({@code ip:port}, or {@code name/ip:port}).
   *
   * @return how many addresses answered; fails, listing every error, only when none did
   */
  public Future<Integer> join(List<String> addresses) {
    checkNotShutdown();
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
        String error = "Failed to join " + tried + ": " + done.cause().getMessage();
        errors.add(error);
        log(Level.DEBUG, error);
      }
      joinNext(addresses, index + 1, succeeded + (done.succeeded() ? 1 : 0), errors,
          firstFailure != null || done.succeeded() ? firstFailure : done.cause(), result);
    });
  }

  /** A join address as memberlist reads it: an optional {@code name/} prefix, and our port if none is given. */
  private String joinAddress(String address) {
    return HostPort.parseJoin(address, selfPort).toString();
  }

  /**
   * Leaves gracefully: announces this node's departure (a dead message about itself, which the others
   * record as "left") and completes once that message has been gossiped its full number of times, or fails
   * after the timeout. Probing and gossip go on until {@link #shutdown()}.
   */
  public Future<Void> leave(long timeoutMillis) {
    checkNotShutdown();
    if (rules.hasLeft()) {
      return rules.leaveBroadcast();
    }
    Promise<Void> broadcast = rules.leave();
    if (broadcast == null) {
      return Future.succeededFuture();
    }
    if (!table.anyAliveBesides(name)) {
      broadcast.tryComplete();
      return broadcast.future();
    }
    // Beyond memberlist: every member is also told at once, in a packet of its own, rather than only over
    // the next gossip rounds, so a graceful leave is seen everywhere within a round trip. The broadcast goes
    // on as memberlist's, and the leave completes when it has been gossiped its full number of times.
    NodeState self = table.get(name);
    gossiper.sendToLiveMembers(messages.encode(new Dead(self.incarnation, name, name)));
    Scheduler.Timer timeout = scheduler.schedule(timeoutMillis,
        () -> broadcast.tryFail("timeout waiting for leave broadcast"));
    return broadcast.future().onComplete(done -> timeout.cancel());
  }

  /** Stops every timer; the engine ignores everything after. Without {@link #leave} first, others see a crash. */
  public void shutdown() {
    if (ctx.shutdown) {
      return;
    }
    ctx.shutdown = true;
    tickers.forEach(Scheduler.Timer::cancel);
    tickers.clear();
    rules.stop();
    detector.stop();
  }

  private void checkNotShutdown() {
    if (ctx.shutdown) {
      throw new IllegalStateException("the membership engine is shut down");
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // What the layer above reads

  /** This node's name. */
  public String name() {
    return name;
  }

  /** The members that are alive or suspect (not dead, not left), this node included; in probe order. */
  public List<Member> members() {
    return table.members();
  }

  /** How many members are alive or suspect, this node included. */
  public int numMembers() {
    return table.numMembers();
  }

  /** What the engine knows of a member, or null. */
  public Member member(String memberName) {
    NodeState node = table.get(memberName);
    return node == null ? null : node.snapshot();
  }

  /** Lifeguard's local health score: 0 is healthy; higher means this node is missing acks. */
  public int healthScore() {
    return awareness.score();
  }

  /** What this engine has done since it started. */
  public GossipStats stats() {
    return ctx.stats();
  }

  /**
   * How long a stream may take (memberlist's TCPTimeout). Unlike the other methods, callable from any thread:
   * the options are fixed at construction.
   */
  @Override
  public Duration streamTimeout() {
    return options.streamTimeout();
  }

  // ---------------------------------------------------------------------------------------------------
  // Timers

  /** Runs the task every interval from the start, like Go's time.Ticker. */
  private Scheduler.Timer ticker(long intervalMillis, long start, Runnable task) {
    return new Scheduler.Timer() {
      private long next = start + intervalMillis;
      private Scheduler.Timer current = scheduler.schedule(intervalMillis, this::tick);

      private void tick() {
        next += intervalMillis;
        current = scheduler.schedule(Math.max(0, next - scheduler.nowMillis()), this::tick);
        task.run();
      }

      @Override
      public void cancel() {
        current.cancel();
      }
    };
  }

  private void schedulePushPull(long delayMillis) {
    long interval = GossipMath.pushPullInterval(options.pushPullInterval().toMillis(), table.size());
    Scheduler.Timer[] timer = new Scheduler.Timer[1];
    timer[0] = scheduler.schedule(delayMillis + interval, () -> {
      tickers.remove(timer[0]);
      if (!ctx.shutdown) {
        periodicPushPull();
        schedulePushPull(0);
      }
    });
    tickers.add(timer[0]);
  }

  // ---------------------------------------------------------------------------------------------------
  // Gossip

  /**
   * Runs a gossip round now, besides the periodic ones, so that a broadcast just queued (a state change of
   * this node, say) goes out without waiting up to a gossip interval.
   */
  public void gossipNow() {
    checkNotShutdown();
    gossiper.gossip();
  }

  /**
   * Sends a user message straight to one member in a packet of its own, as memberlist's {@code
   * SendBestEffort} does; the receiver hands it to its delegate like a gossiped one.
   *
   * @return false (and nothing is sent) if the member is unknown, dead or left
   */
  public boolean sendUserMessage(String memberName, byte[] message) {
    checkNotShutdown();
    return gossiper.sendUserMessage(memberName, message);
  }

  // ---------------------------------------------------------------------------------------------------
  // Packets in

  /**
   * Handles a packet from the {@code /message} endpoint. Packets that cannot be read, or carry another
   * cluster's label, are logged and dropped.
   *
   * @param from the sender's address as the transport sees it (used when a probe names no source)
   */
  @Override
  public void receivePacket(byte[] packet, String from) {
    if (ctx.shutdown) {
      return;
    }
    packetHandler.receive(packet, from);
  }

  // ---------------------------------------------------------------------------------------------------
  // Push/pull

  private void periodicPushPull() {
    List<NodeState> target = table.kRandomNodes(1, node -> node.name.equals(name) || node.state != MemberState.ALIVE);
    if (target.isEmpty()) {
      return;
    }
    NodeState node = target.get(0);
    pushPullNode(node.address(), false).onFailure(e ->
        log(Level.ERROR, "Push/Pull with " + node.name + " failed: " + e.getMessage()));
  }

  /** Opens a stream, sends our state, reads the other side's and merges it. */
  private Future<Void> pushPullNode(String address, boolean join) {
    ctx.pushPullsStarted++;
    Promise<Void> result = Promise.promise();
    long timeout = options.streamTimeout().toMillis();
    transport.openStream(address, timeout).onComplete(opened -> {
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
      log(Level.DEBUG, "Initiating push/pull sync with: " + address);
      byte[] request;
      try {
        request = streams.encode(localState(join));
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
      byte[] header = streams.labelHeader();
      if (header.length > 0) {
        channel.write(header);
      }
      channel.write(request);
    });
    return result.future();
  }

  private PushPull localState(boolean join) {
    List<PushNodeState> states = new ArrayList<>(table.size());
    for (NodeState node : table.all()) {
      states.add(new PushNodeState(node.name, node.addr, node.port, node.meta, node.incarnation, node.state,
          node.vsn()));
    }
    return new PushPull(join, states, delegate.localState(join));
  }

  private void mergeRemoteState(boolean join, PushPull remote) {
    verifyProtocol(remote.states());
    for (PushNodeState state : remote.states()) {
      int port = state.port() == 0 ? selfPort : state.port();
      switch (state.state()) {
        case ALIVE -> rules.aliveNode(new Alive(state.incarnation(), state.name(), state.addr(), port, state.meta(),
            state.vsn()), null, false);
        case LEFT -> rules.deadNode(new Dead(state.incarnation(), state.name(), state.name()));
        // A member the other side thinks dead may only be unreachable from there: suspect it, so it can
        // refute if it is alive.
        case DEAD, SUSPECT -> rules.suspectNode(new Suspect(state.incarnation(), state.name(), name));
        default -> throw new IllegalStateException("unknown member state " + state.state());
      }
    }
    if (remote.userState() != null) {
      delegate.mergeRemoteState(remote.userState(), join);
    }
  }

  /** memberlist's check that every member, ours and theirs, speaks a protocol version all understand. */
  private void verifyProtocol(List<PushNodeState> remote) {
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
    for (NodeState node : table.all()) {
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
    for (NodeState node : table.all()) {
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

  /**
   * Handles a stream another member opened: checks its label, reads one message and answers it. A
   * push/pull is answered with our state (then theirs is merged), a ping with an ack, a user message is
   * handed to the delegate; unreadable requests get an error response; a wrong label gets nothing.
   */
  @Override
  public void acceptStream(StreamChannel channel) {
    if (ctx.shutdown) {
      channel.close();
      return;
    }
    log(Level.DEBUG, "Stream connection from=" + channel.remoteAddress());
    inboundStreams++;
    new Inbound(channel).start();
  }

  /** Reading a stream: bytes accumulate until a whole message is there. */
  private abstract class StreamReader {
    final StreamChannel channel;
    private byte[] buffer = new byte[0];
    int length;
    int consumed;
    private boolean finished;
    private Scheduler.Timer deadline;

    StreamReader(StreamChannel channel) {
      this.channel = channel;
    }

    void start(long timeoutMillis) {
      deadline = scheduler.schedule(timeoutMillis, () -> finish(new IllegalStateException("i/o timeout")));
      channel.handler(this::data);
      channel.endHandler(() -> finish(new IllegalStateException("EOF")));
      channel.exceptionHandler(this::finish);
    }

    private void data(byte[] bytes) {
      if (finished) {
        return;
      }
      if (length + bytes.length > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(length + bytes.length, 2 * buffer.length));
      }
      System.arraycopy(bytes, 0, buffer, length, bytes.length);
      length += bytes.length;
      StreamCodec.Decoded decoded;
      try {
        decoded = readNext(buffer, consumed, length - consumed);
      } catch (RuntimeException e) {
        finish(e);
        return;
      }
      if (decoded != null) {
        consumed += decoded.length();
        Message message = decoded.message();
        finished = true;
        deadline.cancel();
        handle(message instanceof Compress compress ? compress.inner() : message);
      }
    }

    /** The next message from the unread bytes, or null while it is incomplete. */
    abstract StreamCodec.Decoded readNext(byte[] bytes, int offset, int available);

    /**
     * Handles the one message this stream carries; the stream is then the handler's to close. Must not
     * throw: whatever goes wrong (the delegate's exceptions included) ends the stream here.
     */
    abstract void handle(Message message);

    /** The stream ended, failed or timed out before a whole message arrived. */
    abstract void failed(Exception e);

    private void finish(Throwable cause) {
      if (finished) {
        return;
      }
      finished = true;
      deadline.cancel();
      channel.close();
      failed(cause instanceof Exception e ? e : new IllegalStateException(cause));
    }
  }

  /** The dialling side of a push/pull: reads the answer. */
  private final class Exchange extends StreamReader {
    private final long timeout;
    private final Consumer<Message> onResponse;
    private final Promise<Void> result;

    Exchange(StreamChannel channel, long timeout, Consumer<Message> onResponse,
        Promise<Void> result) {
      super(channel);
      this.timeout = timeout;
      this.onResponse = onResponse;
      this.result = result;
    }

    void start() {
      start(timeout);
    }

    @Override
    StreamCodec.Decoded readNext(byte[] bytes, int offset, int available) {
      return streams.decode(bytes, offset, available);
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

  /** The accepting side of a stream. */
  private final class Inbound extends StreamReader {
    private boolean labelRead;

    Inbound(StreamChannel channel) {
      super(channel);
    }

    void start() {
      start(options.streamTimeout().toMillis());
    }

    @Override
    StreamCodec.Decoded readNext(byte[] bytes, int offset, int available) {
      if (!labelRead) {
        int header;
        try {
          header = streams.readLabelHeader(bytes, offset, available);
        } catch (WireDecodeException e) {
          log(Level.ERROR, "discarding stream with unacceptable label: " + e.getMessage() + " from="
              + channel.remoteAddress());
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
        return streams.decode(bytes, offset, available);
      } catch (WireDecodeException e) {
        // memberlist answers a request it cannot read with an error message.
        log(Level.ERROR, "failed to receive: " + e.getMessage() + " from=" + channel.remoteAddress());
        channel.write(streams.encode(new ErrResp(e.getMessage())));
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
            if (ping.node().isEmpty() || ping.node().equals(name)) {
              channel.write(streams.encode(new AckResp(ping.seqNo(), null)));
            } else {
              log(Level.WARNING, "Got ping for unexpected node " + ping.node() + " from=" + channel.remoteAddress());
            }
          }
          case USER -> delegate.notifyMessage(((User) message).payload());
          default -> log(Level.ERROR, "Received invalid msgType (" + message.type().code() + ") from="
              + channel.remoteAddress());
        }
      } catch (RuntimeException e) {
        log(Level.ERROR, "Failed to handle " + message.type() + " stream: " + e + " from="
            + channel.remoteAddress());
      } finally {
        inboundStreams--;
        channel.close();
      }
    }

    private void handlePushPull(PushPull remote) {
      if (inboundStreams > options.maxConcurrentPushPulls()) {
        log(Level.ERROR, "Too many pending push/pull requests");
        return;
      }
      channel.write(streams.encode(localState(remote.join())));
      try {
        mergeRemoteState(remote.join(), remote);
      } catch (RuntimeException e) {
        log(Level.ERROR, "Failed push/pull merge: " + e.getMessage() + " from=" + channel.remoteAddress());
      }
    }

    @Override
    void failed(Exception e) {
      inboundStreams--;
      if (!"EOF".equals(e.getMessage())) {
        log(Level.DEBUG, "stream from " + channel.remoteAddress() + " ended: " + e.getMessage());
      }
    }
  }

  private void log(Level level, String message) {
    ctx.log(level, message);
  }
}
