package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** memberlist's rules, case by case (the reference numbers are memberlist's own test tables). */
class GossipMathTest {

  @ParameterizedTest(name = "n={0}: {1} ms per multiplier")
  @CsvSource({"0, 1000", "1, 1000", "5, 1000", "10, 1000", "50, 1698", "100, 2000", "500, 2698", "1000, 3000",
      "10000, 4000"})
  void suspicionTimeoutGrowsWithTheLogOfTheClusterSize(int n, long perMultiplier) {
    assertThat(GossipMath.suspicionTimeout(3, n, 1000) / 3).isEqualTo(perMultiplier);
    assertThat(GossipMath.suspicionTimeout(4, n, 5000)).isEqualTo(4 * 5 * perMultiplier);
  }

  @ParameterizedTest(name = "{0} of {1} confirmations after {2} ms: {5} ms left")
  @CsvSource({
      "0, 3, 0, 2000, 30000, 30000",
      "1, 3, 2000, 2000, 30000, 14000",
      "2, 3, 3000, 2000, 30000, 4810",
      "3, 3, 4000, 2000, 30000, -2000",
      "4, 3, 5000, 2000, 30000, -3000",
      "5, 3, 10000, 2000, 30000, -8000"})
  void remainingSuspicionTimeFallsWithTheLogOfConfirmations(int confirmations, int wanted, long elapsed, long min,
      long max, long expected) {
    assertThat(GossipMath.remainingSuspicionTime(confirmations, wanted, elapsed, min, max)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "mult {0}, n={1}: {2}")
  @CsvSource({"3, 0, 0", "3, 1, 3", "3, 9, 3", "3, 10, 6", "3, 99, 6", "3, 100, 9", "4, 1000, 16",
      "4, 10000, 20"})
  void retransmitLimitIsTheMultiplierTimesTheCeilingOfLog10(int mult, int n, int expected) {
    assertThat(GossipMath.retransmitLimit(mult, n)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "n={0}: x{1}")
  @CsvSource({"0, 1", "1, 1", "32, 1", "33, 2", "64, 2", "65, 3", "128, 3", "129, 4", "1000, 6", "10000, 10"})
  void pushPullIntervalScalesPastThirtyTwoMembers(int n, int multiplier) {
    assertThat(GossipMath.pushPullInterval(30_000, n)).isEqualTo(multiplier * 30_000L);
  }

  @ParameterizedTest(name = "mult {0}, n={1}: {2}")
  @CsvSource({"4, 1, 0", "4, 3, 0", "4, 4, 2", "4, 100, 2", "6, 5, 0", "6, 6, 4", "2, 100, 0", "3, 3, 1"})
  void suspicionWantsMultMinusTwoConfirmationsWhenEnoughMembersCanGiveThem(int mult, int n, int expected) {
    assertThat(GossipMath.suspicionConfirmationsWanted(mult, n)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "incoming {0} vs known {1}")
  @CsvSource({"2, 1, true, true", "1, 1, false, true", "0, 1, false, false", "4294967295, 0, true, true"})
  void newerIncarnationsWinAndAccusationsApplyAtTheSameOne(long incoming, long known, boolean aliveWins,
      boolean accusationApplies) {
    assertThat(GossipMath.aliveSupersedes(incoming, known)).isEqualTo(aliveWins);
    assertThat(GossipMath.accusationApplies(incoming, known)).isEqualTo(accusationApplies);
  }

  @ParameterizedTest(name = "counter {0}, accused at {1}: refute with {2}")
  @CsvSource({"1, 1, 2", "1, 5, 6", "7, 3, 8", "0, 0, 1", "4294967295, 0, 1", "3, 4294967295, 0"})
  void refutationsGoOnePastBothTheCounterAndTheAccusation(long counter, long accused, long expected) {
    // Go's 32-bit counter wraps: after 2^32 - 1 comes 0, which the accusation at 0 then pushes to 1.
    assertThat(GossipMath.refutingIncarnation(counter, accused)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} nacks expected, {1} received: +{2}")
  @CsvSource({"0, 0, 1", "3, 0, 3", "3, 1, 2", "3, 3, 0", "2, 5, 0"})
  void aFailedProbeCostsHealthForEachMissingNack(int expected, int received, int delta) {
    assertThat(GossipMath.awarenessDeltaAfterFailedProbe(expected, received)).isEqualTo(delta);
  }
}
