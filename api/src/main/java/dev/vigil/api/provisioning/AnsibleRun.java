package dev.vigil.api.provisioning;

import dev.vigil.api.binding.InvalidValueException;
import dev.vigil.api.binding.TextFields;

/**
 * An {@code ansible-playbook} run that {@code vigil provision ansible} made against the fleet
 * ({@code POST /v1/provisioning/ansible-runs}): the controller records it in its audit log.
 *
 * @param playbook    the playbook as given, e.g. {@code ansible/gpu_nodes.yml}
 * @param limit       its {@code --limit}, or null for every host of the inventory
 * @param check       whether it ran in check mode, nothing changed on the hosts (absent: false)
 * @param exitCode    ansible-playbook's exit status
 * @param hosts       the hosts in its recap
 * @param ok          the recap's ok counts summed over the hosts (so the others; absent: 0)
 * @param changed     changed tasks
 * @param unreachable unreachable hosts' counts
 * @param failed      failed tasks
 */
public record AnsibleRun(String playbook, String limit, Boolean check, Integer exitCode, Integer hosts, Integer ok,
                         Integer changed, Integer unreachable, Integer failed) {
    public AnsibleRun {
        InvalidValueException.required(playbook, "playbook", "the playbook's path, e.g. ansible/gpu_nodes.yml");
        TextFields.line(playbook, "playbook", 1024);
        TextFields.line(limit, "limit", 1024);
        check = Boolean.TRUE.equals(check);
        InvalidValueException.required(exitCode, "exitCode", "ansible-playbook's exit status, e.g. 0");
        hosts = count(hosts, "hosts");
        ok = count(ok, "ok");
        changed = count(changed, "changed");
        unreachable = count(unreachable, "unreachable");
        failed = count(failed, "failed");
    }

    /** A recap's count: absent is 0. */
    private static int count(Integer value, String field) {
        InvalidValueException.require(value == null || value >= 0, field, value, "a count, 0 or more");
        return value == null ? 0 : value;
    }

    /** Whether the run did what it was asked: exit status 0, no host failed or out of reach. */
    public boolean succeeded() {
        return exitCode == 0 && failed == 0 && unreachable == 0;
    }

    /** The run in words, for the audit log: {@code ansible/site.yml --limit gpu-1 --check: ok=4 changed=0 ...}. */
    public String describe() {
        return playbook + (limit == null ? "" : " --limit " + limit) + (check ? " --check" : "") + ": exit " + exitCode
                + ", " + hosts + (hosts == 1 ? " host" : " hosts") + ", ok=" + ok + " changed=" + changed
                + " unreachable=" + unreachable + " failed=" + failed;
    }
}
