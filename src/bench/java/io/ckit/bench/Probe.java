package io.ckit.bench;

import io.ckit.bench.BenchCluster.Member;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the benchmark asks a node, over HTTP only (Vert.x {@link WebClient}): {@code /api/v1/peers},
 * {@code /metrics}, {@code /ready}. A node that does not answer (or answers other than 200 where 200 is
 * needed) gives null, never an exception: a stopped node is something the benchmark waits for.
 */
final class Probe implements AutoCloseable {

  static final long POLL_MILLIS = 20;
  private static final long TIMEOUT_MILLIS = 5_000;

  /** A node's answer and when it arrived ({@link System#nanoTime()}). */
  record Answer<T>(T body, long nanos) { }

  private final Vertx vertx = Vertx.vertx();
  private final WebClient web = WebClient.create(vertx,
      new WebClientOptions().setConnectTimeout(2_000).setIdleTimeout(30).setKeepAlive(true));

  /** A node's {@code /api/v1/peers}, or null. */
  Future<Answer<JsonArray>> peers(Member member) {
    return web.get(member.port(), "127.0.0.1", "/api/v1/peers").timeout(TIMEOUT_MILLIS).send()
        .map(response -> new Answer<>(response.statusCode() == 200 ? response.bodyAsJsonArray() : null,
            System.nanoTime()))
        .otherwise(failure -> new Answer<>(null, System.nanoTime()));
  }

  /** Every member's {@code /api/v1/peers}, asked all at once; null bodies for those that did not answer. */
  Map<Member, Answer<JsonArray>> peersOfAll(List<Member> members) {
    List<Future<Answer<JsonArray>>> asked = new ArrayList<>();
    for (Member member : members) {
      asked.add(peers(member));
    }
    Future.join(asked).await();
    Map<Member, Answer<JsonArray>> answers = new LinkedHashMap<>();
    for (int i = 0; i < members.size(); i++) {
      answers.put(members.get(i), asked.get(i).result());
    }
    return answers;
  }

  /** The status of a node's {@code /ready}, or -1 if it does not answer. */
  int readyStatus(Member member) {
    return web.get(member.port(), "127.0.0.1", "/ready").timeout(TIMEOUT_MILLIS).send()
        .map(response -> response.statusCode()).otherwise(-1).await();
  }

  /**
   * Every member's {@code /metrics} (Prometheus text), each as sample name to value, summed over the
   * samples' labels; a member that did not answer is missing from the map.
   */
  Map<Member, Map<String, Double>> metricsOfAll(List<Member> members) {
    List<Future<Map<String, Double>>> asked = new ArrayList<>();
    for (Member member : members) {
      asked.add(web.get(member.port(), "127.0.0.1", "/metrics").timeout(TIMEOUT_MILLIS).send()
          .map(response -> response.statusCode() == 200 ? parsePrometheus(response.bodyAsString()) : null)
          .otherwise((Map<String, Double>) null));
    }
    Future.join(asked).await();
    Map<Member, Map<String, Double>> all = new LinkedHashMap<>();
    for (int i = 0; i < members.size(); i++) {
      if (asked.get(i).result() != null) {
        all.put(members.get(i), asked.get(i).result());
      }
    }
    return all;
  }

  static Map<String, Double> parsePrometheus(String text) {
    Map<String, Double> samples = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
      String value = line.substring(line.lastIndexOf(' ') + 1);
      try {
        samples.merge(name, Double.parseDouble(value), Double::sum);
      } catch (NumberFormatException e) {
        // A timestamp-less sample always ends with its value; anything else is not one of ours.
      }
    }
    return samples;
  }

  /** Waits (up to 60 s) until a member answers {@code /api/v1/peers}. */
  void awaitAnswer(Member member) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (peers(member).await().body() == null) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(member.name() + " does not answer on " + member.address()
            + " after 60 s (see its log)");
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** The state a peer list gives a name, or null if it is not listed. */
  static String stateOf(JsonArray peers, String name) {
    for (Object peer : peers) {
      JsonObject json = (JsonObject) peer;
      if (name.equals(json.getString("name"))) {
        return json.getString("state");
      }
    }
    return null;
  }

  /** Whether a peer list is exactly the given members, every one a participant. */
  static boolean allParticipants(JsonArray peers, List<Member> members) {
    if (peers == null || peers.size() != members.size()) {
      return false;
    }
    for (Member member : members) {
      if (!"participant".equals(stateOf(peers, member.name()))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    Future.await(vertx.close());
  }
}
