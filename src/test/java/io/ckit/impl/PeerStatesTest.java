package io.ckit.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.wire.LocalState;
import io.ckit.wire.StateMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PeerStatesTest {

  private final LamportClock clock = new LamportClock();
  private int changes;
  private final PeerStates states = new PeerStates("self", clock, () -> changes++);

  @BeforeEach
  void joinSelfAndB() {
    states.memberAlive("self", "10.0.0.1:80", Map.of());
    states.memberAlive("b", "10.0.0.2:80", Map.of());
    changes = 0;
  }

  private static StateMessage state(String node, PeerState state, long time) {
    return new StateMessage(node, state, time);
  }

  private Peer peer(String name) {
    return states.peers().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void membersEnterThePeerTableAsViewersUntilTheirStateIsHeard() {
    assertThat(states.peers()).containsExactlyInAnyOrder(
        new Peer("self", "10.0.0.1:80", true, PeerState.VIEWER),
        new Peer("b", "10.0.0.2:80", false, PeerState.VIEWER));
    states.handle(state("c", PeerState.PARTICIPANT, 3));
    states.memberAlive("c", "10.0.0.3:80", Map.of());
    assertThat(peer("c").state()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(changes).isEqualTo(1);
  }

  @Test
  void aNewerMessageAboutAnotherNodeIsAppliedAndGossipedOn() {
    StateMessage message = state("b", PeerState.PARTICIPANT, 5);
    assertThat(states.handle(message)).isSameAs(message);
    assertThat(peer("b").state()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(changes).isEqualTo(1);
    assertThat(clock.now()).isEqualTo(6);

    StateMessage newer = state("b", PeerState.TERMINATING, 6);
    assertThat(states.handle(newer)).isSameAs(newer);
    assertThat(peer("b").state()).isEqualTo(PeerState.TERMINATING);
  }

  @Test
  void aStaleMessageAboutAnotherNodeIsIgnored() {
    states.handle(state("b", PeerState.TERMINATING, 5));
    changes = 0;
    assertThat(states.handle(state("b", PeerState.PARTICIPANT, 4))).isNull();
    assertThat(states.handle(state("b", PeerState.PARTICIPANT, 5))).isNull();
    assertThat(peer("b").state()).isEqualTo(PeerState.TERMINATING);
    assertThat(changes).isZero();
  }

  @Test
  void timesCompareUnsigned() {
    states.handle(state("b", PeerState.PARTICIPANT, 5));
    long high = 0x8000_0000_0000_0000L;
    assertThat(states.handle(state("b", PeerState.TERMINATING, high))).isNotNull();
    assertThat(states.handle(state("b", PeerState.PARTICIPANT, 6))).isNull();
    assertThat(peer("b").state()).isEqualTo(PeerState.TERMINATING);
  }

  @Test
  void aChangeOfOwnStateIsStampedWithANewTime() {
    StateMessage message = states.changeLocal(PeerState.PARTICIPANT);
    assertThat(message).isEqualTo(state("self", PeerState.PARTICIPANT, 1));
    assertThat(states.local()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(states.own()).isEqualTo(message);
    assertThat(peer("self").state()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(changes).isEqualTo(1);
  }

  @Test
  void aNewerMessageAboutSelfFromAnotherRunIsRefutedWithANewerTime() {
    states.changeLocal(PeerState.PARTICIPANT);
    StateMessage refutation = states.handle(state("self", PeerState.TERMINATING, 10));
    assertThat(refutation).isEqualTo(state("self", PeerState.PARTICIPANT, 12));
    assertThat(states.own()).isEqualTo(refutation);
    assertThat(peer("self").state()).isEqualTo(PeerState.PARTICIPANT);
  }

  @Test
  void aMessageAboutSelfBeforeAnyOwnChangeIsRefuted() {
    // A restarted node hears its previous run's state: it comes back a viewer.
    StateMessage refutation = states.handle(state("self", PeerState.PARTICIPANT, 7));
    assertThat(refutation).isEqualTo(state("self", PeerState.VIEWER, 9));
    assertThat(peer("self").state()).isEqualTo(PeerState.VIEWER);
  }

  @Test
  void aCollidingMessageAboutSelfIsRefutedWithANewerTime() {
    StateMessage own = states.changeLocal(PeerState.PARTICIPANT);
    StateMessage refutation = states.handle(state("self", PeerState.VIEWER, own.time()));
    assertThat(refutation.newState()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(LamportClock.compare(refutation.time(), own.time())).isPositive();
    assertThat(states.own()).isEqualTo(refutation);
  }

  @Test
  void aStaleMessageAboutSelfIsIgnoredAndOurOwnEchoToo() {
    states.changeLocal(PeerState.PARTICIPANT);
    StateMessage own = states.changeLocal(PeerState.TERMINATING);
    assertThat(states.handle(state("self", PeerState.PARTICIPANT, 1))).isNull();
    assertThat(states.handle(own)).isNull();
    assertThat(states.own()).isEqualTo(own);
  }

  @Test
  void localStateListsEveryPeerWithAZeroTimeViewerForUnknownOnes() {
    states.changeLocal(PeerState.PARTICIPANT);
    states.handle(state("gone", PeerState.PARTICIPANT, 4));
    LocalState local = states.localState();
    assertThat(local.currentTime()).isEqualTo(clock.now()).isEqualTo(5);
    assertThat(local.nodeStates()).containsExactlyInAnyOrder(
        state("self", PeerState.PARTICIPANT, 1),
        state("b", PeerState.VIEWER, 0));
  }

  @Test
  void mergeHandlesEachRemoteStateAndReturnsWhatToGossipOn() {
    states.changeLocal(PeerState.PARTICIPANT);
    List<StateMessage> onward = states.merge(new LocalState(20, List.of(
        state("b", PeerState.PARTICIPANT, 3),
        state("self", PeerState.TERMINATING, 15))));
    assertThat(onward).containsExactly(state("b", PeerState.PARTICIPANT, 3),
        state("self", PeerState.PARTICIPANT, 22));
    assertThat(clock.now()).isEqualTo(22);
    assertThat(peer("b").state()).isEqualTo(PeerState.PARTICIPANT);
  }

  @Test
  void mergeForgetsStatesThatNeitherSideKnows() {
    states.handle(state("dead", PeerState.PARTICIPANT, 1));
    states.handle(state("known-remotely", PeerState.PARTICIPANT, 2));
    states.handle(state("b", PeerState.PARTICIPANT, 3));
    states.merge(new LocalState(0, List.of(state("known-remotely", PeerState.PARTICIPANT, 2))));
    // A member that comes back takes the state it was last heard in, or starts a viewer if it was forgotten.
    states.memberAlive("dead", "10.0.0.9:80", Map.of());
    states.memberAlive("known-remotely", "10.0.0.8:80", Map.of());
    assertThat(peer("dead").state()).isEqualTo(PeerState.VIEWER);
    assertThat(peer("known-remotely").state()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(peer("b").state()).isEqualTo(PeerState.PARTICIPANT);
  }

  @Test
  void mergeOfANilStateListOnlyObservesTheClock() {
    assertThat(states.merge(new LocalState(41, null))).isEmpty();
    assertThat(clock.now()).isEqualTo(42);
  }

  @Test
  void aMemberThatLeftLosesItsStateWhileADeadOneKeepsIt() {
    states.handle(state("b", PeerState.PARTICIPANT, 1));
    states.memberAlive("c", "10.0.0.3:80", Map.of());
    states.handle(state("c", PeerState.PARTICIPANT, 2));
    changes = 0;

    states.memberGone("b", false);
    states.memberGone("c", true);
    assertThat(states.peers()).extracting(Peer::name).containsExactly("self");
    assertThat(changes).isEqualTo(2);

    states.memberAlive("b", "10.0.0.2:80", Map.of());
    states.memberAlive("c", "10.0.0.3:80", Map.of());
    assertThat(peer("b").state()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(peer("c").state()).isEqualTo(PeerState.VIEWER);
  }

  @Test
  void onlyRealChangesOfThePeerTableAreReported() {
    states.memberAlive("b", "10.0.0.2:80", Map.of());
    states.memberGone("nobody", true);
    states.handle(state("b", PeerState.VIEWER, 1));
    assertThat(changes).isZero();
    states.memberAlive("b", "10.0.0.22:80", Map.of());
    assertThat(changes).isEqualTo(1);
    assertThat(states.size()).isEqualTo(2);
  }

  @Test
  void metadataIsPartOfThePeerAndSurvivesStateChanges() {
    states.memberAlive("b", "10.0.0.2:80", Map.of("zone", "a"));
    int before = changes;
    states.memberAlive("b", "10.0.0.2:80", Map.of("zone", "a"));
    assertThat(changes).isEqualTo(before);
    states.memberAlive("b", "10.0.0.2:80", Map.of("zone", "b"));
    assertThat(changes).isEqualTo(before + 1);
    states.handle(state("b", PeerState.PARTICIPANT, 5));
    assertThat(peer("b").state()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(peer("b").metadata()).isEqualTo(Map.of("zone", "b"));
  }
}
