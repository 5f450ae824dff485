package dev.vigil.provisioning.ssh;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * A host's public key as known_hosts stores it: its type ({@code ssh-ed25519}) and its SSH wire
 * encoding.
 */
record HostKey(String type, byte[] blob) {
    static HostKey of(PublicKey key) {
        return new HostKey(KeyType.fromKey(key).toString(), new Buffer.PlainBuffer().putPublicKey(key).getCompactData());
    }

    /** From known_hosts' two fields, type and base64; null when the base64 is not. */
    static HostKey parse(String type, String base64) {
        try {
            return new HostKey(type, Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** OpenSSH's fingerprint, as {@code ssh-keygen -lf} and {@code ssh} print it: {@code SHA256:...}. */
    String fingerprint() {
        return fingerprint(blob);
    }

    static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JDK", e);
        }
    }

    String base64() {
        return Base64.getEncoder().encodeToString(blob);
    }

    boolean sameKey(HostKey other) {
        return type.equals(other.type) && Arrays.equals(blob, other.blob);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostKey other && sameKey(other);
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 31 + Arrays.hashCode(blob);
    }

    @Override
    public String toString() {
        return type + " " + fingerprint();
    }
}
