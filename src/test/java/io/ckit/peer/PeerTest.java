package io.ckit.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerTest {

  @Test
  void statesMoveOnlyForward() {
    for (PeerState from : PeerState.values()) {
      for (PeerState to : PeerState.values()) {
        boolean allowed = (from == PeerState.VIEWER && to == PeerState.PARTICIPANT)
            || (from == PeerState.PARTICIPANT && to == PeerState.TERMINATING);
        assertThat(from.canMoveTo(to)).as("%s to %s", from, to).isEqualTo(allowed);
      }
    }
  }

  @Test
  void statesHaveCkitsWireValuesAndNames() {
    assertThat(PeerState.values()).containsExactly(PeerState.VIEWER, PeerState.PARTICIPANT, PeerState.TERMINATING);
    assertThat(PeerState.VIEWER.value()).isZero();
    assertThat(PeerState.PARTICIPANT.value()).isEqualTo(1);
    assertThat(PeerState.TERMINATING.value()).isEqualTo(2);
    assertThat(PeerState.VIEWER).hasToString("viewer");
    assertThat(PeerState.PARTICIPANT).hasToString("participant");
    assertThat(PeerState.TERMINATING).hasToString("terminating");
    for (PeerState state : PeerState.values()) {
      assertThat(PeerState.fromValue(state.value())).isSameAs(state);
      assertThat(PeerState.fromString(state.toString())).isSameAs(state);
    }
  }

  @Test
  void unknownStatesAreRejectedByName() {
    assertThatThrownBy(() -> PeerState.fromString("leader"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown state \"leader\"");
    assertThatThrownBy(() -> PeerState.fromString("Participant"))
        .hasMessage("unknown state \"Participant\"");
    assertThatThrownBy(() -> PeerState.fromValue(3)).hasMessage("unknown state 3");
    assertThatThrownBy(() -> PeerState.fromValue(-1)).hasMessage("unknown state -1");
  }

  @Test
  void peerMarshalsAsCkitDoes() {
    Peer peer = new Peer("test-peer", "localhost:7946", true, PeerState.PARTICIPANT);
    assertThat(peer.toJson().encode())
        .isEqualTo("{\"name\":\"test-peer\",\"addr\":\"localhost:7946\",\"isSelf\":true,\"state\":\"participant\"}");
  }

  @Test
  void peerListMarshalsAsAnArrayInTheListsOrder() {
    Peer b = new Peer("b", "10.0.0.2:80", false, PeerState.VIEWER);
    Peer a = new Peer("a", "10.0.0.1:80", true, PeerState.PARTICIPANT);
    assertThat(Peer.toJson(List.of(b, a))).isEqualTo(new JsonArray().add(b.toJson()).add(a.toJson()));
    assertThat(Peer.toJson(List.of()).encode()).isEqualTo("[]");
  }

  @Test
  void peerRoundTripsThroughJsonInEveryState() {
    for (PeerState state : PeerState.values()) {
      Peer peer = new Peer("node-" + state, "[::1]:80", state == PeerState.VIEWER, state);
      assertThat(Peer.fromJson(new JsonObject(peer.toJson().encode()))).isEqualTo(peer);
    }
  }

  @Test
  void peerReadsJsonWrittenByGoCkit() {
    Peer peer = Peer.fromJson(new JsonObject(
        "{\"name\":\"a\",\"addr\":\"10.0.0.1:80\",\"isSelf\":false,\"state\":\"terminating\"}"));
    assertThat(peer).isEqualTo(new Peer("a", "10.0.0.1:80", false, PeerState.TERMINATING));
  }

  @Test
  void badPeerJsonFailsNamingTheField() {
    assertThatThrownBy(() -> Peer.fromJson(new JsonObject("{\"name\":\"a\",\"state\":\"boss\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown state \"boss\"");
    assertThatThrownBy(() -> Peer.fromJson(new JsonObject("{\"name\":\"a\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("peer JSON: missing \"state\"");
    assertThatThrownBy(() -> Peer.fromJson(new JsonObject("{\"state\":\"viewer\"}")))
        .hasMessage("peer JSON: missing \"name\"");
    assertThatThrownBy(() -> Peer.fromJson(new JsonObject("{\"name\":1,\"state\":\"viewer\"}")))
        .hasMessage("peer JSON: \"name\" must be a string, got 1");
    assertThatThrownBy(() -> Peer.fromJson(new JsonObject("{\"name\":\"a\",\"isSelf\":\"yes\",\"state\":\"viewer\"}")))
        .hasMessage("peer JSON: \"isSelf\" must be a boolean, got yes");
  }

  @Test
  void optionalJsonFieldsTakeCkitsZeroValues() {
    assertThat(Peer.fromJson(new JsonObject("{\"name\":\"a\",\"state\":\"viewer\"}")))
        .isEqualTo(new Peer("a", "", false, PeerState.VIEWER));
  }

  @Test
  void peerRequiresEveryComponent() {
    assertThatThrownBy(() -> new Peer(null, "", false, PeerState.VIEWER)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Peer("a", null, false, PeerState.VIEWER)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Peer("a", "", false, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void metadataIsInTheJsonOnlyWhenThereIsSomeAndReadsBack() {
    Peer plain = new Peer("a", "10.0.0.1:7946", false, PeerState.PARTICIPANT);
    assertThat(plain.toJson().encode())
        .isEqualTo("{\"name\":\"a\",\"addr\":\"10.0.0.1:7946\",\"isSelf\":false,\"state\":\"participant\"}");
    Map<String, String> unsorted = new LinkedHashMap<>();
    unsorted.put("zone", "z");
    unsorted.put("version", "1.2");
    Peer tagged = new Peer("a", "10.0.0.1:7946", false, PeerState.PARTICIPANT, unsorted);
    assertThat(tagged.toJson().encode()).isEqualTo("{\"name\":\"a\",\"addr\":\"10.0.0.1:7946\",\"isSelf\":false,"
        + "\"state\":\"participant\",\"metadata\":{\"version\":\"1.2\",\"zone\":\"z\"}}");
    assertThat(Peer.fromJson(tagged.toJson())).isEqualTo(tagged);
    assertThat(tagged).isNotEqualTo(plain);
    assertThat(tagged.withState(PeerState.TERMINATING).metadata()).isEqualTo(unsorted);
    assertThatThrownBy(() -> tagged.metadata().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> Peer.fromJson(plain.toJson().put("metadata", new JsonObject().put("zone", 1))))
        .hasMessage("peer JSON: \"metadata\" values must be strings, got zone=1");
  }
}
