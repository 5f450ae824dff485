package dev.vigil.cli.provision;

import dev.vigil.api.binding.HumanDurations;
import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.provisioning.inventory.SlurmPartition;
import dev.vigil.provisioning.ssh.FirstContact;
import dev.vigil.provisioning.ssh.KnownHosts;
import dev.vigil.provisioning.ssh.SshSettings;
import dev.vigil.provisioning.ssh.SshTarget;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code vigil provision} reaches hosts: the options every subcommand shares. */
final class SshOptions {
    static final Path HOME = Path.of(System.getProperty("user.home"));

    @Option(names = {"-i", "--identity"}, paramLabel = "FILE",
            description = "Private key to log in with (default: ~/.ssh/id_ed25519, else ~/.ssh/id_rsa). Key "
                    + "authentication only.")
    Path identity;

    @Option(names = {"-l", "--user"}, paramLabel = "USER",
            description = "Login user for hosts given without user@ (default: your user name).")
    String user;

    @Option(names = "--known-hosts", paramLabel = "FILE",
            description = "The known_hosts file vigil manages: keys are pinned here on first contact and must "
                    + "never change (default: ~/.config/vigil/known_hosts).")
    Path knownHosts;

    @Option(names = "--accept-new-host-keys",
            description = "Pin the key a host without a pinned key offers (trust on first use). A changed key "
                    + "is refused all the same.")
    boolean acceptNewHostKeys;

    @Option(names = "--host-key-fingerprint", paramLabel = "HOST=SHA256:...",
            description = "The fingerprint a host's key must have on first contact, as 'ssh-keygen -lf' prints it "
                    + "on the host's console; repeatable.")
    Map<String, String> fingerprints = new LinkedHashMap<>();

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "For a host to answer SSH (default: ${DEFAULT-VALUE}).")
    String connectTimeout;

    @Option(names = "--command-timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "For each remote command or upload (default: ${DEFAULT-VALUE}).")
    String commandTimeout;

    @Option(names = "--partition", paramLabel = "PARTITION",
            description = "The hosts are the nodes of this Slurm partition, as sinfo lists them (reached at their "
                    + "names; --user for the login), instead of HOSTS.")
    String partition;

    @Option(names = "--sinfo", paramLabel = "PROGRAM", defaultValue = "sinfo",
            description = "The sinfo --partition asks (default: ${DEFAULT-VALUE} on the PATH).")
    String sinfo;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "16",
            description = "Hosts worked on at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    SshSettings settings() {
        Path key = identity != null ? identity : defaultIdentity();
        Path file = knownHosts != null ? knownHosts : HOME.resolve(".config/vigil/known_hosts");
        fingerprints.forEach((host, fingerprint) -> {
            if (!fingerprint.startsWith("SHA256:")) {
                throw new InvalidValueException("--host-key-fingerprint", host + "=" + fingerprint,
                        "HOST=SHA256:... (as ssh-keygen -lf prints it)");
            }
        });
        if (parallel < 1) {
            throw new InvalidValueException("--parallel", String.valueOf(parallel), "1 or more");
        }
        return new SshSettings(key, new KnownHosts(file), new FirstContact(acceptNewHostKeys, fingerprints),
                HumanDurations.parse(connectTimeout, "--connect-timeout"), HumanDurations.parse(commandTimeout, "--command-timeout"),
                SshSettings.KEEP_ALIVE);
    }

    private static Path defaultIdentity() {
        Path ed25519 = HOME.resolve(".ssh/id_ed25519");
        return Files.exists(ed25519) ? ed25519 : HOME.resolve(".ssh/id_rsa");
    }

    /**
     * The hosts of HOSTS: a hosts file when a file of that name exists ({@code [NAME]
     * [user@]address[:port]} per line), else a comma list; or the nodes of {@code --partition};
     * {@code --user} for those without user@.
     */
    List<SshTarget> targets(String hosts) throws InterruptedException {
        if (partition != null) {
            InvalidValueException.require(hosts == null, "HOSTS", hosts, "nothing with --partition (the partition's "
                    + "nodes are the hosts)");
            return partitionTargets();
        }
        InvalidValueException.required(hosts, "HOSTS", "a hosts file or a comma list of [user@]host[:port], or "
                + "--partition P");
        List<String> lines;
        Path file = Path.of(hosts);
        try {
            lines = Files.isRegularFile(file) ? Files.readAllLines(file, StandardCharsets.UTF_8)
                    : Arrays.asList(hosts.split(","));
        } catch (IOException e) {
            throw new InvalidValueException("HOSTS", hosts, "a readable hosts file (" + e.getMessage() + ")");
        }
        List<SshTarget> targets;
        try {
            targets = SshTarget.parseAll(lines);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException("HOSTS", hosts, e.getMessage());
        }
        if (targets.isEmpty()) {
            throw new InvalidValueException("HOSTS", hosts, "at least one host");
        }
        return targets.stream().map(t -> t.user() != null || user == null ? t
                : new SshTarget(t.name(), user, t.address(), t.port())).toList();
    }

    private List<SshTarget> partitionTargets() throws InterruptedException {
        try {
            return SlurmPartition.read(sinfo, partition).stream().map(node -> new SshTarget(node, user, node, 22))
                    .toList();
        } catch (IOException e) {
            throw new InvalidValueException("--partition", partition, "a partition sinfo lists (cannot run " + sinfo
                    + ": " + e.getMessage() + ")");
        }
    }
}
