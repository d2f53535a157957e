package io.ckit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitsTest {

  @Test
  void aBadValueFailsNamingTheOption() {
    assertThat(Limits.atLeast(1, 1, "gossipNodes")).isEqualTo(1);
    assertThatThrownBy(() -> Limits.atLeast(0, 1, "gossipNodes"))
        .hasMessage("gossipNodes must be at least 1, got 0");
    assertThat(Limits.positive(Duration.ofMillis(1), "probeInterval")).isEqualTo(Duration.ofMillis(1));
    assertThatThrownBy(() -> Limits.positive(Duration.ZERO, "probeInterval"))
        .hasMessage("probeInterval must be positive, got PT0S");
    assertThatThrownBy(() -> Limits.positive(null, "probeInterval"))
        .isInstanceOf(NullPointerException.class).hasMessage("probeInterval");
    assertThat(Limits.notNegative(Duration.ZERO, "pushPullInterval")).isZero();
    assertThatThrownBy(() -> Limits.notNegative(Duration.ofMillis(-1), "pushPullInterval"))
        .hasMessage("pushPullInterval must not be negative, got PT-0.001S");
  }
}
