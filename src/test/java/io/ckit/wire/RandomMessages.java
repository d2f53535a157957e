package io.ckit.wire;

import io.ckit.peer.PeerState;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random valid messages, with the edge values that matter on the wire (0, 127, 128, 2^16, 2^32 - 1...). */
final class RandomMessages {

  private static final long[] EDGES = {0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 0xFFFF_FFFFL};
  private static final String[] NAME_PARTS = {"node", "-", "a", "ö", "α", "節点", "🚀", "_", "1", " "};

  private final Random random;
  private boolean inCompound;

  RandomMessages(Random random) {
    this.random = random;
  }

  /** Any packet-form message, nesting compound and compressed messages up to {@code depth} levels. */
  Message packetMessage(int depth) {
    int kinds = depth > 0 ? 11 : 9;
    return switch (random.nextInt(kinds)) {
      case 0 -> new Ping(uint32(), name(), addrOrNull(), port(), random.nextBoolean() ? "" : name());
      case 1 -> new IndirectPing(uint32(), bytesOrNil(), port(), name(), random.nextBoolean(), addrOrNull(),
          port(), random.nextBoolean() ? "" : name());
      case 2 -> new AckResp(uint32(), bytesOrNil());
      case 3 -> new NackResp(uint32());
      case 4 -> new ErrResp(name());
      case 5 -> new Suspect(uint32(), name(), name());
      case 6 -> new Alive(uint32(), name(), bytesOrNil(), port(), bytesOrNil(), bytesOrNil());
      case 7 -> new Dead(uint32(), name(), name());
      case 8 -> new User(bytes());
      case 9 -> {
        List<Message> parts = new ArrayList<>();
        int count = random.nextInt(6);
        boolean wasInCompound = inCompound;
        inCompound = true; // a part must fit a 16-bit length
        for (int i = 0; i < count; i++) {
          parts.add(packetMessage(depth - 1));
        }
        inCompound = wasInCompound;
        yield Compound.of(parts);
      }
      default -> new Compress(packetMessage(depth - 1));
    };
  }

  /** A message that travels on streams (optionally compressed). */
  Message streamMessage() {
    Message message = switch (random.nextInt(5)) {
      case 0 -> new Ping(uint32(), name(), addrOrNull(), port(), name());
      case 1 -> new AckResp(uint32(), bytesOrNil());
      case 2 -> new ErrResp(name());
      case 3 -> new User(bytes());
      default -> pushPull(random.nextInt(20));
    };
    return random.nextInt(3) == 0 ? new Compress(message) : message;
  }

  PushPull pushPull(int members) {
    List<PushNodeState> states = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      states.add(new PushNodeState(name(), addrOrNull(), port(), bytesOrNil(), uint32(),
          MemberState.values()[random.nextInt(4)], ByteString.fromHex("010502000000")));
    }
    ByteString userState = random.nextBoolean() ? null : ByteString.wrap(CkitCodec.encodeLocalState(localState()));
    return new PushPull(random.nextBoolean(), states, userState);
  }

  StateMessage state() {
    return new StateMessage(name(), PeerState.values()[random.nextInt(3)], random.nextBoolean() ? uint32() : random.nextLong());
  }

  LocalState localState() {
    List<StateMessage> states = new ArrayList<>();
    int count = random.nextInt(8);
    for (int i = 0; i < count; i++) {
      states.add(state());
    }
    return new LocalState(random.nextLong(), random.nextInt(10) == 0 ? null : states);
  }

  long uint32() {
    return random.nextBoolean() ? EDGES[random.nextInt(EDGES.length)] : random.nextLong() & 0xFFFF_FFFFL;
  }

  int port() {
    return (int) (uint32() & 0xFFFF);
  }

  String name() {
    StringBuilder name = new StringBuilder();
    int parts = random.nextInt(10) == 0 ? 40 : random.nextInt(5);
    for (int i = 0; i < parts; i++) {
      name.append(NAME_PARTS[random.nextInt(NAME_PARTS.length)]);
    }
    return name.toString();
  }

  /** An address, or null: never empty, which the pings' omitempty would turn into null. */
  ByteString addrOrNull() {
    return switch (random.nextInt(3)) {
      case 0 -> null;
      case 1 -> ByteString.fromHex("7f000001");
      default -> ByteString.fromHex("fd000000000000000000000000010002");
    };
  }

  ByteString bytesOrNil() {
    return random.nextInt(4) == 0 ? null : bytes();
  }

  ByteString bytes() {
    boolean large = random.nextInt(10) == 0;
    byte[] bytes = new byte[large ? 300 + random.nextInt(inCompound ? 2_000 : 70_000) : random.nextInt(40)];
    random.nextBytes(bytes);
    return ByteString.wrap(bytes);
  }
}
