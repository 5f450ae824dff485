package dev.vigil.provisioning.ssh;

import net.schmizz.sshj.transport.verification.HostKeyVerifier;

import java.security.PublicKey;
import java.util.List;

/**
 * SSHJ's host-key check for one connection, against the managed {@link KnownHosts}: a pinned key
 * must match exactly; an unknown host is pinned only as {@link FirstContact} allows. Why a key was
 * refused is kept, so that the failure can name both fingerprints (SSHJ only says it could not
 * verify the key).
 */
final class PinnedHostKeys implements HostKeyVerifier {
    private final KnownHosts knownHosts;
    private final FirstContact firstContact;
    private final SshTarget target;
    private SshFailure refusal;

    PinnedHostKeys(KnownHosts knownHosts, FirstContact firstContact, SshTarget target) {
        this.knownHosts = knownHosts;
        this.firstContact = firstContact;
        this.target = target;
    }

    @Override
    public boolean verify(String hostname, int port, PublicKey key) {
        HostKey offered = HostKey.of(key);
        List<HostKey> pinned = knownHosts.keys(target.address(), target.port());
        if (pinned.stream().anyMatch(offered::sameKey)) {
            return true;
        }
        if (!pinned.isEmpty()) {
            HostKey was = pinned.stream().filter(k -> k.type().equals(offered.type())).findFirst().orElse(pinned.get(0));
            refusal = new SshFailure(SshFailure.Reason.HOST_KEY_CHANGED, target.name(), "HOST KEY CHANGED: "
                    + target.login() + " offered " + offered + " but " + knownHosts.file() + " pins " + was
                    + "; refusing to connect (someone may be in between). If the host was reinstalled, check the new "
                    + "key out of band and remove its line from " + knownHosts.file(), null);
            return false;
        }
        String expected = firstContact.expected(target);
        if (expected != null && !expected.equals(offered.fingerprint())) {
            refusal = new SshFailure(SshFailure.Reason.HOST_KEY_CHANGED, target.name(), "host key " + offered
                    + " is not the fingerprint given for it (" + expected + "); refusing to connect", null);
            return false;
        }
        if (expected == null && !firstContact.acceptAny()) {
            String allow = firstContact.pinnedBy() == null ? "give it (--host-key-fingerprint " + target.name() + "="
                    + offered.fingerprint() + ") or trust the first key seen (--accept-new-host-keys)"
                    : "add the host's key to " + firstContact.pinnedBy() + " (" + knownHosts.file()
                    + "); no key is learnt here";
            refusal = new SshFailure(SshFailure.Reason.HOST_KEY_UNKNOWN, target.name(), "no host key pinned for "
                    + target.login() + " in " + knownHosts.file() + "; it offers " + offered + ". Check that fingerprint "
                    + "out of band, then " + allow, null);
            return false;
        }
        knownHosts.add(target.address(), target.port(), offered);
        return true;
    }

    /**
     * The key types pinned for the host, so that SSHJ negotiates one of them rather than its
     * favourite: otherwise a host pinned with its RSA key fails as soon as SSHJ prefers ed25519
     * (sshj#642).
     */
    @Override
    public List<String> findExistingAlgorithms(String hostname, int port) {
        return knownHosts.keys(target.address(), target.port()).stream().map(HostKey::type).distinct().toList();
    }

    /** Why the last key was refused; null when none was. */
    SshFailure refusal() {
        return refusal;
    }
}
