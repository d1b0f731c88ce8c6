package io.agentstream.ratelimit;

import reactor.core.publisher.Mono;

/**
 * Brute-force protection: failed authentications are counted per client address
 * (RATE_LIMIT_AUTH_FAILURES per minute); a client over the limit is turned away with 429
 * before its key is even looked at, so it cannot keep guessing.
 */
public interface AuthFailureThrottle {

    /** Whether the client is over its limit of failures (checked locally, without a round trip). */
    boolean blocked(String client);

    /** Counts one failure; completes with the seconds the client must now wait, or 0. */
    Mono<Long> recordFailure(String client);
}
