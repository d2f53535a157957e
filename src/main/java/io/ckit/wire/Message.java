package io.ckit.wire;

import java.util.List;
import java.util.Objects;

/**
 * A memberlist message: what follows one type byte. Field names and meanings are memberlist's (v0.5.3); a
 * {@link ByteString} field that is null is Go's nil slice. Unsigned 32-bit fields are held in {@code long}s
 * and checked on construction, as are ports.
 *
 * <p>{@link MessageCodec} turns messages into bytes and back.
 */
public sealed interface Message {

  /** The type byte this message is written with. */
  MessageType type();

  /** A direct probe. {@code node} names the intended recipient; the source fields say where to answer. */
  record Ping(long seqNo, String node, ByteString sourceAddr, int sourcePort, String sourceNode)
      implements Message {
    public Ping {
      Checks.uint32(seqNo, "seqNo");
      Objects.requireNonNull(node, "node");
      Checks.port(sourcePort, "sourcePort");
      Objects.requireNonNull(sourceNode, "sourceNode");
    }

    @Override
    public MessageType type() {
      return MessageType.PING;
    }
  }

  /** A request to probe {@code node} at {@code target:port} on the sender's behalf. */
  record IndirectPing(long seqNo, ByteString target, int port, String node, boolean nack,
      ByteString sourceAddr, int sourcePort, String sourceNode) implements Message {
    public IndirectPing {
      Checks.uint32(seqNo, "seqNo");
      Checks.port(port, "port");
      Objects.requireNonNull(node, "node");
      Checks.port(sourcePort, "sourcePort");
      Objects.requireNonNull(sourceNode, "sourceNode");
    }

    @Override
    public MessageType type() {
      return MessageType.INDIRECT_PING;
    }
  }

  /** The answer to a ping. ckit sets no ping delegate, so its payload is nil. */
  record AckResp(long seqNo, ByteString payload) implements Message {
    public AckResp {
      Checks.uint32(seqNo, "seqNo");
    }

    @Override
    public MessageType type() {
      return MessageType.ACK_RESP;
    }
  }

  /** Tells the requester of an indirect ping that its target did not answer in time. */
  record NackResp(long seqNo) implements Message {
    public NackResp {
      Checks.uint32(seqNo, "seqNo");
    }

    @Override
    public MessageType type() {
      return MessageType.NACK_RESP;
    }
  }

  /** A stream's answer to a request it could not read. */
  record ErrResp(String error) implements Message {
    public ErrResp {
      Objects.requireNonNull(error, "error");
    }

    @Override
    public MessageType type() {
      return MessageType.ERR;
    }
  }

  /** {@code from} suspects {@code node} (at {@code incarnation}) of having failed. */
  record Suspect(long incarnation, String node, String from) implements Message {
    public Suspect {
      Checks.uint32(incarnation, "incarnation");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(from, "from");
    }

    @Override
    public MessageType type() {
      return MessageType.SUSPECT;
    }
  }

  /**
   * {@code node} is alive at {@code incarnation}, reachable at {@code addr:port} (IP bytes: 4 for IPv4, 16
   * for IPv6 or IPv4-mapped). {@code vsn} holds six protocol versions: pmin, pmax, pcur, dmin, dmax, dcur.
   */
  record Alive(long incarnation, String node, ByteString addr, int port, ByteString meta, ByteString vsn)
      implements Message {
    public Alive {
      Checks.uint32(incarnation, "incarnation");
      Objects.requireNonNull(node, "node");
      Checks.port(port, "port");
    }

    @Override
    public MessageType type() {
      return MessageType.ALIVE;
    }
  }

  /** {@code from} declares {@code node} dead; when {@code from} is {@code node} itself, it has left. */
  record Dead(long incarnation, String node, String from) implements Message {
    public Dead {
      Checks.uint32(incarnation, "incarnation");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(from, "from");
    }

    /** Whether this is a graceful leave: a node declaring itself dead. */
    public boolean isLeave() {
      return node.equals(from);
    }

    @Override
    public MessageType type() {
      return MessageType.DEAD;
    }
  }

  /**
   * A full state exchange (streams only): every member the sender knows, then the delegate's user state
   * (ckit's {@link LocalState}). A null or empty user state sends nothing; either decodes as null.
   */
  record PushPull(boolean join, List<PushNodeState> states, ByteString userState) implements Message {
    public PushPull {
      states = List.copyOf(states);
    }

    @Override
    public MessageType type() {
      return MessageType.PUSH_PULL;
    }
  }

  /** One member in a {@link PushPull}. Not a message of its own. */
  record PushNodeState(String name, ByteString addr, int port, ByteString meta, long incarnation,
      MemberState state, ByteString vsn) {
    public PushNodeState {
      Objects.requireNonNull(name, "name");
      Checks.port(port, "port");
      Checks.uint32(incarnation, "incarnation");
      Objects.requireNonNull(state, "state");
    }
  }

  /**
   * A message for the delegate (ckit's state broadcasts). In a packet the payload is simply the rest of the
   * message; on a stream it is preceded by its length.
   */
  record User(ByteString payload) implements Message {
    public User {
      Objects.requireNonNull(payload, "payload");
    }

    @Override
    public MessageType type() {
      return MessageType.USER;
    }
  }

  /**
   * Several messages in one packet. When decoding, parts the packet announced but did not hold whole are
   * counted in {@code truncatedParts}, and parts that could not be decoded are left out of {@code parts}
   * and listed in {@code unreadableParts}, so the readable ones can still be handled, as memberlist does.
   */
  record Compound(List<Message> parts, int truncatedParts, List<WireDecodeException> unreadableParts)
      implements Message {
    public Compound {
      parts = List.copyOf(parts);
      unreadableParts = List.copyOf(unreadableParts);
      if (truncatedParts < 0) {
        throw new IllegalArgumentException("truncatedParts must not be negative");
      }
    }

    /** A compound of these parts, to send. */
    public static Compound of(List<Message> parts) {
      return new Compound(parts, 0, List.of());
    }

    /** A compound of these parts, to send. */
    public static Compound of(Message... parts) {
      return of(List.of(parts));
    }

    @Override
    public MessageType type() {
      return MessageType.COMPOUND;
    }
  }

  /** A message sent LZW-compressed. */
  record Compress(Message inner) implements Message {
    public Compress {
      Objects.requireNonNull(inner, "inner");
    }

    @Override
    public MessageType type() {
      return MessageType.COMPRESS;
    }
  }
}
