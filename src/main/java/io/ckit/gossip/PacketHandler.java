package io.ckit.gossip;

import io.ckit.wire.Message;
import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.Dead;
import io.ckit.wire.Message.IndirectPing;
import io.ckit.wire.Message.NackResp;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.Suspect;
import io.ckit.wire.Message.User;
import io.ckit.wire.PacketCodec;
import io.ckit.wire.WireDecodeException;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Packets in (the receiving half of memberlist's net.go): decodes each packet (label, CRC, encryption),
 * unwraps compound and compressed messages, hands pings, indirect pings, acks and nacks to the {@link
 * FailureDetector} at once, then alive, suspect and dead messages to {@link MembershipRules} and user
 * messages to the delegate, in the order memberlist's handoff queues give them. Packets it cannot read, or
 * with another cluster's label, are logged, counted and dropped.
 *
 * <p>Concurrency: confined to the engine's thread; no locks.
 */
final class PacketHandler {

  private final EngineContext ctx;
  private final FailureDetector detector;
  private final MembershipRules rules;

  PacketHandler(EngineContext ctx, FailureDetector detector, MembershipRules rules) {
    this.ctx = ctx;
    this.detector = detector;
    this.rules = rules;
  }

  /** @param from the sender's address as the transport sees it (used when a probe names no source) */
  void receive(byte[] packet, String from) {
    ctx.packetsReceived++;
    PacketCodec.Packet decoded;
    try {
      decoded = ctx.packets.decode(packet);
    } catch (WireDecodeException e) {
      ctx.packetsRejected++;
      ctx.delegate.notifyRejected(e);
      if (e.kind() == WireDecodeException.Kind.LABEL_MISMATCH) {
        ctx.log(Level.ERROR, "discarding packet with unacceptable label: " + e.getMessage() + " from=" + from);
      } else {
        ctx.log(Level.ERROR, "failed to decode packet: " + e.getMessage() + " from=" + from);
      }
      return;
    }
    Deque<Message> alive = new ArrayDeque<>();
    Deque<Message> other = new ArrayDeque<>();
    handleCommand(decoded.message(), from, alive, other);
    // memberlist hands alive, suspect, dead and user messages to a second goroutine, which takes the
    // newest first, alive ones before the rest.
    while (!alive.isEmpty()) {
      handleGossip(alive.pollLast(), from);
    }
    while (!other.isEmpty()) {
      handleGossip(other.pollLast(), from);
    }
  }

  private void handleCommand(Message message, String from, Deque<Message> alive, Deque<Message> other) {
    switch (message.type()) {
      case COMPOUND -> {
        Compound compound = (Compound) message;
        if (compound.truncatedParts() > 0) {
          ctx.log(Level.WARNING, "Compound request had " + compound.truncatedParts() + " truncated messages from="
              + from);
        }
        for (WireDecodeException unreadable : compound.unreadableParts()) {
          ctx.log(Level.ERROR, "Failed to decode compound part: " + unreadable.getMessage() + " from=" + from);
        }
        for (Message part : compound.parts()) {
          handleCommand(part, from, alive, other);
        }
      }
      case COMPRESS -> handleCommand(((Compress) message).inner(), from, alive, other);
      case PING -> detector.handlePing((Ping) message, from);
      case INDIRECT_PING -> detector.handleIndirectPing((IndirectPing) message, from);
      case ACK_RESP -> detector.handleAck((AckResp) message);
      case NACK_RESP -> detector.handleNack((NackResp) message);
      case ALIVE -> handoff(alive, message, from);
      case SUSPECT, DEAD, USER -> handoff(other, message, from);
      default -> ctx.log(Level.ERROR, "msg type (" + message.type().code() + ") not supported from=" + from);
    }
  }

  private void handoff(Deque<Message> queue, Message message, String from) {
    if (queue.size() >= ctx.options.getHandoffQueueDepth()) {
      ctx.log(Level.WARNING, "handler queue full, dropping message (" + message.type().code() + ") from=" + from);
      return;
    }
    queue.addLast(message);
  }

  private void handleGossip(Message message, String from) {
    switch (message.type()) {
      case ALIVE -> {
        Alive alive = (Alive) message;
        if (alive.port() == 0) {
          alive = new Alive(alive.incarnation(), alive.node(), alive.addr(), ctx.selfPort, alive.meta(), alive.vsn());
        }
        rules.aliveNode(alive, null, false);
      }
      case SUSPECT -> rules.suspectNode((Suspect) message);
      case DEAD -> rules.deadNode((Dead) message);
      case USER -> ctx.delegate.notifyMessage(((User) message).payload());
      default -> throw new IllegalStateException("not a gossip message: " + message.type());
    }
  }
}
