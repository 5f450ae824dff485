package dev.vigil.sim.cluster;

import dev.vigil.sim.csv.CsvFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Alibaba's 2023 node list ({@code openb_node_list_gpu_node.csv}: {@code sn,cpu_milli,memory_mib,gpu,model}).
 * CPU and memory are not used: the scheduler places GPUs.
 */
final class AlibabaNodes {
    /** A node of the list: its serial number (the node's name), GPU count and GPU model. */
    record Listed(String name, int gpus, String model) {
    }

    private AlibabaNodes() {
    }

    static List<Listed> read(Path file) {
        try (CsvFile csv = CsvFile.open(file)) {
            csv.require(List.of("sn", "gpu", "model"),
                    "the Alibaba 2023 node list (sn,cpu_milli,memory_mib,gpu,model)");
            List<Listed> nodes = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (CsvFile.Row row = csv.next(); row != null; row = csv.next()) {
                String name = row.get("sn");
                if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}") || !names.add(name)) {
                    throw row.invalid("sn", name, "a node name of letters, digits, '.', '_' and '-' that no earlier "
                            + "row has");
                }
                int gpus = (int) row.integer("gpu", 1, 32);
                String model = row.get("model");
                if (model.isEmpty()) {
                    throw row.invalid("model", model, "the GPU model, e.g. V100M32");
                }
                nodes.add(new Listed(name, gpus, model));
            }
            return nodes;
        }
    }
}
