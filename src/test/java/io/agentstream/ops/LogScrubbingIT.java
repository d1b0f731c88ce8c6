package io.agentstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * An unexpected failure whose messages quote a key and message content (as a driver error
 * quoting the value it could not store does) is logged without either, but with the request
 * id, the exception classes and the stack frames.
 */
@IntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class LogScrubbingIT {

    static final String CONTENT = "the secret plan for the merger";

    @TestConfiguration(proxyBeanMethods = false)
    @RestController
    static class FailingEndpoint {

        @PostMapping("/api/test-log-failure")
        Mono<String> fail(@RequestBody String body) {
            R2dbcDataIntegrityViolationException driver = new R2dbcDataIntegrityViolationException(
                    "invalid byte sequence in value '" + body + "'", "22021");
            return Mono.error(new IllegalStateException("storing " + body + " for Authorization: Bearer " + Api.KEY
                    + " (key=" + Api.SECOND_KEY + ", ap_live_abcdefghijklmnop)", driver));
        }
    }

    @Autowired
    Api api;

    @Test
    void anUnexpectedFailureIsLoggedWithoutKeysOrContent(CapturedOutput output) {
        byte[] problem = api.client().post().uri("/api/test-log-failure?access_token=query-token-0123456789")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.TEXT_PLAIN).bodyValue(CONTENT)
                .exchange().expectStatus().isEqualTo(500)
                .expectBody().returnResult().getResponseBody();
        String requestId = tools.jackson.databind.json.JsonMapper.shared().readTree(problem).get("request_id").asString();
        String log = output.getAll();
        String failureLine = log.lines().filter(line -> line.contains("/api/test-log-failure failed")).findFirst().orElseThrow();
        assertThat(log).doesNotContain(Api.KEY).doesNotContain(Api.SECOND_KEY).doesNotContain(CONTENT)
                .doesNotContain("merger").doesNotContain("ap_live_abcdefghijklmnop").doesNotContain("query-token-0123456789");
        assertThat(log)
                .contains(requestId)
                .contains("java.lang.IllegalStateException: [scrubbed]")
                .contains("io.r2dbc.spi.R2dbcDataIntegrityViolationException: [scrubbed] SQLSTATE 22021")
                .contains("at io.agentstream.ops.LogScrubbingIT$FailingEndpoint.fail(LogScrubbingIT.java");
        assertThat(failureLine).contains("POST /api/test-log-failure failed (request " + requestId + ")");
        api.assertHealthy();
    }
}
