package dev.vigil.alerts.lifecycle;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/**
 * An alert's identity: 16 hex digits of SHA-256 over its labels sorted by name ({@code alertname}
 * is one of them). A function of the labels alone, so every leader, before and after a restart,
 * computes the same one; it is PagerDuty's {@code dedup_key}.
 */
public final class Fingerprint {
    private Fingerprint() {
    }

    public static String of(SortedMap<String, String> labels) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (Map.Entry<String, String> label : labels.entrySet()) {
            sha256.update(label.getKey().getBytes(StandardCharsets.UTF_8));
            // 0xff never occurs in UTF-8, so a=bc and ab=c cannot collide.
            sha256.update((byte) 0xff);
            sha256.update(label.getValue().getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0xff);
        }
        return HexFormat.of().formatHex(sha256.digest(), 0, 8);
    }
}
