package dev.vigil.http;

import dev.vigil.api.Problem;
import dev.vigil.api.binding.InvalidDocumentException;
import dev.vigil.api.binding.InvalidValueException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 server on Netty's NIO transport: routes, JSON and problem+json answers, a
 * body size limit. Client mistakes are 4xx problem documents (unknown route 404, wrong method
 * 405, bad body 400, too large 413); only a bug in a handler is a 500, and that is logged.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    private final Channel channel;
    private final EventLoopGroup ownGroup;

    private HttpServer(Channel channel, EventLoopGroup ownGroup) {
        this.channel = channel;
        this.ownGroup = ownGroup;
    }

    /**
     * Starts serving {@code router} on {@code address}, answering on the event loop: for handlers
     * that never block (the agent's, which read a snapshot).
     *
     * @param maxBodyBytes the largest request body accepted
     * @param group        the event loop to run on, shared by several servers; null for a
     *                     one-thread loop of this server's own (small nodes do best with one)
     */
    public static HttpServer start(InetSocketAddress address, Router router, int maxBodyBytes, EventLoopGroup group) {
        return start(address, router, maxBodyBytes, group, null, null);
    }

    /**
     * Starts serving {@code router} on {@code address}.
     *
     * @param handlers where handlers run when they may block (the controller's wait on cluster
     *                 state); null to run them on the event loop
     * @param tls      TLS for HTTPS, or null for plain HTTP
     */
    public static HttpServer start(InetSocketAddress address, Router router, int maxBodyBytes, EventLoopGroup group,
                                   Executor handlers, SslContext tls) {
        EventLoopGroup own = group == null ? newEventLoop(1) : null;
        EventLoopGroup loop = group == null ? own : group;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        ch.pipeline()
                                .addLast(new HttpServerCodec(8192, 16384, 8192))
                                .addLast(new BoundedAggregator(maxBodyBytes))
                                .addLast(new Dispatcher(router, handlers));
                    }
                });
        try {
            Channel channel = bootstrap.bind(address).syncUninterruptibly().channel();
            return new HttpServer(channel, own);
        } catch (Exception e) {
            if (own != null) {
                own.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            if (e instanceof BindException) {
                throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(), (IOException) e);
            }
            throw e;
        }
    }

    /** An NIO event loop with {@code threads} threads, for sharing among servers. */
    public static EventLoopGroup newEventLoop(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Refuses a body over the limit with a 413 problem instead of Netty's bare answer. */
    private static final class BoundedAggregator extends HttpObjectAggregator {
        private final int limit;

        BoundedAggregator(int limit) {
            super(limit);
            this.limit = limit;
        }

        /**
         * On a kept-alive connection the answer goes out and the rest of the body is read and
         * dropped (the aggregator does that): closing at once would reset the connection while the
         * client is still sending, and the client might never read the 413.
         */
        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            Problem problem = Problem.of(413, "body-too-large", "Request body too large",
                    "the request body is larger than " + limit + " bytes", null);
            FullHttpResponse response = render(Response.problem(problem));
            if (HttpUtil.isKeepAlive(oversized) && !(oversized instanceof FullHttpRequest)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    private static final class Dispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Router router;
        private final Executor handlers;

        Dispatcher(Router router, Executor handlers) {
            this.router = router;
            this.handlers = handlers;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (request.decoderResult().isFailure()) {
                write(ctx, Response.problem(Problem.of(400, "malformed-request", "Malformed request",
                        "the request could not be parsed: " + request.decoderResult().cause().getMessage(), null)),
                        false);
                return;
            }
            if (handlers == null) {
                write(ctx, dispatch(ctx, request), keepAlive);
                return;
            }
            // The handler may block: run it off the event loop, answer back on it.
            FullHttpRequest retained = request.retainedDuplicate();
            try {
                handlers.execute(() -> {
                    try {
                        Response response = dispatch(ctx, retained);
                        ctx.executor().execute(() -> write(ctx, response, keepAlive));
                    } finally {
                        retained.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                retained.release();
                write(ctx, Response.problem(Problem.of(503, "overloaded", "Overloaded",
                        "too many requests in progress; retry shortly", null)).header("Retry-After", "1"), keepAlive);
            }
        }

        private void write(ChannelHandlerContext ctx, Response response, boolean keepAlive) {
            FullHttpResponse rendered = render(response);
            if (keepAlive) {
                rendered.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.writeAndFlush(rendered);
            } else {
                rendered.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(rendered).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private Response dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            String method = request.method().name();
            Router.Match match = router.match(method, path);
            if (match instanceof Router.Match.NotFound) {
                return Response.problem(Problem.of(404, "not-found", "Not found", "no route " + path, path));
            }
            if (match instanceof Router.Match.WrongMethod wrong) {
                return Response.problem(Problem.of(405, "method-not-allowed", "Method not allowed",
                        method + " is not allowed on " + path + " (allowed: " + String.join(", ", wrong.allowed()) + ")",
                        path)).header("Allow", String.join(", ", wrong.allowed()));
            }
            Router.Match.Found found = (Router.Match.Found) match;
            byte[] body = new byte[request.content().readableBytes()];
            request.content().getBytes(request.content().readerIndex(), body);
            Request req = new Request(method, path, found.params(), uri.parameters(), request.headers(), body,
                    ctx.channel().remoteAddress());
            try {
                return found.route().handler().handle(req);
            } catch (ProblemException e) {
                Problem p = e.problem();
                return Response.problem(new Problem(p.type(), p.title(), p.status(), p.detail(), path, p.field(),
                        p.value(), p.allowed()));
            } catch (InvalidDocumentException e) {
                return Response.problem(Problem.invalidInput(e, path));
            } catch (InvalidValueException e) {
                return Response.problem(new Problem("/problems/invalid-input", "Invalid input", 400, e.getMessage(),
                        path, e.field(), e.value(), e.allowed()));
            } catch (Exception e) {
                LOG.atError().setCause(e).addKeyValue("method", method).addKeyValue("path", path)
                        .log("handler_failed");
                return Response.problem(Problem.of(500, "internal-error", "Internal error",
                        "the server failed to answer; this is a bug, and it has been logged", path));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A peer that resets its connection is routine; anything else is worth a line.
            if (!(cause instanceof IOException)) {
                LOG.atWarn().addKeyValue("error", cause.toString()).log("connection_failed");
            }
            ctx.close();
        }
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
