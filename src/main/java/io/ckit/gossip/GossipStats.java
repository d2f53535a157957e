package io.ckit.gossip;

/**
 * Counters of what one engine has done since it started.
 *
 * @param probes probes started
 * @param failedProbes probes that got no ack, direct or indirect
 * @param suspicions members this engine started suspecting (on its own probe, or on news from others)
 * @param deathsDeclared suspects this engine declared dead when their suspicion timer ran out
 * @param refutations accusations about itself this engine refuted
 * @param pushPulls push/pulls this engine started (joins included)
 * @param packetsReceived packets handed to the engine
 * @param packetsRejected packets it could not decode or whose label was wrong
 */
public record GossipStats(long probes, long failedProbes, long suspicions, long deathsDeclared, long refutations,
    long pushPulls, long packetsReceived, long packetsRejected) {}
