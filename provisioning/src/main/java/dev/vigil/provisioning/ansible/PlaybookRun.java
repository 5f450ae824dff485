package dev.vigil.provisioning.ansible;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One ansible-playbook run against an inventory file: its output (stdout and stderr together) is
 * handed on line by line as it comes, and its recap read on the way.
 *
 * @param program   the ansible-playbook executable
 * @param inventory the inventory file
 * @param playbook  the playbook
 * @param limit     its --limit, or null
 * @param check     --check: report what would change, change nothing
 * @param extraVars -e values, each {@code key=value} or JSON, passed as given
 * @param ssh       how ansible's ssh logs in (key, pinned host keys); null for ansible's own settings
 */
public record PlaybookRun(String program, Path inventory, String playbook, String limit, boolean check,
                          List<String> extraVars, SshArgs ssh) {

    /**
     * Ansible's ssh with vigil's key and vigil's pinned host keys: the known_hosts vigil manages is
     * OpenSSH's format, and a host whose key is not there (or differs) is refused, as it is to vigil.
     */
    public record SshArgs(Path privateKey, Path knownHosts) {
    }

    /** What it came to: ansible-playbook's exit status and its recap. */
    public record Outcome(int exitCode, PlayRecap recap) {
    }

    public List<String> command() {
        List<String> command = new ArrayList<>(List.of(program, "-i", inventory.toString()));
        if (limit != null) {
            command.addAll(List.of("--limit", limit));
        }
        if (check) {
            command.add("--check");
        }
        extraVars.forEach(value -> command.addAll(List.of("-e", value)));
        if (ssh != null) {
            command.addAll(List.of("--private-key", ssh.privateKey().toString(), "--ssh-common-args",
                    "-o UserKnownHostsFile=" + ssh.knownHosts() + " -o StrictHostKeyChecking=yes"));
        }
        command.add(playbook);
        return command;
    }

    /**
     * Runs it to the end, each line of its output to {@code lines}; colour off, as the output is read.
     * With {@link SshArgs}, ansible's ssh keeps its shared connections in a directory of this run's
     * own: a connection another run opened (ControlPersist keeps one a minute) was let in under that
     * run's known_hosts, and reusing it would skip this run's host key check.
     */
    public Outcome run(Consumer<String> lines) throws IOException, InterruptedException {
        Path controlDir = ssh == null ? null : Files.createTempDirectory("vigil-ansible-ssh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            return run(lines, controlDir);
        } finally {
            if (controlDir != null) {
                try (Stream<Path> sockets = Files.list(controlDir)) {
                    for (Path socket : sockets.toList()) {
                        Files.deleteIfExists(socket);
                    }
                }
                Files.deleteIfExists(controlDir);
            }
        }
    }

    private Outcome run(Consumer<String> lines, Path controlDir) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true);
        builder.environment().putAll(Map.of("ANSIBLE_NOCOLOR", "1", "ANSIBLE_FORCE_COLOR", "0"));
        if (controlDir != null) {
            builder.environment().put("ANSIBLE_SSH_CONTROL_PATH_DIR", controlDir.toString());
        }
        Process process = builder.start();
        process.getOutputStream().close();
        PlayRecap recap = new PlayRecap();
        try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = output.readLine(); line != null; line = output.readLine()) {
                recap.accept(line);
                lines.accept(line);
            }
        } catch (IOException e) {
            process.destroy();
            throw e;
        }
        return new Outcome(process.waitFor(), recap);
    }
}
