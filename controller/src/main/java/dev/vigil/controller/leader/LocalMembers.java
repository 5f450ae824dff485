package dev.vigil.controller.leader;

import dev.vigil.controller.cluster.ClusterMember;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The members running in this process, by Ignite instance name. Ignite deploys the leader
 * service by sending an instance of it to some member; there it finds that member's control
 * classes here. (One process normally runs one member; tests run several.)
 */
public final class LocalMembers {
    /** A member's local parts the leader service works with. */
    public record Parts(ClusterMember member, Controls controls, Leadership leadership) {
    }

    private static final Map<String, Parts> MEMBERS = new ConcurrentHashMap<>();

    private LocalMembers() {
    }

    public static void register(String igniteName, Parts parts) {
        MEMBERS.put(igniteName, parts);
    }

    public static void unregister(String igniteName) {
        MEMBERS.remove(igniteName);
    }

    /** The member's parts, or null while it is still opening the cluster state. */
    static Parts find(String igniteName) {
        return MEMBERS.get(igniteName);
    }
}
