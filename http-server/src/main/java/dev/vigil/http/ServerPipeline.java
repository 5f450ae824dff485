package dev.vigil.http;

import dev.vigil.api.Problem;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Sets up each new connection: admitted ones get the HTTP codec, an idle timer, the body
 * aggregator and the dispatcher; those over a limit get only what it takes to read their first
 * request and answer it 503; those beyond even that are closed at once.
 */
final class ServerPipeline extends ChannelInitializer<Channel> {
    /** How long a connection being refused may take to send its first request. */
    private static final long REFUSAL_WAIT_MILLIS = 2000;

    private final Router router;
    private final int maxBodyBytes;
    private final ConnectionLimits limits;
    private final ConnectionGate gate;
    private final Executor handlers;
    private final SslContext tls;
    private final RefusalReporter refusals;

    ServerPipeline(Router router, int maxBodyBytes, ConnectionLimits limits, Executor handlers, SslContext tls,
                   Refusals refusals) {
        this.router = router;
        this.maxBodyBytes = maxBodyBytes;
        this.limits = limits;
        this.gate = new ConnectionGate(limits);
        this.handlers = handlers;
        this.tls = tls;
        this.refusals = new RefusalReporter(refusals, handlers);
    }

    ConnectionGate gate() {
        return gate;
    }

    @Override
    protected void initChannel(Channel channel) {
        InetAddress client = channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
        ConnectionGate.Admission admission = gate.admit(client);
        if (admission == ConnectionGate.Admission.DROPPED) {
            channel.close();
            return;
        }
        channel.closeFuture().addListener(closed -> gate.release(client, admission));
        ChannelPipeline pipeline = channel.pipeline();
        if (tls != null) {
            pipeline.addLast(tls.newHandler(channel.alloc()));
        }
        pipeline.addLast(codec());
        if (admission == ConnectionGate.Admission.ADMITTED) {
            pipeline.addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                    .addLast(new BoundedAggregator(maxBodyBytes, refusals))
                    .addLast(new Dispatcher(router, handlers, refusals));
        } else {
            pipeline.addLast(new IdleStateHandler(REFUSAL_WAIT_MILLIS, 0, 0, TimeUnit.MILLISECONDS))
                    .addLast(new Refuser(admission));
        }
    }

    /**
     * Header values are checked by the dispatcher, which can say which header is at fault (and
     * so which refused request carried credentials); names and everything else by Netty.
     */
    private static HttpServerCodec codec() {
        return new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(HttpServer.MAX_REQUEST_LINE)
                .setMaxHeaderSize(HttpServer.MAX_HEADER_BYTES)
                .setMaxChunkSize(8192)
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValueValidation(false)));
    }

    /**
     * Answers a connection over a limit: its first request gets a 503 and the connection is
     * closed. The request is read first (and whatever follows it, dropped), so the client is not
     * reset before it reads the answer.
     */
    private static final class Refuser extends ChannelInboundHandlerAdapter {
        private final ConnectionGate.Admission why;

        Refuser(ConnectionGate.Admission why) {
            this.why = why;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean first = msg instanceof HttpRequest;
            ReferenceCountUtil.release(msg);
            if (!first) {
                return;
            }
            String detail = why == ConnectionGate.Admission.SERVER_FULL
                    ? "this server holds as many connections as it may; retry shortly"
                    : "your address holds as many connections to this server as one client may; reuse them "
                    + "(keep-alive) or close some";
            FullHttpResponse response = Dispatcher.render(Response.problem(Problem.of(503, "too-many-connections",
                    "Too many connections", detail, null)).header("Retry-After", "1"));
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
