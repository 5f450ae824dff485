package dev.vigil.controller.leader;

import dev.vigil.api.cluster.Role;
import dev.vigil.controller.state.Store;
import dev.vigil.controller.state.TokenRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;

/**
 * The first tokens of a new cluster: an admin token for people and an agent token the agents
 * share. Each comes from its file when the file exists (configuration management can hand the
 * same secret to every member and agent), or is made and written there, readable by the owner
 * only. Only the leader does this, once, when the cluster has no token at all.
 */
public final class Bootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);

    private final Store store;
    private final Tokens tokens;
    private final Path adminFile;
    private final Path agentFile;
    private final Clock clock;

    public Bootstrap(Store store, Tokens tokens, Path adminFile, Path agentFile, Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.adminFile = adminFile;
        this.agentFile = agentFile;
        this.clock = clock;
    }

    void ensureTokens() {
        if (store.hasTokens()) {
            return;
        }
        store.put(fromFileOrNew(adminFile, "admin", Role.ADMIN));
        store.put(fromFileOrNew(agentFile, "agents", Role.AGENT));
    }

    private TokenRecord fromFileOrNew(Path file, String name, Role role) {
        try {
            if (Files.exists(file)) {
                String token = Files.readString(file, StandardCharsets.UTF_8).trim();
                Optional<TokenRecord> record = Tokens.record(token, name, role, clock.instant());
                if (record.isEmpty()) {
                    throw new IllegalStateException(file + " does not hold a Vigil token (vgl_<id>_<secret>)");
                }
                LOG.atInfo().addKeyValue("role", name).addKeyValue("file", file).log("bootstrap_token_loaded");
                return record.get();
            }
            Tokens.Issued issued = tokens.issue(name, role, clock.instant());
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, issued.secret() + "\n", StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                LOG.atWarn().addKeyValue("file", file).log("token_file_permissions_not_set");
            }
            LOG.atWarn().addKeyValue("role", name).addKeyValue("file", file).log("bootstrap_token_created");
            return issued.record();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the bootstrap token file " + file, e);
        }
    }
}
