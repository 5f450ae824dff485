package dev.vigil.cli;

import dev.vigil.api.cluster.Member;
import dev.vigil.api.cluster.Members;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code vigil members}: the controller cluster. */
@Command(name = "members",
        mixinStandardHelpOptions = true,
        description = {
                "Show the controller members, the leader and the quorum.",
                "",
                "As the member answering sees them: each member's discovery address,",
                "whether it is up and which one leads; then the quorum (a majority of the",
                "configured members must be up for the controller to accept writes) and",
                "the leader epoch (it increases each time leadership moves). A member",
                "that was paused says so until it has confirmed its view with the others.",
                ""},
        footer = {"", "Examples:",
                "  vigil members",
                "  vigil members --url http://ctl-2:8080           # as another member sees it"})
final class MembersCommand extends ApiCommand {
    @Override
    void run(ControllerClient client, PrintWriter out) throws Exception {
        ControllerClient.Answer answer = client.get("/v1/members");
        if (json()) {
            out.println(answer.pretty());
            return;
        }
        Members members = answer.as(Members.class);
        if (members.staleReason() != null) {
            out.printf("STALE VIEW (%s): %s%n%n", members.self(), members.staleReason());
        }
        Table table = new Table("NAME", "ADDRESS", "UP", "LEADER");
        long up = 0;
        for (Member member : members.members()) {
            table.row(member.name(), member.address(), Table.yesNo(member.up()), Table.yesNo(member.leader()));
            up += member.up() ? 1 : 0;
        }
        table.print(out);
        out.println();
        out.printf("quorum %d of %d members: %s (%d up)%n", members.quorum(), members.members().size(),
                members.quorumPresent() ? "present" : "LOST, writes are refused", up);
        out.printf("leader %s, epoch %d; answered by %s%n", members.leader() == null ? "none" : members.leader(),
                members.leaderEpoch(), members.self());
    }
}
