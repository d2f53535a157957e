/**
 * Runnable entry points. {@link io.ckit.app.OwnersCommand} prints the owners of a key for a peer list; the
 * runnable cluster node will live here too.
 */
package io.ckit.app;
