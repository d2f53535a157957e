package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.wire.Keyring;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GossipOptionsTest {

  private static final Map<String, Supplier<GossipOptions>> PRESETS = Map.of("ckit", GossipOptions::ckit,
      "lan", GossipOptions::lan, "wan", GossipOptions::wan, "local", GossipOptions::local);

  @Test
  void theDefaultsAreCkitsAndTheConstants() {
    GossipOptions options = new GossipOptions();
    assertThat(options.toJson()).isEqualTo(GossipOptions.ckit().toJson());
    assertThat(options.getProbeInterval()).isEqualTo(GossipOptions.DEFAULT_PROBE_INTERVAL).hasSeconds(5);
    assertThat(options.getProbeTimeout()).isEqualTo(GossipOptions.DEFAULT_PROBE_TIMEOUT).hasSeconds(2);
    assertThat(options.getIndirectChecks()).isEqualTo(GossipOptions.DEFAULT_INDIRECT_CHECKS);
    assertThat(options.getRetransmitMult()).isEqualTo(GossipOptions.DEFAULT_RETRANSMIT_MULT);
    assertThat(options.getSuspicionMult()).isEqualTo(GossipOptions.DEFAULT_SUSPICION_MULT);
    assertThat(options.getSuspicionMaxTimeoutMult()).isEqualTo(GossipOptions.DEFAULT_SUSPICION_MAX_TIMEOUT_MULT);
    assertThat(options.getAwarenessMaxMultiplier()).isEqualTo(GossipOptions.DEFAULT_AWARENESS_MAX_MULTIPLIER);
    assertThat(options.getGossipInterval()).isEqualTo(GossipOptions.DEFAULT_GOSSIP_INTERVAL);
    assertThat(options.getGossipNodes()).isEqualTo(GossipOptions.DEFAULT_GOSSIP_NODES);
    assertThat(options.getGossipToTheDeadTime()).isEqualTo(GossipOptions.DEFAULT_GOSSIP_TO_THE_DEAD_TIME);
    assertThat(options.getPushPullInterval()).isEqualTo(GossipOptions.DEFAULT_PUSH_PULL_INTERVAL);
    assertThat(options.getStreamTimeout()).isEqualTo(GossipOptions.DEFAULT_STREAM_TIMEOUT).hasSeconds(2);
    assertThat(options.getMaxPacketBytes()).isEqualTo(GossipOptions.DEFAULT_MAX_PACKET_BYTES).isEqualTo(10 << 20);
    assertThat(options.getMaxMessageBytes()).isEqualTo(GossipOptions.DEFAULT_MAX_MESSAGE_BYTES);
    assertThat(options.getDeadNodeReclaimTime()).isEqualTo(GossipOptions.DEFAULT_DEAD_NODE_RECLAIM_TIME);
    assertThat(options.getMaxConcurrentPushPulls()).isEqualTo(GossipOptions.DEFAULT_MAX_CONCURRENT_PUSH_PULLS);
    assertThat(options.getHandoffQueueDepth()).isEqualTo(GossipOptions.DEFAULT_HANDOFF_QUEUE_DEPTH);
    assertThat(options.isCompression()).isEqualTo(GossipOptions.DEFAULT_COMPRESSION);
    assertThat(options.getKeyring()).isNull();
  }

  @Test
  void presetsAreMemberlistsConfigs() {
    assertThat(GossipOptions.lan().toJson()).isEqualTo(GossipOptions.ckit().toJson().put("probeInterval", "1s")
        .put("probeTimeout", "500ms").put("streamTimeout", "10s").put("maxPacketBytes", 1400));
    assertThat(GossipOptions.wan().toJson()).isEqualTo(GossipOptions.lan().toJson().put("streamTimeout", "30s")
        .put("suspicionMult", 6).put("pushPullInterval", "1m").put("probeTimeout", "3s").put("probeInterval", "5s")
        .put("gossipNodes", 4).put("gossipInterval", "500ms").put("gossipToTheDeadTime", "1m"));
    assertThat(GossipOptions.local().toJson()).isEqualTo(GossipOptions.lan().toJson().put("streamTimeout", "1s")
        .put("indirectChecks", 1).put("retransmitMult", 2).put("suspicionMult", 3).put("pushPullInterval", "15s")
        .put("probeTimeout", "200ms").put("gossipInterval", "100ms").put("gossipToTheDeadTime", "15s"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ckit", "lan", "wan", "local"})
  void aPresetByNameIsThePreset(String preset) {
    assertThat(new GossipOptions(new JsonObject().put("preset", preset)).toJson())
        .isEqualTo(PRESETS.get(preset).get().toJson());
  }

  @Test
  void jsonRoundTripKeepsEverySetting() {
    GossipOptions options = new GossipOptions()
        .setProbeInterval(Duration.ofMillis(1500))
        .setProbeTimeout(Duration.ofMillis(700))
        .setIndirectChecks(0)
        .setRetransmitMult(5)
        .setSuspicionMult(6)
        .setSuspicionMaxTimeoutMult(7)
        .setAwarenessMaxMultiplier(9)
        .setGossipInterval(Duration.ofMillis(150))
        .setGossipNodes(2)
        .setGossipToTheDeadTime(Duration.ZERO)
        .setPushPullInterval(Duration.ofSeconds(90))
        .setStreamTimeout(Duration.ofSeconds(3))
        .setMaxPacketBytes(2048)
        .setMaxMessageBytes(4096)
        .setDeadNodeReclaimTime(Duration.ofMinutes(2))
        .setMaxConcurrentPushPulls(16)
        .setHandoffQueueDepth(64)
        .setCompression(false);
    JsonObject json = options.toJson();
    assertThat(json).isEqualTo(new JsonObject("""
        {"probeInterval": "1500ms", "probeTimeout": "700ms", "indirectChecks": 0, "retransmitMult": 5,
         "suspicionMult": 6, "suspicionMaxTimeoutMult": 7, "awarenessMaxMultiplier": 9, "gossipInterval": "150ms",
         "gossipNodes": 2, "gossipToTheDeadTime": "0", "pushPullInterval": "1m30s", "streamTimeout": "3s",
         "maxPacketBytes": 2048, "maxMessageBytes": 4096, "deadNodeReclaimTime": "2m", "maxConcurrentPushPulls": 16,
         "handoffQueueDepth": 64, "compression": false}
        """));
    assertThat(new GossipOptions(json).toJson()).isEqualTo(json);
    // Whatever the preset, explicit values win.
    assertThat(new GossipOptions(json.copy().put("preset", "wan")).toJson()).isEqualTo(json);
  }

  @Test
  void jsonReadsDurationsAsTextOrMillisecondsAndOverridesThePreset() {
    GossipOptions options = new GossipOptions(new JsonObject().put("preset", "local").put("probeInterval", "1m30s")
        .put("gossipInterval", 20).put("gossipNodes", 5.0));
    assertThat(options.getProbeInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(options.getGossipInterval()).isEqualTo(Duration.ofMillis(20));
    assertThat(options.getGossipNodes()).isEqualTo(5);
    assertThat(options.getIndirectChecks()).isEqualTo(GossipOptions.local().getIndirectChecks());
  }

  @Test
  void theKeyringIsCopiedButNotWrittenToJson() {
    Keyring keyring = Keyring.of(new byte[16]);
    GossipOptions options = new GossipOptions().setKeyring(keyring);
    assertThat(new GossipOptions(options).getKeyring()).isSameAs(keyring);
    assertThat(options.toJson().fieldNames()).doesNotContain("keyring");
    assertThat(new GossipOptions(options.toJson()).getKeyring()).isNull();
  }

  @Test
  void aCopyIsIndependent() {
    GossipOptions original = GossipOptions.wan();
    JsonObject before = original.toJson();
    GossipOptions copy = new GossipOptions(original);
    assertThat(copy.toJson()).isEqualTo(before);
    copy.setProbeInterval(Duration.ofSeconds(7)).setGossipNodes(9).setCompression(false);
    assertThat(original.toJson()).isEqualTo(before);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"preset\":\"lan2\"}|gossip.preset: \"lan2\" is none of ckit, lan, wan, local",
      "{\"preset\":5}|gossip.preset: \"5\" is none of ckit, lan, wan, local",
      "{\"probeIntervall\":\"1s\"}|gossip.probeIntervall: unknown option (known: awarenessMaxMultiplier, compression,",
      "{\"probeInterval\":\"fast\"}|gossip.probeInterval: \"fast\" is not a duration",
      "{\"probeInterval\":0}|gossip.probeInterval: probeInterval must be positive, got PT0S",
      "{\"probeTimeout\":-1}|gossip.probeTimeout: -1 is not a whole, non-negative number of milliseconds",
      "{\"indirectChecks\":-1}|gossip.indirectChecks: indirectChecks must be at least 0, got -1",
      "{\"retransmitMult\":0}|gossip.retransmitMult: retransmitMult must be at least 1, got 0",
      "{\"suspicionMult\":0}|gossip.suspicionMult: suspicionMult must be at least 1, got 0",
      "{\"suspicionMaxTimeoutMult\":0}|gossip.suspicionMaxTimeoutMult: suspicionMaxTimeoutMult must be at least 1",
      "{\"awarenessMaxMultiplier\":0}|gossip.awarenessMaxMultiplier: awarenessMaxMultiplier must be at least 1",
      "{\"gossipInterval\":\"0\"}|gossip.gossipInterval: gossipInterval must be positive, got PT0S",
      "{\"gossipNodes\":1.5}|gossip.gossipNodes: \"1.5\" is not a whole number",
      "{\"gossipNodes\":0}|gossip.gossipNodes: gossipNodes must be at least 1, got 0",
      "{\"gossipToTheDeadTime\":\"-1s\"}|gossip.gossipToTheDeadTime: \"-1s\" is not a duration",
      "{\"pushPullInterval\":true}|gossip.pushPullInterval: \"true\" is not a duration",
      "{\"streamTimeout\":0}|gossip.streamTimeout: streamTimeout must be positive, got PT0S",
      "{\"maxPacketBytes\":511}|gossip.maxPacketBytes: maxPacketBytes must be at least 512, got 511",
      "{\"maxMessageBytes\":\"1k\"}|gossip.maxMessageBytes: \"1k\" is not a whole number",
      "{\"maxMessageBytes\":1023}|gossip.maxMessageBytes: maxMessageBytes must be at least 1024, got 1023",
      "{\"deadNodeReclaimTime\":\"soon\"}|gossip.deadNodeReclaimTime: \"soon\" is not a duration",
      "{\"maxConcurrentPushPulls\":0}|gossip.maxConcurrentPushPulls: maxConcurrentPushPulls must be at least 1",
      "{\"handoffQueueDepth\":0}|gossip.handoffQueueDepth: handoffQueueDepth must be at least 1, got 0",
      "{\"compression\":\"no\"}|gossip.compression: \"no\" is not true or false",
  })
  void badJsonNamesTheField(String json, String message) {
    assertThatThrownBy(() -> new GossipOptions(new JsonObject(json)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void aProbeTimeoutLongerThanTheIntervalIsInvalid() {
    GossipOptions options = new GossipOptions().setProbeTimeout(Duration.ofSeconds(6));
    assertThatThrownBy(options::validate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probeTimeout (PT6S) must not exceed probeInterval (PT5S)");
    assertThat(options.setProbeInterval(Duration.ofSeconds(6)).validate()).isSameAs(options);
  }
}
