package io.ckit.cluster;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * A node process for {@link HaAcrossProcessesTest}: a clustered Vert.x with HA enabled on the ckit cluster
 * manager (options: the JSON of its first argument), which deploys {@link Marker} with HA, prints {@code
 * DEPLOYED <node id>}, and runs until it is killed or its standard input closes (the test JVM is gone).
 */
public final class HaNodeProcess {

  private HaNodeProcess() {}

  /** What fails over: a verticle that does nothing but be deployed somewhere. */
  public static final class Marker extends VerticleBase {
    @Override
    public Future<?> start() {
      return Future.succeededFuture();
    }
  }

  public static void main(String[] args) throws Exception {
    CkitClusterManager manager = new CkitClusterManager(new CkitClusterOptions(new JsonObject(args[0])));
    Vertx vertx = Vertx.builder().with(new VertxOptions().setHAEnabled(true).setQuorumSize(1))
        .withClusterManager(manager).buildClustered().await();
    vertx.deployVerticle(Marker.class.getName(), new DeploymentOptions().setHa(true)
        .setConfig(new JsonObject().put("from", manager.getNodeId()))).await();
    System.out.println("DEPLOYED " + manager.getNodeId());
    System.out.flush();
    while (System.in.read() >= 0) {
      // Runs until killed, or until the test JVM (its standard input) is gone.
    }
    System.exit(0);
  }
}
