package dev.vigil.slurm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class GresTest {
    @Test
    void readsTheConfiguredGpusOfANode() {
        assertThat(Gres.configured("gpu:h100:8(S:0-1)")).isEqualTo(new Gres.Configured("h100", 8));
        assertThat(Gres.configured("gpu:4")).isEqualTo(new Gres.Configured(null, 4));
        assertThat(Gres.configured("gpu:a100:4(S:0),gpu:a100:4(S:1),shard:gpu:32"))
                .isEqualTo(new Gres.Configured("a100", 8));
        assertThat(Gres.configured("(null)")).isEqualTo(new Gres.Configured(null, 0));
        assertThat(Gres.configured(null)).isEqualTo(new Gres.Configured(null, 0));
    }

    @Test
    void readsTheIndicesOfGpusInUse() {
        assertThat(Gres.indices("gpu:h100:4(IDX:0-2,4)")).containsExactly(0, 1, 2, 4);
        assertThat(Gres.indices("gpu:h100:0(IDX:N/A)")).isEmpty();
        assertThat(Gres.indices("gpu:2(IDX:6-7),mps:0(IDX:N/A)")).containsExactly(6, 7);
        assertThat(Gres.indices("gpu:h100:8(S:0-1)")).as("configured, not in use").isEmpty();
    }
}
