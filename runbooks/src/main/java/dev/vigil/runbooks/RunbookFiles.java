package dev.vigil.runbooks;

import dev.vigil.api.binding.Documents;
import dev.vigil.api.binding.InvalidDocumentException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads a directory of runbook files ({@code *.yaml}, one runbook each) strictly: an unknown key,
 * an unknown step kind, a bad cron expression, an alert no rule fires, a missing required key or a
 * name two files share is an {@link InvalidDocumentException} naming the file, the field, the value
 * and what is allowed; the controller refuses to start (or to reload) on one.
 */
public final class RunbookFiles {
    private RunbookFiles() {
    }

    /**
     * @param dir         the directory; a missing one holds no runbooks
     * @param knownAlerts the names of the alert rules, which alert triggers must name
     * @return the runbooks, in file-name order
     */
    public static List<RunbookFile> load(Path dir, Set<String> knownAlerts) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(file -> file.getFileName().toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<RunbookFile> loaded = new ArrayList<>();
        Map<String, Path> names = new HashMap<>();
        for (Path file : files) {
            Runbook runbook = Documents.readYaml(file, Runbook.class);
            checkAlert(file, runbook, knownAlerts);
            Path first = names.putIfAbsent(runbook.name(), file);
            if (first != null) {
                throw invalid(file, "name", runbook.name(), "a name no other runbook has (" + first.getFileName()
                        + " has it)");
            }
            loaded.add(new RunbookFile(file, runbook));
        }
        return List.copyOf(loaded);
    }

    private static void checkAlert(Path file, Runbook runbook, Set<String> knownAlerts) {
        if (runbook.trigger() != null && runbook.trigger().alert() != null
                && !knownAlerts.contains(runbook.trigger().alert().name())) {
            throw invalid(file, "trigger.alert.name", runbook.trigger().alert().name(),
                    "the name of an alert rule: " + String.join(", ", new TreeSet<>(knownAlerts)));
        }
    }

    private static InvalidDocumentException invalid(Path file, String field, String value, String allowed) {
        return new InvalidDocumentException(file.toString(), field, value, allowed,
                field + ": \"" + value + "\" is not allowed (allowed: " + allowed + ")");
    }
}
