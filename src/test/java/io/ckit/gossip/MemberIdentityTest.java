package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemberIdentityTest {

  @Test
  void anIdentityNeedsANameAnIpAndPortAndAShortLabel() {
    assertThat(new MemberIdentity("node-a", "[::1]:7946", "prod").advertiseAddress()).isEqualTo("[::1]:7946");
    assertThatThrownBy(() -> new MemberIdentity("", "127.0.0.1:7946", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("name must not be empty");
    assertThatThrownBy(() -> new MemberIdentity("node-a", "node-a.example:7946", ""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must have an IP address");
    assertThatThrownBy(() -> new MemberIdentity("node-a", "127.0.0.1:7946", "x".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 255");
    assertThatThrownBy(() -> new MemberIdentity("node-a", "127.0.0.1:7946", null))
        .isInstanceOf(NullPointerException.class).hasMessage("label");
  }
}
