package io.ckit.bench;

import io.ckit.cluster.CkitClusterManager;
import io.ckit.cluster.CkitClusterOptions;
import io.ckit.gossip.GossipOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.StringJoiner;

/**
 * One cluster manager under test, with its fastest sensible settings on loopback: how to make one member, what
 * its settings are, and how soon it declares a killed member dead.
 */
abstract class CmProduct {

  /** The product named by {@code --products}. */
  static CmProduct of(String name, CmOptions options) {
    return switch (name) {
      case "ckit" -> new Ckit(options);
      case "hazelcast" -> new Hazelcast(options);
      default -> throw new IllegalArgumentException("no product " + name);
    };
  }

  abstract String name();

  /** A new cluster manager for one member, to be given to one Vert.x. */
  abstract ClusterManager create(String memberName);

  /** The settings, in one line, for the report. */
  abstract String settings();

  /** How long its failure detection takes to declare a killed member dead, in one line. */
  abstract String failureDetection();

  /** The most a killed member should take to be declared dead, in seconds: the goal for dropping it. */
  abstract double failureDetectionBoundSeconds();

  /** A clustered Vert.x on {@code clusterManager}; its event bus on loopback, an ephemeral port. */
  static Future<Vertx> buildClustered(ClusterManager clusterManager) {
    VertxOptions options = new VertxOptions()
        .setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    return Vertx.builder().with(options).withClusterManager(clusterManager).buildClustered();
  }

  /** ckit: listen on the first free port of the range, join every port of it, the chosen gossip preset. */
  static final class Ckit extends CmProduct {
    private final CmOptions options;
    private final GossipOptions gossip;

    Ckit(CmOptions options) {
      this.options = options;
      this.gossip = new GossipOptions(new JsonObject().put("preset", options.preset));
    }

    @Override
    String name() {
      return "ckit";
    }

    @Override
    ClusterManager create(String memberName) {
      return new CkitClusterManager(new CkitClusterOptions()
          .setName(memberName)
          .setListen("127.0.0.1:" + options.ckitPorts)
          .setJoinAddresses(List.of("127.0.0.1:" + options.ckitPorts))
          .setGossip(new GossipOptions(gossip)));
    }

    @Override
    String settings() {
      return "CkitClusterManager, gossip preset " + options.preset + ", listen 127.0.0.1:" + options.ckitPorts
          + " (first free), join 127.0.0.1:" + options.ckitPorts + " (every port), h2c, other options default";
    }

    @Override
    String failureDetection() {
      // memberlist's rule: a suspect is dead after suspicionMult * max(1, log10 n) probe intervals once enough
      // members confirm, at most suspicionMaxTimeoutMult times that; n is 4 here (3 members and the victim).
      double min = gossip.getSuspicionMult() * Math.max(1.0, Math.log10(4)) * gossip.getProbeInterval().toMillis()
          / 1000.0;
      double max = min * gossip.getSuspicionMaxTimeoutMult();
      return String.format(java.util.Locale.ROOT, "preset %s: a probe every %d ms (timeout %d ms); a suspect is"
              + " dead %.1f s later when the other members confirm it, at most %.1f s later",
          options.preset, gossip.getProbeInterval().toMillis(), gossip.getProbeTimeout().toMillis(), min, max);
    }

    @Override
    double failureDetectionBoundSeconds() {
      // Probed within a round of probes (one interval per member, three survivors probing), then the longest
      // suspicion.
      double interval = gossip.getProbeInterval().toMillis() / 1000.0;
      return interval + gossip.getProbeTimeout().toMillis() / 1000.0
          + gossip.getSuspicionMult() * Math.max(1.0, Math.log10(4)) * interval * gossip.getSuspicionMaxTimeoutMult();
    }
  }

  /**
   * vertx-hazelcast, reached by class name (it is on the class path only in the {@code cmbench} profile), with a
   * configuration file of ours: TCP-IP join on loopback, no multicast, no phone home, no join wait.
   */
  static final class Hazelcast extends CmProduct {
    static final String CLASS = "io.vertx.spi.cluster.hazelcast.HazelcastClusterManager";
    private final CmOptions options;

    Hazelcast(CmOptions options) {
      this.options = options;
      Path config = options.out.toAbsolutePath().resolveSibling("cm-benchmark-hazelcast.xml");
      try {
        Files.createDirectories(config.getParent());
        Files.writeString(config, xml());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      // HazelcastClusterManager's no-argument constructor reads the file this property names.
      System.setProperty("vertx.hazelcast.config", config.toString());
    }

    @Override
    String name() {
      return "hazelcast";
    }

    @Override
    ClusterManager create(String memberName) {
      try {
        return (ClusterManager) Class.forName(CLASS).getConstructor().newInstance();
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(CLASS + " is not on the class path: run with -Pcmbench", e);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    String settings() {
      return "vertx-hazelcast (Hazelcast " + hazelcastVersion() + "), TCP-IP join 127.0.0.1:" + options.hzPorts
          + ", multicast off, hazelcast.wait.seconds.before.join 0, phone home off, bound to 127.0.0.1,"
          + " maps and multimap backup-count 1 (vertx-hazelcast's own), other settings default";
    }

    @Override
    String failureDetection() {
      return "Hazelcast's defaults: a heartbeat every 5 s, a member is removed after 60 s without one"
          + " (deadline detector), or sooner when 3 connection attempts in a row fail (connection monitor,"
          + " every 100 ms)";
    }

    @Override
    double failureDetectionBoundSeconds() {
      // 60 s without a heartbeat, checked at every 5 s heartbeat.
      return 65;
    }

    private String xml() {
      int first = options.firstPort(options.hzPorts);
      int last = options.lastPort(options.hzPorts);
      StringJoiner members = new StringJoiner("\n");
      for (int port = first; port <= last; port++) {
        members.add("        <member>127.0.0.1:" + port + "</member>");
      }
      return """
          <?xml version="1.0" encoding="UTF-8"?>
          <!-- Written by io.ckit.bench.ClusterManagerBenchmark: loopback only. -->
          <hazelcast xmlns="http://www.hazelcast.com/schema/config">
            <cluster-name>ckit-cm-benchmark</cluster-name>
            <properties>
              <property name="hazelcast.wait.seconds.before.join">0</property>
              <property name="hazelcast.phone.home.enabled">false</property>
              <property name="hazelcast.socket.bind.any">false</property>
              <property name="hazelcast.logging.type">jdk</property>
            </properties>
            <network>
              <port auto-increment="true" port-count="%d">%d</port>
              <interfaces enabled="true">
                <interface>127.0.0.1</interface>
              </interfaces>
              <join>
                <auto-detection enabled="false"/>
                <multicast enabled="false"/>
                <tcp-ip enabled="true">
          %s
                </tcp-ip>
              </join>
            </network>
            <multimap name="__vertx.subs">
              <backup-count>1</backup-count>
              <value-collection-type>SET</value-collection-type>
            </multimap>
            <map name="__vertx.haInfo">
              <backup-count>1</backup-count>
            </map>
            <map name="__vertx.nodeInfo">
              <backup-count>1</backup-count>
            </map>
          </hazelcast>
          """.formatted(last - first + 1, first, members);
    }

    private static String hazelcastVersion() {
      try {
        Class<?> info = Class.forName("com.hazelcast.instance.BuildInfoProvider");
        Object build = info.getMethod("getBuildInfo").invoke(null);
        return String.valueOf(build.getClass().getMethod("getVersion").invoke(build));
      } catch (ReflectiveOperationException | LinkageError e) {
        return "?";
      }
    }
  }
}
