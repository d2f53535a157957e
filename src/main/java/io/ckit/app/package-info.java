/**
 * The runnable node and the owners command:
 * <ul>
 *   <li>{@link io.ckit.app.Main}: the entry point (configuration, logging, signals);
 *   <li>{@link io.ckit.app.AppConfig}: the configuration, from the embedded defaults, a file, the environment
 *       and flags;
 *   <li>{@link io.ckit.app.NodeApp}: wires one HTTP server, the node, its routes and its join loop ({@link
 *       io.ckit.impl.JoinLoop}), and shuts them down in order (or halts them at once, without a leave, for
 *       the cluster benchmark); on a Vert.x instance of its own, or one shared with other nodes;
 *   <li>{@link io.ckit.app.NodeRoutes}: {@code /metrics}, {@code /ready}, the peers, owners, status, events and
 *       ring APIs and the status page;
 *   <li>{@link io.ckit.app.OwnersCommand}: prints the owners of a key for a peer list.
 * </ul>
 */
package io.ckit.app;
