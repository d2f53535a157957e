package io.ckit.wire;

import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.Compound;
import io.ckit.wire.Message.Compress;
import io.ckit.wire.Message.Dead;
import io.ckit.wire.Message.ErrResp;
import io.ckit.wire.Message.IndirectPing;
import io.ckit.wire.Message.NackResp;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.PushNodeState;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.Message.Suspect;
import io.ckit.wire.Message.User;
import io.ckit.wire.WireDecodeException.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes memberlist messages: a type byte, then the message's struct as go-msgpack writes it
 * (see {@link GoMsgpackWriter}), or for compound and compressed messages their own layouts:
 *
 * <ul>
 *   <li>compound: {@code [7][count u8][count x length u16 BE][parts]}, each part a whole message;
 *   <li>compress: {@code [9]} + msgpack {@code {Algo: 0, Buf: LZW(message)}};
 *   <li>user: in a packet, {@code [8]} + the payload; on a stream, {@code [8]} + msgpack
 *       {@code {UserMsgLen}} + the payload;
 *   <li>push/pull (streams): {@code [6]} + header {@code {Join, Nodes, UserStateLen}} + {@code Nodes} node
 *       states + {@code UserStateLen} bytes of user state.
 * </ul>
 *
 * <p>Decoding reads a whole message from a byte range. Like Go's decoder it ignores unknown map keys, gives
 * absent or nil fields their zero values and ignores bytes after a message's last msgpack value. It never
 * allocates from a length before checking it against the bytes that remain, decompresses at most {@link
 * #maxMessageBytes()} bytes for one message however many compressed parts it nests (so that a small packet
 * of many compressed parts cannot make it decompress the maximum many times over) and follows at most
 * {@value #MAX_NESTING} levels of compound and compressed
 * messages. Instances are immutable and thread-safe.
 */
public final class MessageCodec {

  /** The default largest message, decompressed: far above any ckit message, far below ckit's 4 GiB. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** How deeply compound and compressed messages may nest. */
  public static final int MAX_NESTING = 4;

  /** The most parts a compound message holds. */
  public static final int MAX_COMPOUND_PARTS = 255;

  /** The largest part of a compound message. */
  public static final int MAX_COMPOUND_PART_BYTES = 0xFFFF;

  private static final byte[] ADDR = GoMsgpackWriter.key("Addr");
  private static final byte[] ALGO = GoMsgpackWriter.key("Algo");
  private static final byte[] BUF = GoMsgpackWriter.key("Buf");
  private static final byte[] ERROR = GoMsgpackWriter.key("Error");
  private static final byte[] FROM = GoMsgpackWriter.key("From");
  private static final byte[] INCARNATION = GoMsgpackWriter.key("Incarnation");
  private static final byte[] JOIN = GoMsgpackWriter.key("Join");
  private static final byte[] META = GoMsgpackWriter.key("Meta");
  private static final byte[] NACK = GoMsgpackWriter.key("Nack");
  private static final byte[] NAME = GoMsgpackWriter.key("Name");
  private static final byte[] NODE = GoMsgpackWriter.key("Node");
  private static final byte[] NODES = GoMsgpackWriter.key("Nodes");
  private static final byte[] PAYLOAD = GoMsgpackWriter.key("Payload");
  private static final byte[] PORT = GoMsgpackWriter.key("Port");
  private static final byte[] SEQ_NO = GoMsgpackWriter.key("SeqNo");
  private static final byte[] SOURCE_ADDR = GoMsgpackWriter.key("SourceAddr");
  private static final byte[] SOURCE_NODE = GoMsgpackWriter.key("SourceNode");
  private static final byte[] SOURCE_PORT = GoMsgpackWriter.key("SourcePort");
  private static final byte[] STATE = GoMsgpackWriter.key("State");
  private static final byte[] TARGET = GoMsgpackWriter.key("Target");
  private static final byte[] USER_MSG_LEN = GoMsgpackWriter.key("UserMsgLen");
  private static final byte[] USER_STATE_LEN = GoMsgpackWriter.key("UserStateLen");
  private static final byte[] VSN = GoMsgpackWriter.key("Vsn");

  private static final long UINT16_MAX = 0xFFFF;
  private static final long UINT32_MAX = 0xFFFF_FFFFL;
  private static final long UINT8_MAX = 0xFF;
  /** LZW, the only algorithm memberlist knows. */
  private static final int LZW = 0;

  private final int maxMessageBytes;

  /** A codec with the {@linkplain #DEFAULT_MAX_MESSAGE_BYTES default maximum} message size. */
  public MessageCodec() {
    this(DEFAULT_MAX_MESSAGE_BYTES);
  }

  /**
   * @param maxMessageBytes the largest message (after decompression) this codec decodes
   * @throws IllegalArgumentException if it is below 1 KiB
   */
  public MessageCodec(int maxMessageBytes) {
    if (maxMessageBytes < 1024) {
      throw new IllegalArgumentException("maxMessageBytes must be at least 1024, got " + maxMessageBytes);
    }
    this.maxMessageBytes = maxMessageBytes;
  }

  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Whether a message is laid out for a packet (the {@code /message} endpoint) or a stream. */
  public enum Form {
    PACKET,
    STREAM
  }

  // ---------------------------------------------------------------------------------------------------
  // Encoding

  /** Encodes a message as a packet carries it. */
  public byte[] encode(Message message) {
    return encode(message, Form.PACKET);
  }

  /**
   * Encodes a message in the given form.
   *
   * @throws IllegalArgumentException if a compound message has more than 255 parts or a part above 65535
   *     bytes
   */
  public byte[] encode(Message message, Form form) {
    GoMsgpackWriter out = new GoMsgpackWriter();
    write(message, form, out);
    return out.toByteArray();
  }

  private void write(Message message, Form form, GoMsgpackWriter out) {
    out.rawByte(message.type().code());
    switch (message.type()) {
      case PING -> writePing((Ping) message, out);
      case INDIRECT_PING -> writeIndirectPing((IndirectPing) message, out);
      case ACK_RESP -> {
        AckResp ack = (AckResp) message;
        out.mapHeader(2).key(PAYLOAD).bytes(ack.payload()).key(SEQ_NO).uint(ack.seqNo());
      }
      case NACK_RESP -> out.mapHeader(1).key(SEQ_NO).uint(((NackResp) message).seqNo());
      case ERR -> out.mapHeader(1).key(ERROR).string(((ErrResp) message).error());
      case SUSPECT -> {
        Suspect suspect = (Suspect) message;
        out.mapHeader(3).key(FROM).string(suspect.from())
            .key(INCARNATION).uint(suspect.incarnation()).key(NODE).string(suspect.node());
      }
      case ALIVE -> {
        Alive alive = (Alive) message;
        out.mapHeader(6).key(ADDR).bytes(alive.addr())
            .key(INCARNATION).uint(alive.incarnation()).key(META).bytes(alive.meta())
            .key(NODE).string(alive.node()).key(PORT).uint(alive.port()).key(VSN).bytes(alive.vsn());
      }
      case DEAD -> {
        Dead dead = (Dead) message;
        out.mapHeader(3).key(FROM).string(dead.from())
            .key(INCARNATION).uint(dead.incarnation()).key(NODE).string(dead.node());
      }
      case PUSH_PULL -> writePushPull((PushPull) message, out);
      case USER -> {
        ByteString payload = ((User) message).payload();
        if (form == Form.STREAM) {
          out.mapHeader(1).key(USER_MSG_LEN).goInt(payload.length());
        }
        out.raw(payload.array());
      }
      case COMPOUND -> writeCompound((Compound) message, out);
      case COMPRESS -> {
        byte[] inner = encode(((Compress) message).inner(), form);
        out.mapHeader(2).key(ALGO).uint(LZW)
            .key(BUF).bytes(ByteString.wrap(Lzw.compress(inner, 0, inner.length)));
      }
      default -> throw new IllegalStateException("no message record has type " + message.type());
    }
  }

  private static void writePing(Ping ping, GoMsgpackWriter out) {
    boolean hasAddr = ping.sourceAddr() != null && !ping.sourceAddr().isEmpty();
    boolean hasNode = !ping.sourceNode().isEmpty();
    boolean hasPort = ping.sourcePort() != 0;
    out.mapHeader(2 + count(hasAddr, hasNode, hasPort))
        .key(NODE).string(ping.node())
        .key(SEQ_NO).uint(ping.seqNo());
    writeSource(ping.sourceAddr(), ping.sourceNode(), ping.sourcePort(), hasAddr, hasNode, hasPort, out);
  }

  private static void writeIndirectPing(IndirectPing ping, GoMsgpackWriter out) {
    boolean hasAddr = ping.sourceAddr() != null && !ping.sourceAddr().isEmpty();
    boolean hasNode = !ping.sourceNode().isEmpty();
    boolean hasPort = ping.sourcePort() != 0;
    out.mapHeader(5 + count(hasAddr, hasNode, hasPort))
        .key(NACK).bool(ping.nack())
        .key(NODE).string(ping.node())
        .key(PORT).uint(ping.port())
        .key(SEQ_NO).uint(ping.seqNo());
    writeSource(ping.sourceAddr(), ping.sourceNode(), ping.sourcePort(), hasAddr, hasNode, hasPort, out);
    out.key(TARGET).bytes(ping.target());
  }

  /** The {@code omitempty} source fields of the two pings, in key order. */
  private static void writeSource(ByteString addr, String node, int port, boolean hasAddr, boolean hasNode,
      boolean hasPort, GoMsgpackWriter out) {
    if (hasAddr) {
      out.key(SOURCE_ADDR).bytes(addr);
    }
    if (hasNode) {
      out.key(SOURCE_NODE).string(node);
    }
    if (hasPort) {
      out.key(SOURCE_PORT).uint(port);
    }
  }

  private static int count(boolean... present) {
    int count = 0;
    for (boolean p : present) {
      count += p ? 1 : 0;
    }
    return count;
  }

  private static void writePushPull(PushPull pushPull, GoMsgpackWriter out) {
    int userStateLength = pushPull.userState() == null ? 0 : pushPull.userState().length();
    out.mapHeader(3)
        .key(JOIN).bool(pushPull.join())
        .key(NODES).goInt(pushPull.states().size())
        .key(USER_STATE_LEN).goInt(userStateLength);
    for (PushNodeState state : pushPull.states()) {
      writePushNodeState(state, out);
    }
    if (userStateLength > 0) {
      out.raw(pushPull.userState().array());
    }
  }

  private static void writePushNodeState(PushNodeState state, GoMsgpackWriter out) {
    out.mapHeader(7)
        .key(ADDR).bytes(state.addr())
        .key(INCARNATION).uint(state.incarnation())
        .key(META).bytes(state.meta())
        .key(NAME).string(state.name())
        .key(PORT).uint(state.port())
        .key(STATE).goInt(state.state().value())
        .key(VSN).bytes(state.vsn());
  }

  private void writeCompound(Compound compound, GoMsgpackWriter out) {
    List<byte[]> parts = new ArrayList<>(compound.parts().size());
    for (Message part : compound.parts()) {
      parts.add(encode(part, Form.PACKET));
    }
    byte[] encoded = encodeCompound(parts);
    out.raw(encoded, 1, encoded.length - 1);
  }

  /**
   * A compound message of already encoded parts: what {@code encode(Compound.of(parts))} gives for the
   * decoded parts, without encoding them again.
   *
   * @throws IllegalArgumentException for more than 255 parts or a part above 65535 bytes
   */
  public static byte[] encodeCompound(List<byte[]> encodedParts) {
    if (encodedParts.size() > MAX_COMPOUND_PARTS) {
      throw new IllegalArgumentException("a compound message holds at most " + MAX_COMPOUND_PARTS
          + " parts, got " + encodedParts.size());
    }
    int size = 2 + 2 * encodedParts.size();
    for (byte[] part : encodedParts) {
      if (part.length > MAX_COMPOUND_PART_BYTES) {
        throw new IllegalArgumentException("compound part of " + part.length + " bytes; at most "
            + MAX_COMPOUND_PART_BYTES + " fit");
      }
      size += part.length;
    }
    byte[] out = new byte[size];
    out[0] = (byte) MessageType.COMPOUND.code();
    out[1] = (byte) encodedParts.size();
    int position = 2 + 2 * encodedParts.size();
    for (int i = 0; i < encodedParts.size(); i++) {
      byte[] part = encodedParts.get(i);
      out[2 + 2 * i] = (byte) (part.length >>> 8);
      out[3 + 2 * i] = (byte) part.length;
      System.arraycopy(part, 0, out, position, part.length);
      position += part.length;
    }
    return out;
  }

  /** A compress message around an already encoded message: what {@code encode(new Compress(m))} gives. */
  byte[] compressEncoded(byte[] encoded) {
    return new GoMsgpackWriter().rawByte(MessageType.COMPRESS.code())
        .mapHeader(2).key(ALGO).uint(LZW)
        .key(BUF).bytes(ByteString.wrap(Lzw.compress(encoded, 0, encoded.length)))
        .toByteArray();
  }

  /** The bytes of a push/pull header alone, after its type byte (for tests of Go's int encoding). */
  static byte[] encodePushPullHeader(boolean join, long nodes, long userStateLength) {
    return new GoMsgpackWriter().mapHeader(3).key(JOIN).bool(join).key(NODES).goInt(nodes)
        .key(USER_STATE_LEN).goInt(userStateLength).toByteArray();
  }

  /** The bytes of a stream user message header alone, after its type byte. */
  static byte[] encodeUserMessageHeader(long userMessageLength) {
    return new GoMsgpackWriter().mapHeader(1).key(USER_MSG_LEN).goInt(userMessageLength).toByteArray();
  }

  /** The bytes of one push/pull node state. */
  static byte[] encodePushNodeState(PushNodeState state) {
    GoMsgpackWriter out = new GoMsgpackWriter();
    writePushNodeState(state, out);
    return out.toByteArray();
  }

  // ---------------------------------------------------------------------------------------------------
  // Decoding

  /** Decodes a whole packet-form message. */
  public Message decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length, Form.PACKET);
  }

  /**
   * Decodes the message held by {@code length} bytes of {@code bytes} from {@code offset}.
   *
   * @throws WireDecodeException if the bytes are not a message this codec can read
   */
  public Message decode(byte[] bytes, int offset, int length, Form form) {
    if (length > maxMessageBytes) {
      throw new WireDecodeException(Kind.TOO_LARGE,
          "message of " + length + " bytes is above the maximum of " + maxMessageBytes);
    }
    return read(bytes, offset, length, form, 0, new int[] {maxMessageBytes});
  }

  /**
   * @param budget the bytes the message may still decompress to, across all its compressed parts (one
   *     element, spent by {@link #readCompress})
   */
  private Message read(byte[] bytes, int offset, int length, Form form, int depth, int[] budget) {
    if (length == 0) {
      throw new WireDecodeException(Kind.TRUNCATED, "message is empty: no type byte");
    }
    int code = bytes[offset] & 0xFF;
    MessageType type = MessageType.ofCode(code);
    if (type == null) {
      throw new WireDecodeException(Kind.UNKNOWN_TYPE, "unknown message type " + code);
    }
    int bodyOffset = offset + 1;
    int bodyLength = length - 1;
    return switch (type) {
      case PING -> readPing(reader(bytes, bodyOffset, bodyLength, "ping"));
      case INDIRECT_PING -> readIndirectPing(reader(bytes, bodyOffset, bodyLength, "indirect ping"));
      case ACK_RESP -> readAck(reader(bytes, bodyOffset, bodyLength, "ack"));
      case NACK_RESP -> readNack(reader(bytes, bodyOffset, bodyLength, "nack"));
      case ERR -> readErr(reader(bytes, bodyOffset, bodyLength, "error response"));
      case SUSPECT -> readSuspect(reader(bytes, bodyOffset, bodyLength, "suspect"));
      case ALIVE -> readAlive(reader(bytes, bodyOffset, bodyLength, "alive"));
      case DEAD -> readDead(reader(bytes, bodyOffset, bodyLength, "dead"));
      case PUSH_PULL -> readPushPull(reader(bytes, bodyOffset, bodyLength, "push/pull"));
      case USER -> form == Form.PACKET
          ? new User(ByteString.copyOf(bytes, bodyOffset, bodyLength))
          : readStreamUser(reader(bytes, bodyOffset, bodyLength, "user message"));
      case COMPOUND -> readCompound(bytes, bodyOffset, bodyLength, form, nest(depth), budget);
      case COMPRESS -> readCompress(bytes, bodyOffset, bodyLength, form, nest(depth), budget);
      case ENCRYPT, HAS_CRC, HAS_LABEL -> throw new WireDecodeException(Kind.UNKNOWN_TYPE,
          "message type " + code + " (" + type.goName() + ") is an envelope, not a message");
    };
  }

  /** A message read from the start of a stream, and how many bytes it took. */
  record Prefix(Message message, int length) {}

  /**
   * Reads the stream-form message at the start of {@code available} bytes, which may hold only part of
   * it, or more than it.
   *
   * @return the message and its length, or null if the bytes end before the message does
   * @throws WireDecodeException if the bytes cannot be the start of a stream message
   */
  Prefix readStreamPrefix(byte[] bytes, int offset, int available) {
    if (available == 0) {
      return null;
    }
    int code = bytes[offset] & 0xFF;
    MessageType type = MessageType.ofCode(code);
    if (type == null) {
      throw new WireDecodeException(Kind.UNKNOWN_TYPE, "unknown message type " + code);
    }
    GoMsgpackReader in = reader(bytes, offset + 1, available - 1, type.goName());
    if (type == MessageType.COMPRESS) {
      try {
        in.skip();
      } catch (WireDecodeException e) {
        if (e.kind() == Kind.TRUNCATED) {
          return null;
        }
        throw e;
      }
      int length = in.position() - offset;
      return new Prefix(read(bytes, offset, length, Form.STREAM, 0, new int[] {maxMessageBytes}), length);
    }
    try {
      Message message = switch (type) {
        case PING -> readPing(in);
        case ACK_RESP -> readAck(in);
        case ERR -> readErr(in);
        case PUSH_PULL -> readPushPull(in);
        case USER -> readStreamUser(in);
        default -> throw new WireDecodeException(Kind.UNKNOWN_TYPE,
            "message type " + code + " (" + type.goName() + ") is not sent on streams");
      };
      return new Prefix(message, in.position() - offset);
    } catch (WireDecodeException e) {
      if (e.kind() == Kind.TRUNCATED) {
        return null;
      }
      throw e;
    }
  }

  private static int nest(int depth) {
    if (depth + 1 > MAX_NESTING) {
      throw new WireDecodeException(Kind.TOO_LARGE,
          "compound and compressed messages nest deeper than " + MAX_NESTING + " levels");
    }
    return depth + 1;
  }

  private static GoMsgpackReader reader(byte[] bytes, int offset, int length, String what) {
    return new GoMsgpackReader(bytes, offset, length, what);
  }

  private static Ping readPing(GoMsgpackReader in) {
    long seqNo = 0;
    String node = "";
    ByteString sourceAddr = null;
    long sourcePort = 0;
    String sourceNode = "";
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "SeqNo" -> seqNo = in.uint("SeqNo", UINT32_MAX);
        case "Node" -> node = in.string("Node");
        case "SourceAddr" -> sourceAddr = in.bytes("SourceAddr");
        case "SourcePort" -> sourcePort = in.uint("SourcePort", UINT16_MAX);
        case "SourceNode" -> sourceNode = in.string("SourceNode");
        default -> in.skip();
      }
    }
    return new Ping(seqNo, node, sourceAddr, (int) sourcePort, sourceNode);
  }

  private static IndirectPing readIndirectPing(GoMsgpackReader in) {
    long seqNo = 0;
    ByteString target = null;
    long port = 0;
    String node = "";
    boolean nack = false;
    ByteString sourceAddr = null;
    long sourcePort = 0;
    String sourceNode = "";
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "SeqNo" -> seqNo = in.uint("SeqNo", UINT32_MAX);
        case "Target" -> target = in.bytes("Target");
        case "Port" -> port = in.uint("Port", UINT16_MAX);
        case "Node" -> node = in.string("Node");
        case "Nack" -> nack = in.bool("Nack");
        case "SourceAddr" -> sourceAddr = in.bytes("SourceAddr");
        case "SourcePort" -> sourcePort = in.uint("SourcePort", UINT16_MAX);
        case "SourceNode" -> sourceNode = in.string("SourceNode");
        default -> in.skip();
      }
    }
    return new IndirectPing(seqNo, target, (int) port, node, nack, sourceAddr, (int) sourcePort, sourceNode);
  }

  private static AckResp readAck(GoMsgpackReader in) {
    long seqNo = 0;
    ByteString payload = null;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "SeqNo" -> seqNo = in.uint("SeqNo", UINT32_MAX);
        case "Payload" -> payload = in.bytes("Payload");
        default -> in.skip();
      }
    }
    return new AckResp(seqNo, payload);
  }

  private static NackResp readNack(GoMsgpackReader in) {
    long seqNo = 0;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      if (in.key().equals("SeqNo")) {
        seqNo = in.uint("SeqNo", UINT32_MAX);
      } else {
        in.skip();
      }
    }
    return new NackResp(seqNo);
  }

  private static ErrResp readErr(GoMsgpackReader in) {
    String error = "";
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      if (in.key().equals("Error")) {
        error = in.string("Error");
      } else {
        in.skip();
      }
    }
    return new ErrResp(error);
  }

  private static Suspect readSuspect(GoMsgpackReader in) {
    long incarnation = 0;
    String node = "";
    String from = "";
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "Incarnation" -> incarnation = in.uint("Incarnation", UINT32_MAX);
        case "Node" -> node = in.string("Node");
        case "From" -> from = in.string("From");
        default -> in.skip();
      }
    }
    return new Suspect(incarnation, node, from);
  }

  private static Dead readDead(GoMsgpackReader in) {
    Suspect fields = readSuspect(in);
    return new Dead(fields.incarnation(), fields.node(), fields.from());
  }

  private static Alive readAlive(GoMsgpackReader in) {
    long incarnation = 0;
    String node = "";
    ByteString addr = null;
    long port = 0;
    ByteString meta = null;
    ByteString vsn = null;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "Incarnation" -> incarnation = in.uint("Incarnation", UINT32_MAX);
        case "Node" -> node = in.string("Node");
        case "Addr" -> addr = in.bytes("Addr");
        case "Port" -> port = in.uint("Port", UINT16_MAX);
        case "Meta" -> meta = in.bytes("Meta");
        case "Vsn" -> vsn = in.bytes("Vsn");
        default -> in.skip();
      }
    }
    return new Alive(incarnation, node, addr, (int) port, meta, vsn);
  }

  private static PushPull readPushPull(GoMsgpackReader in) {
    long nodes = 0;
    long userStateLength = 0;
    boolean join = false;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "Nodes" -> nodes = in.goInt("Nodes", Integer.MAX_VALUE);
        case "UserStateLen" -> userStateLength = in.goInt("UserStateLen", Integer.MAX_VALUE);
        case "Join" -> join = in.bool("Join");
        default -> in.skip();
      }
    }
    // Every node state takes at least one byte, and the user state its length: check before allocating.
    if (nodes + userStateLength > in.remaining()) {
      throw new WireDecodeException(Kind.TRUNCATED, "push/pull is truncated: it announces " + nodes
          + " node states and " + userStateLength + " bytes of user state but only " + in.remaining()
          + " bytes remain");
    }
    List<PushNodeState> states = new ArrayList<>((int) nodes);
    for (long i = 0; i < nodes; i++) {
      states.add(readPushNodeState(in));
    }
    ByteString userState = null;
    if (userStateLength > 0) {
      if (userStateLength > in.remaining()) {
        throw new WireDecodeException(Kind.TRUNCATED, "push/pull is truncated: its user state needs "
            + userStateLength + " bytes but only " + in.remaining() + " remain");
      }
      userState = in.rawBytes((int) userStateLength);
    }
    return new PushPull(join, states, userState);
  }

  private static PushNodeState readPushNodeState(GoMsgpackReader in) {
    String name = "";
    ByteString addr = null;
    long port = 0;
    ByteString meta = null;
    long incarnation = 0;
    long state = 0;
    ByteString vsn = null;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "Name" -> name = in.string("Name");
        case "Addr" -> addr = in.bytes("Addr");
        case "Port" -> port = in.uint("Port", UINT16_MAX);
        case "Meta" -> meta = in.bytes("Meta");
        case "Incarnation" -> incarnation = in.uint("Incarnation", UINT32_MAX);
        case "State" -> state = in.goInt("State", Integer.MAX_VALUE);
        case "Vsn" -> vsn = in.bytes("Vsn");
        default -> in.skip();
      }
    }
    MemberState memberState = MemberState.ofValue(state);
    if (memberState == null) {
      throw new WireDecodeException(Kind.INVALID_FIELD, "push/pull node state of " + name
          + ": unknown member state " + state);
    }
    return new PushNodeState(name, addr, (int) port, meta, incarnation, memberState, vsn);
  }

  private static User readStreamUser(GoMsgpackReader in) {
    long length = 0;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      if (in.key().equals("UserMsgLen")) {
        length = in.goInt("UserMsgLen", Integer.MAX_VALUE);
      } else {
        in.skip();
      }
    }
    if (length > in.remaining()) {
      throw new WireDecodeException(Kind.TRUNCATED, "user message is truncated: it announces " + length
          + " bytes but only " + in.remaining() + " remain");
    }
    return new User(length == 0 ? ByteString.EMPTY : in.rawBytes((int) length));
  }

  private Compound readCompound(byte[] bytes, int offset, int length, Form form, int depth, int[] budget) {
    if (length < 1) {
      throw new WireDecodeException(Kind.BAD_COMPOUND, "compound message has no part count");
    }
    int count = bytes[offset] & 0xFF;
    if (length < 1 + 2 * count) {
      throw new WireDecodeException(Kind.BAD_COMPOUND, "compound message announces " + count
          + " parts but its length table is truncated");
    }
    List<Message> parts = new ArrayList<>(count);
    List<WireDecodeException> unreadable = new ArrayList<>(0);
    int position = offset + 1 + 2 * count;
    int end = offset + length;
    for (int i = 0; i < count; i++) {
      int partLength = (bytes[offset + 1 + 2 * i] & 0xFF) << 8 | bytes[offset + 2 + 2 * i] & 0xFF;
      if (partLength > end - position) {
        // memberlist handles the parts that arrived whole and reports the rest as truncated.
        return new Compound(parts, count - i, unreadable);
      }
      try {
        parts.add(read(bytes, position, partLength, form, depth, budget));
      } catch (WireDecodeException e) {
        unreadable.add(new WireDecodeException(e.kind(), "compound part " + i + ": " + e.getMessage(), e));
      }
      position += partLength;
    }
    return new Compound(parts, 0, unreadable);
  }

  private Compress readCompress(byte[] bytes, int offset, int length, Form form, int depth, int[] budget) {
    GoMsgpackReader in = reader(bytes, offset, length, "compressed message");
    long algorithm = 0;
    ByteString buffer = null;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "Algo" -> algorithm = in.uint("Algo", UINT8_MAX);
        case "Buf" -> buffer = in.bytes("Buf");
        default -> in.skip();
      }
    }
    if (algorithm != LZW) {
      throw new WireDecodeException(Kind.BAD_COMPRESSION, "unknown compression algorithm " + algorithm);
    }
    byte[] compressed = buffer == null ? new byte[0] : buffer.array();
    byte[] inner;
    try {
      inner = Lzw.decompress(compressed, 0, compressed.length, budget[0]);
    } catch (WireDecodeException e) {
      if (e.kind() == Kind.TOO_LARGE && budget[0] < maxMessageBytes) {
        throw new WireDecodeException(Kind.TOO_LARGE, "the compressed parts of one message decompress to more"
            + " than the maximum of " + maxMessageBytes + " bytes", e);
      }
      throw e;
    }
    budget[0] -= inner.length;
    return new Compress(read(inner, 0, inner.length, form, depth, budget));
  }
}
