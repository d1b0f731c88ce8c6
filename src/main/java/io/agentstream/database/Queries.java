package io.agentstream.database;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every read or write against PostgreSQL is bounded in time, and an unreachable or too slow
 * database becomes {@link DatabaseUnavailableException} (503, retryable) instead of a 500.
 */
public final class Queries {

    private Queries() {
    }

    public static <T> Mono<T> bounded(Mono<T> query, Duration timeout) {
        return query.timeout(timeout).onErrorMap(DatabaseErrors::isUnavailable, DatabaseUnavailableException::new);
    }

    public static <T> Flux<T> bounded(Flux<T> query, Duration timeout) {
        return query.timeout(timeout).onErrorMap(DatabaseErrors::isUnavailable, DatabaseUnavailableException::new);
    }
}
