/**
 * A Vert.x cluster manager on ckit ({@link io.ckit.cluster.CkitClusterManager}, options {@link
 * io.ckit.cluster.CkitClusterOptions}): members and failure detection from a ckit node; NodeInfo and event-bus
 * registrations owned per node and sent to every cluster-manager node on the cluster manager's own HTTP/2
 * routes ({@code ClusterCore}), held in an {@code EntryStore} of {@code NodeEntries}; shared data (async maps,
 * counters, locks: {@code CkitAsyncMap}, {@code CkitCounter}, {@code CkitLock}) on ring owners with backups and
 * hand-over ({@code DataService}, {@code DataStore} of {@code PackedEntries}, {@code SharedValues}), locks
 * granted to a node and passed among its callers ({@code NodeLocks}); the sync map Vert.x's HA manager uses,
 * replicated to every cluster-manager node on the same routes ({@code SyncMaps}, {@code SyncMapStore}, {@code
 * SyncMap}).
 */
package io.ckit.cluster;
