package io.agentstream.ratelimit;

import io.agentstream.config.InvalidConfigurationException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Requests per minute, each counted separately per API key and per client address, per
 * endpoint group. Ingest is generous on purpose: the AgentPipe CLI never retries a 429,
 * so a refused event is lost to it.
 *
 * @param enabled        RATE_LIMIT_ENABLED
 * @param ingest         RATE_LIMIT_INGEST: POST /api/ingest (a batch counts once)
 * @param upload         RATE_LIMIT_UPLOAD: POST /api/sessions/upload
 * @param read           RATE_LIMIT_READ: the read API, /api/events, stream tokens, key management
 * @param streamConnect  RATE_LIMIT_STREAM_CONNECT: new streams
 * @param authFailures   RATE_LIMIT_AUTH_FAILURES: failed authentications per client address,
 *                       beyond which the address is refused for a while (brute force)
 * @param health         RATE_LIMIT_HEALTH: GET /api/health per client address (public, so
 *                       per address only; a load balancer probes a few times a minute)
 */
@ConfigurationProperties("agentstream.rate-limit")
public record RateLimitProperties(@DefaultValue("true") boolean enabled, @DefaultValue("600000") long ingest,
                                  @DefaultValue("60") long upload, @DefaultValue("1200") long read,
                                  @DefaultValue("120") long streamConnect, @DefaultValue("20") long authFailures,
                                  @DefaultValue("600") long health) {

    public RateLimitProperties {
        positive("RATE_LIMIT_INGEST", ingest);
        positive("RATE_LIMIT_UPLOAD", upload);
        positive("RATE_LIMIT_READ", read);
        positive("RATE_LIMIT_STREAM_CONNECT", streamConnect);
        positive("RATE_LIMIT_AUTH_FAILURES", authFailures);
        positive("RATE_LIMIT_HEALTH", health);
    }

    private static void positive(String variable, long perMinute) {
        if (perMinute < 1 || perMinute > 100_000_000) {
            throw new InvalidConfigurationException(variable, "must be a number of requests per minute from 1 to 100000000");
        }
    }
}
