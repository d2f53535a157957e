package io.ckit.gossip;

import io.ckit.wire.LabelHeader;
import io.ckit.wire.MemberState;
import io.ckit.wire.Message;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.MessageType;
import java.util.ArrayList;
import java.util.List;

/**
 * Gossip and every packet out (memberlist's broadcast.go and the sending half of its net.go): each gossip
 * interval, packs the queued broadcasts (memberlist's own first, then the delegate's user messages in the
 * space left) into compound packets for {@code gossipNodes} random members; piggy-backs them on every probe
 * and answer as well; and wraps each packet for its recipient (label, a CRC toward members that speak
 * protocol 5, compression, encryption).
 *
 * <p>Concurrency: confined to the engine's thread; no locks.
 */
final class Gossiper {

  private static final int COMPOUND_HEADER_OVERHEAD = 2;
  private static final int COMPOUND_OVERHEAD = 2;
  private static final int USER_MESSAGE_OVERHEAD = 1;
  private static final int ENCRYPTION_OVERHEAD = 29;

  private final EngineContext ctx;
  private final int labelOverhead;

  Gossiper(EngineContext ctx) {
    this.ctx = ctx;
    this.labelOverhead = LabelHeader.header(ctx.label).length;
  }

  /**
   * One gossip round: the waiting broadcasts to {@code gossipNodes} random members that are alive, suspect,
   * or dead for less than gossipToTheDeadTime (never this node).
   */
  void gossip() {
    if (ctx.broadcasts.size() == 0 && !ctx.delegate.hasBroadcasts()) {
      // memberlist would pick the targets and then find nothing to send them.
      return;
    }
    long now = ctx.scheduler.nowMillis();
    long toTheDead = ctx.options.getGossipToTheDeadTime().toMillis();
    List<NodeState> targets = ctx.table.kRandomNodes(ctx.options.getGossipNodes(), node -> {
      if (node.name.equals(ctx.name)) {
        return true;
      }
      return switch (node.state) {
        case ALIVE, SUSPECT -> false;
        case DEAD -> now - node.stateChange > toTheDead;
        default -> true;
      };
    });
    sendGossip(targets);
  }

  /** Sends each target a packet of the broadcasts waiting; stops once there are none. */
  private void sendGossip(List<NodeState> targets) {
    int bytesAvailable = packetSpace() - COMPOUND_HEADER_OVERHEAD;
    for (NodeState target : targets) {
      List<byte[]> parts = getBroadcasts(COMPOUND_OVERHEAD, bytesAvailable);
      if (parts.isEmpty()) {
        return;
      }
      if (parts.size() == 1) {
        rawSendMsgPacket(target.address(), target, parts.get(0));
      } else {
        for (byte[] compound : compounds(parts)) {
          rawSendMsgPacket(target.address(), target, compound);
        }
      }
    }
  }

  private int packetSpace() {
    return ctx.options.getMaxPacketBytes() - labelOverhead
        - (ctx.packets.encrypts() ? ENCRYPTION_OVERHEAD : 0);
  }

  /** memberlist's broadcasts first, then the delegate's user messages in the space left. */
  private List<byte[]> getBroadcasts(int overhead, int limit) {
    List<byte[]> toSend = ctx.broadcasts.getBroadcasts(overhead, limit);
    int used = 0;
    for (byte[] message : toSend) {
      used += message.length + overhead;
    }
    int available = limit - used;
    if (available > overhead + USER_MESSAGE_OVERHEAD) {
      List<byte[]> user = ctx.delegate.broadcasts(overhead + USER_MESSAGE_OVERHEAD, available);
      if (!user.isEmpty()) {
        toSend = new ArrayList<>(toSend);
        for (byte[] message : user) {
          toSend.add(userMessage(message));
        }
      }
    }
    return toSend;
  }

  /** Compound messages of at most 255 parts each. */
  private static List<byte[]> compounds(List<byte[]> parts) {
    List<byte[]> compounds = new ArrayList<>();
    for (int from = 0; from < parts.size(); from += MessageCodec.MAX_COMPOUND_PARTS) {
      int to = Math.min(parts.size(), from + MessageCodec.MAX_COMPOUND_PARTS);
      compounds.add(MessageCodec.encodeCompound(parts.subList(from, to)));
    }
    return compounds;
  }

  /**
   * Sends a message (a probe or an answer) to an address, piggy-backing queued broadcasts. Unlike
   * memberlist, which would overflow the compound's one-byte count past 255 parts, extra broadcasts go in
   * further compound packets.
   */
  void sendMsg(String address, byte[] message) {
    int available = packetSpace() - message.length - COMPOUND_HEADER_OVERHEAD;
    List<byte[]> extra = getBroadcasts(COMPOUND_OVERHEAD, available);
    if (extra.isEmpty()) {
      rawSendMsgPacket(address, null, message);
      return;
    }
    List<byte[]> parts = new ArrayList<>(extra.size() + 1);
    parts.add(message);
    parts.addAll(extra);
    for (byte[] compound : compounds(parts)) {
      rawSendMsgPacket(address, null, compound);
    }
  }

  void encodeAndSendMsg(String address, Message message) {
    sendMsg(address, ctx.messages.encode(message));
  }

  /**
   * Sends an encoded message as one packet. A checksum is added only for a member known to speak protocol
   * 5; without a member to go by, memberlist looks one up by the bare IP as a node name (which ckit's names
   * never are, so probes and acks go without).
   */
  void rawSendMsgPacket(String address, NodeState node, byte[] message) {
    NodeState recipient = node != null ? node : ctx.table.get(Addresses.hostOf(address));
    boolean crc = recipient != null && recipient.protocolMax() >= 5;
    ctx.transport.sendPacket(address, ctx.packets.wrap(message, crc));
  }

  /** memberlist's {@code SendBestEffort}: false, with nothing sent, if the member is unknown, dead or left. */
  boolean sendUserMessage(String memberName, byte[] message) {
    NodeState node = ctx.table.get(memberName);
    if (node == null || node.deadOrLeft()) {
      return false;
    }
    rawSendMsgPacket(node.address(), node, userMessage(message));
    return true;
  }

  /** Sends the delegate's bytes as a user message, in a packet of its own, to every other live member. */
  void sendUserMessageToLiveMembers(byte[] message) {
    sendToLiveMembers(userMessage(message));
  }

  /** Sends an encoded message, in a packet of its own, to every other member that is alive or suspect. */
  void sendToLiveMembers(byte[] message) {
    for (NodeState node : ctx.table.all()) {
      if (!node.name.equals(ctx.name) && (node.state == MemberState.ALIVE || node.state == MemberState.SUSPECT)) {
        rawSendMsgPacket(node.address(), node, message);
      }
    }
  }

  /** The delegate's bytes as a memberlist user message: its type byte, then the bytes. */
  private static byte[] userMessage(byte[] payload) {
    byte[] wrapped = new byte[payload.length + 1];
    wrapped[0] = (byte) MessageType.USER.code();
    System.arraycopy(payload, 0, wrapped, 1, payload.length);
    return wrapped;
  }
}
