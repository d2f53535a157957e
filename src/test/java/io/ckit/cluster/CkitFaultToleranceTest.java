package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;

/** Vert.x core's {@code FaultToleranceTest} on the ckit cluster manager. */
public class CkitFaultToleranceTest extends io.vertx.tests.eventbus.FaultToleranceTest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.clusterManager();
  }

  @Override
  protected java.util.List<String> getExternalNodeSystemProperties() {
    return TckClusters.externalNodeProperties();
  }
}
