package io.ckit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.NodeOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class TransportOptionsTest {

  @Test
  void theInboundLimitDefaultsToMemberlistsHandoffQueueDepthAndIsCopied() {
    assertThat(new TransportOptions().maxInboundQueuedPackets()).isEqualTo(1024);
    TransportOptions options = new TransportOptions().setMaxInboundQueuedPackets(7);
    assertThat(new TransportOptions(options).maxInboundQueuedPackets()).isEqualTo(7);
    assertThatThrownBy(() -> new TransportOptions().setMaxInboundQueuedPackets(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInboundQueuedPackets must be at least 1, got 0");
  }

  @Test
  void theInboundLimitIsReadFromAndWrittenToNodeOptionsJson() {
    NodeOptions options = new NodeOptions(new JsonObject()
        .put("transport", new JsonObject().put("maxInboundQueuedPackets", 64)));
    assertThat(options.getTransport().maxInboundQueuedPackets()).isEqualTo(64);
    assertThat(options.toJson().getJsonObject("transport").getInteger("maxInboundQueuedPackets")).isEqualTo(64);
    assertThatThrownBy(() -> new NodeOptions(new JsonObject()
        .put("transport", new JsonObject().put("maxInboundQueuedPackets", -1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("transport.maxInboundQueuedPackets: ");
  }
}
