package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;

/** Vert.x core's {@code ComplexHATest} on the ckit cluster manager: 8 nodes, killed one by one, 10 times. */
public class CkitComplexHATest extends io.vertx.tests.ha.ComplexHATest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.haClusterManager();
  }
}
