package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;

/** Vert.x core's {@code ClusteredAsyncMapTest} on the ckit cluster manager. */
public class CkitAsyncMapTest extends io.vertx.tests.shareddata.ClusteredAsyncMapTest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.clusterManager();
  }
}
