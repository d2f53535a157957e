package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.testing.Poll;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HA fail-over when a node process is SIGKILLed (not a graceful leave: the way a crash is seen): the HA verticle
 * deployed in another OS process comes up in this JVM's Vert.x once ckit's failure detection declares the
 * process dead, reading the dead node's sync map entry after nodeLeft, and the entry is then removed.
 */
class HaAcrossProcessesTest {

  private static final String RANGE = "127.0.0.1:18470-18479";
  private final List<Process> processes = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static JsonObject options() {
    return new JsonObject().put("listen", RANGE).put("joinAddresses", List.of(RANGE)).put("label", "ha-processes")
        .put("gossip", new JsonObject().put("preset", "local")).put("antiEntropyInterval", "500ms")
        .put("leaveTimeout", "1s").put("rejoinInterval", "2s");
  }

  /** Starts a node process; completes with its node id once its HA verticle is deployed. */
  private CompletableFuture<String> startProcess() throws Exception {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        HaNodeProcess.class.getName(), options().encode());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(process);
    CompletableFuture<String> deployed = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith("DEPLOYED ")) {
            deployed.complete(line.substring("DEPLOYED ".length()));
          }
        }
        deployed.completeExceptionally(new AssertionError("the node process ended before deploying"));
      } catch (Exception e) {
        deployed.completeExceptionally(e);
      }
    }, "ha-node-output");
    reader.setDaemon(true);
    reader.start();
    return deployed;
  }

  @Test
  void aKilledProcessesHaVerticleFailsOverToTheSurvivor() throws Exception {
    CkitClusterManager manager = new CkitClusterManager(new CkitClusterOptions(options()));
    vertx = Vertx.builder().with(new VertxOptions().setHAEnabled(true).setQuorumSize(1)).withClusterManager(manager)
        .buildClustered().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    String victim = startProcess().get(120, TimeUnit.SECONDS);
    Map<String, String> haInfo = manager.getSyncMap("__vertx.haInfo");
    assertThat(manager.getNodes()).contains(victim);
    assertThat(new JsonObject(haInfo.get(victim)).getJsonArray("verticles")).hasSize(1);
    assertThat(vertx.deploymentIDs()).isEmpty();

    long killed = System.nanoTime();
    processes.get(0).destroyForcibly();
    assertThat(processes.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();
    Poll.until("the HA verticle is deployed here", () -> vertx.deploymentIDs().size() == 1);
    long failedOverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    String id = vertx.deploymentIDs().iterator().next();
    var deployment = ((VertxInternal) vertx).deploymentManager().deployment(id).deployment();
    assertThat(deployment.identifier()).isEqualTo(HaNodeProcess.Marker.class.getName());
    assertThat(deployment.options().getConfig()).isEqualTo(new JsonObject().put("from", victim));
    assertThat(manager.getNodes()).doesNotContain(victim);
    Poll.until("the dead node's entry is removed after fail-over", () -> !haInfo.containsKey(victim));
    System.out.println("HaAcrossProcessesTest: SIGKILL to fail-over " + failedOverMillis + " ms");
  }
}
