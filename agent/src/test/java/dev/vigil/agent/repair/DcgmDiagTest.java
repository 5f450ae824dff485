package dev.vigil.agent.repair;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** dcgmi diag -j reports of DCGM 4 and DCGM 3, as the checks they come to. */
class DcgmDiagTest {
    /** The shape of DCGM 4's report (testing/python3/dcgm_diag_schema.json in NVIDIA/DCGM). */
    static final String DCGM4_ONE_FAILURE = """
            {
              "DCGM Diagnostic": {
                "test_categories": [
                  {"category": "Deployment", "tests": [
                    {"name": "software", "results": [
                      {"entity_group": "GPU", "entity_group_id": 1, "entity_id": 0, "status": "Pass"},
                      {"entity_group": "GPU", "entity_group_id": 1, "entity_id": 1, "status": "Fail",
                       "warnings": [{"error_category": 1, "error_id": 28, "error_severity": 2,
                                     "warning": "Row remapping pending on GPU 1"}]}
                    ], "test_summary": {"status": "Fail"}}
                  ]},
                  {"category": "Hardware", "tests": [
                    {"name": "memory", "results": [
                      {"entity_group": "GPU", "entity_group_id": 1, "entity_id": 0, "status": "Skip"}
                    ], "test_summary": {"status": "Skip"}}
                  ]}
                ]
              },
              "entity_groups": [],
              "metadata": {"version": "4.2.3"}
            }
            """;

    @Test
    void eachResultIsACheckAndOnlyAFailFails() throws IOException {
        assertThat(DcgmDiag.parse(DCGM4_ONE_FAILURE)).extracting(Check::line).containsExactly(
                "PASS diag software gpu 0: pass",
                "FAIL diag software gpu 1: fail (Row remapping pending on GPU 1)",
                "PASS diag memory gpu 0: skip");
    }

    @Test
    void readsDcgm3sReportWithGpuIdsAndTextBeforeTheJson() throws IOException {
        String dcgm3 = """
                Successfully ran diagnostic for group.
                {"DCGM GPU Diagnostic": {"test_categories": [{"category": "Deployment", "tests": [
                  {"name": "Blacklist", "results": [{"gpu_ids": "0,1", "status": "PASS"}]},
                  {"name": "Page Retirement/Row Remap", "results": [{"gpu_id": "1", "status": "FAIL",
                    "warnings": ["pending page retirements"]}]}]}]}}
                """;
        assertThat(DcgmDiag.parse(dcgm3)).extracting(Check::line).containsExactly(
                "PASS diag Blacklist gpus 0,1: pass",
                "FAIL diag Page Retirement/Row Remap gpu 1: fail (pending page retirements)");
    }

    @Test
    void aRuntimeErrorFailsTheDiagnostic() throws IOException {
        assertThat(DcgmDiag.parse("{\"DCGM Diagnostic\": {\"runtime_error\": \"nv-hostengine is not running\"}}"))
                .singleElement().satisfies(c -> {
                    assertThat(c.passed()).isFalse();
                    assertThat(c.line()).isEqualTo("FAIL dcgmi diag: runtime error: nv-hostengine is not running");
                });
    }

    @Test
    void outputThatIsNoReportIsAnError() {
        assertThatThrownBy(() -> DcgmDiag.parse("Error: unable to connect to host engine")).isInstanceOf(IOException.class)
                .hasMessage("no JSON in dcgmi's output");
        assertThatThrownBy(() -> DcgmDiag.parse("{\"version\": 1}")).isInstanceOf(IOException.class)
                .hasMessageContaining("no \"DCGM Diagnostic\"");
        assertThatThrownBy(() -> DcgmDiag.parse("{\"DCGM Diagnostic\": {\"test_categories\": []}}"))
                .isInstanceOf(IOException.class).hasMessage("dcgmi's report holds no test result");
    }
}
