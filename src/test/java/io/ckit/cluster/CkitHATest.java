package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;

/** Vert.x core's {@code HATest} on the ckit cluster manager: fail-over, quorum and HA groups on the sync map. */
public class CkitHATest extends io.vertx.tests.ha.HATest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.haClusterManager();
  }
}
