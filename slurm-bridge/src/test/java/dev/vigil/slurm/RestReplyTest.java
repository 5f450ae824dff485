package dev.vigil.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** How slurmrestd's answers are judged: Slurm's errors[] in each version's shape, and the HTTP status. */
class RestReplyTest {
    private static final String REQUEST = "GET /slurm/v0.0.41/nodes";

    @Test
    void errorsReadInEveryVersionsShape() throws Exception {
        Rest.Reply reply = reply(500, """
                {"errors": [
                  {"description": "Unable to contact slurm controller (connect failure)", "error_number": 1007,
                   "error": "Unable to contact slurm controller (connect failure)"},
                  {"description": "Disabled key: \\"tres_per_node\\"", "error": "Operation not permitted",
                   "error_number": 1, "error_code": 9001},
                  {"error_code": 2017, "error": "Invalid job id specified"},
                  {"description": "slurmctld is busy"},
                  {"source": "slurm_load_jobs"}
                ]}
                """);
        assertThat(reply.errors()).extracting(Rest.Error::message, Rest.Error::number).containsExactly(
                tuple("Unable to contact slurm controller (connect failure)", 1007L),
                tuple("Disabled key: \"tres_per_node\" (Operation not permitted)", 1L),
                tuple("Invalid job id specified", 2017L),
                tuple("slurmctld is busy", 0L),
                tuple("{\"source\":\"slurm_load_jobs\"}", 0L));
    }

    @Test
    void aSuccessfulReplyIsItsBody() throws Exception {
        Rest.Reply reply = reply(200, "{\"errors\": [], \"nodes\": []}");
        assertThat(Rest.check(reply, REQUEST)).isSameAs(reply.body());
        assertThat(Rest.check(reply(299, "{}"), REQUEST).isObject()).isTrue();
    }

    @Test
    void aStatusOutside2xxOrABodyThatIsNotJsonIsAnError() throws Exception {
        assertThatThrownBy(() -> Rest.check(reply(300, "{\"nodes\": []}"), REQUEST))
                .isInstanceOf(SlurmException.class).hasMessage("slurmrestd answered HTTP 300: {\"nodes\": []} (request: "
                        + REQUEST + ")");
        assertThatThrownBy(() -> Rest.check(reply(199, "{}"), REQUEST))
                .isInstanceOf(SlurmException.class).hasMessageStartingWith("slurmrestd answered HTTP 199: {}");
        assertThatThrownBy(() -> Rest.check(new Rest.Reply(200, MissingNode.getInstance(), "  "), REQUEST))
                .isInstanceOf(SlurmException.class).hasMessage("slurmrestd answered HTTP 200 (request: " + REQUEST + ")");
    }

    @Test
    void slurmsErrorsAreTheMessageEachOnce() throws Exception {
        Rest.Reply reply = reply(500, """
                {"errors": [{"error": "Invalid partition name specified", "error_number": 2015},
                            {"error": "Invalid partition name specified", "error_number": 2015},
                            {"error": "Job submit failed"}]}
                """);
        assertThatThrownBy(() -> Rest.check(reply, REQUEST)).isInstanceOfSatisfying(SlurmException.class, e -> {
            assertThat(e.slurmMessage()).isEqualTo("Invalid partition name specified; Job submit failed");
            assertThat(e.request()).isEqualTo(REQUEST);
            assertThat(e.retryable()).isFalse();
        });
        // errors win over a 2xx status
        assertThatThrownBy(() -> Rest.check(reply(200, "{\"errors\": [{\"error\": \"no\"}]}"), REQUEST))
                .isInstanceOf(SlurmException.class).hasMessage("no (request: " + REQUEST + ")");
    }

    @Test
    void anUnreachableOrBusyControllerIsWorthAskingAgain() throws Exception {
        for (long number : new long[] {1007, 1008, 1009, 1010, 5004}) {
            assertThat(retryable(reply(500, "{\"errors\": [{\"error\": \"x\", \"error_number\": " + number + "}]}")))
                    .as("error %d", number).isTrue();
        }
        assertThat(retryable(reply(500, "{\"errors\": [{\"error\": \"Unable to contact slurm controller\"}]}"))).isTrue();
        assertThat(retryable(reply(500, "{\"errors\": [{\"error\": \"Invalid job id specified\", \"error_number\": 2017},"
                + " {\"error\": \"x\", \"error_number\": 1008}]}"))).as("any of them").isTrue();
        assertThat(retryable(reply(500, "{\"errors\": [{\"error\": \"Invalid job id specified\", \"error_number\": 2017}]}")))
                .isFalse();
    }

    @Test
    void aStatusWithoutSlurmsWordsSaysTheStatusAndWhetherToRetry() throws Exception {
        assertThat(retryable(reply(500, "Internal error"))).isFalse();
        assertThat(retryable(reply(501, ""))).isFalse();
        assertThat(retryable(reply(502, "Bad gateway"))).isTrue();
        assertThat(retryable(reply(503, ""))).isTrue();
        assertThat(retryable(reply(504, ""))).isTrue();
        assertThat(retryable(reply(505, ""))).isFalse();
        assertThatThrownBy(() -> Rest.check(reply(403, "Forbidden"), REQUEST))
                .isInstanceOf(SlurmException.class).hasMessage("slurmrestd answered HTTP 403: Forbidden (request: "
                        + REQUEST + ")");
    }

    @Test
    void aLongAnswerIsCutAt300CharactersOnOneLine() throws Exception {
        String exactly300 = "x".repeat(300);
        assertThatThrownBy(() -> Rest.check(reply(500, exactly300), REQUEST))
                .isInstanceOf(SlurmException.class).hasMessage("slurmrestd answered HTTP 500: " + exactly300
                        + " (request: " + REQUEST + ")");
        assertThatThrownBy(() -> Rest.check(reply(500, "a\n  b" + "y".repeat(300)), REQUEST))
                .isInstanceOf(SlurmException.class).hasMessage("slurmrestd answered HTTP 500: a b" + "y".repeat(297)
                        + "... (request: " + REQUEST + ")");
    }

    private static boolean retryable(Rest.Reply reply) {
        try {
            Rest.check(reply, REQUEST);
        } catch (SlurmException e) {
            return e.retryable();
        }
        throw new AssertionError("no error for " + reply);
    }

    private static Rest.Reply reply(int status, String text) throws Exception {
        JsonNode body;
        try {
            body = Rest.JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            body = MissingNode.getInstance();
        }
        return new Rest.Reply(status, body == null ? MissingNode.getInstance() : body, text);
    }
}
