package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;

/** Vert.x core's {@code ClusteredSharedCounterTest} on the ckit cluster manager. */
public class CkitSharedCounterTest extends io.vertx.tests.shareddata.ClusteredSharedCounterTest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.clusterManager();
  }
}
