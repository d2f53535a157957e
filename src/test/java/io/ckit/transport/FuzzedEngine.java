package io.ckit.transport;

import io.ckit.gossip.GossipDelegate;
import io.ckit.gossip.GossipOptions;
import io.ckit.gossip.MemberIdentity;
import io.ckit.gossip.Memberlist;
import io.ckit.gossip.StreamChannel;
import io.ckit.gossip.Transport;
import io.ckit.gossip.sim.Simulation;
import io.ckit.wire.WireDecodeException;
import io.vertx.core.Future;
import java.util.SplittableRandom;

/**
 * A real engine (ckit's settings, no label) on virtual time, for the route fuzz targets: what the engine
 * sends goes nowhere, what it refuses is counted.
 */
final class FuzzedEngine {

  final Simulation simulation = new Simulation();
  final Memberlist engine;
  int rejected;
  int sent;

  FuzzedEngine() {
    Transport transport = new Transport() {
      @Override
      public void sendPacket(String address, byte[] packet) {
        sent++;
      }

      @Override
      public Future<StreamChannel> openStream(String address, long timeoutMillis) {
        return Future.failedFuture("no streams out of a fuzz target");
      }
    };
    GossipDelegate delegate = new GossipDelegate() {
      @Override
      public void notifyRejected(WireDecodeException cause) {
        rejected++;
      }
    };
    engine = new Memberlist(new MemberIdentity("fuzzed", "127.0.0.1:7946", ""), GossipOptions.ckit(), transport,
        simulation.scheduler(), delegate, new SplittableRandom(1));
  }
}
