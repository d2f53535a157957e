package io.ckit.gossip;

/**
 * What the engine knows of a member at one moment, for a status page: the member, and how long ago its state
 * changed and it was last heard from.
 *
 * @param member            the member (its state and incarnation among the rest)
 * @param sinceChangeMillis how long it has been in its state
 * @param sinceHeardMillis  how long ago it last answered a probe of this node's (directly or through another
 *                          member) or pinged this node; -1 if it has not yet (and always for this node)
 */
public record MemberDetails(Member member, long sinceChangeMillis, long sinceHeardMillis) {}
