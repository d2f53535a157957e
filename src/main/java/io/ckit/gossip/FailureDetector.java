package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.MemberState;
import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.IndirectPing;
import io.ckit.wire.Message.NackResp;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.Suspect;
import io.ckit.wire.MessageCodec;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SWIM's failure detector with Lifeguard's local health (the probe half of memberlist's state.go, and its
 * ping, indirect-ping, ack and nack handlers): each probe interval, stretched by {@link Awareness}, it pings
 * the next member in probe order; without an ack within the probe timeout it asks up to {@code
 * indirectChecks} alive members to ping it too (and to nack if they get no answer); without any ack by the
 * end of the interval it hands the member to {@link MembershipRules} as a suspect. It answers other members'
 * pings, pings on their behalf, and scores local health by how its probes fare.
 *
 * <p>Concurrency: confined to the engine's thread; ack timers run there too. No locks.
 */
final class FailureDetector {

  private static final long UINT32_MASK = 0xFFFF_FFFFL;

  private final EngineContext ctx;
  private final Gossiper gossiper;
  private final MembershipRules rules;
  /** Who waits for the ack (or nack) with a sequence number: our own probes and pings on others' behalf. */
  private final Map<Long, AckHandler> ackHandlers = new HashMap<>();
  private Probe probe;
  private boolean probeTickPending;
  private long sequence;

  FailureDetector(EngineContext ctx, Gossiper gossiper, MembershipRules rules) {
    this.ctx = ctx;
    this.gossiper = gossiper;
    this.rules = rules;
  }

  /** A probe tick; one that comes while a probe is running waits for it (Go's ticker keeps one tick). */
  void onProbeTick() {
    if (probe != null) {
      probeTickPending = true;
      return;
    }
    probeNext();
  }

  private void probeNext() {
    NodeState node = ctx.table.nextToProbe(ctx.name);
    if (node == null) {
      return;
    }
    probe = new Probe(node);
    ctx.probesStarted++;
    probe.start();
  }

  private void probeFinished() {
    probe = null;
    if (probeTickPending && !ctx.shutdown) {
      probeTickPending = false;
      probeNext();
    }
  }

  /** One probe of one member: direct ping, then indirect pings, then suspicion. */
  private final class Probe {
    private final String target;
    private final long incarnation;
    private final MemberState stateAtStart;
    private final String address;
    private final ByteString targetAddr;
    private final int targetPort;
    private final long seq = nextSeqNo();
    private Scheduler.Timer directTimeout;
    private int expectedNacks;
    private int nacks;
    private boolean done;

    Probe(NodeState node) {
      this.target = node.name;
      this.incarnation = node.incarnation;
      this.stateAtStart = node.state;
      this.address = node.address();
      this.targetAddr = node.addr;
      this.targetPort = node.port;
    }

    void start() {
      long probeInterval = ctx.awareness.scale(ctx.options.getProbeInterval().toMillis());
      setAckHandler(seq, this::acked, this::nacked, probeInterval, this::failed);
      directTimeout = ctx.scheduler.schedule(ctx.options.getProbeTimeout().toMillis(), this::indirect);
      Ping ping = new Ping(seq, target, ctx.selfAddr, ctx.selfPort, ctx.name);
      if (stateAtStart == MemberState.ALIVE) {
        gossiper.sendMsg(address, ctx.messages.encode(ping));
      } else {
        // Tell a suspect it is suspected, so it can refute at once.
        byte[] compound = MessageCodec.encodeCompound(List.of(ctx.messages.encode(ping),
            ctx.messages.encode(new Suspect(incarnation, target, ctx.name))));
        gossiper.rawSendMsgPacket(address, ctx.table.get(target), compound);
      }
    }

    private void acked() {
      if (done) {
        return;
      }
      done = true;
      directTimeout.cancel();
      ctx.awareness.apply(-1);
      ctx.table.heardFrom(target);
      probeFinished();
    }

    private void nacked() {
      nacks++;
    }

    private void indirect() {
      if (done) {
        return;
      }
      List<NodeState> helpers = ctx.table.kRandomNodes(ctx.options.getIndirectChecks(),
          node -> node.name.equals(ctx.name) || node.name.equals(target) || node.state != MemberState.ALIVE);
      for (NodeState helper : helpers) {
        boolean nack = helper.protocolMax() >= 4;
        expectedNacks += nack ? 1 : 0;
        gossiper.sendMsg(helper.address(), ctx.messages.encode(new IndirectPing(seq, targetAddr, targetPort, target,
            nack, ctx.selfAddr, ctx.selfPort, ctx.name)));
      }
    }

    private void failed() {
      if (done) {
        return;
      }
      done = true;
      directTimeout.cancel();
      ctx.failedProbes++;
      ctx.awareness.apply(GossipMath.awarenessDeltaAfterFailedProbe(expectedNacks, nacks));
      ctx.log(Level.INFO, "Suspect " + target + " has failed, no acks received");
      rules.suspectNode(new Suspect(incarnation, target, ctx.name));
      probeFinished();
    }

    void cancel() {
      done = true;
      directTimeout.cancel();
    }
  }

  private static final class AckHandler {
    final Runnable ack;
    final Runnable nack;
    Scheduler.Timer timer;

    AckHandler(Runnable ack, Runnable nack) {
      this.ack = ack;
      this.nack = nack;
    }
  }

  private void setAckHandler(long seq, Runnable ack, Runnable nack, long timeoutMillis, Runnable onTimeout) {
    AckHandler handler = new AckHandler(ack, nack);
    ackHandlers.put(seq, handler);
    handler.timer = ctx.scheduler.schedule(timeoutMillis, () -> {
      if (ackHandlers.get(seq) == handler) {
        ackHandlers.remove(seq);
      }
      if (onTimeout != null) {
        onTimeout.run();
      }
    });
  }

  private long nextSeqNo() {
    sequence = (sequence + 1) & UINT32_MASK;
    return sequence;
  }

  void handlePing(Ping ping, String from) {
    if (!ping.node().isEmpty() && !ping.node().equals(ctx.name)) {
      ctx.log(Level.WARNING, "Got ping for unexpected node '" + ping.node() + "' from=" + from);
      return;
    }
    String address = hasSource(ping.sourceAddr(), ping.sourcePort())
        ? Addresses.format(ping.sourceAddr(), ping.sourcePort()) : from;
    gossiper.encodeAndSendMsg(address, new AckResp(ping.seqNo(), null));
    if (ping.sourceNode() != null && !ping.sourceNode().isEmpty()) {
      ctx.table.heardFrom(ping.sourceNode());
    }
  }

  void handleIndirectPing(IndirectPing request, String from) {
    int port = request.port() == 0 ? ctx.selfPort : request.port();
    long localSeq = nextSeqNo();
    String requester = hasSource(request.sourceAddr(), request.sourcePort())
        ? Addresses.format(request.sourceAddr(), request.sourcePort()) : from;
    // The nack goes out when the ack handler times out: an ack cancels it, and so does stop() at shutdown,
    // which cancels every ack handler's timer.
    Runnable nack = request.nack()
        ? () -> gossiper.encodeAndSendMsg(requester, new NackResp(request.seqNo())) : null;
    setAckHandler(localSeq, () -> gossiper.encodeAndSendMsg(requester, new AckResp(request.seqNo(), null)), null,
        ctx.options.getProbeTimeout().toMillis(), nack);
    if (request.target() != null && (request.target().length() == 4 || request.target().length() == 16)) {
      gossiper.encodeAndSendMsg(Addresses.format(request.target(), port),
          new Ping(localSeq, request.node(), ctx.selfAddr, ctx.selfPort, ctx.name));
    } else {
      ctx.log(Level.ERROR, "Failed to send indirect ping: no target address for " + request.node());
    }
  }

  private static boolean hasSource(ByteString addr, int port) {
    return addr != null && (addr.length() == 4 || addr.length() == 16) && port > 0;
  }

  void handleAck(AckResp ack) {
    AckHandler handler = ackHandlers.remove(ack.seqNo());
    if (handler == null) {
      return;
    }
    handler.timer.cancel();
    handler.ack.run();
  }

  void handleNack(NackResp nack) {
    AckHandler handler = ackHandlers.get(nack.seqNo());
    if (handler != null && handler.nack != null) {
      handler.nack.run();
    }
  }

  /** Stops the probe under way and every ack timer, so no nack promised to another member goes out. */
  void stop() {
    ackHandlers.values().forEach(handler -> handler.timer.cancel());
    ackHandlers.clear();
    if (probe != null) {
      probe.cancel();
      probe = null;
    }
  }
}
