package io.ckit.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OpTest {

  @Test
  void opsHaveTheProtocolsWireNames() {
    assertThat(Op.READ.wireName()).isEqualTo("read");
    assertThat(Op.READ_WRITE.wireName()).isEqualTo("readwrite");
    for (Op op : Op.values()) {
      assertThat(Op.parse(op.wireName())).isSameAs(op);
    }
  }

  @Test
  void parseAcceptsOnlyTheExactWireNames() {
    for (String text : new String[] {"write", "Read", "READ_WRITE", "read_write", " read", ""}) {
      assertThatThrownBy(() -> Op.parse(text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("op must be \"read\" or \"readwrite\", got \"" + text + "\"");
    }
    assertThatThrownBy(() -> Op.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
