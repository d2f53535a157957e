package io.ckit.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.PeerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable node's configuration layers: embedded defaults, a file, environment variables, flags. */
class AppConfigTest {

  @Test
  void embeddedDefaults() {
    AppConfig config = AppConfig.load(List.of("--name", "n1"), Map.of());
    assertThat(config.listen).isEqualTo("127.0.0.1:7946");
    assertThat(config.node.getAdvertiseAddress()).isEqualTo("127.0.0.1:7946");
    assertThat(config.node.getSharder()).isEqualTo("ring:256");
    assertThat(config.node.getJoinAddresses()).isEmpty();
    assertThat(config.node.getState()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(config.node.getJoin().getRejoinInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.node.getJoin().getMaxJoinPeers()).isEqualTo(5);
    assertThat(config.node.getJoin().getRejoinRetention()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.node.getJoin().getJoinTimeout()).isZero();
    assertThat(config.logLevel).isEqualTo("info");
    assertThat(config.nativeTransport).isTrue();
  }

  @Test
  void nativeTransportFromFileEnvironmentOrFlag(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("nio.json");
    Files.writeString(file, "{\"nativeTransport\": false}");
    assertThat(AppConfig.load(List.of("--name", "n", "--config", file.toString()), Map.of()).nativeTransport)
        .isFalse();
    assertThat(AppConfig.load(List.of("--name", "n"), Map.of("CKIT_NATIVE_TRANSPORT", "false")).nativeTransport)
        .isFalse();
    assertThat(AppConfig.load(List.of("--name", "n", "--config", file.toString(), "--native-transport", "true"),
        Map.of()).nativeTransport).isTrue();
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--native-transport", "yes"), Map.of()))
        .hasMessage("--native-transport: \"yes\" is neither true nor false");
    Files.writeString(file, "{\"nativeTransport\": \"off\"}");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--config", file.toString()), Map.of()))
        .hasMessage("--native-transport: \"off\" is neither true nor false");
  }

  @Test
  void fileThenEnvironmentThenFlags(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("node.json");
    Files.writeString(file, "{\"name\": \"from-file\", \"label\": \"file-label\", \"rejoinInterval\": 5000,"
        + " \"sharder\": \"rendezvous\"}");
    AppConfig config = AppConfig.load(List.of("--config", file.toString(), "--name=from-flag",
            "--join", "127.0.0.1:1, 127.0.0.1:2"),
        Map.of("CKIT_NAME", "from-env", "CKIT_LABEL", "env-label", "CKIT_REJOIN_INTERVAL", "0"));
    assertThat(config.node.getName()).isEqualTo("from-flag");
    assertThat(config.node.getLabel()).isEqualTo("env-label");
    assertThat(config.node.getSharder()).isEqualTo("rendezvous");
    assertThat(config.node.getJoinAddresses()).containsExactly("127.0.0.1:1", "127.0.0.1:2");
    assertThat(config.node.getJoin().getRejoinInterval()).isZero();

    AppConfig fromFile = AppConfig.load(List.of("--config", file.toString()), Map.of());
    assertThat(fromFile.node.getJoin().getRejoinInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(AppConfig.load(List.of("--rejoin-interval", "1m30s"), Map.of("CKIT_NAME", "n")).node.getJoin()
        .getRejoinInterval()).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void discoveryAndRejoinOptionsFromFlagsEnvironmentAndFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("node.json");
    Files.writeString(file, "{\"name\": \"n\", \"joinAddresses\": [\"dnssrv+_gossip._tcp.ckit\"],"
        + " \"maxJoinPeers\": 3, \"rejoinRetention\": \"5m\", \"joinTimeout\": \"30s\"}");
    AppConfig fromFile = AppConfig.load(List.of("--config", file.toString()), Map.of());
    assertThat(fromFile.node.getJoinAddresses()).containsExactly("dnssrv+_gossip._tcp.ckit");
    assertThat(fromFile.node.getJoin().getMaxJoinPeers()).isEqualTo(3);
    assertThat(fromFile.node.getJoin().getRejoinRetention()).isEqualTo(Duration.ofMinutes(5));
    assertThat(fromFile.node.getJoin().getJoinTimeout()).isEqualTo(Duration.ofSeconds(30));

    AppConfig overridden = AppConfig.load(List.of("--config", file.toString(), "--max-join-peers", "7",
            "--join", "dns+peers.ckit:7946", "--join-timeout", "1m"),
        Map.of("CKIT_MAX_JOIN_PEERS", "2", "CKIT_REJOIN_RETENTION", "1h", "CKIT_JOIN_TIMEOUT", "10s"));
    assertThat(overridden.node.getJoinAddresses()).containsExactly("dns+peers.ckit:7946");
    assertThat(overridden.node.getJoin().getMaxJoinPeers()).isEqualTo(7);
    assertThat(overridden.node.getJoin().getRejoinRetention()).isEqualTo(Duration.ofHours(1));
    assertThat(overridden.node.getJoin().getJoinTimeout()).isEqualTo(Duration.ofMinutes(1));

    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--max-join-peers", "many"), Map.of()))
        .hasMessage("--max-join-peers: \"many\" is not a whole number");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n"), Map.of("CKIT_MAX_JOIN_PEERS", "0")))
        .hasMessageStartingWith("--max-join-peers: maxJoinPeers must be at least 1, got 0");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--join-timeout", "-1s"), Map.of()))
        .hasMessageStartingWith("--join-timeout: ");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--rejoin-retention", "later"), Map.of()))
        .hasMessageStartingWith("--rejoin-retention: \"later\" is not a duration");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--join", "dnssrv+"), Map.of()))
        .hasMessage("--join: \"dnssrv+\" has no name after dnssrv+");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--join", "dns+peers.ckit"), Map.of()))
        .hasMessageStartingWith("--join: ");
  }

  @Test
  void readinessObserverAndInterfaceFlags() {
    AppConfig config = AppConfig.load(List.of("--name", "n", "--min-cluster-size", "3",
        "--cluster-size-wait-timeout", "2m", "--advertise-interfaces", "eth0,lo"),
        Map.of("CKIT_OBSERVER_MIN_INTERVAL", "1s"));
    assertThat(config.node.getMinClusterSize()).isEqualTo(3);
    assertThat(config.node.getClusterSizeWaitTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.node.getObserverMinInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.node.getAdvertiseInterfaces()).containsExactly("eth0", "lo");
    // The interfaces give the host: the listen address is not advertised.
    assertThat(config.node.getAdvertiseAddress()).isNull();
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--min-cluster-size", "three"), Map.of()))
        .hasMessage("--min-cluster-size: \"three\" is not a whole number");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--min-cluster-size", "-2"), Map.of()))
        .hasMessageStartingWith("--min-cluster-size: must not be negative");
  }

  @Test
  void invalidValuesNameTheOption(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--rejoin-interval", "soon"), Map.of()))
        .hasMessageStartingWith("--rejoin-interval: \"soon\" is not a duration");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--rejoin-interval", "-5s"), Map.of()))
        .hasMessageStartingWith("--rejoin-interval: ");
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"rejoinInterval\": -1}");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--config", file.toString()), Map.of()))
        .hasMessageStartingWith("--rejoin-interval: -1 is not a whole, non-negative number");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--state", "terminating"), Map.of()))
        .hasMessage("--state: \"terminating\" is neither viewer nor participant");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--log-level", "loud"), Map.of()))
        .hasMessageStartingWith("--log-level: \"loud\"");
    assertThatThrownBy(() -> AppConfig.load(List.of("--frobnicate", "1"), Map.of()))
        .hasMessageStartingWith("--frobnicate: unknown option");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name"), Map.of()))
        .hasMessage("--name: a value is missing");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n"), Map.of("CKIT_STATE", "nope")))
        .hasMessageStartingWith("CKIT_STATE: ");
  }

  @Test
  void metadataFromFileEnvironmentOrFlag(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("node.json");
    Files.writeString(file, "{\"metadata\": {\"zone\": \"from-file\", \"version\": \"1.2\"}}");
    assertThat(AppConfig.load(List.of("--name", "n", "--config", file.toString()), Map.of()).node.getMetadata())
        .isEqualTo(Map.of("zone", "from-file", "version", "1.2"));
    assertThat(AppConfig.load(List.of("--name", "n", "--config", file.toString()),
        Map.of("CKIT_METADATA", "zone=from-env")).node.getMetadata()).isEqualTo(Map.of("zone", "from-env"));
    assertThat(AppConfig.load(List.of("--name", "n", "--metadata", "zone=a,version=1.2"),
        Map.of("CKIT_METADATA", "zone=from-env")).node.getMetadata())
        .isEqualTo(Map.of("zone", "a", "version", "1.2"));
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--metadata", "zone"), Map.of()))
        .hasMessage("--metadata: \"zone\" is not key=value");
    assertThatThrownBy(() -> AppConfig.load(List.of("--name", "n", "--metadata", "notes=" + "x".repeat(600)),
        Map.of())).hasMessageStartingWith("--metadata: encoded to 613 bytes, more than memberlist's limit of 512");
  }
}
