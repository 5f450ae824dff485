package dev.vigil.cli;

import dev.vigil.cli.provision.ProvisionCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vigil} command. */
@Command(name = "vigil",
        mixinStandardHelpOptions = true,
        versionProvider = Vigil.Version.class,
        description = {
                "Vigil runs GPU clusters: a node agent on every GPU host (dcgm-exporter-compatible metrics,",
                "GPU health with repair actions, MIG layouts), a clustered controller that schedules jobs with",
                "topology awareness and pages the right person when a GPU fails, and tools for the people who",
                "keep the fleet alive and who run work on it.",
                "",
                "Start here:",
                "  vigil up                      everything on this machine, with simulated GPUs",
                "  vigil agent -c agent.yaml     the node agent on a GPU host (see conf/agent.yaml)",
                "  vigil probe                   what the GPU backend sees on this host, once (reads only)",
                "  vigil controller              a member of the control plane (see conf/controller.yaml)",
                "",
                "Operate the fleet through a controller's REST API:",
                "  vigil context set --url URL --token-file FILE    once: where, and your token",
                "  vigil nodes                   every node's state (vigil node NAME: one)",
                "  vigil gpus                    every GPU's health, if work may land, its processes' verdicts",
                "  vigil violations              processes on GPUs their jobs were not given (overreach, rogue)",
                "  vigil cordon NAME --reason TEXT    also uncordon, drain, resume",
                "  vigil events --follow         what happens in the fleet, as it happens",
                "  vigil members                 controller members, leader and quorum",
                "  vigil audit                   who changed what (admin)",
                "  vigil token create --name N --role R    API tokens (admin)",
                "",
                "Run jobs (a submitter token or above):",
                "  vigil submit --nodes 2 --gpus-per-node 8 -- CMD    a training gang; --replicas N for a service",
                "  vigil jobs                    every job's state (vigil job ID: one, with its GPUs)",
                "  vigil why ID                  why a job waits: quota, room, topology, reservation...",
                "  vigil cancel ID --reason TEXT",
                "",
                "Alerts (rules in conf/alerts.yaml, evaluated by the controller's leader):",
                "  vigil alerts                  firing, pending and resolved alerts, and how their pages went",
                "  vigil alert FINGERPRINT       one alert: labels, facts, what mutes it, every notification",
                "  vigil silence add --matcher 'node=gpu-01' --duration 2h --comment TEXT    also list, expire",
                "",
                "Runbooks (drain, repair, verify and return nodes; conf/runbooks/*.yaml):",
                "  vigil runbooks                every runbook, and whether automation is active or halted",
                "  vigil runs                    runbook runs, newest first",
                "  vigil run ID --follow         one run's steps as they happen",
                "  vigil runbook run NAME --node N [--dry-run]    start one by hand",
                "  vigil run approve|abort ID    decide a run that waits for approval, or stop one",
                "",
                "MIG layouts (named configs in conf/mig.yaml):",
                "  vigil mig configs             the configs and their layout on each GPU model",
                "  vigil mig set NODE CONFIG [--gpus 6,7] --wait    drain what must move, apply, follow the change",
                "  vigil mig show [NODE]         each GPU's layout, and where its change is; vigil mig plan: proposals",
                "",
                "Slurm:",
                "  vigil slurm gres-conf NODE    gres.conf lines from a node's GPU inventory",
                "  vigil slurm topology-conf     topology.conf from Vigil's fabric (or --import one)",
                "",
                "Bring hosts into the fleet over SSH (docs/provisioning.md):",
                "  vigil provision preflight HOSTS --accept-new-host-keys    driver, GPUs, DCGM, fabric manager, IB, clock",
                "  vigil provision install HOSTS --distribution F --controller URL --agent-token-file F",
                "  vigil provision upgrade HOSTS --to V --distribution F --dry-run    a canary, then batches",
                "",
                "Plan capacity and try policies without a cluster:",
                "  vigil sim --cluster FILE --trace FILE    replay a trace in virtual time, Vigil vs FIFO first-fit",
                "",
                "This vigil:",
                "  vigil version                 this vigil's version and the controller's",
                "  source <(vigil completion bash)    completion of commands and options (also zsh)",
                "  man vigil                     the manual pages, in the distribution's man/ (MANPATH)",
                ""},
        subcommands = {UpCommand.class, AgentCommand.class, ControllerCommand.class, ProbeCommand.class,
                ContextCommand.class, NodesCommand.class, NodeCommand.class, NodeChangeCommand.Cordon.class,
                NodeChangeCommand.Uncordon.class, NodeChangeCommand.Drain.class, NodeChangeCommand.Resume.class,
                GpusCommand.class, ViolationsCommand.class, EventsCommand.class, MembersCommand.class,
                AuditCommand.class, TokenCommand.class, SubmitCommand.class, JobsCommand.class, JobCommand.class,
                CancelCommand.class, WhyCommand.class, AlertsCommand.class, AlertCommand.class, SilenceCommand.class,
                RunbooksCommand.class, RunbookCommand.class, RunsCommand.class, RunCommand.class, MigCommand.class,
                SlurmCommand.class, ProvisionCommand.class, SimCommand.class, VersionCommand.class,
                CompletionCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'vigil help COMMAND' for a command's options and examples."})
public final class Vigil implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandErrors errors = new CommandErrors();
        // Wide enough for the examples to stay on one line each.
        return new CommandLine(new Vigil()).setCaseInsensitiveEnumValuesAllowed(true).setUsageHelpWidth(110)
                .setParameterExceptionHandler(errors).setExecutionExceptionHandler(errors);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"vigil " + version(), "Java " + Runtime.version()};
        }
    }

    /**
     * This vigil's version, from its jar's manifest ({@code dev} in a build tree). Read here, not
     * through the agent's class, whose loading would set logging up for nothing.
     */
    static String version() {
        String version = Vigil.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
