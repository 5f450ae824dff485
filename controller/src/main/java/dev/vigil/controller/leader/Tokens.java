package dev.vigil.controller.leader;

import dev.vigil.api.cluster.Role;
import dev.vigil.controller.state.Store;
import dev.vigil.controller.state.TokenRecord;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * API tokens: {@code vgl_<id>_<secret>}. The id is public (it names the token in lists and the
 * audit log); the store keeps only the SHA-256 of the whole token, so a copy of the cluster state
 * gives no one access.
 */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A token just made: its record, and the secret to hand out once. */
    public record Issued(TokenRecord record, String secret) {
    }

    /** Makes a new token. */
    public Issued issue(String name, Role role, Instant now) {
        byte[] id = new byte[5];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String token = "vgl_" + HexFormat.of().formatHex(id) + "_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new Issued(record(token, name, role, now).orElseThrow(), token);
    }

    /** The record a given token string would have, or empty when it is not a well-formed token. */
    public static Optional<TokenRecord> record(String token, String name, Role role, Instant now) {
        return id(token).map(id -> new TokenRecord(id, name, role, sha256(token), now));
    }

    /** Finds the stored token {@code presented} is, comparing hashes in constant time. */
    public static Optional<TokenRecord> verify(Store store, String presented) {
        return id(presented).flatMap(store::token).filter(stored -> MessageDigest.isEqual(
                stored.sha256().getBytes(StandardCharsets.US_ASCII),
                sha256(presented).getBytes(StandardCharsets.US_ASCII)));
    }

    private static Optional<String> id(String token) {
        if (token == null || !token.matches("vgl_[0-9a-f]{10}_[A-Za-z0-9_-]{20,}")) {
            return Optional.empty();
        }
        return Optional.of(token.substring(4, 14));
    }

    private static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
