package dev.vigil.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 server on Netty's NIO transport: routes, JSON and problem+json answers,
 * limits on request size and on connections. Client mistakes are 4xx problem documents
 * (unparsable 400, unknown route 404, wrong method 405, too large 413/414/431); only a bug in a
 * handler is a 500, and that is logged. Connections beyond {@link ConnectionLimits} are answered
 * 503 and closed, and idle ones are closed, so no client can take the process's descriptors.
 */
public final class HttpServer implements AutoCloseable {
    /** The longest request line read. */
    static final int MAX_REQUEST_LINE = 8192;
    /** The most bytes of headers read. */
    static final int MAX_HEADER_BYTES = 16384;

    private final Channel channel;
    private final EventLoopGroup ownGroup;
    private final ConnectionGate gate;

    private HttpServer(Channel channel, EventLoopGroup ownGroup, ConnectionGate gate) {
        this.channel = channel;
        this.ownGroup = ownGroup;
        this.gate = gate;
    }

    /** A server for {@code router}, to be configured and started. */
    public static Builder serving(Router router) {
        return new Builder(router);
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

    /** Connections being served now (not those being refused). */
    public int openConnections() {
        return gate.open();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** How a server is set up; only the router is required. */
    public static final class Builder {
        private final Router router;
        private int maxBodyBytes = 1 << 20;
        private ConnectionLimits limits;
        private EventLoopGroup group;
        private Executor handlers;
        private SslContext tls;
        private Refusals refusals;

        private Builder(Router router) {
            this.router = Objects.requireNonNull(router);
        }

        /** The largest request body accepted (default 1 MiB); a larger one is answered 413. */
        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        /** The connection limits (default {@link ConnectionLimits#defaults()}). */
        public Builder limits(ConnectionLimits limits) {
            this.limits = limits;
            return this;
        }

        /**
         * The event loop to run on, shared by several servers; without one the server runs a
         * one-thread loop of its own (small nodes do best with one).
         */
        public Builder eventLoop(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        /**
         * Where handlers run when they may block (the controller's wait on cluster state);
         * without it they run on the event loop and must not block.
         */
        public Builder handlers(Executor handlers) {
            this.handlers = handlers;
            return this;
        }

        /** TLS for HTTPS; without it, plain HTTP. */
        public Builder tls(SslContext tls) {
            this.tls = tls;
            return this;
        }

        /** Told of the requests the server refuses before a handler sees them; they run where handlers run. */
        public Builder refusals(Refusals refusals) {
            this.refusals = refusals;
            return this;
        }

        /** Starts serving on {@code address}. */
        public HttpServer start(InetSocketAddress address) {
            ServerPipeline pipeline = pipeline();
            EventLoopGroup own = group == null ? newEventLoop(1) : null;
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group == null ? own : group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(pipeline);
            try {
                Channel channel = bootstrap.bind(address).syncUninterruptibly().channel();
                return new HttpServer(channel, own, pipeline.gate());
            } catch (Exception e) {
                if (own != null) {
                    own.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                }
                if (e instanceof BindException) {
                    throw new UncheckedIOException("cannot listen on " + address + ": " + e.getMessage(),
                            (IOException) e);
                }
                throw e;
            }
        }

        /** What each connection runs through; tests drive it on an embedded channel. */
        ServerPipeline pipeline() {
            return new ServerPipeline(router, maxBodyBytes, limits == null ? ConnectionLimits.defaults() : limits,
                    handlers, tls, refusals);
        }
    }
}
