package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;

/** Vert.x core's {@code NodeInfoTest} on the ckit cluster manager. */
public class CkitNodeInfoTest extends io.vertx.tests.eventbus.NodeInfoTest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.clusterManager();
  }
}
