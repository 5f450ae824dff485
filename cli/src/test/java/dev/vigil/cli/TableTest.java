package dev.vigil.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableTest {
    @Test
    void columnsAlignTheLastIsNotPaddedAndMissingCellsAreDashes() {
        StringWriter text = new StringWriter();
        new Table("NAME", "STATE", "REASON")
                .row("gpu-1", "ready", null)
                .row("gpu-long-name", "cordoned", "line one\nline two")
                .print(new PrintWriter(text));
        assertThat(text.toString()).isEqualTo(""
                + "NAME           STATE     REASON\n"
                + "gpu-1          ready     -\n"
                + "gpu-long-name  cordoned  line one line two\n");
    }

    @Test
    void aFollowedTablePrintsItsHeaderOnceAndOnlyWidens() {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        Table table = new Table("SEQ", "MESSAGE");
        table.row(1234, "first").print(out);
        table.row(5, "second").print(out);
        assertThat(text.toString()).isEqualTo("SEQ   MESSAGE\n1234  first\n5     second\n");
    }

    @Test
    void aFittedTableNarrowsItsWidestColumnsAndCutsWithAnEllipsis() {
        StringWriter text = new StringWriter();
        new Table("SEQ", "ACTION", "DETAIL").fit(40)
                .row(1, "POST /v1/nodes/gpu-017/cordon", "{\"reason\": \"XID 79 twice today, ticket OPS-1234\"}")
                .row(2, "GET", "short")
                .print(new PrintWriter(text));
        List<String> lines = text.toString().lines().toList();
        assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(40));
        assertThat(lines.get(1)).startsWith("1    POST /v1/nodes/").contains("…  {\"reason\"").endsWith("…");
        assertThat(lines.get(2)).isEqualTo("2    GET" + " ".repeat(lines.get(1).indexOf("{") - 8) + "short");
    }

    @Test
    void recentReportsReadAsRecentAndOlderOnesAsTheirAge() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(Table.reported(now.minusSeconds(6), now)).isEqualTo("<10s ago");
        assertThat(Table.reported(now.minusSeconds(12), now)).isEqualTo("12s ago");
        assertThat(Table.reported(null, now)).isEqualTo("never");
    }

    @Test
    void agesReadAtAGlance() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(Table.ago(now.minusSeconds(3), now)).isEqualTo("3s ago");
        assertThat(Table.ago(now.plusSeconds(2), now)).isEqualTo("0s ago");
        assertThat(Table.ago(now.minusSeconds(119), now)).isEqualTo("119s ago");
        assertThat(Table.ago(now.minusSeconds(600), now)).isEqualTo("10m ago");
        assertThat(Table.ago(now.minusSeconds(5 * 3600), now)).isEqualTo("5h ago");
        assertThat(Table.ago(now.minusSeconds(9 * 86_400), now)).isEqualTo("9d ago");
        assertThat(Table.ago(null, now)).isEqualTo("never");
        assertThat(Table.time(Instant.parse("2026-11-22T08:57:45.203Z"))).isEqualTo("2026-11-22T08:57:45Z");
    }
}
