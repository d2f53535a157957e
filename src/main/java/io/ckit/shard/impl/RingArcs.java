package io.ckit.shard.impl;

import com.dynatrace.hash4j.hashing.HashStream64;
import io.ckit.shard.RingArc;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A ring's circle as arcs of keys and their owners, from the tokens {@link RingHash} places: for a picture. */
public final class RingArcs {

  private RingArcs() {}

  /**
   * The arcs of the circle and who owns each (for {@code Op.READ_WRITE} when given the participants): keys in
   * {@code [first, last]} (unsigned) belong first to {@code owner}. Adjacent tokens of one owner make one arc;
   * the arcs run in key order from 0 to 2^64 - 1, so an owner whose arc wraps past 0 has one at each end.
   *
   * @param names the owners' names, in any order; empty gives no arcs
   */
  public static List<RingArc> arcs(List<String> names, int numTokens) {
    String[] sorted = names.toArray(new String[0]);
    Arrays.sort(sorted, NameOrder.INSTANCE);
    long[] tokens = new long[Math.multiplyExact(sorted.length, numTokens)];
    int[] owners = new int[tokens.length];
    HashStream64 stream = Xxh64.newStream();
    for (int node = 0; node < sorted.length; node++) {
      RingHash.tokens(stream, sorted[node].getBytes(StandardCharsets.UTF_8), numTokens, tokens, node * numTokens);
      Arrays.fill(owners, node * numTokens, (node + 1) * numTokens, node);
    }
    TokenCircle circle = TokenCircle.sort(tokens, owners);
    List<RingArc> arcs = new ArrayList<>();
    long first = 0;
    for (int i = 0; i < circle.size(); i++) {
      // The owner of token i owns the keys after token i - 1 up to token i; the next token of the same owner
      // extends its arc.
      boolean lastOfRun = i + 1 == circle.size() || circle.owner(i + 1) != circle.owner(i);
      if (lastOfRun && Long.compareUnsigned(first, circle.token(i)) <= 0) {
        arcs.add(new RingArc(sorted[circle.owner(i)], first, circle.token(i)));
        first = circle.token(i) + 1;
      }
    }
    if (!arcs.isEmpty() && circle.token(circle.size() - 1) != -1L) {
      // Keys after the last token wrap around to the first token's owner.
      String owner = sorted[circle.owner(0)];
      RingArc lastArc = arcs.get(arcs.size() - 1);
      if (lastArc.owner().equals(owner)) {
        arcs.set(arcs.size() - 1, new RingArc(owner, lastArc.first(), -1L));
      } else {
        arcs.add(new RingArc(owner, first, -1L));
      }
    }
    return arcs;
  }
}
