package io.agentstream.support;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A real SSE client over HTTP (WebClient) for the stream, and a non-blocking ingest client
 * for load while a stream is read.
 */
public final class StreamClient {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
    };
    private static final AtomicLong MESSAGES = new AtomicLong();

    private final WebClient web;

    public StreamClient(int port) {
        this.web = WebClient.builder().baseUrl("http://127.0.0.1:" + port)
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
                .build();
    }

    /** Every SSE frame, heartbeats and hints included. */
    public Flux<ServerSentEvent<String>> stream(String query, String lastEventId) {
        return stream(query, lastEventId, null);
    }

    /** As {@link #stream(String, String)}, through a proxy that reports the client as {@code forwardedFor}. */
    public Flux<ServerSentEvent<String>> stream(String query, String lastEventId, String forwardedFor) {
        return web.get().uri("/api/realtime/stream" + (query == null ? "" : "?" + query))
                .header("Authorization", "Bearer " + Api.KEY)
                .headers(headers -> {
                    if (lastEventId != null) {
                        headers.set("Last-Event-ID", lastEventId);
                    }
                    if (forwardedFor != null) {
                        headers.set("X-Forwarded-For", forwardedFor);
                    }
                })
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve()
                .bodyToFlux(SSE);
    }

    /** The stream with another key. */
    public Flux<ServerSentEvent<String>> streamWithKey(String key, String query) {
        return web.get().uri("/api/realtime/stream" + (query == null ? "" : "?" + query))
                .header("Authorization", "Bearer " + key)
                .accept(MediaType.TEXT_EVENT_STREAM).retrieve().bodyToFlux(SSE);
    }

    /** The stream without an Authorization header (a browser's EventSource, with access_token). */
    public Flux<ServerSentEvent<String>> streamWithQuery(String query) {
        return web.get().uri("/api/realtime/stream?" + query)
                .accept(MediaType.TEXT_EVENT_STREAM).retrieve().bodyToFlux(SSE);
    }

    /** Only the frames that carry an event id: the log's events. */
    public Flux<ServerSentEvent<String>> events(String query, String lastEventId) {
        return stream(query, lastEventId).filter(event -> event.id() != null);
    }

    /** The {@code connected} frame's data. */
    public static boolean isConnected(ServerSentEvent<String> event) {
        return event.data() != null && event.data().startsWith("{\"type\":\"connected\"");
    }

    public Mono<Long> ingestMessage(String conversationId, long sequence, String content) {
        String body = """
                {"type":"message.created","timestamp":"2026-11-20T10:15:07Z","data":{"conversation_id":"%s",\
                "message_id":"m-%d","agent_id":"claude-1","agent_type":"claude","agent_name":"Architect",\
                "content":"%s","sequence_number":%d,"tokens_used":10,"cost":0.001,"model":"claude-sonnet-4"}}"""
                .formatted(conversationId, MESSAGES.incrementAndGet(), content, sequence);
        return web.post().uri("/api/ingest")
                .header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .retrieve()
                .bodyToMono(IngestAck.class)
                .map(IngestAck::eventId)
                .timeout(Duration.ofSeconds(20));
    }

    /** Ingests messages with {@code concurrency} in flight; completes with their offsets. */
    public Mono<List<Long>> ingestMessages(int count, int concurrency, List<String> conversations) {
        return Flux.range(0, count)
                .flatMap(i -> ingestMessage(conversations.get(i % conversations.size()), i, "message " + i), concurrency)
                .collectList();
    }

    record IngestAck(@com.fasterxml.jackson.annotation.JsonProperty("event_id") Long eventId) {
    }
}
