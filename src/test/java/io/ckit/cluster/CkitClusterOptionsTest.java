package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.NodeOptions;
import io.ckit.peer.PeerState;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CkitClusterOptionsTest {

  @Test
  void defaultsAreLoopbackAnyPortNoJoinsParticipantAndAUuidName() {
    CkitClusterOptions options = new CkitClusterOptions().validate();
    assertThat(UUID.fromString(options.getName()).toString()).isEqualTo(options.getName());
    assertThat(options.getListen()).isEqualTo("127.0.0.1:0");
    assertThat(options.getJoinAddresses()).isEmpty();
    assertThat(options.getNodeOptions().getState()).isEqualTo(PeerState.PARTICIPANT);
    assertThat(options.getDeliveryTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(new CkitClusterOptions().getName()).isNotEqualTo(options.getName());
  }

  @Test
  void readsTheNodesJsonFormAndWritesItBack() {
    JsonObject json = new JsonObject().put("name", "cm-a").put("listen", "127.0.0.1:17900-17902")
        .put("joinAddresses", List.of("127.0.0.1:17900-17902", "10.0.0.9:7946")).put("label", "prod")
        .put("gossip", new JsonObject().put("preset", "local")).put("deliveryTimeout", "750ms")
        .put("antiEntropyInterval", "3s").put("maxRequestBytes", 4096).put("metadata", new JsonObject().put("zone", "a"));
    CkitClusterOptions options = new CkitClusterOptions(json).validate();
    assertThat(options.getName()).isEqualTo("cm-a");
    assertThat(options.getLabel()).isEqualTo("prod");
    assertThat(options.getGossip().getProbeTimeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(options.getDeliveryTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(options.getAntiEntropyInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(options.getMaxRequestBytes()).isEqualTo(4096);
    assertThat(options.listenPorts()).containsExactly(17900, 17901, 17902);
    assertThat(options.expandedJoinAddresses())
        .containsExactly("127.0.0.1:17900", "127.0.0.1:17901", "127.0.0.1:17902", "10.0.0.9:7946");
    CkitClusterOptions again = new CkitClusterOptions(options.toJson()).validate();
    assertThat(again.toJson()).isEqualTo(options.toJson());
  }

  @Test
  void theNodeJoinsEveryOtherAddressOfItsRangeAndIsMarked() {
    CkitClusterOptions options = new CkitClusterOptions(new JsonObject().put("listen", "127.0.0.1:17900-17902")
        .put("joinAddresses", List.of("127.0.0.1:17900-17902"))).validate();
    NodeOptions node = options.nodeOptions("127.0.0.1:17901");
    assertThat(node.getAdvertiseAddress()).isEqualTo("127.0.0.1:17901");
    assertThat(node.getJoinAddresses()).containsExactly("127.0.0.1:17900", "127.0.0.1:17902");
    assertThat(node.getJoin().getMaxJoinPeers()).isEqualTo(2);
    assertThat(node.getMetadata()).containsEntry(CkitClusterOptions.METADATA_KEY, "1");
  }

  @Test
  void badValuesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("listen", "127.0.0.1:900-800")).validate())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("listen: ");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("listen", "127.0.0.1:1-2000")).validate())
        .hasMessageStartingWith("listen: ").hasMessageContaining("at most 1000 ports");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("joinAddresses", List.of("h:x-9")))
        .validate()).hasMessageStartingWith("joinAddresses: ");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("deliveryTimeout", "0s")).validate())
        .hasMessageStartingWith("deliveryTimeout: ");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("antiEntropyInterval", "soon")))
        .hasMessageStartingWith("antiEntropyInterval");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("maxRequestBytes", 10)).validate())
        .hasMessageStartingWith("maxRequestBytes: ");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("listen", "0.0.0.0:7946")).validate())
        .hasMessageStartingWith("advertiseAddress: ");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject()
        .put("metadata", new JsonObject().put(CkitClusterOptions.METADATA_KEY, "0"))).validate())
        .hasMessageStartingWith("metadata: ");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("colour", "blue")))
        .hasMessageContaining("colour");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("gossip",
        new JsonObject().put("preset", "moon")))).hasMessageStartingWith("gossip.preset");
  }

  @Test
  void sharedDataOptionsAreReadCheckedAndWrittenBack() {
    CkitClusterOptions defaults = new CkitClusterOptions().validate();
    assertThat(defaults.getBackups()).isEqualTo(1);
    assertThat(defaults.getSharedDataTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
    CkitClusterOptions read = new CkitClusterOptions(new JsonObject().put("backups", 2)
        .put("sharedDataTimeout", "45s")).validate();
    assertThat(read.getBackups()).isEqualTo(2);
    assertThat(read.getSharedDataTimeout()).isEqualTo(java.time.Duration.ofSeconds(45));
    assertThat(new CkitClusterOptions(read.toJson()).getBackups()).isEqualTo(2);
    assertThat(new CkitClusterOptions(read).getSharedDataTimeout()).isEqualTo(java.time.Duration.ofSeconds(45));
    assertThatThrownBy(() -> new CkitClusterOptions().setBackups(-1).validate())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("backups: from 0 to 6, got -1");
    assertThatThrownBy(() -> new CkitClusterOptions().setBackups(7).validate())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("backups: from 0 to 6, got 7");
    assertThatThrownBy(() -> new CkitClusterOptions().setSharedDataTimeout(java.time.Duration.ZERO).validate())
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("sharedDataTimeout: must be positive");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("backups", "two")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("backups");
  }

  @Test
  void lockReuseIsReadCheckedAndKeptUnderAQuarterOfTheShortestSuspicion() {
    CkitClusterOptions defaults = new CkitClusterOptions().validate();
    assertThat(defaults.getLockReuse()).isEqualTo(java.time.Duration.ofMillis(500));
    // ckit's default gossip: suspicionMult 4, probeInterval 5 s: at most 5 s, so the 500 ms stand.
    assertThat(defaults.effectiveLockReuseMillis()).isEqualTo(500);
    CkitClusterOptions read = new CkitClusterOptions(new JsonObject().put("lockReuse", "20s")
        .put("gossip", new JsonObject().put("preset", "local"))).validate();
    assertThat(read.getLockReuse()).isEqualTo(java.time.Duration.ofSeconds(20));
    // local: suspicionMult 3, probeInterval 1 s: 3 s, a quarter is 750 ms.
    assertThat(read.effectiveLockReuseMillis()).isEqualTo(750);
    assertThat(new CkitClusterOptions(read.toJson()).getLockReuse()).isEqualTo(java.time.Duration.ofSeconds(20));
    assertThat(new CkitClusterOptions(read).getLockReuse()).isEqualTo(java.time.Duration.ofSeconds(20));
    assertThat(new CkitClusterOptions(new JsonObject().put("lockReuse", "0s")).validate()
        .effectiveLockReuseMillis()).isZero();
    assertThatThrownBy(() -> new CkitClusterOptions().setLockReuse(java.time.Duration.ofMillis(-1)).validate())
        .isInstanceOf(IllegalArgumentException.class).hasMessage("lockReuse: must not be negative, got -1ms");
    assertThatThrownBy(() -> new CkitClusterOptions(new JsonObject().put("lockReuse", "soon")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("lockReuse");
  }

  @Test
  void theNoArgumentClusterManagerReadsTheFileOfTheSystemProperty(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("cm.json");
    Files.writeString(file, new JsonObject().put("name", "from-file").put("label", "x").encode());
    String before = System.getProperty(CkitClusterManager.CONFIG_PROPERTY);
    System.setProperty(CkitClusterManager.CONFIG_PROPERTY, file.toString());
    try {
      CkitClusterOptions options = CkitClusterManager.loadOptions();
      assertThat(options.getName()).isEqualTo("from-file");
      assertThat(options.getLabel()).isEqualTo("x");
      Files.writeString(file, "{\"listen\": 7}");
      assertThatThrownBy(CkitClusterManager::loadOptions).hasMessageStartingWith(file + ": listen");
      System.setProperty(CkitClusterManager.CONFIG_PROPERTY, dir.resolve("missing.json").toString());
      assertThatThrownBy(CkitClusterManager::loadOptions)
          .hasMessageStartingWith(CkitClusterManager.CONFIG_PROPERTY + ": cannot read");
    } finally {
      if (before == null) {
        System.clearProperty(CkitClusterManager.CONFIG_PROPERTY);
      } else {
        System.setProperty(CkitClusterManager.CONFIG_PROPERTY, before);
      }
    }
  }
}
