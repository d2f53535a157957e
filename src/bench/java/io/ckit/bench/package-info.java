/**
 * The cluster benchmark: N runnable nodes on loopback, measured only through their HTTP endpoints and OS
 * processes.
 * <ul>
 *   <li>{@link io.ckit.bench.ClusterBenchmark}: options, scenarios (converge, steady, kill, leave, ready);
 *   <li>{@link io.ckit.bench.BenchCluster}: how the nodes start and stop, one process each ({@link
 *       io.ckit.bench.ProcessCluster}) or all in host JVMs, one or more ({@link io.ckit.bench.JvmCluster}, running
 *       {@link io.ckit.bench.NodeHost});
 *   <li>{@link io.ckit.bench.Probe}: Vert.x WebClient on {@code /api/v1/peers}, {@code /metrics}, {@code /ready};
 *   <li>{@link io.ckit.bench.OsStats} and {@link io.ckit.bench.TcpSentMeter}: {@code /proc} and {@code ss};
 *   <li>{@link io.ckit.bench.Report}: a table per scenario and the JSON file.
 * </ul>
 */
package io.ckit.bench;
