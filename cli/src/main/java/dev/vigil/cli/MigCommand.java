package dev.vigil.cli;

import dev.vigil.api.mig.MigConfigSummary;
import dev.vigil.api.mig.MigProposal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

/** {@code vigil mig configs|show|set|plan}: MIG layouts across the fleet. */
@Command(name = "mig",
        mixinStandardHelpOptions = true,
        description = {
                "Put GPUs into named MIG layouts, and see where each change is.",
                "",
                "A MIG config (conf/mig.yaml, mig-parted's format) names a layout per GPU model, e.g.",
                "all-1g.10gb: seven 1g.10gb slices on an A100-80GB or H100-80GB. 'vigil mig set' asks",
                "the controller to put a node's GPUs (or a pool's) into one: the GPUs that change take",
                "no new work, their jobs leave (preemptible ones at once, others within the drain",
                "timeout), then the node's agent applies the layout. GPUs that keep their layout stay",
                "in service. Each changing GPU goes pending -> draining -> applying -> success, or",
                "failed with the reason, or reset-required; every phase has a timeout that ends in",
                "failed, so nothing waits forever.",
                "",
                "  configs               the configs and what each makes of every GPU model",
                "  show [NODE]           each GPU's layout now, the config asked and where the change is",
                "  set NODE CONFIG       put a node's GPUs (--gpus: some) into a config; --pool P for a pool",
                "  plan                  layout changes that would let waiting work start on idle GPUs",
                "",
                "After a change on a Slurm node, write its gres.conf again: vigil slurm gres-conf NODE.",
                ""},
        subcommands = {MigCommand.Configs.class, MigShowCommand.class, MigSetCommand.class, MigCommand.Plan.class},
        footer = {"", "Examples:",
                "  vigil mig configs",
                "  vigil mig set gpu-017 all-1g.10gb --gpus 6,7 --reason \"inference slices, OPS-1234\" --wait",
                "  vigil mig show gpu-017",
                "  vigil mig plan"})
final class MigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "configs",
            mixinStandardHelpOptions = true,
            description = {
                    "List the MIG configs the controller has, and their layout on each GPU model.",
                    "",
                    "One line per config and GPU model it has an entry for (model 'any' for an entry",
                    "without a device filter): MIG off, or MIG on with its slices. A GPU whose model a",
                    "config does not name keeps its layout when that config is asked for. The controller",
                    "reads them from conf/mig.yaml; the shipped ones are all-disabled, all-1g.10gb,",
                    "all-3g.40gb, all-balanced, and all-3g.20gb, all-1g.18gb, all-3g.71gb for the models",
                    "whose profiles have other names.",
                    ""},
            footer = {"", "Examples:",
                    "  vigil mig configs",
                    "  vigil mig configs -o json | jq -r '.[].name'"})
    static final class Configs extends ApiCommand {
        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.get("/v1/mig/configs");
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            List<MigConfigSummary> configs = List.of(answer.as(MigConfigSummary[].class));
            if (configs.isEmpty()) {
                out.println("No MIG configs: the controller reads them from conf/mig.yaml.");
                return;
            }
            Table table = new Table("NAME", "MODEL", "LAYOUT");
            for (MigConfigSummary config : configs) {
                config.layouts().forEach(layout -> table.row(config.name(), layout.model(), layout.layout()));
            }
            table.print(out);
        }
    }

    @Command(name = "plan",
            mixinStandardHelpOptions = true,
            description = {
                    "Propose MIG layout changes that would let waiting work start on idle GPUs.",
                    "",
                    "The controller compares what waits with what idles: jobs waiting for slices while",
                    "whole GPUs idle, or jobs waiting for whole GPUs while slices idle. Each proposal",
                    "names the node, its idle GPUs, their config now and the one proposed, how many",
                    "waiting GPUs or slices it would let start, and the numbers behind it; below, the",
                    "'vigil mig set' command that applies it. Nothing changes until someone runs it",
                    "(or mig.auto lets the controller apply proposals itself).",
                    ""},
            footer = {"", "Examples:",
                    "  vigil mig plan",
                    "  vigil mig plan -o json | jq '.[] | select(.serves >= 4)'"})
    static final class Plan extends ApiCommand {
        @Override
        void run(ControllerClient client, PrintWriter out) throws Exception {
            ControllerClient.Answer answer = client.get("/v1/mig/plan");
            if (json()) {
                out.println(answer.pretty());
                return;
            }
            List<MigProposal> proposals = List.of(answer.as(MigProposal[].class));
            if (proposals.isEmpty()) {
                out.println("No proposals: no waiting work would start sooner with another layout on idle GPUs.");
                return;
            }
            Table table = new Table("NODE", "GPUS", "FROM", "TO", "SERVES", "WHY");
            proposals.forEach(p -> table.row(p.node(), gpus(p.gpus()), p.from(), p.to(), p.serves(), p.why()));
            table.print(out);
            out.println();
            out.println("Apply:");
            for (MigProposal proposal : proposals) {
                out.printf("  vigil mig set %s %s --gpus %s --reason \"vigil mig plan\"%n", proposal.node(),
                        proposal.to(), gpus(proposal.gpus()));
            }
        }
    }

    /** {@code 4,5}: GPU indices as {@code --gpus} takes them. */
    static String gpus(List<Integer> gpus) {
        return gpus.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
