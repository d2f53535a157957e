/**
 * What every options class shares ({@link io.ckit.NodeOptions}, {@link io.ckit.gossip.GossipOptions}, {@link
 * io.ckit.transport.TransportOptions}, the runnable node's configuration): {@link io.ckit.config.Durations}
 * (Go's {@code 200ms}, {@code 5s}, {@code 1m30s}, or milliseconds), {@link io.ckit.config.JsonValues} (values
 * read from JSON, one message per kind of mistake, each naming the option) and {@link io.ckit.config.Limits}
 * (the bounds setters check). It depends on nothing of ckit's, so every layer may use it.
 */
package io.ckit.config;
