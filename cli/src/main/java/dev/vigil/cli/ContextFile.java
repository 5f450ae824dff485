package dev.vigil.cli;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidValueException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The operator's context file: which controller to talk to and the API token to send, so they
 * need not be typed with every command. YAML with two keys, {@code url} and {@code token}, read
 * strictly (a misspelt key names itself and the allowed ones) and written readable by its owner
 * only (0600), since it holds a credential.
 *
 * <p>Where it is: {@code $VIGIL_CONTEXT}, else {@code $XDG_CONFIG_HOME/vigil/context.yaml}, else
 * {@code ~/.config/vigil/context.yaml}.
 *
 * <p>The environment is read through {@link #environment}, which tests replace with a map (a JVM
 * cannot change its own environment); the command never does.
 *
 * <p>Public for {@code vigil provision} (its own package), which finds the controller the same way.
 */
public final class ContextFile {
    static final String URL_ALLOWED = "an http:// or https:// URL with a host, e.g. http://10.0.0.5:8080";

    /** The process environment; package-private so tests can give the commands another one. */
    static UnaryOperator<String> environment = System::getenv;

    /** The document: both keys optional. */
    public record Settings(String url, String token) {
        public Settings {
            if (url != null) {
                url = checkedUrl("url", url);
            }
            if (token != null) {
                token = token.trim();
                InvalidValueException.require(!token.isEmpty() && token.chars().noneMatch(Character::isWhitespace),
                        "token", "(" + token.length() + " characters, not shown)", "an API token without spaces");
            }
        }
    }

    private ContextFile() {
    }

    public static String env(String name) {
        String value = environment.apply(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** Where the context file is (it need not exist). */
    public static Path location() {
        String explicit = env("VIGIL_CONTEXT");
        if (explicit != null) {
            return Path.of(explicit);
        }
        String xdg = env("XDG_CONFIG_HOME");
        Path config = xdg != null ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("vigil").resolve("context.yaml");
    }

    /**
     * The file's settings, or empty when there is no file.
     *
     * @throws dev.vigil.api.binding.InvalidDocumentException when the file is not a valid context
     */
    public static Optional<Settings> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(Documents.readYaml(file, Settings.class));
    }

    /** Replaces the file atomically; it is created readable and writable by its owner only. */
    static void write(Path file, Settings settings) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        String text = "# Written by 'vigil context set': which controller the vigil commands talk to, and the token\n"
                + "# they send. Keep this file private (mode 0600): the token is a credential.\n"
                + Documents.yaml().writeValueAsString(settings).replaceFirst("^---\\s*\n", "");
        Path temporary = dir.resolve("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        try {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another 'vigil context set' is writing " + file, e);
        }
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | UncheckedIOException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    /**
     * A controller URL, checked: http or https with a host; a trailing slash is dropped (a path,
     * as behind a proxy, is kept).
     *
     * @throws InvalidValueException naming {@code where} when it is not such a URL
     */
    static String checkedUrl(String where, String url) {
        String trimmed = url.trim();
        try {
            URI uri = new URI(trimmed);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getQuery() == null
                    && uri.getFragment() == null) {
                return trimmed.replaceAll("/+$", "");
            }
        } catch (java.net.URISyntaxException e) {
            // Answered below with what is allowed.
        }
        throw new InvalidValueException(where, url, URL_ALLOWED);
    }

    /** A token as it may be shown: its public id, never the secret. */
    static String masked(String token) {
        if (token == null) {
            return null;
        }
        if (token.matches("vgl_[0-9a-f]{10}_.+")) {
            return token.substring(0, 15) + "****";
        }
        return token.length() <= 8 ? "****" : token.substring(0, 4) + "****";
    }
}
