package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.wire.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The membership rules that are pure functions, case by case. */
class MembershipRulesTest {

  @ParameterizedTest(name = "vsn {0}: {1}")
  @CsvSource({
      "010502000000, true",
      "020202000000, true",
      "010502, true",
      "0105, true",
      "'', true",
      "000502000000, false",
      "010002000000, false",
      "000002000000, false",
      "050102000000, false",
      "ff0102, false"})
  void anAliveIsTakenOnlyWithANonEmptyProtocolRange(String vsn, boolean valid) {
    assertThat(MembershipRules.protocolRangeValid(ByteString.fromHex(vsn))).isEqualTo(valid);
  }

  @Test
  void anAliveWithoutVersionsIsTaken() {
    assertThat(MembershipRules.protocolRangeValid(null)).isTrue();
  }
}
