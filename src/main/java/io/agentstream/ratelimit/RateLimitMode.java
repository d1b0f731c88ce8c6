package io.agentstream.ratelimit;

/** Where rate limits are kept right now, for health. */
public interface RateLimitMode {

    /** "redis" (shared), "local" (no Redis configured) or "local-fallback" (Redis unreachable). */
    String mode();
}
