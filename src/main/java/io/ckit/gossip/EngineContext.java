package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.Keyring;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.PacketCodec;
import io.ckit.wire.StreamCodec;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What the pieces of one engine share: its identity and settings, its transport, scheduler, delegate and
 * randomness, the codecs, the {@link MemberTable}, the queue of memberlist's own broadcasts, local health
 * ({@link Awareness}), the shutdown flag and the counters behind {@link GossipStats}. Each piece ({@link
 * MembershipRules}, {@link FailureDetector}, {@link Gossiper}, {@link PushPullSync}, {@link PacketHandler})
 * owns the rest of its state itself.
 *
 * <p>Concurrency: confined, like the whole engine, to the thread its scheduler runs tasks on, so its fields
 * are plain and unguarded; only {@link #options} and the identity (fixed at construction) may be read from
 * elsewhere.
 */
final class EngineContext {

  /** Under the façade's name: the engine logs as one, whichever piece speaks. */
  private static final System.Logger LOG = System.getLogger(Memberlist.class.getName());

  final GossipOptions options;
  final Transport transport;
  final Scheduler scheduler;
  final GossipDelegate delegate;
  /** The randomness of probe order, gossip targets and staggering: one source, so a seeded run repeats. */
  final RandomGenerator random;
  final String name;
  /** The cluster label every packet and stream carries, and expects. */
  final String label;
  final ByteString selfAddr;
  final int selfPort;
  final MessageCodec messages;
  /** The codecs hold the keyring: both are replaced when it is ({@link #useKeyring}). */
  PacketCodec packets;
  StreamCodec streams;
  final MemberTable table;
  /** memberlist's own broadcasts (alive, suspect, dead) waiting to be gossiped. */
  final BroadcastQueue broadcasts;
  final Awareness awareness;
  /** Set by {@link Memberlist#shutdown()}; what was already under way (a stream opening, a timer) checks it. */
  boolean shutdown;

  long probesStarted;
  long failedProbes;
  long suspicionsStarted;
  long deathsDeclared;
  long refutations;
  long pushPullsStarted;
  long packetsReceived;
  long packetsRejected;

  /** @param options validated settings, owned from now on */
  EngineContext(MemberIdentity self, GossipOptions options, Transport transport, Scheduler scheduler,
      GossipDelegate delegate, RandomGenerator random) {
    this.options = options;
    this.transport = Objects.requireNonNull(transport, "transport");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.random = Objects.requireNonNull(random, "random");
    this.name = self.name();
    this.label = self.label();
    Addresses.IpPort advertise = Addresses.parse(self.advertiseAddress());
    this.selfAddr = advertise.ip();
    this.selfPort = advertise.port();
    this.messages = new MessageCodec(options.getMaxMessageBytes());
    useKeyring(options.getKeyring());
    this.table = new MemberTable(random, scheduler, options.getGossipToTheDeadTime().toMillis());
    this.broadcasts = new BroadcastQueue(options.getRetransmitMult(), table::size);
    this.awareness = new Awareness(options.getAwarenessMaxMultiplier());
  }

  /** From now on, encrypts with this keyring's primary key and decrypts with any of its keys (null: none). */
  void useKeyring(Keyring keyring) {
    packets = new PacketCodec(messages, label, keyring, options.isVerifyIncoming(), options.isVerifyOutgoing(),
        options.isCompression());
    streams = new StreamCodec(messages, label, keyring, options.isVerifyIncoming(), options.isVerifyOutgoing(),
        options.isCompression());
  }

  GossipStats stats() {
    return new GossipStats(probesStarted, failedProbes, suspicionsStarted, deathsDeclared, refutations,
        pushPullsStarted, packetsReceived, packetsRejected);
  }

  void log(Level level, String message) {
    if (LOG.isLoggable(level)) {
      LOG.log(level, "[" + name + "] memberlist: " + message);
    }
  }
}
