package dev.vigil.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counts a server's connections, in all and per client address, and decides what becomes of a
 * new one: served, told 503 and closed (up to an eighth more than the cap at a time), or closed
 * at once. The ceiling on all three is what keeps the process's descriptors for its storage.
 * Refusals are logged at most once per {@link #LOG_EVERY_NANOS}, with how many there were since
 * the last line (a line is due at the next connection opened or closed).
 */
final class ConnectionGate {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    /** What becomes of a new connection. */
    enum Admission {
        /** Served. */
        ADMITTED,
        /** Its first request is answered 503 (the server holds {@code max} connections), then it is closed. */
        SERVER_FULL,
        /** Its first request is answered 503 (its address holds {@code perClient}), then it is closed. */
        CLIENT_FULL,
        /** Closed at once: even the connections being refused are too many. */
        DROPPED
    }

    private final int max;
    private final int perClient;
    private final int refusing;
    private final Map<InetAddress, Integer> byClient = new HashMap<>();
    private int open;
    private int beingRefused;
    private long refusedSinceLog;
    private Admission lastReason;
    private InetAddress lastClient;
    private long lastLog = System.nanoTime() - LOG_EVERY_NANOS;

    ConnectionGate(ConnectionLimits limits) {
        this.max = limits.max();
        this.perClient = limits.perClient();
        this.refusing = Math.max(4, max / 8);
    }

    /** Decides about a new connection from {@code client} (null when the transport has no address). */
    synchronized Admission admit(InetAddress client) {
        int fromClient = byClient.getOrDefault(client, 0);
        if (open < max && fromClient < perClient) {
            open++;
            byClient.put(client, fromClient + 1);
            return Admission.ADMITTED;
        }
        Admission over = open >= max ? Admission.SERVER_FULL : Admission.CLIENT_FULL;
        refusedSinceLog++;
        lastReason = over;
        lastClient = client;
        logRefusals();
        if (beingRefused >= refusing) {
            return Admission.DROPPED;
        }
        beingRefused++;
        return over;
    }

    /** A connection admitted as {@code admission} has closed. */
    synchronized void release(InetAddress client, Admission admission) {
        switch (admission) {
            case ADMITTED -> {
                open--;
                byClient.computeIfPresent(client, (c, n) -> n == 1 ? null : n - 1);
            }
            case SERVER_FULL, CLIENT_FULL -> beingRefused--;
            case DROPPED -> {
            }
        }
        logRefusals();
    }

    /** Connections being served now. */
    synchronized int open() {
        return open;
    }

    private void logRefusals() {
        long now = System.nanoTime();
        if (refusedSinceLog == 0 || now - lastLog < LOG_EVERY_NANOS) {
            return;
        }
        LOG.atWarn().addKeyValue("refused", refusedSinceLog).addKeyValue("reason", lastReason.name().toLowerCase(Locale.ROOT))
                .addKeyValue("client", lastClient == null ? null : lastClient.getHostAddress())
                .addKeyValue("open", open).addKeyValue("max", max).addKeyValue("per_client", perClient)
                .log("connections_refused");
        refusedSinceLog = 0;
        lastLog = now;
    }
}
