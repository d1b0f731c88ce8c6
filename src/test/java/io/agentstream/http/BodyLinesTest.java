package io.agentstream.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.agentstream.problem.ApiProblem;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class BodyLinesTest {

    private static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;

    /** The text cut into network buffers of {@code size} bytes, wherever that falls. */
    private static Flux<DataBuffer> chunks(String text, int size) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        List<DataBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += size) {
            buffers.add(BUFFERS.wrap(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + size))));
        }
        return Flux.fromIterable(buffers);
    }

    private static List<String> texts(List<BodyLines.Line> lines) {
        return lines.stream().map(line -> line.tooLong() ? "<" + line.length() + ">" : new String(line.bytes(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void linesAreTheSameWhereverTheBuffersAreCut() {
        String body = "{\"a\":1}\n\n  \n{\"b\":\"é\"}\r\nlast";
        for (int size = 1; size <= body.length() + 1; size++) {
            List<BodyLines.Line> lines = BodyLines.read(chunks(body, size), 1_000, "LIMIT", 100).collectList().block(Duration.ofSeconds(5));
            assertThat(texts(lines)).as("buffers of %d bytes", size).containsExactly("{\"a\":1}", "{\"b\":\"é\"}\r", "last");
            assertThat(lines).extracting(BodyLines.Line::number).containsExactly(1, 4, 5);
        }
    }

    @Test
    void aLineLongerThanTheLimitIsNamedNotKept() {
        String body = "short\n" + "x".repeat(50) + "\nafter";
        for (int size : new int[] {1, 7, 64}) {
            List<BodyLines.Line> lines = BodyLines.read(chunks(body, size), 1_000, "LIMIT", 10).collectList().block(Duration.ofSeconds(5));
            assertThat(texts(lines)).containsExactly("short", "<50>", "after");
        }
    }

    @Test
    void theBodyLimitIsEnforcedWhileReadingAndNothingAfterItIsRead() {
        AtomicInteger read = new AtomicInteger();
        Flux<DataBuffer> endless = Flux.range(0, 1_000_000).map(i -> (DataBuffer) BUFFERS.wrap("0\n".repeat(512).getBytes(StandardCharsets.UTF_8)))
                .doOnNext(buffer -> read.incrementAndGet());
        StepVerifier.create(BodyLines.read(endless, 10_240, "SOME_LIMIT", 100).count())
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(ApiProblem.class)
                        .hasMessageContaining("413").hasMessageContaining("SOME_LIMIT"))
                .verify(Duration.ofSeconds(5));
        assertThat(read.get()).isLessThan(20);
    }

    @Test
    void anEmptyBodyHasNoLines() {
        StepVerifier.create(BodyLines.read(Flux.empty(), 10, "LIMIT", 10)).verifyComplete();
        StepVerifier.create(BodyLines.read(chunks("\n\r\n \n", 2), 10, "LIMIT", 10)).verifyComplete();
    }
}
