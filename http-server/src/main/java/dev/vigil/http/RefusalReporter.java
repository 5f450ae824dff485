package dev.vigil.http;

import dev.vigil.api.Problem;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Hands refused requests to the server's {@link Refusals}, where handlers run (they may block). */
final class RefusalReporter {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalReporter.class);

    private final Refusals refusals;
    private final Executor executor;

    /** @param refusals told of refusals, or null; @param executor where, or null for the caller's thread */
    RefusalReporter(Refusals refusals, Executor executor) {
        this.refusals = refusals;
        this.executor = executor;
    }

    /** A request refused before its body was read. */
    void report(ChannelHandlerContext ctx, HttpMessage message, Problem problem) {
        if (refusals != null && message instanceof HttpRequest head) {
            String uri = head.uri();
            int query = uri.indexOf('?');
            report(new Request(Malformed.printable(head.method().name()),
                    Malformed.printable(query < 0 ? uri : uri.substring(0, query)), Map.of(), Map.of(),
                    head.headers(), new byte[0], ctx.channel().remoteAddress()), problem);
        }
    }

    void report(Request request, Problem problem) {
        if (refusals == null) {
            return;
        }
        Runnable tell = () -> {
            try {
                refusals.refused(request, problem);
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("method", request.method()).addKeyValue("path", request.path())
                        .addKeyValue("error", e.toString()).log("refusal_not_recorded");
            }
        };
        if (executor == null) {
            tell.run();
            return;
        }
        try {
            executor.execute(tell);
        } catch (RejectedExecutionException e) {
            // As busy as that, the request was answered 503 or refused anyway; the line says so.
            LOG.atWarn().addKeyValue("method", request.method()).addKeyValue("path", request.path())
                    .addKeyValue("status", problem.status()).addKeyValue("error", "overloaded")
                    .log("refusal_not_recorded");
        }
    }
}
