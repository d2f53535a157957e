package io.ckit.cluster;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How the Vert.x cluster-manager suite's subclasses get a cluster manager: every instance listens on the first
 * free port of one loopback range and joins the whole range, so instances find each other over the network
 * only, as they would across machines (no state shared through the JVM). Gossip timing is memberlist's
 * "local" preset; the label keeps these clusters apart from anything else on the machine. The system property
 * {@code ckit.tck.ports} moves the range (two suites run side by side on one machine must not share it).
 */
final class TckClusters {

  static final String RANGE = "127.0.0.1:" + System.getProperty("ckit.tck.ports", "17800-17819");

  private TckClusters() {}

  static JsonObject json() {
    return new JsonObject().put("listen", RANGE).put("joinAddresses", List.of(RANGE)).put("label", "vertx-tck")
        .put("gossip", new JsonObject().put("preset", "local")).put("antiEntropyInterval", "500ms")
        .put("deliveryTimeout", "5s").put("rejoinInterval", "2s").put("leaveTimeout", "1s");
  }

  static CkitClusterManager clusterManager() {
    return new CkitClusterManager(new CkitClusterOptions(json()));
  }

  /**
   * For the HA classes: the same, with ckit's own gossip timing (5 s probes, 2 s probe timeout) instead of the
   * "local" preset. Their kills are leaves (the HA manager's simulated kill calls {@code leave}), so the speed of
   * failure detection does not matter to them, but a false suspicion does: under a load average of 20 to 34 on
   * 2 cores, "local"'s 200 ms probe timeout declared live nodes dead, the survivors' views of the members
   * differed, and two of them failed the same node over.
   */
  static CkitClusterManager haClusterManager() {
    return new CkitClusterManager(new CkitClusterOptions(json().put("gossip", new JsonObject().put("preset", "ckit"))));
  }

  /** System properties (and JVM flags) for the suite's external node processes: the same options, by file. */
  static List<String> externalNodeProperties() {
    try {
      Path file = Files.createTempFile("ckit-cluster", ".json");
      file.toFile().deleteOnExit();
      Files.writeString(file, json().encodePrettily(), StandardCharsets.UTF_8);
      return List.of("-D" + CkitClusterManager.CONFIG_PROPERTY + "=" + file, "-Xmx96m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-Xss256k");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
