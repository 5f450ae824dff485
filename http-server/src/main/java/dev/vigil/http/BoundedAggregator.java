package dev.vigil.http;

import dev.vigil.api.Problem;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Gathers a request's body up to a limit, answering what it refuses (a body too large, an
 * expectation other than 100-continue) with problem documents instead of Netty's bare answers.
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final int limit;
    private final RefusalReporter refusals;

    BoundedAggregator(int limit, RefusalReporter refusals) {
        super(limit);
        this.limit = limit;
        this.refusals = refusals;
    }

    /**
     * On a kept-alive connection the answer goes out and the rest of the body is read and
     * dropped (the aggregator does that): closing at once would reset the connection while the
     * client is still sending, and the client might never read the 413.
     */
    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        Problem problem = tooLarge();
        refusals.report(ctx, oversized, problem);
        FullHttpResponse response = Dispatcher.render(Response.problem(problem));
        if (HttpUtil.isKeepAlive(oversized) && !(oversized instanceof FullHttpRequest)) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A refused {@code Expect} (unknown, or 100-continue for a body over the limit) as a problem document. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(answer instanceof FullHttpResponse netty) || netty.status().code() < 400) {
            return answer;
        }
        int status = netty.status().code();
        netty.release();
        Problem problem = status == 417
                ? Problem.of(417, "expectation-failed", "Expectation failed",
                "the only expectation this server meets is Expect: 100-continue", null)
                : tooLarge();
        if (start instanceof HttpRequest request) {
            refusals.report(pipeline.context(this), request, problem);
        }
        return Dispatcher.render(Response.problem(problem));
    }

    private Problem tooLarge() {
        return Problem.of(413, "body-too-large", "Request body too large",
                "the request body is larger than " + limit + " bytes", null);
    }
}
