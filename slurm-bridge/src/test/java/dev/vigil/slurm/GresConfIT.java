package dev.vigil.slurm;

import dev.vigil.slurm.conf.GresConf;
import dev.vigil.slurm.conf.Inventories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slurm's own reader takes the gres.conf that {@code vigil slurm gres-conf} writes: {@code slurmd
 * -G} (print the GRES configuration and exit) for an emulated node of the local cluster, with the
 * generated file in place of the script's.
 */
class GresConfIT {
    @TempDir
    Path conf;

    @BeforeEach
    void requireSlurm() {
        LocalSlurm.require();
    }

    @Test
    void slurmdReadsTheGeneratedLinesWithTheCoresAndLinksMeant() throws Exception {
        // shaped like the local nodes: 2 sockets of 16 cores without hyperthreads, 8 GPUs on NVSwitch
        GresConf gres = GresConf.of(Inventories.nvswitch("gpu01", "NVIDIA H100 80GB HBM3", 18, "0-15", "16-31"),
                new GresConf.Options(LocalSlurm.DIR.resolve("dev/nvidia").toString(), null, null, null));
        Path etc = LocalSlurm.DIR.resolve("etc");
        Files.copy(etc.resolve("slurm.conf"), conf.resolve("slurm.conf"));
        Files.copy(etc.resolve("topology.conf"), conf.resolve("topology.conf"));
        Files.writeString(conf.resolve("gres.conf"), gres.render());

        LocalSlurm.Run run = LocalSlurm.run(List.of("env", "SLURM_CONF=" + conf.resolve("slurm.conf"),
                "/usr/sbin/slurmd", "-G", "-N", "gpu01"));
        String out = run.out() + run.err();
        assertThat(run.status()).as(out).isZero();
        assertThat(out).doesNotContainIgnoringCase("error");
        List<String> read = out.lines().filter(l -> l.contains("Gres Name=gpu")).toList();
        assertThat(read).hasSize(8);
        assertThat(read.get(0)).contains("Type=h100", "Index=0", "File=" + LocalSlurm.DIR.resolve("dev/nvidia0"),
                "Cores=0-15", "Links=-1,18,18,18,18,18,18,18");
        assertThat(read.get(7)).contains("Index=7", "Cores=16-31", "Links=18,18,18,18,18,18,18,-1");
    }

    @Test
    void theStartScriptWritesItsGresConfAsTheGeneratorDoes() throws Exception {
        GresConf gres = GresConf.of(Inventories.nvswitch("gpu[01-04]", "NVIDIA H100 80GB HBM3", 18, "0-15", "16-31"),
                new GresConf.Options(LocalSlurm.DIR.resolve("dev/nvidia").toString(), null, null, null));
        String script = Files.readAllLines(LocalSlurm.DIR.resolve("etc/gres.conf")).stream()
                .filter(l -> l.startsWith("NodeName=")).collect(Collectors.joining("\n"));
        String generated = gres.render().lines().filter(l -> l.startsWith("NodeName="))
                .collect(Collectors.joining("\n"));
        assertThat(script).isEqualTo(generated);
    }
}
