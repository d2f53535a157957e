package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.Keyring;
import io.ckit.wire.Message.Dead;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 *       by the end of the (health-scaled) interval, suspects it ({@link FailureDetector});
 *   <li>declares a suspect dead when its suspicion timer runs out; the timer starts long and shrinks as
 *       others confirm; a member accused itself refutes with a higher incarnation ({@link MembershipRules});
 *   <li>gossips queued broadcasts to {@code gossipNodes} random members every gossip interval ({@link
 *       Gossiper});
 *   <li>exchanges full state with a random member every (scaled) push/pull interval, and with each seed on
 *       join ({@link PushPullSync}).
 * </ul>
 *
 * <p>This class is the façade the node uses: it wires those pieces (which share an {@link EngineContext}
 * and a {@link MemberTable}), runs the life cycle and its timers, and answers what the layer above reads.
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
  private final PacketHandler packets;
  private final PushPullSync pushPull;
  /** The probe and gossip tickers. */
  private final List<Scheduler.Timer> tickers = new ArrayList<>();
  private boolean started;

  /**
   * @param self this node's name, advertised address and cluster label
   * @param options settings, checked ({@link GossipOptions#validate()}) and copied
   * @param random the randomness of probe order, gossip targets and staggering (seed it to repeat a run)
   */
  public Memberlist(MemberIdentity self, GossipOptions options, Transport transport, Scheduler scheduler,
      GossipDelegate delegate, RandomGenerator random) {
    options.validate();
    this.ctx = new EngineContext(Objects.requireNonNull(self, "self"), new GossipOptions(options), transport,
        scheduler, delegate, random);
    this.rules = new MembershipRules(ctx);
    this.gossiper = new Gossiper(ctx);
    this.detector = new FailureDetector(ctx, gossiper, rules);
    this.packets = new PacketHandler(ctx, detector, rules);
    this.pushPull = new PushPullSync(ctx, rules);
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
    rules.aliveSelf(nodeMeta(), ByteString.copyOf(VSN));
    long now = ctx.scheduler.nowMillis();
    tickers.add(ticker(ctx.options.getProbeInterval().toMillis(), now, detector::onProbeTick));
    tickers.add(ticker(ctx.options.getGossipInterval().toMillis(), now, gossiper::gossip));
    pushPull.start();
  }

  /**
   * Joins a cluster: a push/pull with each address in turn ({@code ip:port}, or {@code name/ip:port}).
   *
   * @return how many addresses answered; fails, listing every error, only when none did
   */
  public Future<Integer> join(List<String> addresses) {
    checkNotShutdown();
    return pushPull.join(addresses);
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
    if (!ctx.table.anyAliveBesides(ctx.name)) {
      broadcast.tryComplete();
      return broadcast.future();
    }
    // Beyond memberlist: every member is also told at once, in a packet of its own, rather than only over
    // the next gossip rounds, so a graceful leave is seen everywhere within a round trip. The broadcast goes
    // on as memberlist's, and the leave completes when it has been gossiped its full number of times.
    NodeState self = ctx.table.get(ctx.name);
    gossiper.sendToLiveMembers(ctx.messages.encode(new Dead(self.incarnation, ctx.name, ctx.name)));
    Scheduler.Timer timeout = ctx.scheduler.schedule(timeoutMillis,
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
    pushPull.stop();
    rules.stop();
    detector.stop();
  }

  /**
   * Announces this node's metadata anew (memberlist's {@code UpdateNode}): an alive message at the next
   * incarnation with what the delegate's {@link GossipDelegate#nodeMeta} gives now, gossiped at once. Before
   * {@link #start()} there is nothing to do: start reads the metadata.
   */
  public void updateMeta() {
    checkNotShutdown();
    if (!started || rules.hasLeft()) {
      return;
    }
    rules.aliveSelf(nodeMeta(), ByteString.copyOf(VSN));
    gossiper.gossip();
  }

  private ByteString nodeMeta() {
    ByteString meta = ctx.delegate.nodeMeta(META_MAX_BYTES);
    if (meta != null && meta.length() > META_MAX_BYTES) {
      throw new IllegalStateException("node metadata is " + meta.length() + " bytes; at most " + META_MAX_BYTES);
    }
    return meta;
  }

  private void checkNotShutdown() {
    if (ctx.shutdown) {
      throw new IllegalStateException("the membership engine is shut down");
    }
  }

  /** Runs the task every interval from the start, like Go's time.Ticker. */
  private Scheduler.Timer ticker(long intervalMillis, long start, Runnable task) {
    Scheduler scheduler = ctx.scheduler;
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

  // ---------------------------------------------------------------------------------------------------
  // What the layer above reads

  /** This node's name. */
  public String name() {
    return ctx.name;
  }

  /** The members that are alive or suspect (not dead, not left), this node included; in probe order. */
  public List<Member> members() {
    return ctx.table.members();
  }

  /**
   * Every member the engine tracks, dead and left ones not yet forgotten included, with how long ago each
   * changed state and was last heard from: a snapshot for a status page.
   */
  public List<MemberDetails> memberDetails() {
    return ctx.table.details();
  }

  /** How many members are alive or suspect, this node included. */
  public int numMembers() {
    return ctx.table.numMembers();
  }

  /** What the engine knows of a member, or null. */
  public Member member(String memberName) {
    NodeState node = ctx.table.get(memberName);
    return node == null ? null : node.snapshot();
  }

  /** Lifeguard's local health score: 0 is healthy; higher means this node is missing acks. */
  public int healthScore() {
    return ctx.awareness.score();
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
    return ctx.options.getStreamTimeout();
  }

  // ---------------------------------------------------------------------------------------------------
  // What the layer above sends

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

  /**
   * Sends a user message straight to every other member that is alive or suspect, each in a packet of its
   * own (memberlist's {@code SendBestEffort} to each); for news every member needs at once, beside gossip.
   */
  public void sendUserMessageToLiveMembers(byte[] message) {
    checkNotShutdown();
    gossiper.sendUserMessageToLiveMembers(message);
  }

  /**
   * Rotates the encryption keys: from now on packets and streams are encrypted with this keyring's primary
   * key and read with any of its keys (memberlist's keyring operations; null turns encryption off). What is
   * already queued for sending keeps the keys it was sealed with.
   */
  public void useKeyring(Keyring keyring) {
    checkNotShutdown();
    ctx.useKeyring(keyring);
  }

  // ---------------------------------------------------------------------------------------------------
  // What the transport hands in

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
    packets.receive(packet, from);
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
    pushPull.accept(channel);
  }
}
