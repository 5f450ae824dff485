package dev.vigil.provisioning.inventory;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SlurmPartitionTest {
    @TempDir
    Path dir;

    /** A stand-in sinfo: records its arguments, prints {@code output}, exits {@code status}. */
    private String sinfo(String output, int status) throws Exception {
        Path script = dir.resolve("sinfo");
        Files.writeString(script, "#!/bin/sh\necho \"$@\" > " + dir.resolve("args") + "\nprintf '" + output
                + "'\nexit " + status + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script.toString();
    }

    @Test
    void eachStatesHostListIsExpandedAndEachNodeListedOnce() {
        assertThat(SlurmPartition.nodes("gpu", List.of("gpu-[01-03]", "  gpu-[03-04],login1 ", "")))
                .containsExactly("gpu-01", "gpu-02", "gpu-03", "gpu-04", "login1");
    }

    @Test
    void aPartitionWithoutNodesIsRefusedNamingIt() {
        assertThatThrownBy(() -> SlurmPartition.nodes("empty", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Slurm partition empty has no nodes");
    }

    @Test
    void aLineThatIsNotAHostListNamesThePartition() {
        assertThatThrownBy(() -> SlurmPartition.nodes("gpu", List.of("gpu-[01-")))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("sinfo's nodes of partition gpu");
    }

    @Test
    void readsWhatSinfoListsForThePartition() throws Exception {
        List<String> nodes = SlurmPartition.read(sinfo("gpu-[1-2]\\ngpu-7\\n", 0), "h100");

        assertThat(nodes).containsExactly("gpu-1", "gpu-2", "gpu-7");
        assertThat(Files.readString(dir.resolve("args")).strip())
                .isEqualTo("--noheader --partition h100 --format %N");
    }

    @Test
    void sinfoRefusingThePartitionIsAnErrorWithWhatItSaid() throws Exception {
        String sinfo = sinfo("sinfo: error: invalid partition specified: nope\\n", 1);

        assertThatThrownBy(() -> SlurmPartition.read(sinfo, "nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sinfo --partition nope exited 1: sinfo: error: invalid partition specified: nope");
    }
}
