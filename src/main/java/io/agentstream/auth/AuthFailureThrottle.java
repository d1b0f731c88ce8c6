package io.agentstream.auth;

import reactor.core.publisher.Mono;

/**
 * Brute-force protection: failed authentications are counted per client address
 * (RATE_LIMIT_AUTH_FAILURES per minute); past the limit a failure is answered 429 instead of
 * 401. Only failures count, and a valid key is checked first: a client that shares its
 * address (behind one proxy) with a misconfigured or hostile one is never locked out.
 */
public interface AuthFailureThrottle {

    /** Counts one failure; completes with the seconds the client must now wait, or 0. */
    Mono<Long> recordFailure(String client);
}
