package dev.vigil.agent.placement;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the judge needs besides the node's state.
 *
 * @param system   command or systemd unit names (without {@code .service}) that are always {@code system}
 * @param agentPid the agent's own PID, always system
 * @param grace    how long after an allocation starts or ends on a GPU its processes are not judged
 */
public record PlacementRules(List<String> system, long agentPid, Duration grace) {
    public static final List<String> DEFAULT_SYSTEM =
            List.of("nv-hostengine", "nvidia-persistenced", "nv-fabricmanager", "dcgm-exporter");
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    /** The kernel keeps 15 characters of a command name ({@code TASK_COMM_LEN} 16 with the NUL). */
    private static final int COMM_LENGTH = 15;
    private static final String SERVICE = ".service";

    public PlacementRules {
        system = List.copyOf(system);
        Objects.requireNonNull(grace, "grace");
    }

    public static PlacementRules defaults(long agentPid) {
        return new PlacementRules(DEFAULT_SYSTEM, agentPid, DEFAULT_GRACE);
    }

    boolean isSystem(ProcessIdentity identity) {
        if (identity.pid() == agentPid) {
            return true;
        }
        String unit = identity.owner().kind() == OwnerKind.UNIT ? identity.owner().id() : null;
        for (String name : system) {
            if (commandIs(identity.command(), name) || isService(unit, name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code unit} is {@code <name>.service} (checked without building the name: once per process and name). */
    private static boolean isService(String unit, String name) {
        return unit != null && unit.length() == name.length() + SERVICE.length() && unit.startsWith(name)
                && unit.endsWith(SERVICE);
    }

    private static boolean commandIs(String command, String name) {
        return command.equals(name) || (command.length() == COMM_LENGTH && name.startsWith(command));
    }
}
