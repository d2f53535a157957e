package io.ckit;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import java.util.List;
import java.util.Objects;

/**
 * An {@link Observer} that passes changes on only when the set of participants changes (ckit's {@code
 * ParticipantObserver}): viewers joining or leaving, or a peer's address changing, are not reported until the
 * participants differ. The wrapped observer then gets the full peer set, not only the participants.
 */
public final class ParticipantObserver implements Observer {

  private final Observer next;
  private List<Peer> lastParticipants = List.of();

  /** @param next the observer to tell; returning false unregisters this wrapper */
  public ParticipantObserver(Observer next) {
    this.next = Objects.requireNonNull(next, "next");
  }

  @Override
  public boolean peersChanged(List<Peer> peers) {
    List<Peer> participants = peers.stream().filter(peer -> peer.state() == PeerState.PARTICIPANT).toList();
    if (participants.equals(lastParticipants)) {
      return true;
    }
    lastParticipants = participants;
    return next.peersChanged(peers);
  }
}
