package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.wire.ByteString;
import io.ckit.wire.MemberState;
import io.ckit.wire.Message.PushNodeState;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * memberlist's protocol-version check before a push/pull merge, case by case: one member of ours and one of
 * theirs, each with its versions (pmin, pmax, pcur, dmin, dmax, dcur) and state.
 */
class PushPullSyncTest {

  private static final ByteString LOCALHOST = ByteString.fromHex("7f000001");

  @ParameterizedTest(name = "ours {0} ({1}), theirs {2} ({3}): {4}")
  @CsvSource(delimiter = '|', value = {
      "010502000000|ALIVE|010502000000|ALIVE|",
      "010502000000|ALIVE|010201000000|ALIVE|",
      "010502000000|ALIVE|010502|ALIVE|",
      "020502000000|ALIVE|010501000000|ALIVE|Node 'theirs' protocol version (1) is incompatible: [2, 5]",
      "010502000000|ALIVE|010101000000|ALIVE|Node 'ours' protocol version (2) is incompatible: [1, 1]",
      "010502020302|ALIVE|010502010101|ALIVE|Node 'theirs' delegate protocol version (1) is incompatible: [2, 1]",
      "010502010201|ALIVE|010502020302|ALIVE|Node 'ours' delegate protocol version (1) is incompatible: [2, 2]",
      "010502000000|ALIVE|''|ALIVE|Node 'theirs' protocol version (0) is incompatible: [1, 5]",
      "010502000000|ALIVE|030303000000|DEAD|",
      "010502000000|ALIVE|060606000000|DEAD|Node 'theirs' protocol version (6) is incompatible: [1, 5]",
      "010502000000|ALIVE|010101000000|SUSPECT|",
      "060606000000|DEAD|010502000000|ALIVE|Node 'ours' protocol version (6) is incompatible: [1, 5]",
      "010101000000|LEFT|010502000000|ALIVE|"})
  void everyMemberMustSpeakVersionsEveryAliveMemberUnderstands(String ours, MemberState ourState, String theirs,
      MemberState theirState, String error) {
    NodeState local = new NodeState("ours", LOCALHOST, 7946, null);
    local.state = ourState;
    byte[] versions = ByteString.fromHex(ours).toByteArray();
    System.arraycopy(versions, 0, local.versions, 0, versions.length);
    List<PushNodeState> remote = List.of(new PushNodeState("theirs", LOCALHOST, 7947, null, 1, theirState,
        ByteString.fromHex(theirs)));

    if (error == null) {
      assertThatCode(() -> PushPullSync.verifyProtocol(remote, List.of(local))).doesNotThrowAnyException();
    } else {
      assertThatThrownBy(() -> PushPullSync.verifyProtocol(remote, List.of(local)))
          .isInstanceOf(IllegalStateException.class).hasMessage(error);
    }
  }
}
