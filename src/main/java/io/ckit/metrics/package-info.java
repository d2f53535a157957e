/** Micrometer meters with Go ckit's metric names, each tagged {@code cluster_name}. */
package io.ckit.metrics;
