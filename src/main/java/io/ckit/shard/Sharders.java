package io.ckit.shard;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.impl.ChashSharder;
import io.ckit.shard.impl.RingArcs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** Creates the sharders ckit offers. Each returned sharder starts with no peers. */
public final class Sharders {

  /** The default token count of a ring, the value ckit's documentation recommends starting from. */
  public static final int DEFAULT_RING_TOKENS = 256;

  /** The most tokens a ring may give each node: memory grows with nodes times tokens. */
  public static final int MAX_RING_TOKENS = 16_384;

  private Sharders() {}

  /**
   * A ring sharder ({@code O(log(N * numTokens))} lookups): each node places {@code numTokens} tokens on a
   * hash circle and a key belongs to the nodes whose tokens follow it. 256 or 512 tokens give good balance.
   *
   * @throws IllegalArgumentException if {@code numTokens} is not within 1..{@value #MAX_RING_TOKENS}
   */
  public static Sharder ring(int numTokens) {
    if (numTokens < 1 || numTokens > MAX_RING_TOKENS) {
      throw new IllegalArgumentException(
          "ring tokens must be within 1.." + MAX_RING_TOKENS + ", got " + numTokens);
    }
    return ChashSharder.ring(numTokens);
  }

  /** A rendezvous (highest random weight) sharder: the best balance, {@code O(N)} lookups. */
  public static Sharder rendezvous() {
    return ChashSharder.rendezvous();
  }

  /** A multi-probe sharder: balance within about 5% of ideal, {@code O(21 log N)} lookups, little memory. */
  public static Sharder multiprobe() {
    return ChashSharder.multiprobe();
  }

  /**
   * The arcs of a ring sharder's circle for these peers: who owns which keys first for {@link Op#READ_WRITE}
   * (only participants own keys for writing), in key order. What a picture of the ring shows.
   *
   * @param numTokens the ring's tokens per node, as given to {@link #ring(int)}
   * @throws IllegalArgumentException if {@code numTokens} is not within 1..{@value #MAX_RING_TOKENS}
   */
  public static List<RingArc> ringArcs(Collection<Peer> peers, int numTokens) {
    if (numTokens < 1 || numTokens > MAX_RING_TOKENS) {
      throw new IllegalArgumentException(
          "ring tokens must be within 1.." + MAX_RING_TOKENS + ", got " + numTokens);
    }
    List<String> participants = new ArrayList<>();
    for (Peer peer : peers) {
      if (peer.state() == PeerState.PARTICIPANT) {
        participants.add(peer.name());
      }
    }
    return RingArcs.arcs(participants, numTokens);
  }

  /**
   * Creates a sharder from its text form: {@code ring} (256 tokens), {@code ring:<tokens>}, {@code
   * rendezvous} or {@code multiprobe}. A sharder's {@code toString()} gives this form back.
   *
   * @throws IllegalArgumentException naming the text if it is none of these
   */
  public static Sharder parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    switch (spec) {
      case "ring":
        return ring(DEFAULT_RING_TOKENS);
      case "rendezvous":
        return rendezvous();
      case "multiprobe":
        return multiprobe();
      default:
        break;
    }
    if (spec.startsWith("ring:")) {
      String tokens = spec.substring("ring:".length());
      if (!tokens.isEmpty() && tokens.chars().allMatch(c -> c >= '0' && c <= '9') && tokens.length() <= 9) {
        return ring(Integer.parseInt(tokens));
      }
    }
    throw new IllegalArgumentException("unknown sharder \"" + spec
        + "\": expected ring, ring:<tokens>, rendezvous or multiprobe");
  }
}
