package io.ckit.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.shard.Key;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OwnersCommandTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return OwnersCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsTheOwnerGoCkitsExamplePrints() {
    // ckit's shard package example: Ring(256) over these peers; "Owner of example-key: node-b".
    int status = run("--sharder", "ring:256", "--key", "example-key", "--peers",
        "viewer-a=viewer,viewer-b=viewer,viewer-c=viewer,node-a,node-b=participant,node-c=terminating");
    assertThat(status).isZero();
    assertThat(out()).isEqualTo("node-b\n");
    assertThat(err()).isEmpty();
  }

  @Test
  void printsSeveralOwnersBestFirstAndAcceptsHashes() {
    assertThat(run("--peers", "a,b,c", "--key", "some-key", "--n", "3", "--sharder", "rendezvous")).isZero();
    String byKey = out();
    assertThat(byKey.lines()).containsExactlyInAnyOrder("a", "b", "c");
    out.reset();
    assertThat(run("--peers", "a,b,c", "--hash", Key.ofString("some-key").toString(), "--n", "3",
        "--sharder", "rendezvous")).isZero();
    assertThat(out()).isEqualTo(byKey);
  }

  @Test
  void readsMayGoToTerminatingPeersButWritesMayNot() {
    assertThat(run("--peers", "a=terminating", "--key", "k", "--op", "read")).isZero();
    assertThat(out()).isEqualTo("a\n");
    assertThat(run("--peers", "a=terminating", "--key", "k")).isEqualTo(1);
    assertThat(err()).isEqualTo("error: not enough nodes: need at least 1, have 0\n");
  }

  @Test
  void badUsageNamesTheProblemAndExitsWithTwo() {
    assertThat(run("--key", "k")).isEqualTo(2);
    assertThat(err()).startsWith("error: --peers is required\n").contains("usage:");
    err.reset();
    assertThat(run("--peers", "a=boss", "--key", "k")).isEqualTo(2);
    assertThat(err()).startsWith("error: --peers: unknown state \"boss\"\n");
    err.reset();
    assertThat(run("--peers", "a", "--key", "k", "--sharder", "maglev")).isEqualTo(2);
    assertThat(err()).startsWith("error: unknown sharder \"maglev\"");
    err.reset();
    assertThat(run("--peers", "a", "--key", "k", "--n", "-2")).isEqualTo(2);
    assertThat(err()).startsWith("error: --n must be a whole number of owners, got \"-2\"");
    err.reset();
    assertThat(run("--peers", "a", "--key", "k", "--op", "write")).isEqualTo(2);
    assertThat(err()).startsWith("error: --op must be read or readwrite, got \"write\"\n");
    err.reset();
    assertThat(run("--peers", "a", "--key", "k", "--hash", "1")).isEqualTo(2);
    assertThat(err()).startsWith("error: give exactly one of --key and --hash");
    err.reset();
    assertThat(run("--peers", "a,,b", "--key", "k")).isEqualTo(2);
    assertThat(err()).startsWith("error: --peers: empty peer name");
    err.reset();
    assertThat(run("--peers")).isEqualTo(2);
    assertThat(err()).startsWith("error: --peers needs a value");
    err.reset();
    assertThat(run("--frobnicate", "x")).isEqualTo(2);
    assertThat(err()).startsWith("error: unknown option --frobnicate");
    assertThat(out()).isEmpty();
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run("--help")).isZero();
    assertThat(out()).startsWith("usage:");
  }
}
