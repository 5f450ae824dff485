package dev.vigil.slurm;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The local Slurm that {@code scripts/slurm/start-local-slurm.sh} starts, as the integration
 * tests find it: its env file ({@code $VIGIL_SLURM_DIR/env}, default /tmp/vigil-slurm/env), a
 * check that each daemon answers, and that the cluster has the script's default shape (4 nodes
 * of 2 x 16 cores and 8 GPUs), which the tests are written for. Tests skip, naming what is
 * missing, unless {@code VIGIL_REQUIRE_SLURM=1} (CI sets it): then they fail. Shared (as this
 * module's test jar) with the Slurm tests of the controller and the CLI.
 */
public final class LocalSlurm {
    public static final Path DIR = Path.of(System.getenv().getOrDefault("VIGIL_SLURM_DIR", "/tmp/vigil-slurm"));
    private static final String START = " (start it: sudo scripts/slurm/start-local-slurm.sh)";

    private LocalSlurm() {
    }

    /** The variables the start script wrote: SLURM_CONF, SLURMRESTD_URL, SLURMRESTD_USER, SLURMRESTD_TOKEN. */
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

    /** Why the local Slurm cannot be used, checked once per test JVM; null when it can. */
    private static String missing;
    private static boolean checked;

    /**
     * Skips (or in CI fails) the calling test unless slurmctld, the slurmds and slurmrestd all
     * answer. Call it before each test, so every skipped test carries the reason.
     */
    public static synchronized void require() {
        check();
        if (missing != null && "1".equals(System.getenv("VIGIL_REQUIRE_SLURM"))) {
            fail("VIGIL_REQUIRE_SLURM=1 but " + missing);
        }
        assumeTrue(missing == null, missing);
    }

    /**
     * Whether the local Slurm answers, without skipping: for a {@code @BeforeAll} that starts what the
     * tests share. It must not skip there: an abort in {@code @BeforeAll} skips the class's tests
     * without Surefire counting a single one. {@link #require()} in {@code @BeforeEach} skips each.
     */
    public static synchronized boolean available() {
        check();
        return missing == null;
    }

    private static void check() {
        if (!checked) {
            missing = missing();
            checked = true;
        }
    }

    private static String missing() {
        Path env = DIR.resolve("env");
        if (!Files.isReadable(env)) {
            return "the local Slurm is not running: no readable " + env + START;
        }
        Map<String, String> vars = environment();
        try {
            String conf = Files.readString(Path.of(vars.get("SLURM_CONF")), StandardCharsets.UTF_8);
            // the tests are written for the script's default shape
            if (!conf.contains("NodeName=gpu04 ") || conf.contains("NodeName=gpu05 ")
                    || !conf.contains("Sockets=2 CoresPerSocket=16 ThreadsPerCore=1") || !conf.contains("Gres=gpu:h100:8 ")) {
                return "the local Slurm was started with other VIGIL_SLURM_* settings than the defaults these tests need "
                        + "(4 nodes gpu01..gpu04, 2 x 16 cores, 8 h100 GPUs each)";
            }
        } catch (IOException e) {
            return "the local Slurm is not running: cannot read " + vars.get("SLURM_CONF") + START;
        }
        Run ping = run(List.of("scontrol", "ping"));
        if (ping.status() != 0 || !ping.out().contains("is UP")) {
            return "slurmctld is not running: 'scontrol ping' says " + (ping.out() + ping.err()).strip() + START;
        }
        // a node just resumed shows '*' (not responding) until its next ping: look again for a few seconds
        Run nodes = run(List.of("sinfo", "-h", "-N", "-o", "%N %t"));
        for (int i = 0; i < 50 && nodes.status() == 0 && nodes.out().contains("*"); i++) {
            sleep();
            nodes = run(List.of("sinfo", "-h", "-N", "-o", "%N %t"));
        }
        if (nodes.status() != 0 || nodes.out().isBlank() || nodes.out().contains("*")) {
            return "a slurmd is not running (nodes not responding): sinfo says " + (nodes.out() + nodes.err()).strip()
                    + START;
        }
        try {
            Slurm.connect(config(vars));
        } catch (SlurmException e) {
            return "slurmrestd is not answering at " + vars.get("SLURMRESTD_URL") + ": " + e.getMessage() + START;
        }
        return null;
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static SlurmConfig config(Map<String, String> vars) {
        return new SlurmConfig(URI.create(vars.get("SLURMRESTD_URL")), vars.get("SLURMRESTD_USER"),
                vars.get("SLURMRESTD_TOKEN"), null, null, Map.of("SLURM_CONF", vars.get("SLURM_CONF")));
    }

    /** What a command printed and how it exited. */
    public record Run(int status, String out, String err) {
    }

    /** Runs a Slurm command against the local cluster (SLURM_CONF set), the way an admin would by hand. */
    public static Run run(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        if (Files.isReadable(DIR.resolve("env"))) {
            builder.environment().put("SLURM_CONF", environment().get("SLURM_CONF"));
        }
        builder.environment().remove("SLURM_JWT");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Run(-1, out, "timed out");
            }
            return new Run(process.exitValue(), out, err);
        } catch (IOException e) {
            return new Run(-1, "", command.get(0) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Run(-1, "", "interrupted");
        }
    }
}
