package dev.vigil.controller.leader;

import dev.vigil.api.Problem;
import dev.vigil.api.cluster.Role;
import dev.vigil.api.cluster.TokenInfo;
import dev.vigil.controller.state.Store;
import dev.vigil.controller.state.TokenRecord;

import java.time.Clock;
import java.util.Optional;

/** The API tokens' control on the leader: issues and revokes them, on the leader's {@link EventLoop}. */
final class TokenControl {
    private final Store store;
    private final Tokens tokens;
    private final Clock clock;
    private final EventLoop loop;

    TokenControl(Store store, Tokens tokens, Clock clock, EventLoop loop) {
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
        this.loop = loop;
    }

    Outcome issue(Mutation.IssueToken issue) {
        loop.requireLoop();
        Tokens.Issued issued = tokens.issue(issue.name(), issue.role(), clock.instant());
        store.put(issued.record());
        store.audit(issue.caller().audited(clock.instant(), "token " + issued.record().id() + " for " + issue.name()
                + " as " + NodeControl.wire(issue.role()), 201, "token issued"));
        return Outcomes.value(new TokenInfo(issued.record().id(), issue.name(), issue.role(),
                issued.record().created(), issued.secret()));
    }

    /** The last admin token is never revoked: nobody could issue another. */
    Outcome revoke(Mutation.RevokeToken revoke) {
        loop.requireLoop();
        Optional<TokenRecord> token = store.token(revoke.id());
        if (token.isEmpty()) {
            return Outcomes.problem(Problem.of(404, "not-found", "Not found", "no token " + revoke.id(), null));
        }
        boolean lastAdmin = token.get().role() == Role.ADMIN
                && store.tokens().stream().filter(t -> t.role() == Role.ADMIN).count() == 1;
        if (lastAdmin) {
            return Outcomes.problem(Problem.of(409, "conflict", "Conflict", "token " + revoke.id()
                    + " is the last admin token: issue another admin token before revoking it", null));
        }
        store.removeToken(revoke.id());
        store.audit(revoke.caller().audited(clock.instant(), "token " + revoke.id() + " of " + token.get().name(), 200,
                "token revoked"));
        return Outcomes.value(token.get().info());
    }
}
