package io.ckit.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A ring's arcs say who owns which keys: checked against the ring sharder's own lookups. */
class RingArcsTest {

  private static final List<Peer> PEERS = List.of(
      new Peer("node-a", "", false, PeerState.PARTICIPANT),
      new Peer("node-b", "", false, PeerState.PARTICIPANT),
      new Peer("node-c", "", false, PeerState.PARTICIPANT),
      new Peer("viewer", "", false, PeerState.VIEWER),
      new Peer("leaving", "", false, PeerState.TERMINATING));

  @Test
  void arcsCoverTheCircleInOrderAndEachKeyBelongsToItsArcsOwner() {
    for (int tokens : List.of(1, 3, 256)) {
      List<RingArc> arcs = Sharders.ringArcs(PEERS, tokens);
      Sharder ring = Sharders.ring(tokens);
      ring.setPeers(PEERS);

      assertThat(arcs.get(0).first()).isZero();
      assertThat(arcs.get(arcs.size() - 1).last()).isEqualTo(-1L);
      for (int i = 0; i + 1 < arcs.size(); i++) {
        assertThat(arcs.get(i + 1).first()).as("arc %d starts after arc %d", i + 1, i)
            .isEqualTo(arcs.get(i).last() + 1);
        assertThat(arcs.get(i + 1).owner()).isNotEqualTo(arcs.get(i).owner());
      }
      for (RingArc arc : arcs) {
        long middle = arc.first() + ((arc.last() - arc.first()) >>> 1);
        for (long key : new long[] {arc.first(), middle, arc.last()}) {
          assertThat(ring.lookup(new Key(key), 1, Op.READ_WRITE).get(0).name()).as("owner of %s in %s",
              Long.toUnsignedString(key), arc).isEqualTo(arc.owner());
        }
      }
      assertThat(arcs.stream().map(RingArc::owner).collect(Collectors.toSet()))
          .isEqualTo(Set.of("node-a", "node-b", "node-c"));
      assertThat(arcs.stream().mapToDouble(arc -> arc.endFraction() - arc.startFraction()).sum())
          .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
      // Each of the 3 x tokens tokens ends at most one arc, plus the arc that wraps past 0.
      assertThat(arcs.size()).isBetween(3, 3 * tokens + 1);
    }
  }

  @Test
  void oneOwnerHasTheWholeCircleAndNoParticipantsNone() {
    assertThat(Sharders.ringArcs(List.of(PEERS.get(0)), 256))
        .containsExactly(new RingArc("node-a", 0, -1L));
    assertThat(Sharders.ringArcs(List.of(PEERS.get(3)), 256)).isEmpty();
    assertThatThrownBy(() -> Sharders.ringArcs(PEERS, 0)).hasMessage("ring tokens must be within 1..16384, got 0");
  }
}
