package dev.vigil.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code vigil completion bash|zsh}: a completion script generated from the command model
 * (picocli's AutoComplete), so it always knows every command and option of this vigil.
 */
@Command(name = "completion",
        mixinStandardHelpOptions = true,
        description = {
                "Print a shell completion script for bash or zsh.",
                "",
                "Generated from vigil's own commands and options, so it matches this version.",
                "zsh runs it through bashcompinit (the script loads it).",
                ""},
        footer = {"", "Examples:",
                "  source <(vigil completion bash)                       # this shell",
                "  vigil completion bash > /etc/bash_completion.d/vigil  # every shell",
                "  source <(vigil completion zsh)                        # in ~/.zshrc"})
final class CompletionCommand implements Callable<Integer> {
    /** The shells there is a script for. */
    enum Shell { BASH, ZSH }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
    Shell shell;

    @Override
    public Integer call() {
        String script = AutoComplete.bash("vigil", spec.root().commandLine());
        if (shell == Shell.ZSH) {
            script = "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n" + script;
        }
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
