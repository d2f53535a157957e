package io.ckit.faults;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the nodes say, asked from outside over HTTP (Vert.x {@link WebClient}, from the control address):
 * every node's {@code /api/v1/peers} in rounds until a condition holds on every observer, with the time each
 * observer first met it; {@code /api/v1/events}; and, from a thread of its own, every node's heap in use
 * ({@code jvm_memory_used_bytes{area="heap"}} summed over the pools, from {@code /metrics}) once a second, whose
 * peak per node is kept since the last {@link #resetHeapPeaks()}.
 *
 * <p>Calls block the calling thread (never an event loop); each request gives up after {@value #TIMEOUT_MS} ms,
 * so a stopped or cut-off node only answers nothing.
 */
final class ClusterWatch implements AutoCloseable {

  private static final long TIMEOUT_MS = 1500;
  private static final long ROUND_MS = 200;
  private static final Pattern HEAP_LINE = Pattern.compile(
      "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\}\\s+(\\S+)", Pattern.MULTILINE);

  /** A node's answer: its peers by name. */
  record View(int host, Map<String, String> states, Map<String, String> addrs) {
    boolean lists(String name) {
      return states.containsKey(name);
    }

    boolean participants(Collection<String> names) {
      return states.size() == names.size() && names.stream().allMatch(n -> "participant".equals(states.get(n)));
    }

    @Override
    public String toString() {
      return FaultCluster.name(host) + " sees " + states;
    }
  }

  /** How long until every observer met a condition, and each observer's first time. */
  record Timing(Duration all, Map<Integer, Duration> each, Map<Integer, Integer> unanswered) {
    /** Each observer's first time, and how many rounds it did not answer (if any). */
    String eachText() {
      StringBuilder text = new StringBuilder();
      each.forEach((host, time) -> {
        text.append(text.length() == 0 ? "" : ", ").append(FaultCluster.name(host)).append(' ').append(seconds(time));
        int missed = unanswered.getOrDefault(host, 0);
        if (missed > 0) {
          text.append(" (").append(missed).append(missed == 1 ? " round" : " rounds").append(" unanswered)");
        }
      });
      return text.toString();
    }
  }

  private final WebClient web;
  private final int nodes;
  private final Map<Integer, Long> heapPeaks = new ConcurrentHashMap<>();
  private final Thread heapThread;
  private volatile boolean closed;

  ClusterWatch(Vertx vertx, int nodes) {
    this.nodes = nodes;
    this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout((int) TIMEOUT_MS)
        .setIdleTimeout(10).setIdleTimeoutUnit(TimeUnit.SECONDS));
    heapThread = new Thread(this::watchHeaps, "heap-watch");
    heapThread.setDaemon(true);
    heapThread.start();
  }

  /** The views of the given nodes that answered this round. */
  Map<Integer, View> views(Collection<Integer> hosts) {
    Map<Integer, Future<HttpResponse<Buffer>>> asked = new TreeMap<>();
    for (int host : hosts) {
      asked.put(host, get(host, "/api/v1/peers"));
    }
    Map<Integer, View> views = new TreeMap<>();
    asked.forEach((host, answer) -> {
      HttpResponse<Buffer> response = await(answer);
      if (response != null && response.statusCode() == 200) {
        Map<String, String> states = new TreeMap<>();
        Map<String, String> addrs = new TreeMap<>();
        for (Object peer : new JsonArray(response.bodyAsString())) {
          JsonObject json = (JsonObject) peer;
          states.put(json.getString("name"), json.getString("state"));
          addrs.put(json.getString("name"), json.getString("addr"));
        }
        views.put(host, new View(host, states, addrs));
      }
    });
    return views;
  }

  /**
   * Asks the observers in rounds (every {@value #ROUND_MS} ms) until, in one round, every one of them answers
   * and meets {@code ok}; the times are counted from {@code since} ({@link System#nanoTime()}).
   *
   * @throws AssertionError after {@code limit}, with what the observers that did not meet it saw
   */
  Timing await(String what, long since, Collection<Integer> observers, BiPredicate<Integer, View> ok,
      Duration limit) throws InterruptedException {
    Map<Integer, Duration> first = new TreeMap<>();
    Map<Integer, Integer> unanswered = new TreeMap<>();
    long deadline = since + limit.toNanos();
    Map<Integer, View> last = Map.of();
    while (true) {
      long roundStart = System.nanoTime();
      last = views(observers);
      Set<Integer> met = new TreeSet<>();
      for (int host : observers) {
        View view = last.get(host);
        if (view == null) {
          unanswered.merge(host, 1, Integer::sum);
        } else if (ok.test(host, view)) {
          met.add(host);
          first.putIfAbsent(host, Duration.ofNanos(roundStart - since));
        }
      }
      if (met.size() == observers.size()) {
        return new Timing(Duration.ofNanos(roundStart - since), first, unanswered);
      }
      if (System.nanoTime() > deadline) {
        List<String> failing = new ArrayList<>();
        for (int host : observers) {
          if (!met.contains(host)) {
            View view = last.get(host);
            failing.add((view == null ? FaultCluster.name(host) + " did not answer" : view.toString())
                + " (unanswered rounds: " + unanswered.getOrDefault(host, 0) + ")");
          }
        }
        throw new AssertionError("not within " + seconds(limit) + ": " + what + "; " + String.join("; ", failing));
      }
      long rest = ROUND_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStart);
      if (rest > 0) {
        TimeUnit.MILLISECONDS.sleep(rest);
      }
    }
  }

  /** Waits until every running node of the cluster lists every running node, and only them, as participants. */
  Timing awaitWhole(FaultCluster cluster, long since, Duration limit) throws InterruptedException {
    Set<Integer> running = cluster.running();
    Set<String> names = names(running);
    return await("one cluster: every running node lists " + names + " as participants", since, running,
        (host, view) -> view.participants(names), limit);
  }

  /** The names of these nodes. */
  static Set<String> names(Collection<Integer> hosts) {
    Set<String> names = new TreeSet<>();
    hosts.forEach(host -> names.add(FaultCluster.name(host)));
    return names;
  }

  /**
   * The types of the events node {@code observer} recorded about node {@code subject} at or after {@code since},
   * oldest first ({@code join}, {@code suspect}, {@code dead}, {@code refute}, {@code leave}, ...).
   */
  List<String> typesAbout(int observer, int subject, java.time.Instant since) {
    String name = FaultCluster.name(subject);
    return events(observer).stream()
        .filter(event -> event.getString("member").equals(name))
        .filter(event -> !java.time.Instant.parse(event.getString("time")).isBefore(since))
        .map(event -> event.getString("type"))
        .toList();
  }

  /** Node {@code i}'s membership timeline ({@code /api/v1/events}), oldest first. */
  List<JsonObject> events(int host) {
    HttpResponse<Buffer> response = await(get(host, "/api/v1/events"));
    if (response == null || response.statusCode() != 200) {
      throw new AssertionError(FaultCluster.name(host) + " did not give its events");
    }
    List<JsonObject> events = new ArrayList<>();
    response.bodyAsJsonObject().getJsonArray("events").forEach(event -> events.add((JsonObject) event));
    return events;
  }

  /** How long a GET of {@code path} from {@code host:port} took, or null if it did not answer in time. */
  Duration timeGet(String address, String path) {
    String[] hostPort = address.split(":");
    long start = System.nanoTime();
    HttpResponse<Buffer> response = await(web.get(Integer.parseInt(hostPort[1]), hostPort[0], path)
        .timeout(TIMEOUT_MS).send());
    return response == null ? null : Duration.ofNanos(System.nanoTime() - start);
  }

  /** Forgets the heap peaks seen so far. */
  void resetHeapPeaks() {
    heapPeaks.clear();
  }

  /** Each node's peak heap in use (bytes) since the last reset, of the nodes that answered. */
  Map<Integer, Long> heapPeaks() {
    return new TreeMap<>(heapPeaks);
  }

  private void watchHeaps() {
    while (!closed) {
      long start = System.nanoTime();
      Map<Integer, Future<HttpResponse<Buffer>>> asked = new TreeMap<>();
      for (int host = 1; host <= nodes; host++) {
        asked.put(host, get(host, "/metrics"));
      }
      asked.forEach((host, answer) -> {
        HttpResponse<Buffer> response = await(answer);
        if (response != null && response.statusCode() == 200) {
          long heap = heapInUse(response.bodyAsString());
          if (heap > 0) {
            heapPeaks.merge(host, heap, Math::max);
          }
        }
      });
      long rest = 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      try {
        if (rest > 0) {
          TimeUnit.MILLISECONDS.sleep(rest);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The heap in use in a Prometheus scrape: {@code jvm_memory_used_bytes{area="heap"}} over every pool. */
  static long heapInUse(String metrics) {
    Matcher line = HEAP_LINE.matcher(metrics);
    double sum = 0;
    while (line.find()) {
      sum += Double.parseDouble(line.group(1));
    }
    return (long) sum;
  }

  private Future<HttpResponse<Buffer>> get(int host, String path) {
    String[] address = FaultCluster.endpoint(host).split(":");
    return web.get(Integer.parseInt(address[1]), address[0], path).timeout(TIMEOUT_MS).send();
  }

  private static HttpResponse<Buffer> await(Future<HttpResponse<Buffer>> answer) {
    try {
      return answer.toCompletionStage().toCompletableFuture().get(TIMEOUT_MS + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  static String seconds(Duration duration) {
    return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    heapThread.interrupt();
    heapThread.join(5000);
    web.close();
  }
}
