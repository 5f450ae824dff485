package dev.vigil.api.gpu;

import dev.vigil.api.binding.InvalidValueException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuListTest {
    @Test
    void writesRangesAndSingleCpus() {
        assertThat(CpuList.format(new long[] {0b1011L})).isEqualTo("0-1,3");
        assertThat(CpuList.format(new long[] {1L << 5})).isEqualTo("5");
    }

    @Test
    void rangesRunAcrossWords() {
        assertThat(CpuList.format(new long[] {1L << 63 | 1L << 62, 0b111L})).isEqualTo("62-66");
        assertThat(CpuList.format(new long[] {-1L, -1L, 0, 1L << 63})).isEqualTo("0-127,255");
    }

    @Test
    void anEmptyMaskIsAnEmptyList() {
        assertThat(CpuList.format(new long[4])).isEmpty();
        assertThat(CpuList.format(new long[0])).isEmpty();
    }

    @Test
    void readsRangesAndSingleCpusInOrder() {
        assertThat(CpuList.parse("8,0-2", "cpus")).containsExactly(0, 1, 2, 8);
        assertThat(CpuList.parse(" 3 , 5-5", "cpus")).containsExactly(3, 5);
        assertThat(CpuList.parse("0-1,1-2", "cpus")).as("overlaps counted once").containsExactly(0, 1, 2);
    }

    @Test
    void readsWhatItWrites() {
        long[] mask = {1L << 63 | 0b1011L, 0b111L, 0, 1L << 63};
        assertThat(CpuList.format(mask)).isEqualTo("0-1,3,63-66,255");
        assertThat(CpuList.parse(CpuList.format(mask), "cpus")).containsExactly(0, 1, 3, 63, 64, 65, 66, 255);
    }

    @Test
    void noListIsNoCpus() {
        for (String none : Arrays.asList(null, "", "  ")) {
            assertThat(CpuList.parse(none, "cpus")).as(String.valueOf(none)).isEmpty();
        }
    }

    @Test
    void aBadListNamesTheFieldTheValueAndWhatIsAllowed() {
        for (String bad : new String[]{"a", "3-1", "1-2-3", "-1", "1-", "0-5,,7", "0 1", "1.5", "12345678901"}) {
            assertThatThrownBy(() -> CpuList.parse(bad, "topology.numaNodes[1].cpus")).as(bad)
                    .isInstanceOfSatisfying(InvalidValueException.class, e -> {
                        assertThat(e.field()).isEqualTo("topology.numaNodes[1].cpus");
                        assertThat(e.value()).isEqualTo(bad);
                        assertThat(e.allowed()).isEqualTo("a CPU list like 0-55,112-167");
                    });
        }
    }
}
