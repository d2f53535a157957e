package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;

/** Vert.x core's {@code ClusteredEventBusWithSSLTest} on the ckit cluster manager. */
public class CkitClusteredEventBusWithSSLTest extends io.vertx.tests.eventbus.ClusteredEventBusWithSSLTest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.clusterManager();
  }
}
