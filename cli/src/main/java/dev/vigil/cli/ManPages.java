package dev.vigil.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a man page (troff, section 1) for {@code vigil} and each of its commands, from the same
 * command model as {@code --help}: {@code vigil.1}, {@code vigil-nodes.1}, {@code vigil-silence-add.1}.
 * The build runs it into the distribution's {@code man/man1} (no AsciiDoc toolchain needed).
 */
public final class ManPages {
    private ManPages() {
    }

    /** {@code args[0]}: the directory to write the pages to. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        write(Vigil.commandLine(), dir, written);
        System.out.println("vigil: " + written.size() + " man pages in " + dir);
    }

    static void write(CommandLine command, Path dir, List<Path> written) throws IOException {
        CommandSpec spec = command.getCommandSpec();
        if (spec.name().equals("help")) {
            return;
        }
        Path page = dir.resolve(spec.qualifiedName("-") + ".1");
        Files.writeString(page, page(spec));
        written.add(page);
        for (CommandLine sub : command.getSubcommands().values()) {
            write(sub, dir, written);
        }
    }

    static String page(CommandSpec spec) {
        String name = spec.qualifiedName("-");
        String[] description = spec.usageMessage().description();
        StringBuilder out = new StringBuilder();
        out.append(".TH ").append(escape(name.toUpperCase())).append(" 1 \"\" \"vigil ")
                .append(escape(Vigil.version()))
                .append("\" \"Vigil Manual\"\n");
        out.append(".SH NAME\n").append(escape(name)).append(" \\- ")
                .append(escape(description.length > 0 ? description[0] : "")).append('\n');
        out.append(".SH SYNOPSIS\n.nf\n").append(lines(new CommandLine.Help(spec,
                CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF)).synopsis(0).strip())).append(".fi\n");
        out.append(".SH DESCRIPTION\n");
        for (int i = 1; i < description.length; i++) {
            out.append(description[i].isBlank() ? ".PP\n" : line(description[i]));
        }
        if (!spec.positionalParameters().isEmpty() || !spec.options().isEmpty()) {
            out.append(".SH OPTIONS\n");
            for (PositionalParamSpec parameter : spec.positionalParameters()) {
                out.append(".TP\n\\fI").append(escape(parameter.paramLabel())).append("\\fR\n")
                        .append(lines(String.join(" ", parameter.description())));
            }
            for (OptionSpec option : spec.options()) {
                out.append(".TP\n").append(optionNames(option)).append('\n')
                        .append(lines(describe(option)));
            }
        }
        if (!spec.subcommands().isEmpty()) {
            out.append(".SH COMMANDS\n");
            for (Map.Entry<String, CommandLine> sub : spec.subcommands().entrySet()) {
                String[] first = sub.getValue().getCommandSpec().usageMessage().description();
                out.append(".TP\n\\fB").append(escape(sub.getKey())).append("\\fR\n")
                        .append(lines(first.length > 0 ? first[0] : "")).append("See \\fB")
                        .append(escape(sub.getValue().getCommandSpec().qualifiedName("-"))).append("\\fR(1).\n");
            }
        }
        String[] footer = spec.usageMessage().footer();
        List<String> examples = new ArrayList<>();
        boolean inExamples = false;
        for (String line : footer) {
            if (line.startsWith("Examples:")) {
                inExamples = true;
            } else if (inExamples && !line.isBlank()) {
                examples.add(line.strip());
            }
        }
        if (!examples.isEmpty()) {
            out.append(".SH EXAMPLES\n.nf\n").append(lines(String.join("\n", examples))).append(".fi\n");
        }
        out.append(".SH SEE ALSO\n").append(spec.parent() == null ? "\\fBvigil\\-up\\fR(1), \\fBvigil\\-agent\\fR(1)"
                : "\\fBvigil\\fR(1)").append('\n');
        return out.toString();
    }

    private static String optionNames(OptionSpec option) {
        StringBuilder names = new StringBuilder();
        for (String name : option.names()) {
            names.append(names.length() == 0 ? "" : ", ").append("\\fB").append(escape(name)).append("\\fR");
        }
        if (option.arity().max() > 0) {
            names.append("=\\fI").append(escape(option.paramLabel())).append("\\fR");
        }
        return names.toString();
    }

    private static String describe(OptionSpec option) {
        String text = String.join(" ", option.description());
        return text.replace("${DEFAULT-VALUE}", String.valueOf(option.defaultValue()));
    }

    private static String lines(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            out.append(line(line));
        }
        return out.toString();
    }

    /** One line of text: a leading dot or quote would be read as a request. */
    private static String line(String text) {
        String escaped = escape(text);
        return (escaped.startsWith(".") || escaped.startsWith("'") ? "\\&" : "") + escaped + "\n";
    }

    private static String escape(String text) {
        return text.replace("\\", "\\e").replace("-", "\\-");
    }
}
