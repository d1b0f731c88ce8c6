package io.agentstream.ops;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.agentstream.http.Routes;
import io.agentstream.ratelimit.RateLimitMode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/health}, public: what a load balancer and an operator need at a glance.
 * 503 when PostgreSQL does not answer, because then nothing can be acknowledged. A
 * configured Redis that does not answer makes the instance DEGRADED, not DOWN: limits and
 * wake-ups fall back to this instance alone, and nothing is lost.
 *
 * <p>Public and unauthenticated, so its checks (a query and a Redis ping) run at most once a
 * second, shared by every request in that second: a flood of health requests costs the
 * database nothing more (and is rate limited per address, RATE_LIMIT_HEALTH).
 */
@RestController
class HealthController {

    private static final Duration DATABASE_CHECK_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REDIS_CHECK_TIMEOUT = Duration.ofSeconds(1);
    /** How long one round of checks answers for. */
    static final Duration CHECKS_FRESH_FOR = Duration.ofSeconds(1);

    private final DatabaseClient db;
    private final ReactiveStringRedisTemplate redis;
    private final MeterRegistry meters;
    private final RateLimitMode rateLimitMode;
    private final String version;
    private final Mono<Checks> checks;

    private record Checks(Instant checkedAt, Map<String, Object> database, Map<String, Object> redis) {
    }

    HealthController(DatabaseClient db, ObjectProvider<ReactiveStringRedisTemplate> redis, MeterRegistry meters,
                     RateLimitMode rateLimitMode, ObjectProvider<BuildProperties> build) {
        this.rateLimitMode = rateLimitMode;
        this.db = db;
        this.redis = redis.getIfAvailable();
        this.meters = meters;
        BuildProperties properties = build.getIfAvailable();
        this.version = properties != null ? properties.getVersion() : "unknown";
        // Failures are states (DOWN), not errors, so every outcome is cached alike.
        this.checks = Mono.defer(() -> {
            Instant checkedAt = Instant.now();
            return Mono.zip(checkDatabase(), checkRedis(), (database, redisState) -> new Checks(checkedAt, database, redisState));
        }).cache(CHECKS_FRESH_FOR);
    }

    @GetMapping(Routes.HEALTH)
    Mono<ResponseEntity<Map<String, Object>>> health() {
        return checks.map(states -> {
            Map<String, Object> database = states.database();
            Map<String, Object> redisState = states.redis();
            boolean up = "UP".equals(database.get("status"));
            String rateLimits = rateLimitMode.mode();
            boolean degraded = "DOWN".equals(redisState.get("status")) || rateLimits.equals("local-fallback");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", !up ? "DOWN" : degraded ? "DEGRADED" : "UP");
            body.put("version", version);
            body.put("uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
            body.put("checked_at", states.checkedAt().toString());
            body.put("database", database);
            body.put("redis", redisState);
            body.put("sse_connections", streamConnections());
            body.put("rate_limits", rateLimits);
            return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
        });
    }

    private long streamConnections() {
        Gauge gauge = meters.find("agentstream.stream.connections").gauge();
        return gauge == null ? 0 : (long) gauge.value();
    }

    private Mono<Map<String, Object>> checkRedis() {
        if (redis == null) {
            return Mono.just(Map.of("status", "NOT_CONFIGURED"));
        }
        return Mono.defer(() -> {
            long started = System.nanoTime();
            return redis.execute(connection -> connection.ping()).next()
                    .timeout(REDIS_CHECK_TIMEOUT)
                    .map(ignored -> state("UP", "latency_ms", (System.nanoTime() - started) / 1_000_000))
                    .onErrorResume(e -> Mono.just(state("DOWN", "error", e.getClass().getSimpleName())));
        });
    }

    private static Map<String, Object> state(String status, String detail, Object value) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("status", status);
        state.put(detail, value);
        return state;
    }

    private Mono<Map<String, Object>> checkDatabase() {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            return db.sql("select (select max(received_at) from events) as last_event_at")
                    .map(row -> Optional.ofNullable(row.get("last_event_at", OffsetDateTime.class))).first()
                    .timeout(DATABASE_CHECK_TIMEOUT)
                    .map(lastEvent -> {
                        Map<String, Object> state = state("UP", "latency_ms", (System.nanoTime() - started) / 1_000_000);
                        state.put("last_event_at", lastEvent.orElse(null));
                        return state;
                    })
                    .onErrorResume(e -> Mono.just(state("DOWN", "error", e.getClass().getSimpleName())));
        });
    }
}
