package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;

/** Vert.x core's {@code ClusteredEventBusTest} on the ckit cluster manager. */
public class CkitClusteredEventBusTest extends io.vertx.tests.eventbus.ClusteredEventBusTest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.clusterManager();
  }
}
