package io.ckit.impl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LamportClockTest {

  @Test
  void startsAtZeroAndTicksOneAtATime() {
    LamportClock clock = new LamportClock();
    assertThat(clock.now()).isZero();
    assertThat(clock.tick()).isEqualTo(1);
    assertThat(clock.tick()).isEqualTo(2);
    assertThat(clock.now()).isEqualTo(2);
  }

  @Test
  void observingATimeAtOrAfterNowMovesPastIt() {
    LamportClock clock = new LamportClock();
    clock.observe(0);
    assertThat(clock.now()).isEqualTo(1);
    clock.observe(1);
    assertThat(clock.now()).isEqualTo(2);
    clock.observe(41);
    assertThat(clock.now()).isEqualTo(42);
    assertThat(clock.tick()).isEqualTo(43);
  }

  @Test
  void observingAnOlderTimeLeavesTheClockAlone() {
    LamportClock clock = new LamportClock();
    clock.observe(9);
    clock.observe(3);
    assertThat(clock.now()).isEqualTo(10);
  }

  @Test
  void timesAreUnsigned() {
    long high = 0x8000_0000_0000_0000L; // 2^63: negative as a signed long
    assertThat(LamportClock.compare(high, 1)).isPositive();
    assertThat(LamportClock.compare(1, high)).isNegative();
    assertThat(LamportClock.compare(-1L, high)).isPositive();
    assertThat(LamportClock.compare(7, 7)).isZero();

    LamportClock clock = new LamportClock();
    clock.observe(high);
    assertThat(clock.now()).isEqualTo(high + 1);
    clock.observe(5);
    assertThat(clock.now()).isEqualTo(high + 1);
  }
}
