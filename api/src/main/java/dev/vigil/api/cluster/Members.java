package dev.vigil.api.cluster;

import java.util.List;

/**
 * The controller cluster as one member sees it.
 *
 * @param self          the member answering
 * @param members       every configured member
 * @param quorum        how many members must be up for writes (a majority of those configured)
 * @param quorumPresent whether that many are up, as this member sees it
 * @param leader        the member running the leader's loops, or null when there is none
 * @param leaderEpoch   increases each time leadership moves
 */
public record Members(String self, List<Member> members, int quorum, boolean quorumPresent, String leader,
                      long leaderEpoch) {
    public Members {
        members = List.copyOf(members);
    }
}
