package dev.vigil.agent.placement;

/**
 * Text read from /proc made fit for the wire and the logs: whatever a process names itself, one line without
 * control characters, cut to the field's length, and a word rather than nothing.
 */
final class WireText {
    static final String UNKNOWN = "unknown";

    private WireText() {
    }

    static String line(String raw, int max) {
        if (clean(raw, max)) {
            return raw;
        }
        StringBuilder kept = new StringBuilder(Math.min(raw.length(), max));
        for (int i = 0; i < raw.length() && kept.length() < max; i++) {
            char c = raw.charAt(i);
            if (!Character.isISOControl(c)) {
                kept.append(c);
            }
        }
        String line = kept.toString().strip();
        return line.isEmpty() ? UNKNOWN : line;
    }

    /** The usual case, checked without copying: already a non-empty line that fits. */
    private static boolean clean(String raw, int max) {
        if (raw.isEmpty() || raw.length() > max || Character.isWhitespace(raw.charAt(0))
                || Character.isWhitespace(raw.charAt(raw.length() - 1))) {
            return false;
        }
        for (int i = 0; i < raw.length(); i++) {
            if (Character.isISOControl(raw.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
