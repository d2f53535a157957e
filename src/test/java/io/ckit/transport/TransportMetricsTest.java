package io.ckit.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

class TransportMetricsTest {

  @Test
  void gaugesKeepReadingTheirValuesOnceNothingElseHoldsTheMetrics() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    WeakReference<TransportMetrics> metrics = new WeakReference<>(TransportMetrics.create(registry, "prod"));
    for (int i = 0; i < 10 && metrics.get() != null; i++) {
      System.gc();
    }
    assertThat(metrics.get()).as("collected, so the gauges' values are held by nothing but the registry").isNull();
    assertThat(registry.find("cluster.transport.streams").gauges()).hasSize(1);
    assertThat(registry.find("cluster.transport.rx.packet.queue.length").gauges()).hasSize(1);
    assertThat(registry.find("cluster.transport.tx.packet.queue.length").gauges()).hasSize(1);
    assertThat(registry.getMeters()).filteredOn(meter -> meter instanceof Gauge).isNotEmpty()
        .allSatisfy(gauge -> assertThat(((Gauge) gauge).value()).as(gauge.getId().getName()).isZero());
  }
}
