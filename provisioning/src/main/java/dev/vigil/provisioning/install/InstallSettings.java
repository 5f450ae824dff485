package dev.vigil.provisioning.install;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@link Installer} puts on each host.
 *
 * @param distribution   the distribution tarball the build makes ({@code vigil-VERSION.tar.gz})
 * @param prefix         where it goes on the host: {@code releases/vigil-VERSION/}, {@code current}
 *                       (a link to the running release), {@code etc/agent.yaml}, {@code state/}; relative
 *                       to the login user's home when not absolute
 * @param controllerUrls the controller members the agent reports to (an upgrade keeps agent.yaml: none)
 * @param agentToken     the agent's API token (role agent), written into agent.yaml (mode 0600); null for an upgrade
 * @param backend        the agent's GPU backend: auto, dcgm, nvml or simulated
 * @param agentPort      the port the agent listens on
 * @param service        how the agent runs
 * @param sudo           run the commands that need root through {@code sudo -n}
 * @param readyTimeout   how long the controller may take to show the node ready
 */
public record InstallSettings(Path distribution, String prefix, List<String> controllerUrls, String agentToken,
                              String backend, int agentPort, Service service, boolean sudo, Duration readyTimeout) {
    private static final Pattern TARBALL = Pattern.compile("vigil-([0-9A-Za-z._-]+)\\.tar\\.gz");

    /** How the agent runs on the host. */
    public enum Service {
        /** The distribution's unit, enabled and (re)started: the way to run it in production. */
        SYSTEMD,
        /**
         * A plain background process ({@code setsid nohup}, a pid file under the prefix): for hosts
         * without systemd, such as the test hosts; nothing restarts it after a crash or a reboot.
         */
        BACKGROUND
    }

    public InstallSettings {
        controllerUrls = List.copyOf(controllerUrls);
        if (!TARBALL.matcher(distribution.getFileName().toString()).matches()) {
            throw new IllegalArgumentException("distribution " + distribution + ": allowed vigil-VERSION.tar.gz, "
                    + "as the build makes it (cli/target)");
        }
    }

    /** The version the distribution carries, from its name. */
    public String version() {
        Matcher m = TARBALL.matcher(distribution.getFileName().toString());
        return m.matches() ? m.group(1) : null;
    }
}
