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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
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

        /** Under a route the access rules know (reading a conversation), so the request gets through. */
        @GetMapping("/api/conversations/log-failure-probe")
        Mono<String> fail(@RequestParam("content") String body) {
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
        byte[] problem = api.client().get()
                .uri("/api/conversations/log-failure-probe?access_token=query-token-0123456789&content={content}", CONTENT)
                .header("Authorization", "Bearer " + Api.KEY)
                .exchange().expectStatus().isEqualTo(500)
                .expectBody().returnResult().getResponseBody();
        String requestId = tools.jackson.databind.json.JsonMapper.shared().readTree(problem).get("request_id").asString();
        String log = output.getAll();
        String failureLine = log.lines().filter(line -> line.contains("/api/conversations/log-failure-probe failed"))
                .findFirst().orElseThrow();
        assertThat(log).doesNotContain(Api.KEY).doesNotContain(Api.SECOND_KEY).doesNotContain(CONTENT)
                .doesNotContain("merger").doesNotContain("ap_live_abcdefghijklmnop").doesNotContain("query-token-0123456789");
        assertThat(log)
                .contains(requestId)
                .contains("java.lang.IllegalStateException: [scrubbed]")
                .contains("io.r2dbc.spi.R2dbcDataIntegrityViolationException: [scrubbed] SQLSTATE 22021")
                .contains("at io.agentstream.ops.LogScrubbingIT$FailingEndpoint.fail(LogScrubbingIT.java");
        // The request id is the line's own (the request's logging context), as on every line of the request.
        assertThat(failureLine).contains("[" + requestId + "]").contains("GET /api/conversations/log-failure-probe failed");
        api.assertHealthy();
    }
}
