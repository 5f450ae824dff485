package dev.vigil.api.cluster;

import java.util.List;

/**
 * The controller cluster as one member sees it.
 *
 * @param self          the member answering
 * @param members       every configured member
 * @param quorum        how many members must be up for writes (a majority of those configured)
 * @param quorumPresent whether that many are up, as this member sees it
 * @param leader        the member running the leader's loops, or null when there is none or when the view is stale
 * @param leaderEpoch   increases each time leadership moves (as this member's copy of the state has it)
 * @param staleReason   why this member's view may be out of date (it was paused and has not yet confirmed
 *                      its view with the other members), or null when it is confirmed
 */
public record Members(String self, List<Member> members, int quorum, boolean quorumPresent, String leader,
                      long leaderEpoch, String staleReason) {
    public Members {
        members = List.copyOf(members);
    }
}
