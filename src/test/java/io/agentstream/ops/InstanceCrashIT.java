package io.agentstream.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.agentstream.support.Api;
import io.agentstream.support.IntegrationTest;
import io.agentstream.support.RedisUnderTest;
import io.agentstream.support.StreamClient;
import io.agentstream.support.TestInfrastructure.PostgresUnderTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Two instances on one PostgreSQL and one Redis, streams open on both, CLIs posting through
 * both; one instance is killed with SIGKILL mid-load (a separate process started from the
 * packaged jar, as in production). Every acknowledged event is stored exactly once, the
 * killed instance's stream clients resume on the survivor with no gap and no duplicate, and
 * the survivor stays UP.
 */
@IntegrationTest
class InstanceCrashIT {

    private static final String PREFIX = RedisUnderTest.uniquePrefix();
    private static final int EVENTS = 240;
    private static final int KILL_AFTER_ACKS = 80;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("agentstream.redis.url", RedisUnderTest::url);
        registry.add("agentstream.redis.key-prefix", () -> PREFIX);
    }

    @Autowired
    Api api;

    @Autowired
    PostgresUnderTest postgres;

    @LocalServerPort
    int survivorPort;

    @Test
    void killingAnInstanceMidLoadLosesNothingAndItsStreamsResumeOnTheSurvivor() throws Exception {
        long start = api.count("select coalesce(max(id), 0) from events");
        int victimPort = freePort();
        Process victim = startVictim(victimPort);
        List<Disposable> subscriptions = new ArrayList<>();
        try {
            awaitHealthy(victim, victimPort);
            StreamClient onVictim = new StreamClient(victimPort);
            StreamClient onSurvivor = new StreamClient(survivorPort);

            // Three dashboards on the instance to be killed, one on the survivor; each resumes on
            // the survivor from the last event it saw, as EventSource does with Last-Event-ID.
            List<List<Long>> received = new ArrayList<>();
            List<AtomicInteger> reconnects = new ArrayList<>();
            java.util.concurrent.CountDownLatch connected = new java.util.concurrent.CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                List<Long> ids = new CopyOnWriteArrayList<>();
                AtomicLong last = new AtomicLong(start);
                AtomicInteger reconnected = new AtomicInteger();
                StreamClient first = i < 3 ? onVictim : onSurvivor;
                Flux<ServerSentEvent<String>> resumed = Flux.defer(() -> {
                    reconnected.incrementAndGet();
                    return onSurvivor.stream(null, Long.toString(last.get()));
                });
                subscriptions.add(first.stream(null, Long.toString(start))
                        .onErrorResume(error -> Flux.empty())
                        .concatWith(resumed)
                        .subscribe(event -> {
                            if (StreamClient.isConnected(event)) {
                                connected.countDown();
                            }
                            if (event.id() != null) {
                                long id = Long.parseLong(event.id());
                                ids.add(id);
                                last.set(id);
                            }
                        }));
                received.add(ids);
                reconnects.add(reconnected);
            }
            assertThat(connected.await(30, TimeUnit.SECONDS)).as("all four streams connected").isTrue();

            // CLIs posting alternately through both; a request the dead instance does not answer is
            // retried on the survivor (the CLI retries failed requests).
            Map<String, Long> acknowledged = new ConcurrentHashMap<>();
            AtomicBoolean killed = new AtomicBoolean();
            AtomicInteger failedOnVictim = new AtomicInteger();
            WebClient victimWeb = WebClient.create("http://127.0.0.1:" + victimPort);
            WebClient survivorWeb = WebClient.create("http://127.0.0.1:" + survivorPort);
            Flux.range(0, EVENTS)
                    .flatMap(i -> {
                        String messageId = "crash-" + i;
                        WebClient first = i % 2 == 0 && !killed.get() ? victimWeb : survivorWeb;
                        return ingest(first, messageId, i)
                                .onErrorResume(error -> {
                                    failedOnVictim.incrementAndGet();
                                    return ingest(survivorWeb, messageId, i);
                                })
                                .retryWhen(reactor.util.retry.Retry.fixedDelay(3, Duration.ofMillis(200)))
                                .doOnNext(eventId -> {
                                    acknowledged.put(messageId, eventId);
                                    if (acknowledged.size() >= KILL_AFTER_ACKS && killed.compareAndSet(false, true)) {
                                        victim.destroyForcibly(); // SIGKILL, mid-load
                                    }
                                });
                    }, 8)
                    .blockLast(Duration.ofSeconds(120));
            assertThat(killed).isTrue();
            assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();

            // Every acknowledged event stored exactly once, each message once, and nothing else.
            assertThat(acknowledged).hasSize(EVENTS);
            for (Map.Entry<String, Long> ack : acknowledged.entrySet()) {
                assertThat(api.count("select count(*) from messages where message_id = $1", ack.getKey()))
                        .as(ack.getKey()).isEqualTo(1);
                assertThat(api.numbers("select id from events where payload -> 'data' ->> 'message_id' = $1", ack.getKey()))
                        .as(ack.getKey()).containsExactly(ack.getValue());
            }
            List<Long> stored = api.numbers("select id from events where id > $1 order by id", start);
            assertThat(stored).hasSize(EVENTS);
            assertThat(api.count("select message_count from conversations where id = 'crash-conversation'")).isEqualTo(EVENTS);

            // Each dashboard has every event after where it began, in order, none twice.
            Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (List<Long> ids : received) {
                    assertThat(ids).isEqualTo(stored);
                }
            });
            for (int i = 0; i < 3; i++) {
                assertThat(reconnects.get(i)).as("the killed instance's client %d reconnected", i).hasValue(1);
            }
            System.out.printf("CRASH: %d events acknowledged, %d requests to the killed instance failed and were retried; "
                    + "4 streams complete (3 resumed on the survivor)%n", acknowledged.size(), failedOnVictim.get());
            api.assertHealthy();
        } finally {
            subscriptions.forEach(Disposable::dispose);
            victim.destroyForcibly();
        }
    }

    private Mono<Long> ingest(WebClient web, String messageId, int sequence) {
        String body = """
                {"type":"message.created","timestamp":"2026-11-20T10:15:07Z","data":{"conversation_id":"crash-conversation",\
                "message_id":"%s","agent_type":"claude","content":"message %d","sequence_number":%d}}"""
                .formatted(messageId, sequence, sequence);
        return web.post().uri("/api/ingest").header("Authorization", "Bearer " + Api.KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .retrieve().bodyToMono(Map.class)
                .map(ack -> ((Number) ack.get("event_id")).longValue())
                .timeout(Duration.ofSeconds(15));
    }

    private Process startVictim(int port) throws IOException {
        Path jar = Path.of("target/agentstream.jar");
        assertThat(jar).exists();
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "-jar", jar.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(Path.of("target/crash-victim.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("PORT", Integer.toString(port));
        env.put("DATABASE_URL", "postgresql://" + postgres.url().user() + "@" + postgres.url().host() + ":"
                + postgres.url().port() + "/" + postgres.url().database());
        env.put("AGENTPIPE_BRIDGE_API_KEY", Api.KEY);
        env.put("REDIS_URL", RedisUnderTest.url());
        env.put("REDIS_KEY_PREFIX", PREFIX);
        env.put("RATE_LIMIT_ENABLED", "false");
        // A small heap for a small instance: its limits must fit it (the memory budget's start-up check).
        env.put("SSE_MAX_CONNECTIONS", "1000");
        env.put("UPLOAD_MAX_BYTES", "10MB");
        return builder.start();
    }

    private static void awaitHealthy(Process process, int port) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI health = URI.create("http://127.0.0.1:" + port + "/api/health");
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(process.isAlive()).as("the instance to kill is running (see target/crash-victim.log)").isTrue();
            try {
                return http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
