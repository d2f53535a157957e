package io.ckit.bench;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/**
 * The node {@link ClusterManagerBenchmark} kills: a clustered Vert.x with the product's cluster manager, in a process
 * of its own, with one consumer that answers every request. It prints {@code ready} on its standard output once the
 * consumer's registration has completed, and then runs until it is killed.
 *
 * <p>{@code java -cp ... io.ckit.bench.CmVictim --product NAME --address ADDRESS <the benchmark's options>}
 */
public final class CmVictim {

  private CmVictim() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> values = CmOptions.parse(args, List.of("product", "address"));
    CmOptions options = new CmOptions(values);
    CmProduct product = CmProduct.of(values.get("product"), options);
    Vertx vertx = CmProduct.buildClustered(product.create("victim")).await();
    vertx.eventBus().consumer(values.get("address"), message -> message.reply("alive")).completion().await();
    System.out.println("ready");
    System.out.flush();
  }
}
