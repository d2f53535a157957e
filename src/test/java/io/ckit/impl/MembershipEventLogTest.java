package io.ckit.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.MembershipEvent;
import io.ckit.MembershipEvent.Type;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The timeline keeps the last hour, at most its capacity, oldest first. */
class MembershipEventLogTest {

  private Instant now = Instant.parse("2026-01-02T03:00:00Z");
  private final MembershipEventLog log = new MembershipEventLog(3, Duration.ofHours(1), () -> now);

  @Test
  void eventsPastTheCapacityPushOutTheOldest() {
    for (int i = 1; i <= 5; i++) {
      log.add(Type.JOIN, "node-" + i, i, "");
      now = now.plusSeconds(1);
    }
    assertThat(log.snapshot()).extracting(MembershipEvent::member).containsExactly("node-3", "node-4", "node-5");
    assertThat(log.snapshot().get(0).time()).isEqualTo(Instant.parse("2026-01-02T03:00:02Z"));
  }

  @Test
  void eventsOlderThanAnHourGoWhenReadOrWhenTheNextComes() {
    log.add(Type.SUSPECT, "node-a", 1, "suspected by node-b");
    now = now.plus(Duration.ofMinutes(30));
    log.add(Type.DEAD, "node-a", 1, "");
    now = now.plus(Duration.ofMinutes(31));
    assertThat(log.snapshot()).extracting(MembershipEvent::type).containsExactly(Type.DEAD);
    now = now.plus(Duration.ofMinutes(30));
    log.add(Type.JOIN, "node-c", 1, "");
    assertThat(log.snapshot()).extracting(MembershipEvent::type).containsExactly(Type.JOIN);
    assertThat(log.snapshot().get(0).toJson().encode()).isEqualTo(
        "{\"time\":\"2026-01-02T04:31:00Z\",\"type\":\"join\",\"member\":\"node-c\",\"incarnation\":1,\"detail\":\"\"}");
  }

  @Test
  void aLogHoldsAtLeastOneEvent() {
    assertThatThrownBy(() -> new MembershipEventLog(0, Duration.ofHours(1), Instant::now))
        .hasMessage("capacity must be at least 1, got 0");
  }
}
