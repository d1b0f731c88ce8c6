package io.agentstream.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/**
 * A failure after the response was committed (its status and perhaps part of its body are
 * out): what the operator reads of it. The answered-before-commit cases are tested through
 * the API by every IT that expects a problem document.
 */
class ProblemExceptionHandlerTest {

    private final ProblemExceptionHandler handler = new ProblemExceptionHandler(JsonMapper.builder().build());
    private final Logger logger = (Logger) LoggerFactory.getLogger(ProblemExceptionHandler.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level level;

    @BeforeEach
    void capture() {
        level = logger.getLevel();
        logger.setLevel(Level.INFO);
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
        logger.setLevel(level);
    }

    private static MockServerWebExchange committed() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/api/ingest"));
        exchange.getResponse().setStatusCode(HttpStatus.CREATED);
        exchange.getResponse().setComplete().block(Duration.ofSeconds(5));
        assertThat(exchange.getResponse().isCommitted()).isTrue();
        return exchange;
    }

    @Test
    void aClientThatWentAwayIsOneInfoLineAndEndsTheExchangeQuietly() {
        MockServerWebExchange exchange = committed();

        StepVerifier.create(handler.handle(exchange, new IOException("recvAddress(..) failed: Connection reset by peer")))
                .expectComplete()
                .verify(Duration.ofSeconds(5));

        assertThat(lines.list).singleElement().satisfies(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.INFO);
            assertThat(line.getFormattedMessage())
                    .startsWith("POST /api/ingest: the client went away after the response had begun (201 CREATED): ")
                    .contains("java.io.IOException: [scrubbed] at ")
                    .doesNotContain("recvAddress");
        });
    }

    @Test
    void anyOtherFailureIsPassedOnNamingItsClassFrameAndCausesWithoutItsMessage() {
        MockServerWebExchange exchange = committed();
        IllegalStateException bug = new IllegalStateException("Bearer ap_live_secret",
                new ArithmeticException("my secret content"));

        StepVerifier.create(handler.handle(exchange, bug))
                .expectErrorSatisfies(passedOn -> assertThat(passedOn.toString())
                        .startsWith("java.lang.IllegalStateException: [scrubbed] at io.agentstream.problem.ProblemExceptionHandlerTest.")
                        .endsWith("; caused by java.lang.ArithmeticException: [scrubbed]")
                        .doesNotContain("secret"))
                .verify(Duration.ofSeconds(5));
        // Spring's adapter logs the ERROR line (from toString above) and closes the connection.
        assertThat(lines.list).isEmpty();
    }
}
