package io.ckit.app;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.Sharder;
import io.ckit.shard.Sharders;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prints the owners of a key for a given peer list, one name a line, best first: the answer every node of a
 * cluster with those peers would compute, and the answer Go ckit gives.
 *
 * <pre>
 * ./mvnw -q exec:java -Dexec.args="--sharder ring:256 --peers a,b,c --key some-key"
 * </pre>
 */
public final class OwnersCommand {

  static final String USAGE = String.join("\n",
      "usage: --peers NAME[=STATE],... (--key TEXT | --hash UNSIGNED-DECIMAL) [options]",
      "  --peers    the cluster's peers; STATE is participant (default), terminating or viewer",
      "  --key      the text whose key (xxHash64 of its UTF-8 bytes) to look up",
      "  --hash     a key given as its unsigned 64-bit decimal value instead",
      "  --sharder  ring, ring:TOKENS, rendezvous or multiprobe (default ring:256)",
      "  --n        how many owners (default 1)",
      "  --op       readwrite (default) or read",
      "  --help     print this text");

  private static final Set<String> OPTIONS = Set.of("--peers", "--key", "--hash", "--sharder", "--n", "--op");

  private OwnersCommand() {}

  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the command; returns the process exit status (0 success, 1 lookup failed, 2 bad usage). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> options;
    try {
      options = parseOptions(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (options.containsKey("--help")) {
      out.println(USAGE);
      return 0;
    }
    List<Peer> owners;
    try {
      Sharder sharder = Sharders.parse(options.getOrDefault("--sharder", "ring:256"));
      sharder.setPeers(parsePeers(required(options, "--peers")));
      owners = sharder.lookup(parseKey(options), parseCount(options.getOrDefault("--n", "1")),
          parseOp(options.getOrDefault("--op", Op.READ_WRITE.wireName())));
    } catch (NotEnoughNodesException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    owners.forEach(owner -> out.println(owner.name()));
    return 0;
  }

  private static Map<String, String> parseOptions(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        options.put("--help", "");
        continue;
      }
      if (!OPTIONS.contains(name)) {
        throw new IllegalArgumentException("unknown option " + name);
      }
      if (i + 1 == args.length) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      if (options.put(name, args[++i]) != null) {
        throw new IllegalArgumentException(name + " given twice");
      }
    }
    return options;
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

  private static List<Peer> parsePeers(String text) {
    List<Peer> peers = new ArrayList<>();
    for (String item : text.split(",", -1)) {
      int equals = item.lastIndexOf('=');
      String name = equals < 0 ? item : item.substring(0, equals);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("--peers: empty peer name in \"" + text + "\"");
      }
      PeerState state = PeerState.PARTICIPANT;
      if (equals >= 0) {
        try {
          state = PeerState.fromString(item.substring(equals + 1));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--peers: " + e.getMessage(), e);
        }
      }
      peers.add(new Peer(name, "", false, state));
    }
    return peers;
  }

  private static Key parseKey(Map<String, String> options) {
    String text = options.get("--key");
    String hash = options.get("--hash");
    if ((text == null) == (hash == null)) {
      throw new IllegalArgumentException("give exactly one of --key and --hash");
    }
    if (text != null) {
      return Key.ofString(text);
    }
    try {
      return Key.parse(hash);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--hash: " + e.getMessage(), e);
    }
  }

  private static int parseCount(String text) {
    try {
      int n = Integer.parseInt(text);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below with the option's name
    }
    throw new IllegalArgumentException("--n must be a whole number of owners, got \"" + text + "\"");
  }

  private static Op parseOp(String text) {
    try {
      return Op.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--op must be read or readwrite, got \"" + text + "\"", e);
    }
  }
}
