package dev.vigil.http;

import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Answers each request of one connection: a problem for what cannot be parsed or routed, else
 * the route's handler's answer. Whatever the request, it gets exactly one answer; only a bug
 * in a handler is a 500, and that is logged. An idle connection (no request in progress) is
 * closed.
 */
final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

    private final Router router;
    private final Executor handlers;
    private final RefusalReporter refusals;
    /** Requests read and not yet answered; touched on the event loop only. */
    private int inProgress;

    Dispatcher(Router router, Executor handlers, RefusalReporter refusals) {
        this.router = router;
        this.handlers = handlers;
        this.refusals = refusals;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        inProgress++;
        if (request.decoderResult().isFailure()) {
            // The decoder drops the rest of the connection's bytes: answer, then close.
            refuse(ctx, request, Malformed.decoderFailure(request.decoderResult().cause()), Map.of(), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Request parsed;
        RequestTarget target;
        try {
            Malformed.checkHeaderValues(request.headers());
            target = RequestTarget.parse(request.uri());
            parsed = new Request(request.method().name(), target.path(), Map.of(), target.query(), request.headers(),
                    body(request), ctx.channel().remoteAddress());
        } catch (ProblemException e) {
            Problem p = e.problem();
            refuse(ctx, request, new Problem(p.type(), p.title(), p.status(), p.detail(), printablePath(request.uri()),
                    p.field(), p.value(), p.allowed()), Map.of(), keepAlive);
            return;
        }
        Router.Match match = router.match(parsed.method(), target.segments());
        if (match instanceof Router.Match.WrongMethod wrong) {
            String allowed = String.join(", ", wrong.allowed());
            refuse(ctx, request, new Problem("/problems/method-not-allowed", "Method not allowed", 405,
                    Malformed.printable(parsed.method()) + " is not allowed on " + parsed.path() + " (allowed: "
                            + allowed + ")", parsed.path(), null, null, allowed), Map.of("Allow", allowed), keepAlive);
            return;
        }
        if (!(match instanceof Router.Match.Found found)) {
            refuse(ctx, request, Problem.of(404, "not-found", "Not found", "no route " + parsed.path(), parsed.path()),
                    Map.of(), keepAlive);
            return;
        }
        if (handlers == null) {
            write(ctx, handle(found, parsed), keepAlive);
            return;
        }
        // The handler may block: run it off the event loop, answer back on it.
        try {
            handlers.execute(() -> {
                Response response = handle(found, parsed);
                ctx.executor().execute(() -> write(ctx, response, keepAlive));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, Response.problem(Problem.of(503, "overloaded", "Overloaded",
                    "too many requests in progress; retry shortly", null)).header("Retry-After", "1"), keepAlive);
        }
    }

    /** Answers a request no handler will see, and tells the server's {@link Refusals} of it. */
    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, Problem problem,
                        Map<String, String> headers, boolean keepAlive) {
        refusals.report(ctx, request, problem);
        Response response = Response.problem(problem);
        headers.forEach(response::header);
        write(ctx, response, keepAlive);
    }

    /** The handler's answer; never throws. */
    private static Response handle(Router.Match.Found found, Request routed) {
        Request request = new Request(routed.method(), routed.path(), found.params(), routed.query(),
                routed.headers(), routed.body(), routed.remote());
        String path = request.path();
        try {
            return found.route().handler().handle(request);
        } catch (ProblemException e) {
            Problem p = e.problem();
            return Response.problem(new Problem(p.type(), p.title(), p.status(), p.detail(), path, p.field(),
                    p.value(), p.allowed()));
        } catch (InvalidDocumentException e) {
            return Response.problem(Problem.invalidInput(e, path));
        } catch (InvalidValueException e) {
            return Response.problem(new Problem("/problems/invalid-input", "Invalid input", 400, e.getMessage(),
                    path, e.field(), e.value(), e.allowed()));
        } catch (Throwable e) {
            // Whatever went wrong, the client gets its answer.
            LOG.atError().setCause(e).addKeyValue("method", request.method()).addKeyValue("path", path)
                    .log("handler_failed");
            return Response.problem(Problem.of(500, "internal-error", "Internal error",
                    "the server failed to answer; this is a bug, and it has been logged", path));
        }
    }

    private void write(ChannelHandlerContext ctx, Response response, boolean keepAlive) {
        inProgress--;
        FullHttpResponse rendered = render(response);
        if (keepAlive) {
            rendered.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(rendered);
        } else {
            rendered.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(rendered).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static String printablePath(String uri) {
        int query = uri.indexOf('?');
        return Malformed.printable(query < 0 ? uri : uri.substring(0, query));
    }

    private static byte[] body(FullHttpRequest request) {
        byte[] body = new byte[request.content().readableBytes()];
        request.content().getBytes(request.content().readerIndex(), body);
        return body;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            if (inProgress == 0) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A peer that resets its connection, or leaves in the middle of a request, is routine;
        // anything else is worth a line.
        if (!(cause instanceof IOException || cause instanceof PrematureChannelClosureException)) {
            LOG.atWarn().addKeyValue("error", Malformed.printable(cause.toString())).log("connection_failed");
        }
        ctx.close();
    }

    static FullHttpResponse render(Response response) {
        FullHttpResponse rendered = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()), Unpooled.wrappedBuffer(response.body()));
        if (response.contentType() != null) {
            rendered.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        }
        rendered.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            rendered.headers().set(header.getKey(), header.getValue());
        }
        return rendered;
    }
}
