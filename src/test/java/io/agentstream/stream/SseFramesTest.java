package io.agentstream.stream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.codec.ServerSentEventHttpMessageWriter;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** The frames written as bytes are exactly what Spring's SSE encoder writes for the same events. */
class SseFramesTest {

    private static final Duration RETRY = Duration.ofMillis(3000);

    @Test
    void eventsUnnamedAndNamed() {
        String json = "{\"event_id\":42,\"type\":\"message.created\",\"timestamp\":\"2026-11-20T10:15:07Z\","
                + "\"data\":{\"content\": \"héllo 🙂 \\\"quoted\\\"\"}}";
        StreamEvent event = new StreamEvent(42, "message.created", "c", json);
        assertThat(text(event.frame(false))).isEqualTo(spring(ServerSentEvent.builder(json).id("42").build()));
        assertThat(text(event.frame(true)))
                .isEqualTo(spring(ServerSentEvent.builder(json).id("42").event("message.created").build()));
        assertThat(event.frame(false)).isSameAs(event.frame(false));
    }

    @Test
    void aLineBreakInTheDataContinuesOnAnotherDataLine() {
        String data = "{\"a\":\n1}";
        assertThat(text(SseFrames.event(7, "log.entry", data, false)))
                .isEqualTo(spring(ServerSentEvent.builder(data).id("7").build()));
    }

    @Test
    void connectedHeartbeatAndReconnectHint() {
        for (boolean recovered : new boolean[] {true, false}) {
            ServerSentEvent.Builder<String> connected = ServerSentEvent.builder(
                    "{\"type\":\"connected\",\"recovered\":" + recovered + "}").retry(RETRY);
            assertThat(text(SseFrames.connected(recovered, false, RETRY))).isEqualTo(spring(connected.build()));
            assertThat(text(SseFrames.connected(recovered, true, RETRY))).isEqualTo(spring(connected.event("connected").build()));
        }
        assertThat(text(SseFrames.HEARTBEAT)).isEqualTo(spring(ServerSentEvent.<String>builder().comment("heartbeat").build()));
        Duration hint = Duration.ofMillis(2650);
        assertThat(text(SseFrames.reconnect(hint)))
                .isEqualTo(spring(ServerSentEvent.<String>builder().retry(hint).comment("reconnect").build()));
    }

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    private static String spring(ServerSentEvent<String> event) {
        MockServerHttpResponse response = new MockServerHttpResponse();
        new ServerSentEventHttpMessageWriter().write(Mono.just(event),
                        ResolvableType.forClassWithGenerics(ServerSentEvent.class, String.class),
                        MediaType.TEXT_EVENT_STREAM, response, Map.of())
                .block(Duration.ofSeconds(5));
        return response.getBodyAsString().block(Duration.ofSeconds(5));
    }
}
