package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.gossip.sim.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lifeguard's suspicion timer on virtual time. */
class SuspicionTest {

  private final Simulation simulation = new Simulation();
  private final List<Long> firedAt = new ArrayList<>();
  private final List<Integer> firedWith = new ArrayList<>();

  private Suspicion suspicion(int wanted, long min, long max) {
    return new Suspicion(simulation.scheduler(), "me", wanted, min, max, confirmations -> {
      firedAt.add(simulation.now());
      firedWith.add(confirmations);
    });
  }

  @Test
  void withoutConfirmationsItRunsTheMaximum() {
    suspicion(3, 500, 2000);
    simulation.runFor(10_000);
    assertThat(firedAt).containsExactly(2000L);
    assertThat(firedWith).containsExactly(0);
  }

  @Test
  void whenNoConfirmationsCanComeItRunsTheMinimum() {
    suspicion(0, 500, 2000);
    simulation.runFor(10_000);
    assertThat(firedAt).containsExactly(500L);
  }

  @Test
  void independentConfirmationsShortenItDownToTheMinimum() {
    Suspicion suspicion = suspicion(3, 500, 2000);
    simulation.runFor(100);
    assertThat(suspicion.confirm("me")).as("the accuser does not confirm itself").isFalse();
    assertThat(suspicion.confirm("a")).isTrue();
    assertThat(suspicion.confirm("a")).as("one confirmation per member").isFalse();
    // One of three: 2 - 1.5 * log(2)/log(4) = 1.25 s from the start.
    simulation.runFor(1_000);
    assertThat(firedAt).isEmpty();
    assertThat(suspicion.confirm("b")).isTrue();
    // Two of three: 2 - 1.5 * log(3)/log(4) = 0.811 s, already past: fires at once.
    simulation.runFor(1);
    assertThat(firedAt).containsExactly(1100L);
    assertThat(firedWith).containsExactly(2);
  }

  @Test
  void oneConfirmationAloneMovesTheDeadline() {
    Suspicion suspicion = suspicion(3, 500, 2000);
    assertThat(suspicion.confirm("a")).isTrue();
    simulation.runFor(10_000);
    assertThat(firedAt).containsExactly(1250L);
  }

  @Test
  void confirmationsBeyondTheWantedOnesAreNotNews() {
    Suspicion suspicion = suspicion(1, 500, 2000);
    assertThat(suspicion.confirm("a")).isTrue();
    assertThat(suspicion.confirm("b")).isFalse();
    simulation.runFor(10_000);
    assertThat(firedAt).containsExactly(500L);
  }

  @Test
  void aCancelledSuspicionNeverFires() {
    Suspicion suspicion = suspicion(3, 500, 2000);
    suspicion.cancel();
    simulation.runFor(10_000);
    assertThat(firedAt).isEmpty();
  }
}
