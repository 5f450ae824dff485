package dev.vigil.provisioning.preflight;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Preflight's verdicts, as pure functions of what a host answered ({@link Probe}): no I/O here, so
 * each rule is tested on the outputs real hosts give.
 */
public final class Checks {
    /** The oldest driver branch NVIDIA still supports for data-center GPUs (535 LTSB). */
    static final int OLDEST_DRIVER_BRANCH = 535;
    static final long DISK_FAIL_KIB = 2L << 20;
    static final long DISK_WARN_KIB = 10L << 20;
    static final long CLOCK_WARN_SECONDS = 1;
    static final long CLOCK_FAIL_SECONDS = 5;
    /** Names of GPUs that sit on an HGX board with NVSwitches when there are 8 of them. */
    private static final Pattern NVSWITCH_MODELS = Pattern.compile("(?i).*(SXM|HBM3|H200|B200|GB200).*");
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

    private Checks() {
    }

    /**
     * What preflight compares the answers with.
     *
     * @param agentPort    the port the agent will listen on
     * @param localEpoch   this machine's clock when the answers came, in seconds
     * @param expectedGpus GPUs the host must have; null to take what it has
     */
    public record Context(int agentPort, long localEpoch, Integer expectedGpus) {
    }

    /** One GPU as nvidia-smi lists it. */
    record Gpu(int index, String name, String driver, boolean persistence, String busId) {
    }

    /** Every check, in a fixed order. */
    public static List<CheckResult> all(Probe probe, Context context) {
        List<Gpu> gpus = gpus(probe.section("gpus"));
        List<CheckResult> results = new ArrayList<>();
        results.add(os(probe.section("os")));
        results.add(kernel(probe.section("kernel")));
        results.add(driver(probe.section("gpus"), gpus, context.expectedGpus()));
        results.add(persistence(gpus));
        results.add(dcgm(probe.section("dcgm")));
        results.add(fabricManager(probe.section("fabric-manager"), gpus));
        results.add(numa(probe.section("numa")));
        results.add(infiniband(probe.section("infiniband")));
        results.add(clock(probe.section("clock"), context.localEpoch()));
        results.add(disk(probe.section("disk")));
        results.add(agentPort(probe.section("agent-port"), context.agentPort()));
        return results;
    }

    static CheckResult os(Probe.Section section) {
        Map<String, String> release = new LinkedHashMap<>();
        for (String line : section.text().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                release.put(line.substring(0, equals), line.substring(equals + 1).replaceAll("^\"|\"$", ""));
            }
        }
        String pretty = release.getOrDefault("PRETTY_NAME", release.get("ID"));
        if (section.exit() != 0 || pretty == null) {
            return CheckResult.fail("os", "cannot read /etc/os-release: " + firstLine(section.text()));
        }
        String id = release.getOrDefault("ID", "") + " " + release.getOrDefault("VERSION_ID", "");
        boolean tested = id.matches("ubuntu (22\\.04|24\\.04)|debian 12(\\..*)?|(rhel|rocky|almalinux) [89](\\..*)?");
        return tested ? CheckResult.pass("os", pretty)
                : CheckResult.warn("os", pretty + ": not a distribution Vigil is tested on (Ubuntu 22.04/24.04, Debian 12, RHEL/Rocky 8/9)");
    }

    static CheckResult kernel(Probe.Section section) {
        String release = section.text().strip();
        return section.exit() == 0 && !release.isEmpty() ? CheckResult.pass("kernel", release)
                : CheckResult.fail("kernel", "uname -r failed: " + firstLine(section.text()));
    }

    static List<Gpu> gpus(Probe.Section section) {
        List<Gpu> gpus = new ArrayList<>();
        if (section.exit() != 0) {
            return gpus;
        }
        for (String line : section.text().split("\n")) {
            String[] f = line.split("\\s*,\\s*");
            if (f.length == 5 && f[0].strip().matches("\\d+")) {
                gpus.add(new Gpu(Integer.parseInt(f[0].strip()), f[1], f[2], f[3].equalsIgnoreCase("Enabled"), f[4].strip()));
            }
        }
        return gpus;
    }

    static CheckResult driver(Probe.Section section, List<Gpu> gpus, Integer expectedGpus) {
        if (section.exit() == 127) {
            return CheckResult.fail("driver", "nvidia-smi not found: no NVIDIA driver installed (ansible role nvidia_driver)");
        }
        if (section.exit() != 0 || gpus.isEmpty()) {
            return CheckResult.fail("driver", "nvidia-smi sees no GPU: " + firstLine(section.text()));
        }
        Set<String> drivers = new LinkedHashSet<>();
        Set<String> models = new LinkedHashSet<>();
        gpus.forEach(g -> {
            drivers.add(g.driver());
            models.add(g.name());
        });
        String found = gpus.size() + " x " + String.join(" + ", models) + ", driver " + String.join(", ", drivers);
        if (drivers.size() > 1) {
            return CheckResult.fail("driver", found + ": GPUs report different driver versions (a half-finished upgrade? reboot)");
        }
        if (expectedGpus != null && gpus.size() != expectedGpus) {
            return CheckResult.fail("driver", found + ": expected " + expectedGpus + " GPUs (one fell off the bus? check dmesg for Xid 79)");
        }
        Matcher version = VERSION.matcher(drivers.iterator().next());
        if (!version.lookingAt() || Integer.parseInt(version.group(1)) < OLDEST_DRIVER_BRANCH) {
            return CheckResult.warn("driver", found + ": older than branch " + OLDEST_DRIVER_BRANCH + ", the oldest NVIDIA still supports");
        }
        if (models.size() > 1) {
            return CheckResult.warn("driver", found + ": mixed GPU models on one node (the scheduler treats the node as its first model)");
        }
        return CheckResult.pass("driver", found);
    }

    static CheckResult persistence(List<Gpu> gpus) {
        if (gpus.isEmpty()) {
            return CheckResult.fail("persistence", "no GPU to check");
        }
        List<Integer> off = gpus.stream().filter(g -> !g.persistence()).map(Gpu::index).toList();
        return off.isEmpty() ? CheckResult.pass("persistence", "enabled on all " + gpus.size() + " GPUs")
                : CheckResult.warn("persistence", "off on GPUs " + join(off) + ": the driver tears down between jobs (slow "
                + "starts, clocks and ECC state lost); enable nvidia-persistenced");
    }

    static CheckResult dcgm(Probe.Section section) {
        String text = section.text().strip();
        if (section.exit() != 0 || text.isEmpty()) {
            return CheckResult.warn("dcgm", "DCGM not installed: the agent falls back to NVML (fewer fields, no "
                    + "diagnostics); ansible role dcgm");
        }
        return text.endsWith("running") ? CheckResult.pass("dcgm", "nv-hostengine running")
                : CheckResult.warn("dcgm", "installed but nv-hostengine is not running: the agent falls back to NVML "
                + "(systemctl enable --now nvidia-dcgm)");
    }

    static CheckResult fabricManager(Probe.Section section, List<Gpu> gpus) {
        boolean needed = gpus.size() >= 8 && gpus.stream().allMatch(g -> NVSWITCH_MODELS.matcher(g.name()).matches());
        String text = section.text().strip();
        if (section.exit() != 0 && !text.contains("/")) {
            return needed ? CheckResult.fail("fabric-manager", "not installed, and " + gpus.size() + " " + gpus.get(0).name()
                    + " GPUs share NVSwitches: CUDA cannot start without it (nvidia-fabricmanager-" + branch(gpus)
                    + " at the driver's version; ansible role fabric_manager)")
                    : CheckResult.pass("fabric-manager", "not needed (no NVSwitch board)");
        }
        Matcher version = Pattern.compile("(?i)version[^0-9]*(\\d+\\.\\d+(?:\\.\\d+)?)").matcher(text);
        String fm = version.find() ? version.group(1) : "unknown";
        String driver = gpus.isEmpty() ? null : gpus.get(0).driver();
        if (driver != null && !fm.equals(driver)) {
            return CheckResult.fail("fabric-manager", "version " + fm + " but the driver is " + driver
                    + ": fabric manager refuses to start unless both are the same version");
        }
        if (!text.endsWith("running")) {
            return needed ? CheckResult.fail("fabric-manager", "version " + fm + " installed but not running: CUDA "
                    + "cannot start on NVSwitch boards (systemctl enable --now nvidia-fabricmanager)")
                    : CheckResult.warn("fabric-manager", "version " + fm + " installed but not running");
        }
        return CheckResult.pass("fabric-manager", "version " + fm + ", running");
    }

    static CheckResult numa(Probe.Section section) {
        String[] lines = section.text().strip().split("\n");
        if (section.exit() != 0 || lines.length == 0 || !lines[0].strip().matches("\\d+")) {
            return CheckResult.warn("numa", "cannot read the NUMA layout: " + firstLine(section.text()));
        }
        int nodes = Integer.parseInt(lines[0].strip());
        List<String> affinity = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].strip().split("\\s+");
            if (f.length != 2) {
                continue;
            }
            if (f[1].matches("\\d+")) {
                affinity.add(f[1]);
            } else {
                unknown.add(f[0]);
            }
        }
        String found = nodes + " NUMA node" + (nodes == 1 ? "" : "s");
        if (!unknown.isEmpty()) {
            return CheckResult.warn("numa", found + "; no NUMA node for GPUs at " + String.join(", ", unknown)
                    + " (CPU and GPU placement cannot be paired)");
        }
        return CheckResult.pass("numa", found + (affinity.isEmpty() ? "" : "; GPUs on nodes " + String.join(",", affinity)));
    }

    static CheckResult infiniband(Probe.Section section) {
        List<String> active = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (String line : section.text().strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 3) {
                (line.contains("ACTIVE") ? active : down).add(f[0] + " " + f[2]);
            }
        }
        if (active.isEmpty() && down.isEmpty()) {
            return CheckResult.warn("infiniband", "no InfiniBand or RoCE ports: multi-node jobs will use TCP");
        }
        if (!down.isEmpty()) {
            return CheckResult.fail("infiniband", down.size() + " port(s) not ACTIVE: " + String.join(", ", down)
                    + (active.isEmpty() ? "" : "; active: " + String.join(", ", active)));
        }
        return CheckResult.pass("infiniband", active.size() + " port(s) ACTIVE: " + String.join(", ", active));
    }

    static CheckResult clock(Probe.Section section, long localEpoch) {
        String[] lines = section.text().strip().split("\n");
        if (lines.length == 0 || !lines[0].strip().matches("\\d+")) {
            return CheckResult.warn("clock", "cannot read the host's clock: " + firstLine(section.text()));
        }
        long offset = Math.abs(Long.parseLong(lines[0].strip()) - localEpoch);
        String rest = section.text().toLowerCase();
        boolean synced = rest.contains("\nyes") || rest.matches("(?s).*leap status\\s*:\\s*normal.*");
        String found = "off by about " + offset + " s from this machine" + (synced ? ", NTP synchronized" : "");
        if (offset > CLOCK_FAIL_SECONDS) {
            return CheckResult.fail("clock", found + ": reports, alerts and tokens need clocks within "
                    + CLOCK_FAIL_SECONDS + " s");
        }
        if (offset > CLOCK_WARN_SECONDS || !synced) {
            return CheckResult.warn("clock", found + (synced ? "" : "; no NTP sync reported (timedatectl, chronyc)"));
        }
        return CheckResult.pass("clock", found);
    }

    static CheckResult disk(Probe.Section section) {
        List<String> found = new ArrayList<>();
        Status status = Status.PASS;
        Set<String> mounts = new LinkedHashSet<>();
        for (String line : section.text().strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 6 && f[3].matches("\\d+") && mounts.add(f[5])) {
                long available = Long.parseLong(f[3]);
                found.add(f[5] + " " + (available >> 20) + " GiB free");
                status = Status.worst(status, available < DISK_FAIL_KIB ? Status.FAIL
                        : available < DISK_WARN_KIB ? Status.WARN : Status.PASS);
            }
        }
        if (found.isEmpty()) {
            return CheckResult.warn("disk", "cannot read free space: " + firstLine(section.text()));
        }
        String detail = String.join(", ", found);
        return new CheckResult("disk", status, status == Status.PASS ? detail
                : detail + " (the agent, its logs and DCGM diagnostics need " + (DISK_WARN_KIB >> 20) + " GiB)");
    }

    static CheckResult agentPort(Probe.Section section, int port) {
        String text = section.text().strip();
        if (section.exit() != 0) {
            return CheckResult.warn("agent-port", "cannot check port " + port + ": " + firstLine(text));
        }
        return text.isEmpty() ? CheckResult.pass("agent-port", port + " free")
                : CheckResult.fail("agent-port", port + " is taken: " + firstLine(text)
                + " (an agent already runs? upgrade it instead; or choose --agent-port)");
    }

    /** The driver's branch ({@code 550} of 550.127.05), for package names. */
    private static String branch(List<Gpu> gpus) {
        Matcher version = VERSION.matcher(gpus.get(0).driver());
        return version.lookingAt() ? version.group(1) : "BRANCH";
    }

    private static String join(List<Integer> numbers) {
        return String.join(",", numbers.stream().map(String::valueOf).toList());
    }

    private static String firstLine(String text) {
        String stripped = text.strip();
        int newline = stripped.indexOf('\n');
        return stripped.isEmpty() ? "no output" : newline < 0 ? stripped : stripped.substring(0, newline);
    }
}
