package dev.vigil.agent.placement;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The owner a process's {@code /proc/PID/cgroup} names. Lines are {@code hierarchy:controllers:path}; cgroup v1 has
 * one line per hierarchy, v2 a single {@code 0::path}. The first line whose path names a Slurm job, a pod or a unit
 * wins, in that order of precedence (a Slurm step runs inside slurmstepd's unit, so the job is the better answer).
 */
final class CgroupOwners {
    /** {@code /slurm/uid_1000/job_1234/step_0} (v1) or {@code /system.slice/slurmstepd.scope/job_1234/step_0} (v2). */
    private static final Pattern SLURM_JOB = Pattern.compile("/job_(\\d+)(?:/|$)");
    /** systemd driver: {@code kubepods-besteffort-pod1b2c3d4e_5f6a_….slice}, underscores for dashes. */
    private static final Pattern POD_SYSTEMD = Pattern.compile("kubepods(?:-[a-z]+)*-pod([0-9a-f_]{36})\\.slice");
    /** cgroupfs driver: {@code /kubepods/besteffort/pod1b2c3d4e-5f6a-…/<container>}. */
    private static final Pattern POD_CGROUPFS = Pattern.compile("/kubepods(?:/[a-z]+)?/pod([0-9a-f-]{36})(?:/|$)");
    /** The innermost unit on the path: slurmstepd keeps its own processes under {@code slurmstepd.scope/system}. */
    private static final Pattern UNIT = Pattern.compile("/([^/]+\\.(?:service|scope))(?=/|$)");

    private CgroupOwners() {
    }

    static Owner of(List<String> lines) {
        Owner unit = Owner.UNKNOWN;
        for (String line : lines) {
            String path = pathOf(line);
            if (path == null) {
                continue;
            }
            Owner owner = jobOrPod(path);
            if (owner != null) {
                return owner;
            }
            if (unit.kind() == OwnerKind.UNKNOWN) {
                unit = innermostUnit(path);
            }
        }
        return unit;
    }

    private static Owner innermostUnit(String path) {
        Matcher matcher = UNIT.matcher(path);
        String name = null;
        while (matcher.find()) {
            name = matcher.group(1);
        }
        return name == null ? Owner.UNKNOWN : Owner.unit(name);
    }

    private static String pathOf(String line) {
        int first = line.indexOf(':');
        int second = first < 0 ? -1 : line.indexOf(':', first + 1);
        return second < 0 ? null : line.substring(second + 1).trim();
    }

    private static Owner jobOrPod(String path) {
        if (path.contains("slurm")) {
            Matcher job = SLURM_JOB.matcher(path);
            if (job.find()) {
                return Owner.slurmJob(job.group(1));
            }
        }
        Matcher systemd = POD_SYSTEMD.matcher(path);
        if (systemd.find()) {
            return Owner.pod(systemd.group(1).replace('_', '-'));
        }
        Matcher cgroupfs = POD_CGROUPFS.matcher(path);
        return cgroupfs.find() ? Owner.pod(cgroupfs.group(1)) : null;
    }
}
