package io.ckit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.NodeOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TransportOptionsTest {

  @Test
  void theInboundLimitDefaultsToMemberlistsHandoffQueueDepthAndIsCopied() {
    assertThat(new TransportOptions().getMaxInboundQueuedPackets()).isEqualTo(1024);
    TransportOptions options = new TransportOptions().setMaxInboundQueuedPackets(7);
    assertThat(new TransportOptions(options).getMaxInboundQueuedPackets()).isEqualTo(7);
    assertThatThrownBy(() -> new TransportOptions().setMaxInboundQueuedPackets(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInboundQueuedPackets must be at least 1, got 0");
  }

  @Test
  void theInboundLimitIsReadFromAndWrittenToNodeOptionsJson() {
    NodeOptions options = new NodeOptions(new JsonObject()
        .put("transport", new JsonObject().put("maxInboundQueuedPackets", 64)));
    assertThat(options.getTransport().getMaxInboundQueuedPackets()).isEqualTo(64);
    assertThat(options.toJson().getJsonObject("transport").getInteger("maxInboundQueuedPackets")).isEqualTo(64);
    assertThatThrownBy(() -> new NodeOptions(new JsonObject()
        .put("transport", new JsonObject().put("maxInboundQueuedPackets", -1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("transport.maxInboundQueuedPackets: ");
  }

  @Test
  void defaultsAreTheConstants() {
    TransportOptions options = new TransportOptions();
    assertThat(options.getMaxFrameBytes()).isEqualTo(TransportOptions.DEFAULT_MAX_FRAME_BYTES);
    assertThat(options.getPacketTimeout()).isEqualTo(TransportOptions.DEFAULT_PACKET_TIMEOUT);
    assertThat(options.getMaxQueuedPackets()).isEqualTo(TransportOptions.DEFAULT_MAX_QUEUED_PACKETS);
    assertThat(options.getMaxPacketsInFlight()).isEqualTo(TransportOptions.DEFAULT_MAX_PACKETS_IN_FLIGHT);
    assertThat(options.getMaxInboundQueuedPackets()).isEqualTo(TransportOptions.DEFAULT_MAX_INBOUND_QUEUED_PACKETS);
    assertThat(options.isSsl()).isEqualTo(TransportOptions.DEFAULT_SSL);
    assertThat(options.getKeyCertOptions()).isNull();
    assertThat(options.getTrustOptions()).isNull();
    assertThat(options.getClientAuth()).isEqualTo(TransportOptions.DEFAULT_CLIENT_AUTH);
    assertThat(options.isVerifyHost()).isEqualTo(TransportOptions.DEFAULT_VERIFY_HOST);
    assertThat(options.getPingTimeout()).isEqualTo(TransportOptions.DEFAULT_PING_TIMEOUT).hasSeconds(2);
    assertThat(new TransportOptions(new JsonObject()).toJson()).isEqualTo(options.toJson());
  }

  @Test
  void jsonRoundTripKeepsEveryOption() {
    TransportOptions options = new TransportOptions()
        .setMaxFrameBytes(8192)
        .setPacketTimeout(Duration.ofMillis(1500))
        .setMaxQueuedPackets(10)
        .setMaxPacketsInFlight(3)
        .setMaxInboundQueuedPackets(20)
        .setSsl(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath("node.crt").setKeyPath("node.key"))
        .setTrustOptions(new PemTrustOptions().addCertPath("ca.crt"))
        .setClientAuth(ClientAuth.REQUIRED)
        .setVerifyHost(false)
        .setIdleConnectionTimeout(Duration.ofSeconds(30))
        .setPingTimeout(Duration.ofMillis(750));
    JsonObject json = options.toJson();
    assertThat(json).isEqualTo(new JsonObject("""
        {"tls": {"enabled": true, "clientAuth": "REQUIRED", "verifyHost": false,
                 "pemKeyCert": {"certPaths": ["node.crt"], "keyPaths": ["node.key"], "certValues": [], "keyValues": []},
                 "pemTrust": {"certPaths": ["ca.crt"], "certValues": []}},
         "transport": {"maxFrameBytes": 8192, "packetTimeout": "1500ms", "maxQueuedPackets": 10,
                       "maxPacketsInFlight": 3, "maxInboundQueuedPackets": 20, "idleConnectionTimeout": "30s",
                       "pingTimeout": "750ms"}}
        """));
    TransportOptions back = new TransportOptions(json);
    assertThat(back.toJson()).isEqualTo(json);
    assertThat(back.getPacketTimeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(back.getIdleConnectionTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(back.getPingTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(new TransportOptions().getIdleConnectionTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(back.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(back.isVerifyHost()).isFalse();
  }

  @Test
  void thePingTimeoutIsPositiveWholeMillisecondsAndReadFromNodeOptionsJson() {
    assertThat(new NodeOptions(new JsonObject().put("transport", new JsonObject().put("pingTimeout", "500ms")))
        .getTransport().getPingTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThatThrownBy(() -> new TransportOptions().setPingTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pingTimeout must be positive");
    assertThatThrownBy(() -> new TransportOptions().setPingTimeout(Duration.ofNanos(1_500_000)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pingTimeout: ")
        .hasMessageContaining("is not a whole number of milliseconds");
    assertThatThrownBy(() -> new TransportOptions().setPingTimeout(Duration.ofDays(30)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("pingTimeout: ");
    assertThatThrownBy(() -> new NodeOptions(new JsonObject()
        .put("transport", new JsonObject().put("pingTimeout", "-1s"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("transport.pingTimeout: ");
  }

  @Test
  void keyStoresOfEveryKindRoundTrip() {
    TransportOptions jks = new TransportOptions().setKeyCertOptions(new JksOptions().setPath("node.jks"))
        .setTrustOptions(new JksOptions().setPath("trust.jks"));
    TransportOptions pfx = new TransportOptions().setKeyCertOptions(new PfxOptions().setPath("node.p12"))
        .setTrustOptions(new PfxOptions().setPath("trust.p12"));
    assertThat(jks.toJson().getJsonObject("tls").fieldNames()).contains("jksKeyStore", "jksTrustStore");
    assertThat(pfx.toJson().getJsonObject("tls").fieldNames()).contains("pfxKeyStore", "pfxTrustStore");
    assertThat(new TransportOptions(jks.toJson()).getKeyCertOptions()).isInstanceOf(JksOptions.class);
    assertThat(new TransportOptions(pfx.toJson()).getTrustOptions()).isInstanceOf(PfxOptions.class);
    assertThat(new TransportOptions(jks.toJson()).toJson()).isEqualTo(jks.toJson());
    assertThat(new TransportOptions(pfx.toJson()).toJson()).isEqualTo(pfx.toJson());
  }

  @Test
  void keyMaterialAloneTurnsTlsOnUnlessItIsDisabled() {
    JsonObject pem = new JsonObject().put("certPath", "node.crt").put("keyPath", "node.key");
    assertThat(new TransportOptions(new JsonObject().put("tls", new JsonObject().put("pemKeyCert", pem))).isSsl())
        .isTrue();
    assertThat(new TransportOptions(new JsonObject().put("tls", new JsonObject().put("pemKeyCert", pem)
        .put("enabled", false))).isSsl()).isFalse();
  }

  @Test
  void aCopyIsIndependent() {
    PemKeyCertOptions keyCert = new PemKeyCertOptions().setCertPath("node.crt").setKeyPath("node.key");
    TransportOptions original = new TransportOptions().setMaxQueuedPackets(5).setKeyCertOptions(keyCert);
    JsonObject before = original.toJson();
    TransportOptions copy = new TransportOptions(original);
    assertThat(copy.toJson()).isEqualTo(before);
    copy.setMaxQueuedPackets(6).setSsl(true).setClientAuth(ClientAuth.REQUEST);
    ((PemKeyCertOptions) copy.getKeyCertOptions()).addCertPath("other.crt");
    assertThat(original.toJson()).isEqualTo(before);
    assertThat(original.getMaxQueuedPackets()).isEqualTo(5);
    assertThat(((PemKeyCertOptions) original.getKeyCertOptions()).getCertPaths()).containsExactly("node.crt");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"transprt\":{}}|transprt: unknown option (known: tls, transport)",
      "{\"transport\":7}|transport: expected a JSON object, got 7",
      "{\"tls\":[]}|tls: expected a JSON object, got []",
      "{\"transport\":{\"maxFrameByte\":1}}|transport.maxFrameByte: unknown option (known: "
          + "idleConnectionTimeout, maxFrameBytes, maxInboundQueuedPackets, maxPacketsInFlight, maxQueuedPackets, "
          + "packetTimeout, pingTimeout)",
      "{\"transport\":{\"maxFrameBytes\":10}}|transport.maxFrameBytes: maxFrameBytes must be at least 1024, got 10",
      "{\"transport\":{\"maxFrameBytes\":1.5}}|transport.maxFrameBytes: \"1.5\" is not a whole number",
      "{\"transport\":{\"packetTimeout\":0}}|transport.packetTimeout: packetTimeout must be positive, got PT0S",
      "{\"transport\":{\"idleConnectionTimeout\":\"1500ms\"}}|transport.idleConnectionTimeout: idleConnectionTimeout: 1500ms is not a whole number of seconds",
      "{\"transport\":{\"idleConnectionTimeout\":0}}|transport.idleConnectionTimeout: idleConnectionTimeout must be positive, got PT0S",
      "{\"transport\":{\"packetTimeout\":\"soon\"}}|transport.packetTimeout: \"soon\" is not a duration",
      "{\"transport\":{\"maxQueuedPackets\":0}}|transport.maxQueuedPackets: maxQueuedPackets must be at least 1, got 0",
      "{\"transport\":{\"maxPacketsInFlight\":0}}|transport.maxPacketsInFlight: maxPacketsInFlight must be at least 1, got 0",
      "{\"transport\":{\"maxInboundQueuedPackets\":\"x\"}}|transport.maxInboundQueuedPackets: \"x\" is not a whole number",
      "{\"tls\":{\"enable\":true}}|tls.enable: unknown option (known: clientAuth, enabled, jksKeyStore,",
      "{\"tls\":{\"enabled\":\"yes\"}}|tls.enabled: \"yes\" is not true or false",
      "{\"tls\":{\"verifyHost\":1}}|tls.verifyHost: \"1\" is not true or false",
      "{\"tls\":{\"clientAuth\":\"SOMETIMES\"}}|tls.clientAuth: No enum constant",
      "{\"tls\":{\"clientAuth\":2}}|tls.clientAuth: expected text, got 2",
      "{\"tls\":{\"pemKeyCert\":\"x\"}}|tls.pemKeyCert: expected a JSON object, got x",
      "{\"tls\":{\"jksKeyStore\":{\"value\":\"@@\"}}}|tls.jksKeyStore: Illegal base64 character",
  })
  void badJsonNamesTheOption(String json, String message) {
    assertThatThrownBy(() -> new TransportOptions(new JsonObject(json)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
