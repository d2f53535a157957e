package io.ckit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.gossip.GossipOptions;
import io.ckit.peer.PeerState;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeOptionsTest {

  @Test
  void jsonRoundTripKeepsEveryOption() {
    NodeOptions options = new NodeOptions()
        .setName("node-a")
        .setAdvertiseAddress("[::1]:7946")
        .setListen("[::]:7946")
        .setLabel("prod")
        .setSharder("rendezvous")
        .setGossip(GossipOptions.lan().setProbeInterval(Duration.ofMillis(1500)).setGossipNodes(5))
        .setEventBusPrefix("cluster.a")
        .setJoinAddresses(List.of("10.0.0.1:7946", "10.0.0.2:7946"))
        .setState(PeerState.PARTICIPANT)
        .setLeaveTimeout(Duration.ofSeconds(3))
        .setJoin(new JoinOptions().setMaxJoinPeers(3).setRejoinInterval(Duration.ofSeconds(30))
            .setRejoinRetention(Duration.ofMinutes(5)).setJoinTimeout(Duration.ofSeconds(20)))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath("cert.pem").setKeyPath("key.pem"))
        .setTrustOptions(new PemTrustOptions().addCertPath("ca.pem"))
        .setClientAuth(ClientAuth.REQUIRED)
        .setVerifyHost(false)
        .setMinClusterSize(3)
        .setClusterSizeWaitTimeout(Duration.ofMinutes(5))
        .setObserverMinInterval(Duration.ofSeconds(1));
    JsonObject json = options.toJson();
    NodeOptions back = new NodeOptions(json);
    assertThat(back.toJson()).isEqualTo(json);
    assertThat(json.getJsonObject("gossip").getString("probeInterval")).isEqualTo("1500ms");
    assertThat(json.getJsonObject("gossip").getInteger("gossipNodes")).isEqualTo(5);
    assertThat(json.getInteger("minClusterSize")).isEqualTo(3);
    assertThat(json.getString("clusterSizeWaitTimeout")).isEqualTo("5m");
    assertThat(back.getObserverMinInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(json.getJsonObject("tls").getBoolean("enabled")).isTrue();
    assertThat(back.getTransport().getKeyCertOptions()).isInstanceOf(PemKeyCertOptions.class);
    assertThat(back.getGossip().getProbeInterval()).isEqualTo(Duration.ofMillis(1500));
    assertThat(back.getGossip().getSuspicionMult()).isEqualTo(GossipOptions.lan().getSuspicionMult());
    assertThat(back.getPeersAddress()).isEqualTo("cluster.a.peers");
    assertThat(back.getShardAddress()).isEqualTo("cluster.a.shard");
    assertThat(json.getInteger("maxJoinPeers")).isEqualTo(3);
    assertThat(json.getString("rejoinInterval")).isEqualTo("30s");
    assertThat(back.getJoin().getRejoinRetention()).isEqualTo(Duration.ofMinutes(5));
    assertThat(back.getJoin().getJoinTimeout()).isEqualTo(Duration.ofSeconds(20));
    back.validate();
  }

  @Test
  void discoveryReadmeExampleIsValid() {
    NodeOptions options = new NodeOptions(new JsonObject("""
        {"name": "ckit-0", "advertiseAddress": "10.1.0.7:7946",
         "joinAddresses": ["dnssrv+_gossip._tcp.ckit.monitoring"], "state": "participant",
         "maxJoinPeers": 5, "rejoinInterval": "60s", "rejoinRetention": "10m", "joinTimeout": "30s"}
        """)).validate();
    assertThat(options.getJoinAddresses()).containsExactly("dnssrv+_gossip._tcp.ckit.monitoring");
    assertThat(options.getJoin().getRejoinInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(options.getJoin().getJoinTimeout()).isEqualTo(Duration.ofSeconds(30));
    new NodeOptions(options).setJoinAddresses(List.of("dns+my-svc:7946", "node-b/10.0.0.2:7946",
        "[fd00::1]:7946")).validate();
  }

  @Test
  void toStringMasksKeyMaterialAndGossipKeys() {
    byte[] key = new byte[16];
    java.util.Arrays.fill(key, (byte) 0x5A);
    NodeOptions pem = new NodeOptions().setName("a").setAdvertiseAddress("127.0.0.1:1")
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath("/etc/ckit/cert.pem").setKeyPath("/etc/ckit/key.pem")
            .addKeyValue(io.vertx.core.buffer.Buffer.buffer("-----BEGIN PRIVATE KEY----- secret-pem")))
        .setTrustOptions(new PfxOptions().setPath("/etc/ckit/trust.p12").setPassword("trust-password"))
        .setGossip(GossipOptions.ckit().setKeyring(io.ckit.wire.Keyring.of(key, new byte[32])));
    String text = pem.toString();
    assertThat(text).doesNotContain("key.pem", "secret-pem", "trust.p12", "trust-password", "WlpaWlpa")
        .contains("/etc/ckit/cert.pem", "\"keyPaths\":\"***\"", "\"password\":\"***\"",
            "\"keyring\":\"Keyring[2 keys]\"");
    // toJson, the configuration form, keeps everything.
    assertThat(pem.toJson().encode()).contains("/etc/ckit/key.pem", "trust-password");

    NodeOptions jks = new NodeOptions().setName("a").setAdvertiseAddress("127.0.0.1:1")
        .setKeyCertOptions(new JksOptions().setPath("/etc/ckit/node.jks").setPassword("store-password"));
    assertThat(jks.toString()).doesNotContain("node.jks", "store-password");
  }

  @Test
  void readmeExampleIsValid() {
    NodeOptions options = new NodeOptions(new JsonObject("""
        {"name": "node-a", "advertiseAddress": "127.0.0.1:7946", "listen": "127.0.0.1:7946", "label": "",
         "sharder": "ring:256", "gossip": {"preset": "ckit", "probeInterval": "5s"}, "eventBusPrefix": "ckit.node-a",
         "joinAddresses": ["127.0.0.1:7947"], "state": "participant", "leaveTimeout": "5s",
         "tls": {"pemKeyCert": {"certPath": "node.crt", "keyPath": "node.key"}, "pemTrust": {"certPaths": ["ca.crt"]},
                 "clientAuth": "REQUIRED"},
         "transport": {"maxFrameBytes": 4195328, "packetTimeout": "5s", "maxQueuedPackets": 1000}}
        """)).validate();
    assertThat(options.getTransport().isSsl()).isTrue();
    assertThat(((PemKeyCertOptions) options.getTransport().getKeyCertOptions()).getCertPaths()).containsExactly("node.crt");
    assertThat(((PemTrustOptions) options.getTransport().getTrustOptions()).getCertPaths()).containsExactly("ca.crt");
    assertThat(options.getTransport().getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(options.getState()).isEqualTo(PeerState.PARTICIPANT);
  }

  @Test
  void defaultsAreCkits() {
    NodeOptions options = new NodeOptions(new JsonObject().put("name", "a").put("advertiseAddress", "1.2.3.4:80"));
    assertThat(options.getSharder()).isEqualTo("ring:256");
    assertThat(options.getGossip().getProbeInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.getGossip().getProbeTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.getLeaveTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.getState()).isEqualTo(PeerState.VIEWER);
    assertThat(options.getPeersAddress()).isEqualTo("ckit.a.peers");
    assertThat(options.getShardAddress()).isEqualTo("ckit.a.shard");
    assertThat(options.getJoin().getMaxJoinPeers()).isEqualTo(5);
    assertThat(options.getJoin().getRejoinInterval()).isZero();
    assertThat(options.getJoin().getRejoinRetention()).isEqualTo(Duration.ofMinutes(10));
    assertThat(options.getJoin().getJoinTimeout()).isZero();
    assertThat(options.getTransport().isSsl()).isFalse();
  }

  @Test
  void theEventBusPrefixInEffectFollowsTheNameUntilSet() {
    NodeOptions options = new NodeOptions().setName("a");
    assertThat(options.getEventBusPrefix()).isEqualTo("ckit.a");
    assertThat(options.getCurrentPeersAddress()).isEqualTo("ckit.a.peers.current");
    assertThat(options.toJson().containsKey("eventBusPrefix")).isFalse();
    options.setName("b");
    assertThat(options.getShardAddress()).isEqualTo("ckit.b.shard");

    options.setEventBusPrefix("cluster.b");
    assertThat(options.getEventBusPrefix()).isEqualTo("cluster.b");
    assertThat(options.getCurrentPeersAddress()).isEqualTo("cluster.b.peers.current");
    assertThat(options.toJson().getString("eventBusPrefix")).isEqualTo("cluster.b");
    assertThat(new NodeOptions(options.toJson()).getEventBusPrefix()).isEqualTo("cluster.b");

    options.setEventBusPrefix(null);
    assertThat(options.getEventBusPrefix()).isEqualTo("ckit.b");
    assertThat(options.toJson().containsKey("eventBusPrefix")).isFalse();
  }

  @Test
  void gossipPresetAndOverridesFromJson() {
    NodeOptions options = new NodeOptions(new JsonObject().put("gossip", new JsonObject()
        .put("preset", "local").put("probeInterval", "1m30s").put("gossipInterval", 20)));
    assertThat(options.getGossip().getProbeInterval()).isEqualTo(Duration.ofSeconds(90));
    assertThat(options.getGossip().getGossipInterval()).isEqualTo(Duration.ofMillis(20));
    assertThat(options.getGossip().getIndirectChecks()).isEqualTo(GossipOptions.local().getIndirectChecks());
  }

  @Test
  void advertiseInterfacesMayBeOneTextAndTakeTheListenPort() {
    NodeOptions options = new NodeOptions(new JsonObject().put("name", "a").put("listen", "0.0.0.0:7946")
        .put("advertiseInterfaces", "eth0, en0")).validate();
    assertThat(options.getAdvertiseInterfaces()).containsExactly("eth0", "en0");
    assertThat(options.getAdvertiseAddress()).isNull();
  }

  @Test
  void joinAddressesMayBeOneText() {
    NodeOptions options = new NodeOptions(new JsonObject().put("joinAddresses", "a:1, b:2,c:3"));
    assertThat(options.getJoinAddresses()).containsExactly("a:1", "b:2", "c:3");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"nmae\":\"a\"}|nmae: unknown option",
      "{\"name\":7}|name: expected text",
      "{\"gossip\":{\"probeIntervall\":\"1s\"}}|gossip.probeIntervall: unknown option",
      "{\"gossip\":{\"probeInterval\":\"fast\"}}|gossip.probeInterval: \"fast\" is not a duration",
      "{\"gossip\":{\"preset\":\"lan2\"}}|gossip.preset: \"lan2\" is none of",
      "{\"gossip\":{\"gossipNodes\":1.5}}|gossip.gossipNodes: \"1.5\" is not a whole number",
      "{\"state\":\"leader\"}|state: ",
      "{\"leaveTimeout\":-5}|leaveTimeout: -5 is not",
      "{\"tls\":{\"clientAuth\":\"SOMETIMES\"}}|tls.clientAuth: ",
      "{\"tls\":{\"pemKeyCert\":\"x\"}}|pemKeyCert: expected a JSON object",
      "{\"transport\":{\"maxFrameBytes\":10}}|transport.maxFrameBytes: ",
      "{\"joinAddresses\":[1]}|joinAddresses: \"1\" is not text",
      "{\"minClusterSize\":-1}|minClusterSize: must not be negative",
      "{\"minClusterSize\":\"3\"}|minClusterSize: \"3\" is not a whole number",
      "{\"clusterSizeWaitTimeout\":\"later\"}|clusterSizeWaitTimeout: \"later\" is not a duration",
      "{\"observerMinInterval\":-1}|observerMinInterval: -1 is not",
      "{\"advertiseInterfaces\":[0]}|advertiseInterfaces: \"0\" is not text",
      "{\"maxJoinPeers\":0}|maxJoinPeers: maxJoinPeers must be at least 1, got 0",
      "{\"maxJoinPeers\":\"5\"}|maxJoinPeers: \"5\" is not a whole number",
      "{\"rejoinInterval\":\"often\"}|rejoinInterval: \"often\" is not a duration",
      "{\"rejoinRetention\":-1}|rejoinRetention: -1 is not",
      "{\"joinTimeout\":\"-1s\"}|joinTimeout: ",
  })
  void badJsonNamesTheField(String json, String message) {
    assertThatThrownBy(() -> new NodeOptions(new JsonObject(json)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"advertiseAddress\":\"1.2.3.4:1\"}|name: a node name is required",
      "{\"name\":\"a\"}|advertiseAddress: an advertise address host:port is required",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4\"}|advertiseAddress: \"1.2.3.4\" is not host:port",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:99999\"}|advertiseAddress: \"1.2.3.4:99999\" has no valid port",
      "{\"name\":\"a\",\"advertiseAddress\":\"::1:80\"}|advertiseAddress: \"::1:80\" has an IPv6 address not in brackets",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:0\"}|advertiseAddress: port 0",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"listen\":\"x\"}|listen: \"x\" is not host:port",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"sharder\":\"ring:x\"}|sharder: unknown sharder \"ring:x\"",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"gossip\":{\"probeTimeout\":\"10s\"}}|gossip: probeTimeout",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"joinAddresses\":[\"b\"]}|joinAddresses: \"b\" is not host:port",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"joinAddresses\":[\"dns+b\"]}|joinAddresses: \"b\" is not host:port",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"joinAddresses\":[\"dns+b:0\"]}|joinAddresses: \"dns+b:0\" has port 0",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"joinAddresses\":[\"dnssrv+\"]}|joinAddresses: \"dnssrv+\" has no name after dnssrv+",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"state\":\"terminating\"}|state: a node starts as viewer or participant",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"tls\":{\"enabled\":true}}|tls: TLS is enabled but no key",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"eventBusPrefix\":\"\"}|eventBusPrefix: must not be empty",
      "{\"name\":\"a\",\"advertiseAddress\":\"1.2.3.4:1\",\"advertiseInterfaces\":\"eth0\",\"listen\":\":1\"}|advertiseInterfaces: set either",
      "{\"name\":\"a\",\"advertiseInterfaces\":\"eth0\"}|advertiseInterfaces: the advertised port is listen's",
  })
  void invalidOptionsNameTheField(String json, String message) {
    assertThatThrownBy(() -> new NodeOptions(new JsonObject(json)).validate())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(message);
  }
}
