package io.agentstream.ops;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/health}, public: what a load balancer and an operator need at a glance.
 * 503 when PostgreSQL does not answer, because then nothing can be acknowledged.
 */
@RestController
class HealthController {

    private static final Duration DATABASE_CHECK_TIMEOUT = Duration.ofSeconds(2);

    private final DatabaseClient db;
    private final String version;

    HealthController(DatabaseClient db, ObjectProvider<BuildProperties> build) {
        this.db = db;
        BuildProperties properties = build.getIfAvailable();
        this.version = properties != null ? properties.getVersion() : "unknown";
    }

    @GetMapping("/api/health")
    Mono<ResponseEntity<Map<String, Object>>> health() {
        return checkDatabase().map(database -> {
            boolean up = "UP".equals(database.get("status"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "UP" : "DOWN");
            body.put("version", version);
            body.put("uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
            body.put("database", database);
            return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
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
            return db.sql("select 1").map(row -> 1).first()
                    .timeout(DATABASE_CHECK_TIMEOUT)
                    .map(ignored -> state("UP", "latency_ms", (System.nanoTime() - started) / 1_000_000))
                    .onErrorResume(e -> Mono.just(state("DOWN", "error", e.getClass().getSimpleName())));
        });
    }
}
