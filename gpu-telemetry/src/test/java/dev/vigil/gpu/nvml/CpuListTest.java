package dev.vigil.gpu.nvml;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
}
