package io.ckit.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({"200ms,200", "5s,5000", "1m30s,90000", "1h,3600000", "1.5s,1500", "0,0", "250000us,250"})
  void durations(String text, long millis) {
    assertThat(Durations.parse("x", text)).isEqualTo(Duration.ofMillis(millis));
    assertThat(Durations.parse("x", Durations.format(Duration.ofMillis(millis)))).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 1500, 9_223_372_036_854L})
  void aNumberIsMilliseconds(long millis) {
    assertThat(Durations.parse("x", millis)).isEqualTo(Duration.ofMillis(millis));
    assertThat(Durations.parse("x", (double) millis)).isEqualTo(Duration.ofMillis(millis));
  }

  @ParameterizedTest
  @ValueSource(doubles = {-1, 1.5, 9_223_372_036_855.0})
  void aNumberOfMillisecondsIsWholeNotNegativeAndFitsInNanoseconds(double millis) {
    assertThatThrownBy(() -> Durations.parse("leaveTimeout", millis))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("leaveTimeout: " + millis + " is not a whole, non-negative number of milliseconds");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "fast", "5", "5 s", "-5s", "5s trailing"})
  void textThatIsNoDurationNamesTheOption(String text) {
    assertThatThrownBy(() -> Durations.parse("gossip.probeInterval", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("gossip.probeInterval: \"" + text + "\" is not a duration");
  }
}
