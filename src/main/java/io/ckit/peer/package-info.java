/**
 * Peers of a ckit cluster: {@link io.ckit.peer.Peer} (name, address, whether it is the local node, state) and
 * {@link io.ckit.peer.PeerState}, with ckit's wire values and JSON form.
 */
package io.ckit.peer;
