package dev.vigil.provisioning.ssh;

import java.util.Map;

/**
 * What may happen when a host has no key pinned yet: nothing (the default: connecting fails and
 * says how to allow it), any key is pinned ({@code --accept-new-host-keys}, trust on first use),
 * or only the key whose fingerprint the operator got out of band (from the console, the
 * provisioning system) is.
 *
 * @param acceptAny    pin whatever key the host offers
 * @param fingerprints per host name or address, the {@code SHA256:...} fingerprint its key must have
 * @param pinnedBy     where a service that never pins a key itself is told its known_hosts (a config
 *                     setting, e.g. {@code runbooks.ssh.knownHosts}): a refusal says to add the key
 *                     there; null for {@code vigil provision}, whose refusal names its flags
 */
public record FirstContact(boolean acceptAny, Map<String, String> fingerprints, String pinnedBy) {
    public static final FirstContact REFUSE = new FirstContact(false, Map.of());
    public static final FirstContact ACCEPT_ANY = new FirstContact(true, Map.of());

    public FirstContact {
        fingerprints = Map.copyOf(fingerprints);
    }

    public FirstContact(boolean acceptAny, Map<String, String> fingerprints) {
        this(acceptAny, fingerprints, null);
    }

    /** Never pins a key: the keys come only from the known_hosts that {@code setting} names. */
    public static FirstContact pinnedOnlyBy(String setting) {
        return new FirstContact(false, Map.of(), setting);
    }

    /** The fingerprint expected for the target, by its name or its address; null when none was given. */
    String expected(SshTarget target) {
        String byName = fingerprints.get(target.name());
        return byName != null ? byName : fingerprints.get(target.address());
    }
}
