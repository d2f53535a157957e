package io.ckit.cluster;

import io.vertx.core.spi.cluster.ClusterManager;
import org.junit.Test;

/**
 * Vert.x core's {@code ClusteredAsynchronousLockTest} on the ckit cluster manager, with the two tests the suite
 * leaves to real cluster managers (a lock is released when its holder's node closes or leaves) switched on, as
 * their javadoc asks.
 */
public class CkitAsynchronousLockTest extends io.vertx.tests.shareddata.ClusteredAsynchronousLockTest {

  @Override
  protected ClusterManager getClusterManager() {
    return TckClusters.clusterManager();
  }

  @Test
  @Override
  public void testLockReleasedForClosedNode() throws Exception {
    super.testLockReleasedForClosedNode();
  }

  @Test
  @Override
  public void testLockReleasedForKilledNode() throws Exception {
    super.testLockReleasedForKilledNode();
  }
}
