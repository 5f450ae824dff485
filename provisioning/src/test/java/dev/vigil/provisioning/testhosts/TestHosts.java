package dev.vigil.provisioning.testhosts;

import dev.vigil.provisioning.ssh.FirstContact;
import dev.vigil.provisioning.ssh.KnownHosts;
import dev.vigil.provisioning.ssh.SshSettings;
import dev.vigil.provisioning.ssh.SshTarget;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The test hosts that {@code scripts/testhosts/start.sh} starts (network namespaces with a real
 * sshd), as the integration tests find them: its env file ({@code $VIGIL_TESTHOSTS_DIR/env},
 * default /tmp/vigil-testhosts/env) and a check that each sshd answers. Tests skip, naming what is
 * missing, unless {@code VIGIL_REQUIRE_TESTHOSTS=1} (CI sets it): then they fail. Shared (as this
 * module's test jar) with the cli's provisioning tests.
 */
public final class TestHosts {
    public static final Path DIR = Path.of(System.getenv().getOrDefault("VIGIL_TESTHOSTS_DIR", "/tmp/vigil-testhosts"));
    static final String NOT_STARTED =
            "test hosts not started: run scripts/testhosts/start.sh (needs root, openssh-server, iproute2)";

    private static String missing;
    private static boolean checked;

    private TestHosts() {
    }

    /** Skips (or with VIGIL_REQUIRE_TESTHOSTS=1 fails) the calling test unless every test host's sshd answers. */
    public static synchronized void require() {
        if (!checked) {
            missing = missing();
            checked = true;
        }
        if (missing != null && "1".equals(System.getenv("VIGIL_REQUIRE_TESTHOSTS"))) {
            fail("VIGIL_REQUIRE_TESTHOSTS=1 but " + missing);
        }
        assumeTrue(missing == null, missing);
    }

    /** The variables the start script wrote (VIGIL_TESTHOSTS, ..._KEY, ..._KNOWN_HOSTS, ..._GATEWAY). */
    public static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(DIR.resolve("env"), StandardCharsets.UTF_8)) {
                String assignment = line.replaceFirst("^export ", "");
                int equals = assignment.indexOf('=');
                if (equals > 0) {
                    env.put(assignment.substring(0, equals), assignment.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DIR.resolve("env"), e);
        }
        return env;
    }

    /** The hosts, named as in the hosts file (vigil-th1, ...). */
    public static List<SshTarget> targets() {
        try {
            return SshTarget.parseAll(Files.readAllLines(Path.of(environment().get("VIGIL_TESTHOSTS_FILE"))));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path key() {
        return Path.of(environment().get("VIGIL_TESTHOSTS_KEY"));
    }

    /** The root namespace's address on the hosts' bridge: where they reach a controller. */
    public static String gateway() {
        return environment().get("VIGIL_TESTHOSTS_GATEWAY");
    }

    /** A copy of the hosts' pinned keys in {@code dir}, for a test that may add to it or spoil it. */
    public static Path knownHostsCopy(Path dir) throws IOException {
        Files.createDirectories(dir);
        return Files.copy(Path.of(environment().get("VIGIL_TESTHOSTS_KNOWN_HOSTS")), dir.resolve("known_hosts"));
    }

    /** Settings that reach the test hosts with every key pinned already. */
    public static SshSettings settings(Path dir) throws IOException {
        return new SshSettings(key(), new KnownHosts(knownHostsCopy(dir)), FirstContact.REFUSE);
    }

    private static String missing() {
        if (!Files.isReadable(DIR.resolve("env"))) {
            return NOT_STARTED;
        }
        for (SshTarget target : targets()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(target.address(), target.port()), 2000);
            } catch (IOException e) {
                return "test host " + target.name() + " (" + target.login() + ") does not answer: " + e.getMessage()
                        + "; " + NOT_STARTED;
            }
        }
        return null;
    }
}
